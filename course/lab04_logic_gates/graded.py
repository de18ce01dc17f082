"""Graded tests for lab 4: perceptrons, logic gates, XOR and XNOR.

Truth tables are checked exhaustively against the gates' definitions, the
slides' sigmoid gates against a sigmoid written here, and Rosenblatt's rule
against a run worked out in advance (pinned below). That the rule can never
converge on XOR is not taken from the student's run: the test checks a
certificate that no line separates XOR, and then that the student's errors
never reach zero. The Keras model is exported by a probe and answers the
four XOR inputs in the trusted reference process (references.py).
"""

import numpy as np

from autograder.graded import expect_close, expect_equal, expect_raises, expect_true, fail, graded
from autograder.textbook import sigmoid

INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
X1, X2 = INPUTS[:, 0], INPUTS[:, 1]
AND, OR, XOR = X1 * X2, np.maximum(X1, X2), (X1 + X2) % 2
TABLE = "the four inputs (0, 0), (0, 1), (1, 0), (1, 1)"


def perceptron_of(x, w, b):
    """1.0 where x @ w + b > 0, else 0.0."""
    return (np.asarray(x, dtype=float) @ np.asarray(w, dtype=float) + float(b) > 0).astype(float)


def xor_has_no_separating_line():
    """A certificate, checked with NumPy, that no (w, b) makes a perceptron compute XOR.

    A perceptron computing XOR needs s_i * (x_i @ w + b) > 0 for the inputs
    whose answer is 1 (s_i = +1) and >= 0 for those whose answer is 0
    (s_i = -1). Adding the four: (sum_i s_i [x_i, 1]) @ [w, b] > 0. But that
    sum of rows is the zero vector, so the left side is 0 for every (w, b).
    """
    signs = np.where(XOR == 1, 1.0, -1.0)
    return np.array_equal(signs @ np.column_stack([INPUTS, np.ones(len(INPUTS))]), np.zeros(3))


def gate(lab, name, inputs):
    """The student's (w, b) for a gate, or a failure that says it is not set yet."""
    value = lab.probes.constant(name)
    called = f"{name} (a module-level constant)"
    if value is None:
        fail(f"{name} = (w, b)", "None", called=called,
             hint=f"Not implemented yet: set {name} to a pair (w, b), w an array of shape ({inputs},)")
    try:
        w, b = value
        w, b = np.asarray(w, dtype=float), float(b)
    except (TypeError, ValueError):
        fail("a pair (w, b): an array of weights and a number", repr(value), called=called)
    expect_equal(w.shape, (inputs,), called=called, hint=f"the gate has {inputs} input(s): w has shape ({inputs},)")
    return w, b


def expect_table(got, expected, called, hint):
    expect_close(got, expected, rtol=0, atol=1e-12, called=called, hint=hint)


# the perceptron ----------------------------------------------------------------

@graded(points=2)
def perceptron_threshold(lab):
    "perceptron is 1 where x @ w + b > 0 (strictly), else 0, for a batch and for one example"
    rng = np.random.default_rng(4)
    x, w, b = rng.normal(size=(8, 3)), np.array([0.5, -1.0, 2.0]), 0.25
    hint = "np.where(x @ w + b > 0, 1.0, 0.0)"
    expect_table(lab.perceptron(x, w, b), perceptron_of(x, w, b), None, hint)
    expect_table(lab.perceptron([1.0, 1.0], [1.0, 1.0], -2.0), 0.0, None,
                 "a weighted sum of exactly 0 gives 0: the test is > 0, not >= 0")
    expect_table(lab.perceptron([1.0, 0.0], [1.0, 1.0], -0.5), 1.0, None, "one example gives one number")


@graded(points=1)
def perceptron_rejects_mismatch(lab):
    "perceptron rejects inputs that do not match the weights with ValueError naming x"
    expect_raises(ValueError, lab.perceptron, [1.0, 0.0, 1.0], [1.0, 1.0], -0.5, mentions="x",
                  hint="x's last axis must have as many entries as w: check with _check_inputs")


# gates by hand ---------------------------------------------------------------------

@graded(points=1)
def and_gate(lab):
    "AND_GATE makes the perceptron compute AND on all four inputs"
    w, b = gate(lab, "AND_GATE", 2)
    expect_table(perceptron_of(INPUTS, w, b), AND, f"perceptron(x, *AND_GATE) for {TABLE}",
                 "only (1, 1) may give a positive sum: e.g. weights 1 and 1 with a bias between -2 and -1")


@graded(points=1)
def or_gate(lab):
    "OR_GATE makes the perceptron compute OR on all four inputs"
    w, b = gate(lab, "OR_GATE", 2)
    expect_table(perceptron_of(INPUTS, w, b), OR, f"perceptron(x, *OR_GATE) for {TABLE}",
                 "only (0, 0) may give a sum <= 0: e.g. weights 1 and 1 with a bias between -1 and 0")


@graded(points=1)
def not_gate(lab):
    "NOT_GATE makes the perceptron compute NOT on both inputs"
    w, b = gate(lab, "NOT_GATE", 1)
    expect_table(perceptron_of([[0.0], [1.0]], w, b), [1.0, 0.0], "perceptron([[0], [1]], *NOT_GATE)",
                 "a negative weight, and a positive bias smaller than it is large")


# sigmoid gates ---------------------------------------------------------------------

@graded(points=2)
def sigmoid_or_gate(lab):
    "sigmoid_gate with the slides' OR weights, sigmoid(40 x1 + 40 x2 - 30): ~0 for (0, 0), ~1 otherwise"
    out = lab.sigmoid_gate(INPUTS, [40.0, 40.0], -30.0)
    expect_close(out, sigmoid(INPUTS @ [40.0, 40.0] - 30.0), rtol=1e-9, atol=1e-300,
                 hint="sigmoid(x @ w + b) for each row of x")
    expect_table(np.round(out), OR, f"np.round(sigmoid_gate(x, [40, 40], -30)) for {TABLE}",
                 "large weights make the sigmoid almost a step")


@graded(points=1)
def sigmoid_not_gate(lab):
    "sigmoid_gate with the slides' NOT weights, sigmoid(-20 x1 + 10): ~1 for 0, ~0 for 1; one example gives a number"
    expect_close(lab.sigmoid_gate([[0.0], [1.0]], [-20.0], 10.0), sigmoid([10.0, -10.0]), rtol=1e-9,
                 hint="sigmoid(x @ w + b) for each row of x")
    expect_close(lab.sigmoid_gate([1.0], [-20.0], 10.0), sigmoid(-10.0), rtol=1e-9,
                 hint="one example, shape (d,), gives one number")


@graded(points=1)
def sigmoid_gate_stable(lab):
    "sigmoid_gate is stable for very large sums (weights of 1000): exact 0 and 1, no overflow warning"
    out, warnings = lab.probes.sigmoid_gate_with_warnings(INPUTS, [1000.0, 1000.0], -1500.0)
    called = "sigmoid_gate(INPUTS, [1000, 1000], -1500) (sums -1500, -500, -500 and 500)"
    hint = "exp(-z) overflows for z below about -709: use exp(-|z|), which never exceeds 1 (as in lab 1)"
    expect_close(out, sigmoid(np.clip(INPUTS @ [1000.0, 1000.0] - 1500.0, -700, 700)), rtol=1e-12, atol=1e-300,
                 called=called, hint=hint)
    expect_true(not warnings, "no warnings", "; ".join(warnings), called=called, hint=hint)


# learning with Rosenblatt's rule ------------------------------------------------------

@graded(points=2)
def train_and_or(lab):
    "train_perceptron converges on AND and on OR, and the weights it returns compute the gate"
    for name, targets in (("AND", AND), ("OR", OR)):
        w, b, converged, errors = lab.train_perceptron(INPUTS, targets, 1.0, 50)
        called = f"train_perceptron(INPUTS, {name} targets {targets.tolist()}, lr=1.0, epochs=50)"
        expect_true(converged is True, "converged = True (a bool)", repr(converged), called=called,
                    hint="converged means the last epoch made no mistake")
        expect_true(len(errors) > 0 and errors[-1] == 0, "errors_per_epoch ending with 0",
                    repr(errors), called=called, hint="stop after the first epoch without a mistake")
        expect_table(perceptron_of(INPUTS, w, b), targets, called + f", then perceptron on {TABLE}",
                     "the returned (w, b) must compute the gate")


@graded(points=2)
def train_follows_rosenblatt(lab):
    "train_perceptron follows Rosenblatt's rule exactly: from zeros, in order, w += lr (y - y_hat) x after each mistake"
    # Separable, but the rule needs 8 epochs (15 mistakes) to find a line; every number is exact in binary.
    # Worked out in advance, one example at a time: the mistakes per epoch and the line found, which
    # separates the six examples (0.75 x1 - 0.75 x2 - 0.5 > 0 exactly for the two 1s).
    X = np.array([[2.0, 1.0], [1.5, 1.0], [-1.0, 2.0], [2.0, 1.5], [0.5, 0.5], [1.0, -2.0]])
    y = np.array([1.0, 0.0, 0.0, 0.0, 0.0, 1.0])
    expected_w, expected_b, expected_errors = [0.75, -0.75], -0.5, [3, 2, 2, 2, 2, 2, 2, 0]
    w, b, converged, errors = lab.train_perceptron(X, y, 0.5, 30)
    hint = ("start at w = 0, b = 0; visit the examples in order; after each mistake w += lr * (y - y_hat) * x "
            "and b += lr * (y - y_hat); count the mistakes of each epoch; stop after an epoch without one")
    expect_close(w, expected_w, rtol=1e-12, atol=1e-12, hint=hint)
    expect_close(b, expected_b, rtol=1e-12, atol=1e-12, hint=hint)
    expect_close(errors, expected_errors, rtol=0, atol=1e-12, hint=hint)
    expect_true(converged is True, "converged = True", repr(converged), hint=hint)


@graded(points=3)
def train_never_converges_on_xor(lab):
    "train_perceptron never converges on XOR: no line separates it, and the mistakes never stop in 1000 epochs"
    expect_true(xor_has_no_separating_line(), "the certificate that XOR has no separating line", "it failed",
                hint="a bug in the graded test: please tell your instructor")
    epochs = 1000
    w, b, converged, errors = lab.train_perceptron(INPUTS, XOR, 1.0, epochs)
    expect_true(converged is False, "converged = False", repr(converged),
                hint="no (w, b) computes XOR, so an epoch without mistakes cannot happen")
    errors = np.asarray(errors)
    expect_equal(errors.shape, (epochs,), hint="without convergence every one of the epochs runs: one count each")
    expect_true(bool(np.all(errors > 0)), "at least one mistake in every epoch",
                f"an epoch with {errors.min()} mistakes (epoch {int(np.argmin(errors)) + 1})",
                hint="count each update made during the epoch")
    expect_true(not np.array_equal(perceptron_of(INPUTS, w, b), XOR), "weights that still get XOR wrong",
                f"w = {w!r}, b = {b!r}, which compute XOR", hint="impossible for a single perceptron")


@graded(points=1)
def train_rejects_bad_arguments(lab):
    "train_perceptron rejects a learning rate of 0, targets other than 0 and 1, and 0 epochs with ValueError"
    expect_raises(ValueError, lab.train_perceptron, INPUTS, AND, 0.0, 10, mentions="lr",
                  hint="lr must be > 0: with lr = 0 nothing is ever learned")
    expect_raises(ValueError, lab.train_perceptron, INPUTS, [0.0, 1.0, 2.0, 1.0], 1.0, 10, mentions="y",
                  hint="the targets are 0 or 1, like the perceptron's outputs")
    expect_raises(ValueError, lab.train_perceptron, INPUTS, AND, 1.0, 0, mentions="epochs")


# networks of step units ----------------------------------------------------------------

@graded(points=2)
def xor_truth_table(lab):
    "xor_network computes XOR on all four inputs, as a batch and one at a time"
    hint = "XOR = AND(OR(x1, x2), NAND(x1, x2)): two hidden step units, one output unit"
    expect_table(lab.xor_network(INPUTS), XOR, None, hint)
    for x, expected in zip(INPUTS, XOR):
        expect_table(lab.xor_network(x), expected, None, hint + "; one example gives one number")


@graded(points=2)
def xnor_truth_table(lab):
    "xnor_network computes XNOR on all four inputs, as a batch and one at a time"
    hint = "a1 = x1 AND x2, a2 = (NOT x1) AND (NOT x2) (one unit), y = a1 OR a2"
    expect_table(lab.xnor_network(INPUTS), 1 - XOR, None, hint)
    for x, expected in zip(INPUTS, 1 - XOR):
        expect_table(lab.xnor_network(x), expected, None, hint + "; one example gives one number")


@graded(points=1)
def networks_reject_bad_shape(lab):
    "xor_network and xnor_network reject inputs that are not pairs with ValueError naming X"
    for name in ("xor_network", "xnor_network"):
        expect_raises(ValueError, getattr(lab, name), [[0.0, 1.0, 1.0]], mentions="X",
                      hint="X has shape (2,) or (n, 2): check it with _check_examples(X, 2, 'X')")


@graded(points=2)
def half_adder_truth_table(lab):
    "half_adder gives (sum, carry) = (a XOR b, a AND b) for all four pairs of bits, as numbers and as arrays"
    hint = "sum = a XOR b (your xor_network), carry = a AND b (the AND perceptron)"
    for (a, b), total, carry in zip(INPUTS, XOR, AND):
        got = lab.half_adder(float(a), float(b))
        expect_equal(type(got), tuple, hint="return the pair (sum, carry)")
        expect_table(got, [total, carry], None, hint)
    got_sum, got_carry = lab.half_adder(X1, X2)
    expect_table(got_sum, XOR, None, hint)
    expect_table(got_carry, AND, None, hint)


@graded(points=1)
def half_adder_any_shape(lab):
    "half_adder adds arrays of bits of any shape, a 2-D grid too, and keeps their shape"
    a = np.array([[0.0, 0.0, 1.0], [1.0, 1.0, 0.0]])
    b = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0]])
    got_sum, got_carry = lab.half_adder(a, b)
    called = "half_adder(a, b) with a = [[0, 0, 1], [1, 1, 0]], b = [[0, 1, 0], [1, 0, 1]]"
    hint = ("the bits may come in any shape: pair them up, flatten the pairs into rows (n, 2) for the networks, "
            "and give the answers a's shape back")
    expect_table(got_sum, (a + b) % 2, called, hint)
    expect_table(got_carry, a * b, called, hint)


@graded(points=1)
def half_adder_rejects_non_bits(lab):
    "half_adder rejects inputs that are not bits with ValueError naming the argument"
    expect_raises(ValueError, lab.half_adder, 2.0, 0.0, mentions="a", hint="a and b must be 0 or 1")
    expect_raises(ValueError, lab.half_adder, [1.0, 0.0], [0.0, 0.5], mentions="b", hint="a and b must be 0 or 1")


# Keras -------------------------------------------------------------------------------------

# Importing Keras takes about 5 s and training 1 to 2 s, in the child and again where the grader repeats it.
@graded(points=3)
def keras_mlp_learns_xor(lab):
    """train_xor_mlp(seed=0) returns a Keras model that classifies all four XOR inputs correctly, by training

    The grader repeats the training itself, from the weights seed 0 draws and
    with the optimizer, loss and model.fit arguments the student's code used,
    and the model returned must be the one that training gives: weights set
    by hand are not a trained model.
    """
    export = lab.probes.xor_mlp(0)
    called = "model = train_xor_mlp(seed=0); model(INPUTS)"
    expect_true(export["is_keras_model"], "a keras.Model", f"a {export['type']}", called=called,
                hint="build it with keras.Sequential (or the functional API) and return the trained model")
    answers = lab.references.xor_outputs(export["config"], export["weights"])
    if "error" in answers:
        fail("a model made of Keras's built-in layers", answers["error"], called=called,
             hint="keras.Sequential with keras.layers.Dense layers and built-in activations")
    outputs = np.asarray(answers["outputs"], dtype=float)
    expect_equal(outputs.size, 4, called=called, hint="one output, the probability of a 1, per input")
    expect_table((outputs.reshape(4) > 0.5).astype(float), XOR, called,
                 f"outputs {np.round(outputs.reshape(4), 3).tolist()} from layers {answers['layers']}: XOR needs "
                 "a hidden layer with a non-linear activation (tanh), a sigmoid output, binary cross-entropy, and "
                 "enough training steps")
    fits = export.get("fits")
    expect_true(isinstance(fits, list) and len(fits) > 0, "the returned model trained with model.fit",
                "no call of model.fit on the returned model", called=called,
                hint="compile the model and train it with model.fit on copies of the four examples: the grader "
                     "repeats that training to check it")
    repeated = lab.references.xor_training(export["config"], fits, 0)
    if "error" in repeated:
        fail("a training the grader can repeat", repeated["error"], called=called,
             hint="compile with a Keras optimizer and loss, then model.fit(x, y, batch_size=..., epochs=..., "
                  "shuffle=...) on NumPy arrays")
    start = lab.references.xor_starts(export["config"], [0])["starts"][0]
    differs = not all(np.array_equal(np.asarray(got), np.asarray(drawn)) for got, drawn in zip(fits[0]["start"], start))
    for got, wanted in zip(export["weights"], repeated["weights"]):
        expect_close(got, wanted, rtol=1e-4, atol=1e-5,
                     called=called + "; the grader repeats your model.fit calls from the weights seed 0 draws",
                     hint=("your model did not start from the weights seed 0 draws: call "
                           "keras.utils.set_random_seed(seed) just before building it" if differs else
                           "the model returned is not the one your training gives: return the model model.fit "
                           "trained, without setting its weights afterwards"))


@graded(points=1)
def keras_mlp_seeded(lab):
    "train_xor_mlp is reproducible: the same seed starts from the same weights (the grader's draw), another seed from other ones"
    seeds = [0, 1]
    got = lab.probes.xor_mlp_starts(seeds)
    called = "train_xor_mlp(seed=s) for s = 0, 1, each stopped at its first model.fit"
    for entry in got:
        if "error" in entry:
            fail("a call of model.fit", entry["error"], called=called, hint="train the model with model.fit")
    drawn = lab.references.xor_starts(got[0]["config"], seeds)
    if "error" in drawn:
        fail("a model made of Keras's built-in layers", drawn["error"], called=called,
             hint="keras.Sequential with keras.layers.Dense layers and built-in activations")
    for seed, entry, wanted in zip(seeds, got, drawn["starts"]):
        for weights, drawn_weights in zip(entry["start"], wanted):
            expect_close(weights, drawn_weights, rtol=0, atol=1e-7,
                         called=f"train_xor_mlp(seed={seed}): the weights at its first model.fit",
                         hint="the same seed gives the same model: call keras.utils.set_random_seed(seed) with "
                              "the seed given, just before building the model")
