"""Graded tests for lab 2: backpropagation by hand, numerical gradients, and an MLP of any depth.

Expected values are the slides' worked figures (the 2-2-2 network of deck
001, the 2-2-1 network of deck 004's appendix B, recomputed), closed forms
(central differences of a cubic) and pinned results of longer runs. Where a
test needs a reference computation (a plain forward pass and loss, their
gradients by central differences, a plain descent loop), it asks
references.py through `lab.references`: the
instructor's side, never shipped with the lab.

The MLP's gradients are checked by the route that depends on nothing of the
student's: the test sets the weights itself (through a probe), gets the
student's backward gradients, and compares them with central differences of
the reference loss at those weights. Perturbing the student's own forward
pass would only check that forward and backward agree with each other: a
network that is wrong in both the same way (the wrong activation, a summed
instead of an averaged loss) would pass.
"""

import numpy as np

from autograder.graded import expect_close, expect_equal, expect_raises, expect_true, fail, graded

# The slides' 2-2-2 network.
X = [0.05, 0.10]
TARGET = [0.01, 0.99]
W1 = [[0.15, 0.20], [0.25, 0.30]]
W2 = [[0.40, 0.45], [0.50, 0.55]]
B1, B2, LR = 0.35, 0.60, 0.5
# The slides' figures after one update (printed to 8 or 9 decimals).
W1_AFTER_ONE = [[0.149780716, 0.19956143], [0.24975114, 0.29950229]]
W2_AFTER_ONE = [[0.35891648, 0.408666186], [0.511301270, 0.561370121]]
ERROR_AFTER_ONE = 0.291027774
# What the slides print instead: the hidden deltas computed with the updated W2.
ERROR_AFTER_ONE_ORDERING_BUG = 0.291027924
# Pinned results of longer runs, each recomputed by two routes (backpropagation,
# and descent on central-difference gradients), which agree to 1e-9.
# 10,000 updates of every parameter, the biases shared: E, then (b1, b2).
SHARED_BIASES_ERROR = 4.355321066e-06
SHARED_BIASES_AFTER = [2.324389163, -0.3373733264]
SHARED_BIASES_ERROR_PER_UNIT = 2.447562236e-06  # the same run with one bias per unit
# 50 updates with one bias per unit.
PER_UNIT_B1_AFTER_50 = [0.4512239383, 0.4380482118]
PER_UNIT_B2_AFTER_50 = [-1.041009197, 1.079552438]
PER_UNIT_ERROR_AFTER_50 = 0.01503669345
ORDERING_HINT = ("compute every gradient with the weights the forward pass used, then update: "
                 "the hidden deltas need the old W2")
# The course's bar for a correct gradient (lab 2's lesson): relative error against central differences.
GRADIENT_BAR = 1e-7


def slides_call(steps, params="the slides' 2-2-2 network", extra=""):
    return f"train(x=[0.05, 0.1], target=[0.01, 0.99], params=<{params}>, lr=0.5, steps={steps}{extra})"


def slides_params(b1=B1, b2=B2):
    return {"W1": np.array(W1), "b1": b1, "W2": np.array(W2), "b2": b2}


def flat(weights, biases):
    """Weights and biases as the one flat array the probes take: per layer, W row by row, then b."""
    return np.concatenate([part for w, b in zip(weights, biases) for part in (np.ravel(w), np.ravel(b))])


def describe_case(case):
    return (f"MLP({case['sizes']}, {case['activations']}, {case['loss']!r}) with set weights, "
            f"X of shape {case['X'].shape}")


def student_gradients(lab, case):
    """Call the student's forward and backward on the case; return (reply, grads as checked arrays)."""
    reply = lab.probes.mlp_gradients(case["sizes"], case["activations"], case["loss"],
                                     flat(case["weights"], case["biases"]), case["X"], case["Y"])
    called = f"{describe_case(case)}: forward(X), backward(Y)"
    grads = reply["grads"]
    layers = len(case["weights"])
    expect_true(isinstance(grads, list) and len(grads) == layers and all(len(pair) == 2 for pair in grads),
                f"a list of {layers} pairs (dW, db), one per layer", repr(grads)[:300], called=called,
                hint="backward(Y) returns [(dW, db) for each layer], the first layer first")
    for layer, ((dw, db), w, b) in enumerate(zip(grads, case["weights"], case["biases"])):
        expect_equal(np.shape(dw), w.shape, called=called, hint=f"layer {layer}'s dW has the shape of its W (out, in)")
        expect_equal(np.shape(db), b.shape, called=called,
                     hint=f"layer {layer}'s db has the shape of its b: sum delta over the rows (the batch)")
    return reply, grads


def check_gradients(lab, case):
    """The student's backward against central differences of the reference loss: relative error < GRADIENT_BAR."""
    reply, grads = student_gradients(lab, case)
    called = f"{describe_case(case)}: forward(X), backward(Y)"
    expected_output, _ = lab.references.mlp_forward(case["weights"], case["biases"], case["activations"], case["X"])
    expect_close(reply["output"], expected_output, rtol=1e-9, atol=1e-12, called=called,
                 hint="the forward pass is off already: each layer computes f(A @ W.T + b), rows as examples")
    expected = lab.references.mlp_gradients(case)
    mine = np.concatenate([np.ravel(g) for pair in grads for g in pair])
    theirs = np.concatenate([np.ravel(g) for pair in expected for g in pair])
    scale = np.linalg.norm(mine) + np.linalg.norm(theirs)
    error = 0.0 if scale == 0 else np.linalg.norm(mine - theirs) / scale
    if error < GRADIENT_BAR:
        return
    # Name the worst array, to say where to look.
    worst = max(((layer, kind, np.abs(np.asarray(g) - e).max(), g, e)
                 for layer, (pair, ref) in enumerate(zip(grads, expected))
                 for kind, g, e in zip(("dW", "db"), pair, ref)), key=lambda item: item[2])
    layer, kind, _, got, want = worst
    got = np.asarray(got, dtype=float)
    n = case["X"].shape[0]
    ratio = np.sum(got * want) / max(np.sum(want * want), 1e-300)
    hint = "compare your deltas with the chain rule, layer by layer from the output"
    if abs(ratio + 1) < 1e-3:
        hint = ("every gradient has the wrong sign: dL/dZ at the output is (A - Y) / n, prediction minus target "
                "(deck 004's x (y_true - y_pred) has it backwards)")
    elif n > 1 and abs(ratio - n) < 1e-3 * n:
        hint = "your gradients are n times too big: the loss is the mean over the rows, so divide by n once"
    elif n > 1 and kind == "db" and abs(ratio - 1 / n) < 1e-3 / n:
        hint = "db is n times too small: delta already carries the 1/n, so sum it over the rows"
    indent = " " * 20
    fail(f"gradients within a relative error of {GRADIENT_BAR:g} of central differences of the loss (h = 1e-5)",
         f"relative error {error:.3g}; the largest difference is in layer {layer}'s {kind}:\n"
         f"{indent[:10]}yours     {np.array2string(got, precision=8, prefix=indent)}\n"
         f"{indent[:10]}numerical {np.array2string(want, precision=8, prefix=indent)}", hint=hint, called=called)


# Part 1: the 2-2-2 network -----------------------------------------------------

@graded(points=1)
def forward_hidden_layer(lab):
    "forward gives the slides' hidden layer: net_h = (0.3775, 0.3925), out_h = (0.593269992, 0.596884378)"
    cache = lab.forward(X, slides_params())
    expect_true(isinstance(cache, dict) and {"net_h", "out_h", "net_o", "out_o"} <= set(cache),
                "a dict with keys net_h, out_h, net_o, out_o", repr(cache)[:300])
    expect_close(cache["net_h"], [0.3775, 0.3925], rtol=1e-12, hint="net_h = W1 @ x + b1 (b1 is added to every unit)")
    expect_close(cache["out_h"], [0.593269992, 0.596884378], rtol=1e-8, hint="out_h = sigmoid(net_h)")


@graded(points=1)
def forward_output_layer(lab):
    "forward gives the slides' outputs out_o = (0.75136507, 0.772928465)"
    cache = lab.forward(X, slides_params())
    expect_close(cache["net_o"], [1.105905967, 1.224921404], rtol=1e-9,
                 hint="net_o = W2 @ out_h + b2: the hidden layer's outputs are the output layer's inputs")
    expect_close(cache["out_o"], [0.75136507, 0.772928465], rtol=1e-8, hint="out_o = sigmoid(net_o)")


@graded(points=1)
def forward_other_sizes(lab):
    "forward works for any layer sizes: a 3-4-2 network with a bias per unit"
    rng = np.random.default_rng(21)
    params = {"W1": rng.normal(size=(4, 3)), "b1": rng.normal(size=4), "W2": rng.normal(size=(2, 4)),
              "b2": rng.normal(size=2)}
    x = rng.normal(size=3)
    cache = lab.forward(x, params)
    expect_close(cache["out_h"], 1 / (1 + np.exp(-(params["W1"] @ x + params["b1"]))), rtol=1e-10,
                 hint="W1 has shape (n_hidden, n_in): out_h has n_hidden entries")
    expect_close(cache["out_o"], lab.references.network_output(x, params), rtol=1e-10)


@graded(points=1)
def total_error_slides(lab):
    "total_error gives the slides' E = 0.298371109 and rejects mismatched shapes"
    expect_close(lab.total_error(TARGET, [0.75136507, 0.772928465]), 0.298371109, rtol=1e-7,
                 hint="E = sum(1/2 (target - output)^2) over the outputs")
    expect_raises(ValueError, lab.total_error, [0.01, 0.99], [0.5, 0.5, 0.5],
                  hint="target and output must have the same shape")


@graded(points=2)
def backward_output_weights(lab):
    "backward gives the slides' output-layer gradient dE/dw5 = 0.082167041 and the rest of dE/dW2"
    params = slides_params()
    grads = lab.backward(X, TARGET, params, lab.forward(X, params))
    expected = lab.references.network_gradients(X, TARGET, params)["W2"]
    hint = ("an output weight's gradient is its output unit's delta times the hidden output it carries; "
            "check the slides' product 0.74136507 * 0.186815602 * 0.593269992 = 0.082167041")
    expect_close(grads["W2"][0][0], 0.082167041, rtol=1e-8, hint=hint)
    expect_close(grads["W2"], expected, rtol=1e-7, hint=hint + "; row i belongs to output unit i")


@graded(points=2)
def backward_hidden_weights(lab):
    "backward gives the slides' hidden-layer gradient dE/dw1 = 0.000438568 and the rest of dE/dW1"
    params = slides_params()
    grads = lab.backward(X, TARGET, params, lab.forward(X, params))
    expected = lab.references.network_gradients(X, TARGET, params)["W1"]
    hint = ("each hidden unit collects the deltas of every output it feeds, through the weights that carried "
            "its signal; check the slides' dE/dout_h1 = 0.036350306 on the way")
    expect_close(grads["W1"][0][0], 0.000438568, rtol=1e-6, hint=hint)
    expect_close(grads["W1"], expected, rtol=1e-6, hint=hint)


@graded(points=1)
def backward_biases(lab):
    "backward: a shared bias (a number) gets the sum of its units' deltas, a bias vector one delta per unit"
    params = slides_params()
    grads = lab.backward(X, TARGET, params, lab.forward(X, params))
    expected = lab.references.network_gradients(X, TARGET, params)
    hint = "b1 is one number added to both hidden units: dE/db1 = delta_h[0] + delta_h[1], a number"
    expect_close(grads["b1"], expected["b1"], rtol=1e-6, hint=hint)
    expect_close(grads["b2"], expected["b2"], rtol=1e-6, hint=hint.replace("b1", "b2").replace("_h", "_o")
                 .replace("hidden", "output"))
    per_unit = slides_params(b1=np.array([0.35, 0.35]), b2=np.array([0.6, 0.6]))
    grads = lab.backward(X, TARGET, per_unit, lab.forward(X, per_unit))
    expected = lab.references.network_gradients(X, TARGET, per_unit)
    hint = "with a bias per unit, dE/db has one entry per unit: the unit's delta"
    expect_close(grads["b1"], expected["b1"], rtol=1e-6, hint=hint)
    expect_close(grads["b2"], expected["b2"], rtol=1e-6, hint=hint)


@graded(points=2, hidden=True)
def backward_random_network(lab):
    "backward matches central differences on a random 3-5-2 network with a bias per unit"
    rng = np.random.default_rng(2)
    params = {"W1": rng.normal(size=(5, 3)), "b1": rng.normal(size=5), "W2": rng.normal(size=(2, 5)),
              "b2": rng.normal(size=2)}
    x, target = rng.normal(size=3), rng.uniform(size=2)
    grads = lab.backward(x, target, params, lab.forward(x, params))
    expected = lab.references.network_gradients(x, target, params)
    for key in ("W2", "b2", "W1", "b1"):
        expect_close(grads[key], expected[key], rtol=1e-6, atol=1e-10,
                     hint=f"dE/d{key}: check the shapes (W1 is (n_hidden, n_in)) and the chain rule")


@graded(points=2)
def update_one_step(lab):
    "update with lr 0.5 gives the slides' new weights W1 = [[0.149780716, ...]], W2 = [[0.35891648, ...]]"
    params = slides_params()
    grads = lab.references.network_gradients(X, TARGET, params)
    new = lab.update(params, grads, LR, update_biases=False)
    hint = "each weight moves by -lr * dE/dw"
    expect_close(new["W1"], W1_AFTER_ONE, rtol=0, atol=5e-9, hint=hint)
    expect_close(new["W2"], W2_AFTER_ONE, rtol=0, atol=5e-9, hint=hint)
    expect_close(new["b1"], B1, rtol=0, hint="update_biases=False leaves b1 and b2 as they are")
    new = lab.update(params, grads, LR)
    expect_close(new["b2"], B2 - LR * grads["b2"], rtol=1e-12,
                 hint="by default (update_biases=True) the biases move too: b <- b - lr * dE/db")


@graded(points=1)
def update_leaves_input_alone(lab):
    "update returns new parameters and leaves the ones it was given untouched"
    params = slides_params(b1=np.array([0.35, 0.35]), b2=np.array([0.6, 0.6]))
    grads = lab.references.network_gradients(X, TARGET, params)
    new, after, grads_after = lab.probes.update_and_inputs(params, grads, LR, True)
    called = "update(params, grads, 0.5, True)"
    hint = "build a new dict (p - lr * g creates a new array); never write into params' arrays"
    for key in ("W1", "b1", "W2", "b2"):
        expect_close(after[key], params[key], rtol=0, hint=hint, called=called)
        expect_close(grads_after[key], grads[key], rtol=0, hint=hint, called=called)
    expect_close(new["W1"], params["W1"] - LR * grads["W1"], rtol=1e-12, called=called)
    expect_close(new["b1"], params["b1"] - LR * grads["b1"], rtol=1e-12, called=called,
                 hint="a bias per unit moves by its own delta")


@graded(points=2)
def one_update_error(lab):
    "train: after one update the error is 0.291027774 (the slides' 0.291027924 has the ordering bug)"
    params, errors = lab.train(X, TARGET, slides_params(), LR, 1)
    called = slides_call(1)
    expect_equal(np.shape(errors), (2,), called=called,
                 hint="errors has steps + 1 entries: the error before training, then after each update")
    expect_close(errors[0], 0.298371109, rtol=1e-8, called=called, hint="errors[0] is E before any update")
    got = float(errors[1])
    if abs(got - ERROR_AFTER_ONE_ORDERING_BUG) <= 1e-8 * ERROR_AFTER_ONE_ORDERING_BUG:
        fail(f"{ERROR_AFTER_ONE!r} (to a relative 1e-07 tolerance)",
             f"{got!r}: the figure the slides print, 0.291027924, which comes from an ordering mistake",
             hint="the hidden-layer gradients were computed with the already-updated output weights W2; "
                  + ORDERING_HINT, called=called)
    expect_close(got, ERROR_AFTER_ONE, rtol=1e-7, called=called, hint="errors[1] is E after one update")
    expect_close(params["W1"], W1_AFTER_ONE, rtol=0, atol=5e-9, called=called, hint=ORDERING_HINT)
    expect_close(params["W2"], W2_AFTER_ONE, rtol=0, atol=5e-9, called=called)


@graded(points=2)
def train_fixed_biases(lab):
    "train: 10,000 updates with fixed biases give E = 3.51019e-05, outputs 0.015913620 and 0.984064274"
    params, errors = lab.train(X, TARGET, slides_params(), LR, 10_000)
    called = slides_call(10_000)
    expect_equal(np.shape(errors), (10_001,), called=called, hint="errors has steps + 1 entries")
    expect_close([params["b1"], params["b2"]], [B1, B2], rtol=0, called=called,
                 hint="by default train holds the biases fixed (update_biases=False)")
    expect_close(errors[10_000], 3.51019e-05, rtol=3e-6, called=called,
                 hint="errors[k] is the error after k updates")
    expect_close(errors[9_999], 3.51085e-05, rtol=3e-6, called=called,
                 hint="errors[9999] is the slides' 0.0000351085: the error after 9,999 updates")
    expect_close(lab.forward(X, params)["out_o"], [0.015913620, 0.984064274], rtol=1e-7,
                 hint="the outputs of the trained network, close to the targets 0.01 and 0.99")


@graded(points=2)
def train_shared_biases(lab):
    "train: 10,000 updates with both shared biases learning too give E = 4.3553e-06"
    params, errors = lab.train(X, TARGET, slides_params(), LR, 10_000, update_biases=True)
    called = slides_call(10_000, extra=", update_biases=True")
    got = float(errors[-1])
    if abs(got - SHARED_BIASES_ERROR_PER_UNIT) <= 1e-4 * SHARED_BIASES_ERROR_PER_UNIT:
        fail(f"{SHARED_BIASES_ERROR!r} (the contract's 4.3553e-06)", f"{got!r}, which is what one bias per unit gives",
             hint="b1 and b2 are numbers shared by the layer's units: dE/db1 = sum(delta_h), "
                  "and b1 stays a number", called=called)
    expect_close(got, SHARED_BIASES_ERROR, rtol=1e-6, called=called,
                 hint="with update_biases=True each bias moves by -lr * dE/db, dE/db1 = sum(delta_h)")
    expect_close([params["b1"], params["b2"]], SHARED_BIASES_AFTER, rtol=1e-6, called=called,
                 hint="b1 stays one number: b1 <- b1 - lr * sum(delta_h)")


@graded(points=1)
def train_bias_per_unit(lab):
    "train with a bias per unit (vectors b1, b2) moves each unit's bias by its own delta"
    start = slides_params(np.array([B1, B1]), np.array([B2, B2]))
    params, errors = lab.train(X, TARGET, start, LR, 50, update_biases=True)
    called = slides_call(50, "the slides' network, b1 = [0.35, 0.35], b2 = [0.6, 0.6]", ", update_biases=True")
    hint = "a bias vector has one entry per unit, each moving by its unit's delta"
    expect_close(params["b1"], PER_UNIT_B1_AFTER_50, rtol=1e-8, called=called, hint=hint)
    expect_close(params["b2"], PER_UNIT_B2_AFTER_50, rtol=1e-8, called=called, hint=hint)
    expect_close(errors[-1], PER_UNIT_ERROR_AFTER_50, rtol=1e-8, called=called)


@graded(points=1)
def train_records_errors(lab):
    "train records the error before training and after every update; steps=0 changes nothing"
    start = slides_params()
    params, errors = lab.train(X, TARGET, start, LR, 0)
    called = slides_call(0)
    expect_close(errors, [0.298371109], rtol=1e-8, called=called,
                 hint="with steps=0, errors holds only E before training")
    expect_close(params["W1"], W1, rtol=0, called=called)
    _, errors = lab.train(X, TARGET, start, LR, 4)
    expect_equal(np.shape(errors), (5,), called=slides_call(4))
    expect_true(bool(np.all(np.diff(errors) < 0)), "an error that falls at every step", repr(errors),
                called=slides_call(4), hint="gradient descent with lr 0.5 lowers E at every step here")


@graded(points=1)
def part1_rejects_bad_input(lab):
    "forward, update and train reject bad input with a ValueError naming the argument"
    expect_raises(ValueError, lab.forward, [0.05, 0.10, 0.2], slides_params(), mentions="x",
                  hint="x must have one entry per column of W1")
    expect_raises(ValueError, lab.forward, X, {"W1": W1, "b1": B1, "W2": W2}, mentions="params",
                  hint="params must have all four keys W1, b1, W2, b2")
    expect_raises(ValueError, lab.forward, X, {**slides_params(), "W2": [[0.4, 0.45, 0.1]]}, mentions="params",
                  hint="W2 must have one column per row of W1")
    expect_raises(ValueError, lab.update, slides_params(), {**slides_params(), "W2": [[1.0]]}, LR, mentions="grads",
                  hint="each gradient has the shape of its parameter")
    expect_raises(ValueError, lab.train, X, TARGET, slides_params(), -0.5, 10, mentions="lr")
    expect_raises(ValueError, lab.train, X, TARGET, slides_params(), LR, -1, mentions="steps")


# Part 1b: deck 004's 2-2-1 network (appendix B), factor by factor ----------------
# Every figure recomputed twice, by backpropagation and by central differences (they agree to 3e-8);
# the slides' own wrong figures are named in the hints.

B_X, B_TARGET, B_LR = [0.1, 0.3], [0.03], 0.01
B_PARAMS = {"W1": [[0.5, 0.1], [0.62, 0.2]], "b1": [0.4, -0.1], "W2": [[-0.2, 0.3]], "b2": 1.83}
B_FACTORS = {
    "dE_dout": 0.8350753757,                     # out - target = 0.865 - 0.03
    "dout_dnet": 0.1167199701,                   # out (1 - out) = 0.865 * 0.135 (the slides: 0.23)
    "dnet_dh": [-0.2, 0.3],                      # W5, W6
    "dh_dnet_h": [0.2361354380, 0.2499697524],   # h (1 - h) at h_in = 0.48 and 0.022
    "dnet_h_dW1": [[0.1, 0.3], [0.1, 0.3]],      # the inputs (the slides use W3 = 0.62 and W4 = 0.2 for h2)
    "dnet_dW2": [0.6177478748, 0.5054997782],    # h1_out, h2_out
}
# dE/dW1 ... dE/dW4 (rows of W1), dE/dW5, dE/dW6 (W2), and the biases' gradients.
B_GRADIENTS = {"W1": [[-0.0004603222946, -0.001380966884], [0.0007309363496, 0.002192809049]],
               "b1": [-0.004603222946, 0.007309363496],
               "W2": [[0.06021186859, 0.04927104966]], "b2": 0.09746997286}
B_CALL = "(x=[0.1, 0.3], target=[0.03], params=<deck 004's 2-2-1 network>)"


@graded(points=2)
def chain_rule_factors_appendix_b(lab):
    "chain_rule_factors gives the 2-2-1 network's factors: dE/dout = 0.835, dout/dnet = 0.865 * 0.135 = 0.1168"
    factors = lab.chain_rule_factors(B_X, B_TARGET, B_PARAMS)
    called = "chain_rule_factors" + B_CALL
    expect_true(isinstance(factors, dict) and set(B_FACTORS) <= set(factors),
                f"a dict with keys {sorted(B_FACTORS)}", repr(factors)[:300], called=called)
    hints = {"dE_dout": "E = 1/2 (target - out)^2, differentiated by out",
             "dout_dnet": "the sigmoid's derivative is out (1 - out) = 0.865 * 0.135; the slides' 0.23 is wrong",
             "dnet_dh": "net_o = W5 h1 + W6 h2 + b3: by h_j it is the weight W2[0, j]",
             "dh_dnet_h": "the sigmoid's derivative at each hidden unit, h (1 - h)",
             "dnet_h_dW1": "h2_in = x1 W3 + x2 W4 + b2: by W3 it is the input x1 = 0.1, not the weight 0.62 "
                           "(the slides' mistake); every row is x",
             "dnet_dW2": "net_o = W5 h1 + W6 h2 + b3: by W5 it is h1_out"}
    for key, expected in B_FACTORS.items():
        expect_close(factors[key], expected, rtol=1e-8, atol=1e-12, called=f"{called}[{key!r}]", hint=hints[key])


@graded(points=2)
def chain_rule_gradients_appendix_b(lab):
    "chain_rule_gradients multiplies the factors into dE/dW5 = 0.0602, dE/dW6 = 0.0493 and dE/dW1..W4"
    grads = lab.chain_rule_gradients(B_FACTORS)
    called = "chain_rule_gradients(<the 2-2-1 network's right factors>)"
    w2 = np.asarray(grads["W2"], dtype=float)
    if w2.shape == (1, 2) and np.allclose(w2[0], B_FACTORS["dnet_dW2"], rtol=1e-6):
        fail(f"dE/dW2 = {B_GRADIENTS['W2']}", f"{w2.tolist()}, the last factor dnet/dW2 alone",
             hint="dE/dW5 is the whole product dE/dout * dout/dnet * dnet/dW5 (the slides update W5 "
                  "with dnet/dW5 = 0.618 alone)", called=called)
    hint = "multiply the factors along the path from E to the weight (the formulas in the docstring)"
    expect_close(grads["W2"], B_GRADIENTS["W2"], rtol=1e-8, called=called, hint=hint)
    expect_close(grads["W1"], B_GRADIENTS["W1"], rtol=1e-8, called=called,
                 hint=hint + "; a hidden weight's path goes through its hidden unit j: dnet_dh[j] * dh_dnet_h[j]")


@graded(points=1)
def backward_appendix_b(lab):
    "backward on the 2-2-1 network (a bias per hidden unit, one output) gives the same dE/dW1..W6"
    grads = lab.backward(B_X, B_TARGET, B_PARAMS, lab.forward(B_X, B_PARAMS))
    called = "backward" + B_CALL
    expect_close(grads["W2"], B_GRADIENTS["W2"], rtol=1e-8, called=called,
                 hint="the 2-2-1 network is the 2-2-2 one with one output: the same backward pass")
    expect_close(grads["W1"], B_GRADIENTS["W1"], rtol=1e-8, called=called)


@graded(points=1)
def update_appendix_b(lab):
    "update with lr 0.01 gives the 2-2-1 network's new weights: W4 = 0.1999781, W5 = -0.2006021"
    new = lab.update(B_PARAMS, B_GRADIENTS, B_LR, update_biases=False)
    called = "update(<the 2-2-1 network>, <its gradients>, 0.01, update_biases=False)"
    hint = "W <- W - lr * dE/dW (the slides print 0.2 - 0.01 * 0.003 as 0.1997; it is 0.19997)"
    expect_close(new["W1"], [[0.5000046032, 0.1000138097], [0.6199926906, 0.1999780719]], rtol=1e-9,
                 called=called, hint=hint)
    expect_close(new["W2"], [[-0.2006021187, 0.2995072895]], rtol=1e-9, called=called, hint=hint)


@graded(points=1, hidden=True)
def chain_rule_matches_central_differences(lab):
    "chain_rule_gradients(chain_rule_factors(...)) matches central differences on a random 3-4-1 network"
    rng = np.random.default_rng(12)
    params = {"W1": rng.normal(size=(4, 3)), "b1": rng.normal(size=4), "W2": rng.normal(size=(1, 4)),
              "b2": float(rng.normal())}
    x, target = rng.normal(size=3), rng.uniform(size=1)
    grads = lab.chain_rule_gradients(lab.chain_rule_factors(x, target, params))
    expected = lab.references.network_gradients(x, target, params)
    for key in ("W2", "W1"):
        expect_close(grads[key], expected[key], rtol=1e-6, atol=1e-10, called="chain_rule_gradients(chain_rule_factors("
                     "x, target, <a random 3-4-1 network>))",
                     hint=f"dE/d{key}: every row of dnet_h_dW1 is x; dnet_dh is W2's only row")


@graded(points=1)
def chain_rule_rejects_bad_input(lab):
    "chain_rule_factors rejects a network with two outputs, chain_rule_gradients a dict without the factors"
    expect_raises(ValueError, lab.chain_rule_factors, X, TARGET, slides_params(), mentions="params",
                  hint="the factors are those of a network with one output unit: W2 has one row")
    expect_raises(ValueError, lab.chain_rule_gradients, {"dE_dout": 1.0}, mentions="factors",
                  hint="factors must hold every key chain_rule_factors returns")


# Part 2: numerical gradients --------------------------------------------------

@graded(points=2)
def numerical_gradient_central(lab):
    "numerical_gradient uses central differences: exact on a quadratic, h**2 off on a cubic, any shape"
    rng = np.random.default_rng(4)
    a, b, c, x = (rng.normal(size=(3, 3)) for _ in range(4))
    h = 1e-2
    grad, _ = lab.probes.polynomial_gradient(a, b, c, x, h, coupling=0.7)
    called = ("numerical_gradient(f, x, h=0.01) with f(v) = sum(a v + b v**2 + c v**3) + 0.7 sum(v)**2, "
              "x of shape (3, 3)")
    # (f(x + h) - f(x - h)) / 2h is exact for the quadratic terms and gives 3 c x^2 + c h^2 for c v^3.
    coupled = 2 * 0.7 * x.sum()
    central = a + 2 * b * x + 3 * c * x ** 2 + c * h ** 2 + coupled
    one_sided = a + b * (2 * x + h) + c * (3 * x ** 2 + 3 * x * h + h ** 2) + coupled + 0.7 * h
    if np.shape(grad) == x.shape and np.allclose(grad, one_sided, rtol=1e-6):
        fail("the central difference (f(x + h) - f(x - h)) / (2h)", "the one-sided (f(x + h) - f(x)) / h",
             hint="the one-sided difference is off by about h; the central one by about h**2", called=called)
    expect_close(grad, central, rtol=1e-8, atol=1e-10, called=called,
                 hint="perturb one entry at a time, the others as they were: (f(x + h e_i) - f(x - h e_i)) / (2h), "
                      "same shape as x")


@graded(points=1)
def numerical_gradient_defaults(lab):
    "numerical_gradient: h defaults to 1e-5, a number gives a number, and x is left as it was"
    zero = np.zeros(())
    grad, _ = lab.probes.polynomial_gradient(0.0, 0.0, 1.0, zero)
    # For f(v) = v**3 at 0 the central difference is exactly h**2.
    expect_close(grad, 1e-10, rtol=1e-6, called="numerical_gradient(lambda v: v**3, 0.0)",
                 hint="the default step is h=1e-5; the central difference of v**3 at 0 is h**2")
    x = np.array([[0.5, -1.0], [2.0, 0.25]])
    grad, after = lab.probes.polynomial_gradient(1.0, 1.0, 0.0, x)
    called = "numerical_gradient(f, x) with f(v) = sum(v + v**2), x of shape (2, 2)"
    expect_close(grad, 1 + 2 * x, rtol=1e-8, called=called,
                 hint="central differences, (f(x + h e_i) - f(x - h e_i)) / (2h), are exact for a quadratic")
    expect_close(after, x, rtol=0, called=called,
                 hint="x must be the same afterwards: perturb a copy (x + step), or restore every entry")


@graded(points=1)
def numerical_gradient_integer_point(lab):
    "numerical_gradient at a point given in integers steps by h all the same (the gradient of sum(v**2) at (1, -2, 3))"
    grad = lab.probes.integer_point_gradient(np.array([1, -2, 3]))
    # d/dv sum(v**2) = 2 v; the central difference is exact for a quadratic.
    expect_close(grad, [2.0, -4.0, 6.0], rtol=1e-6,
                 called="numerical_gradient(lambda v: np.sum(v ** 2), np.array([1, -2, 3]))",
                 hint="x + h e_i must be x moved by h = 1e-5: an integer array cannot hold that step, "
                      "so work on floats")


@graded(points=1)
def relative_error_values(lab):
    "relative_error is ||a - b|| / (||a|| + ||b||), 0 for two zeros, and rejects different shapes"
    hint = "relative_error(a, b) = ||a - b|| / (||a|| + ||b||), the norms taken over all entries"
    expect_close(lab.relative_error([3.0, 0.0], [0.0, 4.0]), 5.0 / 7.0, rtol=1e-12, hint=hint)
    expect_close(lab.relative_error([[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0], [3.0, 4.0]]), 0.0, atol=0, hint=hint)
    expect_close(lab.relative_error(2.0, 1.0), 1.0 / 3.0, rtol=1e-12, hint=hint)
    expect_close(lab.relative_error([0.0, 0.0], [0.0, 0.0]), 0.0, atol=0,
                 hint="two zero gradients agree: return 0, not nan")
    expect_raises(ValueError, lab.relative_error, [1.0, 2.0], [1.0, 2.0, 3.0])


# Part 3: the MLP --------------------------------------------------------------

@graded(points=1)
def activation_derivative_values(lab):
    "activation_derivative gives each derivative from Z and A, and relu's derivative at 0 is 0 (as the contract says)"
    Z = np.array([[-2.0, 0.0, 0.5], [0.0, 3.0, -0.25]])
    s = 1.0 / (1.0 + np.exp(-Z))
    expected = {"sigmoid": (s, s * (1 - s)), "tanh": (np.tanh(Z), 1 / np.cosh(Z) ** 2),
                "relu": (np.maximum(Z, 0.0), (Z > 0).astype(float)), "linear": (Z, np.ones_like(Z))}
    for name, (A, derivative) in expected.items():
        hint = ("relu has no derivative at 0; the contract takes it as 0 there, so only Z > 0 counts as active"
                if name == "relu" else "the derivative of the activation at each entry of Z")
        expect_close(lab.activation_derivative(Z, A, name), derivative, rtol=1e-12, atol=1e-15, hint=hint,
                     called=f"activation_derivative(Z, A, {name!r}) with Z = [[-2, 0, 0.5], [0, 3, -0.25]]")


@graded(points=1)
def mlp_initialization_scale(lab):
    "MLP's initial weights have mean 0 and the standard deviation sqrt(2 / (fan_in + fan_out))"
    weights = lab.probes.mlp_parameters([200, 300], "tanh", "mse", 3)["weights"][0]
    w = np.asarray(weights, dtype=float)
    called = "MLP([200, 300], 'tanh', 'mse', seed=3).weights[0] (60,000 weights)"
    # Glorot's std for 200 inputs and 300 outputs is sqrt(2 / 500) = 0.0632; He's sqrt(2 / 200) would be 0.1.
    # With 60,000 draws the sample's std is within 1% of the true one (its relative error is about 0.3%).
    expect_close(float(np.std(w)), np.sqrt(2.0 / 500), rtol=0.02, called=called,
                 hint="draw each weight from a normal distribution with std sqrt(2 / (fan_in + fan_out)), "
                      "the class docstring's scale")
    expect_close(float(np.mean(w)), 0.0, atol=0.002, called=called, hint="the normal distribution is centred on 0")


@graded(points=1)
def mlp_initialization(lab):
    "MLP: weights of shape (out, in) drawn from the seed (same seed, same weights), biases of shape (out,)"
    sizes = [3, 5, 4, 2]
    first = lab.probes.mlp_parameters(sizes, "tanh", "mse", 7)
    called = "MLP([3, 5, 4, 2], 'tanh', 'mse', seed=7)"
    expect_equal([np.shape(w) for w in first["weights"]], [(5, 3), (4, 5), (2, 4)], called=called,
                 hint="layer l's W has shape (layer_sizes[l + 1], layer_sizes[l]), as W1 in Part 1")
    expect_equal([np.shape(b) for b in first["biases"]], [(5,), (4,), (2,)], called=called)
    expect_true(all(np.unique(np.round(w, 12)).size == w.size for w in first["weights"]),
                "random weights, all different (a network that starts symmetric stays symmetric)",
                repr(first["weights"])[:300], called=called)
    again = lab.probes.mlp_parameters(sizes, "tanh", "mse", 7)
    other = lab.probes.mlp_parameters(sizes, "tanh", "mse", 8)
    for w, w_again in zip(first["weights"], again["weights"]):
        expect_close(w_again, w, rtol=0, called=called, hint="draw with np.random.default_rng(seed)")
    expect_true(not np.allclose(other["weights"][0], first["weights"][0]), "other weights for seed 8",
                "the same weights", called="MLP([3, 5, 4, 2], 'tanh', 'mse', seed=8)")


@graded(points=2)
def mlp_forward_activations(lab):
    "MLP.forward matches a reference forward pass for sigmoid, tanh, relu, linear and softmax layers"
    for case in (lab.references.make_case(31, [3, 4, 5, 2], ["sigmoid", "tanh", "relu"], "mse", n=4),
                 lab.references.make_case(32, [2, 3, 4], ["relu", "softmax"], "cross_entropy", n=5),
                 lab.references.make_case(33, [4, 3, 2], ["tanh", "linear"], "mse", n=3)):
        reply = lab.probes.mlp_forward(case["sizes"], case["activations"], case["loss"],
                                       flat(case["weights"], case["biases"]), case["X"])
        expected, _ = lab.references.mlp_forward(case["weights"], case["biases"], case["activations"], case["X"])
        expect_close(reply["output"], expected, rtol=1e-9, atol=1e-12, called=f"{describe_case(case)}: forward(X)",
                     hint="each layer computes f(A @ W.T + b), one example per row; softmax normalizes each row")


@graded(points=1)
def mlp_softmax_stable(lab):
    "MLP.forward with softmax is stable for logits of +-1000 (no overflow, no nan)"
    weights, biases = [np.array([[1000.0], [-1000.0], [999.0]])], [np.zeros(3)]
    reply = lab.probes.mlp_forward([1, 3], ["softmax"], "cross_entropy", flat(weights, biases), [[1.0], [-1.0]])
    expected, _ = lab.references.mlp_forward(weights, biases, ["softmax"], np.array([[1.0], [-1.0]]))
    expect_close(reply["output"], expected, rtol=1e-12, atol=1e-300,
                 called="MLP([1, 3], ['softmax'], 'cross_entropy') with W = [[1000], [-1000], [999]]: "
                        "forward([[1], [-1]])",
                 hint="exp(1000) overflows: subtract each row's maximum logit before exponentiating")


@graded(points=1)
def mlp_loss_values(lab):
    "MLP.loss is the mean over the rows of the mse, softmax cross-entropy or sigmoid cross-entropy"
    for case, hint in ((lab.references.make_case(41, [3, 4, 2], "sigmoid", "mse", n=5), "mse: mean over rows of sum(1/2 (y - a)^2)"),
                       (lab.references.make_case(42, [3, 4, 3], ["tanh", "softmax"], "cross_entropy", n=4),
                        "softmax cross-entropy: mean over rows of -sum(y log a)"),
                       (lab.references.make_case(43, [2, 3, 2], ["relu", "sigmoid"], "cross_entropy", n=3),
                        "sigmoid cross-entropy: mean over rows of -sum(y log a + (1 - y) log(1 - a))")):
        reply = lab.probes.mlp_forward(case["sizes"], case["activations"], case["loss"],
                                       flat(case["weights"], case["biases"]), case["X"], case["Y"])
        expected = lab.references.mlp_loss(case["weights"], case["biases"], case["activations"], case["loss"],
                                  case["X"], case["Y"])
        expect_close(reply["loss"], expected, rtol=1e-9, called=f"{describe_case(case)}: loss(X, Y)", hint=hint)


@graded(points=2)
def mlp_reproduces_slides(lab):
    "MLP([2, 2, 2], 'sigmoid', 'mse') with the slides' weights gives their outputs and, after step(0.5), their weights"
    weights, biases = [np.array(W1), np.array(W2)], [np.full(2, B1), np.full(2, B2)]
    reply = lab.probes.mlp_step([2, 2, 2], "sigmoid", "mse", flat(weights, biases), [X], [TARGET], LR)
    called = "MLP([2, 2, 2], 'sigmoid', 'mse') with the slides' weights: forward([x]), backward([target]), step(0.5)"
    expect_close(reply["output"], [[0.75136507, 0.772928465]], rtol=1e-8, called=called)
    expect_close(reply["weights"][0], W1_AFTER_ONE, rtol=0, atol=5e-9, called=called,
                 hint="for one example the MLP is the 2-2-2 network of Part 1: same gradients, same update")
    expect_close(reply["weights"][1], W2_AFTER_ONE, rtol=0, atol=5e-9, called=called)


@graded(points=2)
def mlp_gradients_sigmoid_mse(lab):
    "MLP.backward matches central differences (relative error < 1e-7): sigmoid layers, mse, 5 examples"
    check_gradients(lab, lab.references.make_case(51, [3, 4, 2], "sigmoid", "mse", n=5))


@graded(points=2)
def mlp_gradients_tanh_relu(lab):
    "MLP.backward matches central differences: tanh and relu hidden layers, sigmoid output, cross-entropy"
    check_gradients(lab, lab.references.make_case(52, [4, 5, 3, 2], ["tanh", "relu", "sigmoid"], "cross_entropy", n=6))


@graded(points=2)
def mlp_gradients_softmax(lab):
    "MLP.backward matches central differences: softmax output with cross-entropy (dL/dZ = (A - Y) / n)"
    check_gradients(lab, lab.references.make_case(53, [3, 6, 4], ["relu", "softmax"], "cross_entropy", n=5))


@graded(points=1)
def mlp_gradients_linear(lab):
    "MLP.backward matches central differences: a linear output layer with mse, one example"
    check_gradients(lab, lab.references.make_case(54, [2, 3, 3], ["tanh", "linear"], "mse", n=1))


@graded(points=2, hidden=True)
def mlp_gradients_random_mse(lab):
    "MLP.backward matches central differences on random deep networks (sigmoid, tanh, relu, linear; mse)"
    for seed, hidden, output in ((61, ["sigmoid"], "sigmoid"), (62, ["tanh", "relu"], "linear"),
                                 (63, ["relu", "sigmoid"], "tanh"), (64, ["tanh"], "relu")):
        check_gradients(lab, lab.references.random_case(seed, hidden, output, "mse"))


@graded(points=2, hidden=True)
def mlp_gradients_random_softmax(lab):
    "MLP.backward matches central differences on random deep networks with softmax and cross-entropy"
    for seed, hidden in ((71, ["relu"]), (72, ["tanh", "sigmoid"]), (73, ["sigmoid", "relu"])):
        check_gradients(lab, lab.references.random_case(seed, hidden, "softmax", "cross_entropy"))


@graded(points=2, hidden=True)
def mlp_gradients_random_sigmoid_cross_entropy(lab):
    "MLP.backward matches central differences on random deep networks with sigmoid outputs and cross-entropy"
    for seed, hidden in ((81, ["tanh"]), (82, ["relu", "tanh"]), (83, ["sigmoid"])):
        check_gradients(lab, lab.references.random_case(seed, hidden, "sigmoid", "cross_entropy"))


@graded(points=1)
def mlp_gradient_of_the_mean(lab):
    "MLP.backward gives the gradient of the mean loss: the same batch twice over gives the same gradients"
    case = lab.references.make_case(91, [3, 4, 2], ["tanh", "sigmoid"], "cross_entropy", n=3)
    _, once = student_gradients(lab, case)
    doubled = {**case, "X": np.vstack([case["X"], case["X"]]), "Y": np.vstack([case["Y"], case["Y"]])}
    _, twice = student_gradients(lab, doubled)
    for layer, ((dw, db), (dw2, db2)) in enumerate(zip(once, twice)):
        hint = "the loss is a mean over the rows: divide by n once, then let each gradient sum over the rows"
        expect_close(dw2, dw, rtol=1e-10, atol=1e-14, called=f"{describe_case(doubled)}: backward(Y)", hint=hint)
        expect_close(db2, db, rtol=1e-10, atol=1e-14, called=f"{describe_case(doubled)}: backward(Y)",
                     hint="every row uses the bias: its gradient sums over the rows of the batch")


@graded(points=1)
def mlp_step_descends(lab):
    "MLP.step(lr) moves every weight and bias by -lr times the gradient backward returned"
    case = lab.references.make_case(92, [3, 4, 2], ["relu", "sigmoid"], "mse", n=4)
    reply = lab.probes.mlp_step(case["sizes"], case["activations"], case["loss"],
                                flat(case["weights"], case["biases"]), case["X"], case["Y"], 0.3)
    called = f"{describe_case(case)}: forward(X), backward(Y), step(0.3)"
    for layer, ((dw, db), w, b) in enumerate(zip(reply["grads"], case["weights"], case["biases"])):
        expect_close(reply["weights"][layer], w - 0.3 * np.asarray(dw), rtol=1e-12, atol=1e-15, called=called,
                     hint="W <- W - lr * dW for every layer")
        expect_close(reply["biases"][layer], b - 0.3 * np.asarray(db), rtol=1e-12, atol=1e-15, called=called,
                     hint="the biases learn too: b <- b - lr * db")


FIT_CASE_ARGS = (93, [2, 3, 2], ["tanh", "sigmoid"], "cross_entropy")


@graded(points=2)
def mlp_fit_full_batch(lab):
    "MLP.fit with batch_size=None is full-batch gradient descent; losses[k] is the mean loss after epoch k"
    case = lab.references.make_case(*FIT_CASE_ARGS, n=6)
    reply = lab.probes.mlp_fit(case["sizes"], case["activations"], case["loss"], 0, case["X"], case["Y"], 0.5, 5, None,
                               flat(case["weights"], case["biases"]))
    called = f"{describe_case(case)}: fit(X, Y, lr=0.5, epochs=5, batch_size=None)"
    expected = lab.references.mlp_descent(case, 5, 0.5)
    hint = "one step per epoch with the gradient of the mean loss over all the rows"
    for layer in range(2):
        expect_close(reply["final"]["weights"][layer], expected["weights"][layer], rtol=1e-7, atol=1e-9,
                     called=called, hint=hint)
        expect_close(reply["final"]["biases"][layer], expected["biases"][layer], rtol=1e-7, atol=1e-9,
                     called=called, hint=hint)
    expect_equal(np.shape(reply["losses"]), (5,), called=called, hint="one loss per epoch")
    final_loss = lab.references.mlp_loss(expected["weights"], expected["biases"], case["activations"], case["loss"],
                                case["X"], case["Y"])
    expect_close(reply["losses"][-1], final_loss, rtol=1e-7, called=called,
                 hint="record the mean loss over all of X after each epoch's updates")


@graded(points=1)
def mlp_fit_minibatches(lab):
    "MLP.fit with batch_size=4 on 10 examples takes 3 steps per epoch (the last batch has 2 rows)"
    case = lab.references.make_case(94, [2, 3, 1], ["tanh", "sigmoid"], "mse", n=1)
    repeated = {**case, "X": np.repeat(case["X"], 10, axis=0), "Y": np.repeat(case["Y"], 10, axis=0)}
    reply = lab.probes.mlp_fit(case["sizes"], case["activations"], case["loss"], 0, repeated["X"], repeated["Y"],
                               0.5, 2, 4, flat(case["weights"], case["biases"]))
    # Every row alike: each batch's mean gradient is the one example's, whatever the order.
    expected = lab.references.mlp_descent(case, 6, 0.5)
    called = f"{describe_case(repeated)} (one example repeated): fit(X, Y, lr=0.5, epochs=2, batch_size=4)"
    expect_close(reply["final"]["weights"][0], expected["weights"][0], rtol=1e-7, atol=1e-9, called=called,
                 hint="ceil(10 / 4) = 3 batches per epoch, each step with its batch's mean gradient")


@graded(points=1)
def mlp_fit_shuffles(lab):
    "MLP.fit shuffles the examples with the MLP's seed: the same seed repeats, another seed differs"
    case = lab.references.make_case(95, [2, 3, 2], ["tanh", "sigmoid"], "mse", n=6)

    def fit(seed):
        return lab.probes.mlp_fit(case["sizes"], case["activations"], case["loss"], seed, case["X"], case["Y"],
                                  0.5, 2, 1, flat(case["weights"], case["biases"]))

    first, again, other = fit(1), fit(1), fit(2)
    called = f"{describe_case(case)}, seeds 1, 1 and 2: fit(X, Y, lr=0.5, epochs=2, batch_size=1)"
    weights = [reply["final"]["weights"][0] for reply in (first, again, other)]
    expect_close(weights[1], weights[0], rtol=0, called=called,
                 hint="shuffle with the generator made from the MLP's seed")
    expect_true(not np.allclose(weights[2], weights[0], rtol=1e-9, atol=0),
                "other weights for another seed (another order)", "the same weights", called=called,
                hint="shuffle the rows every epoch (rng.permutation(n))")
    final = first["final"]
    expected = lab.references.mlp_loss([np.asarray(w) for w in final["weights"]], [np.asarray(b) for b in final["biases"]],
                              case["activations"], case["loss"], case["X"], case["Y"])
    expect_close(first["losses"][-1], expected, rtol=1e-9, called=called,
                 hint="each epoch's loss is the mean over all of X, not over the last batch")


@graded(points=1)
def mlp_learns_xor(lab):
    "MLP.fit learns XOR: a 2-4-1 tanh/sigmoid network with cross-entropy gets all four inputs right"
    case = lab.references.make_case(96, [2, 4, 1], ["tanh", "sigmoid"], "cross_entropy", n=4)
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    reply = lab.probes.mlp_fit(case["sizes"], case["activations"], case["loss"], 0, x, y, 1.0, 300, None,
                               flat(case["weights"], case["biases"]))
    final = reply["final"]
    output, _ = lab.references.mlp_forward([np.asarray(w) for w in final["weights"]], [np.asarray(b) for b in final["biases"]],
                                  case["activations"], x)
    called = "MLP([2, 4, 1], ['tanh', 'sigmoid'], 'cross_entropy') with set weights: fit(XOR, lr=1.0, epochs=300)"
    expect_equal((output > 0.5).astype(float), y, called=called, hint="XOR needs the hidden layer to learn")
    expect_true(reply["losses"][-1] < 0.1 * reply["losses"][0], "the loss to fall tenfold",
                f"from {reply['losses'][0]!r} to {reply['losses'][-1]!r}", called=called)


@graded(points=2)
def mlp_rejects_bad_arguments(lab):
    "MLP rejects bad layer sizes, activations, losses and data with a ValueError naming the argument"
    expect_raises(ValueError, lab.probes.mlp_call, [3, 0, 2], "relu", "mse", 0, mentions="layer_sizes",
                  hint="every layer needs at least one unit")
    expect_raises(ValueError, lab.probes.mlp_call, [3, 4, 2], ["relu", "swish"], "mse", 0, mentions="activations",
                  hint="the activations are sigmoid, tanh, relu, linear and softmax")
    expect_raises(ValueError, lab.probes.mlp_call, [3, 4, 2], ["relu"], "mse", 0, mentions="activations",
                  hint="one activation per layer: two layers need two names")
    expect_raises(ValueError, lab.probes.mlp_call, [3, 4, 2], ["relu", "softmax"], "hinge", 0, mentions="loss")
    expect_raises(ValueError, lab.probes.mlp_call, [3, 4, 2], ["relu", "softmax"], "mse", 0, mentions="loss",
                  hint="a softmax output goes with the cross-entropy loss")
    expect_raises(ValueError, lab.probes.mlp_call, [3, 4, 2], "tanh", "mse", 0, "forward", np.ones((5, 2)),
                  mentions="X", hint="X must have shape (n, layer_sizes[0])")
    expect_raises(ValueError, lab.probes.mlp_call, [3, 4, 2], "tanh", "mse", 0, "fit", np.ones((5, 3)),
                  np.ones((5, 2)), 0.1, 2, 0, mentions="batch_size")
    expect_raises(ValueError, lab.probes.mlp_call, [3, 4, 2], "tanh", "mse", 0, "step", -0.1, mentions="lr")
