"""Graded tests for lab 1: gradient descent and the sigmoid neuron.

Expected values come from the slides' worked examples (recomputed: the
slides round), from closed forms (a quadratic's trajectory) and from
numerical gradients computed here with an independent sigmoid, never from
the solution. Training runs are compared with plain loops in
references.py (through `lab.references`), which
never ship with the lab.
"""

import numpy as np

from autograder.graded import expect_close, expect_equal, expect_raises, expect_true, graded
from autograder.textbook import gradient, sigmoid

# The slides' OR-gate neuron: input (0, 1), weights 0.2 and 0.3, bias weight 0.5.
OR_X, OR_W, OR_B, OR_TARGET = [0.0, 1.0], [0.2, 0.3], 0.5, 1.0
OR_OUTPUT = 0.689974481
# The slides' second neuron.
X2, W2, B2, TARGET2 = [0.1, 0.3], [0.5, 0.2], 1.83, 0.03


def squared_error_of(x, b, target):
    return lambda w: np.sum(0.5 * (target - sigmoid(x @ w + b)) ** 2)


def cross_entropy_of(x, b, target):
    def loss(w):
        out = sigmoid(x @ w + b)
        return -np.sum(target * np.log(out) + (1 - target) * np.log(1 - out))

    return loss


def random_batch(seed, n=6, d=3):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.normal(size=d), float(rng.normal()), rng.uniform(size=n)


# sigmoid ------------------------------------------------------------------

@graded(points=1)
def sigmoid_or_gate(lab):
    "sigmoid(0.8) is the OR gate's output from the slides, 0.68997"
    expect_close(lab.sigmoid(0.8), OR_OUTPUT, rtol=1e-8, hint="sigmoid(z) = 1 / (1 + exp(-z))")


@graded(points=1)
def sigmoid_elementwise(lab):
    "sigmoid works elementwise on a 2-D array and keeps its shape"
    z = np.linspace(-6, 6, 12).reshape(3, 4)
    expect_close(lab.sigmoid(z), sigmoid(z), rtol=1e-12,
                 hint="use NumPy operations (np.exp, np.where) rather than math.exp, so arrays work")


@graded(points=1)
def sigmoid_symmetry(lab):
    "sigmoid(-z) = 1 - sigmoid(z)"
    z = np.array([0.0, 0.5, 2.0, 7.5, 30.0])
    mirrored = lab.sigmoid(-z)
    expect_close(mirrored, 1.0 - sigmoid(z), rtol=1e-9, atol=1e-15,
                 hint="the sigmoid is symmetric about (0, 1/2)")


@graded(points=2)
def sigmoid_stable(lab):
    "sigmoid is stable at |z| = 1e4: exact limits, no NaN, no overflow warning"
    z = np.array([-1e4, -800.0, -40.0, 0.0, 40.0, 800.0, 1e4])
    out, warnings = lab.probes.sigmoid_with_warnings(z)
    called = "sigmoid(np.array([-1e4, -800, -40, 0, 40, 800, 1e4]))"
    hint = "exp(-z) overflows for z below about -709: use exp(-|z|), which never exceeds 1"
    expect_close(out, sigmoid(np.clip(z, -700, 700)), rtol=1e-12, atol=1e-300,
                 hint=hint, called=called)
    expect_true(not warnings, "no warnings", "; ".join(warnings), hint=hint, called=called)


# gradient descent -------------------------------------------------------------

@graded(points=2)
def descent_trajectory(lab):
    "gradient_descent follows x[k+1] = x[k] - lr * grad(x[k]) on a quadratic"
    curvatures, x0, lr, steps = np.array([1.0, 10.0]), np.array([2.0, -1.0]), 0.05, 8
    # On f(x) = sum(a x^2) / 2 each step multiplies x by (1 - lr * a).
    expected = x0 * (1 - lr * curvatures) ** np.arange(steps + 1)[:, None]
    expect_close(lab.probes.quadratic_descent(curvatures, x0, lr, steps), expected, rtol=1e-10,
                 called="gradient_descent(lambda x: [1, 10] * x, x0=[2, -1], lr=0.05, steps=8)",
                 hint="the result has steps + 1 rows: the start, then the point after each update")


@graded(points=1)
def descent_scalar_and_zero_steps(lab):
    "gradient_descent works from a number, and with steps=0 returns just the start"
    expect_close(lab.probes.quadratic_descent(2.0, 3.0, 0.25, 3), [3.0, 1.5, 0.75, 0.375], rtol=1e-12,
                 called="gradient_descent(lambda x: 2 * x, x0=3.0, lr=0.25, steps=3)")
    expect_close(lab.probes.quadratic_descent(2.0, [3.0, 4.0], 0.25, 0), [[3.0, 4.0]], rtol=0,
                 called="gradient_descent(lambda x: 2 * x, x0=[3, 4], lr=0.25, steps=0)",
                 hint="the shape is (steps + 1, *np.shape(x0))")


@graded(points=1)
def descent_rejects_bad_arguments(lab):
    "gradient_descent rejects a negative learning rate or step count with ValueError"
    expect_raises(ValueError, lab.probes.quadratic_descent, 1.0, 1.0, -0.1, 3, mentions="lr",
                  hint="check lr before descending and name it in the message")
    expect_raises(ValueError, lab.probes.quadratic_descent, 1.0, 1.0, 0.1, -2, mentions="steps",
                  hint="check steps before descending and name it in the message")


@graded(points=1)
def descent_leaves_start_and_makes_floats(lab):
    "gradient_descent leaves the caller's x0 untouched, and from an integer start it still takes fractional steps"
    trajectory, start = lab.probes.descent_and_start([1.0, 10.0], [2.0, -1.0], 0.05, 3)
    expect_equal(np.asarray(start), np.array([2.0, -1.0]), called="x0 = np.array([2.0, -1.0]); "
                 "gradient_descent(lambda x: [1, 10] * x, x0, lr=0.05, steps=3); x0",
                 hint="the contract records the points visited; the caller's starting array must not move with them")
    expect_close(trajectory[0], [2.0, -1.0], rtol=0, hint="row 0 is the start as it was given")
    expect_close(lab.probes.quadratic_descent(2.0, 3, 0.25, 3), [3.0, 1.5, 0.75, 0.375], rtol=1e-12,
                 called="gradient_descent(lambda x: 2 * x, x0=3, lr=0.25, steps=3)",
                 hint="an integer start is a point like any other: the points visited are real numbers, never rounded")


# the neuron and its error -----------------------------------------------------

@graded(points=1)
def neuron_or_gate(lab):
    "neuron_output gives the slides' OR-gate output 0.68997"
    expect_close(lab.neuron_output(OR_X, OR_W, OR_B), OR_OUTPUT, rtol=1e-8, hint="sigmoid(x @ w + b)")


@graded(points=1)
def neuron_batch(lab):
    "neuron_output handles a batch: one output per row"
    x, w, b, _ = random_batch(seed=1, n=5, d=3)
    expect_close(lab.neuron_output(x, w, b), sigmoid(x @ w + b), rtol=1e-12,
                 hint="with x of shape (n, d), x @ w has shape (n,)")


@graded(points=1)
def neuron_rejects_mismatch(lab):
    "neuron_output rejects inputs that do not match the weights with ValueError"
    expect_raises(ValueError, lab.neuron_output, [1.0, 2.0, 3.0], [0.5, 0.5], 0.0,
                  hint="x's last axis must have as many entries as w")


@graded(points=1)
def squared_error_or_gate(lab):
    "squared_error gives the slides' OR-gate error 0.048058"
    expect_close(lab.squared_error(OR_TARGET, OR_OUTPUT), 0.5 * (OR_TARGET - OR_OUTPUT) ** 2, rtol=1e-12)
    expect_close(lab.squared_error(1.0, 0.6899744811276125), 0.048057911, rtol=1e-7,
                 hint="E = 1/2 (target - output)^2")


@graded(points=1)
def squared_error_sums(lab):
    "squared_error sums over the outputs of an array"
    expect_close(lab.squared_error([0.01, 0.99], [0.75136507, 0.772928465]), 0.298371109, rtol=1e-8,
                 hint="sum the halved squared differences over every output")


@graded(points=1)
def squared_error_rejects_mismatch(lab):
    "squared_error rejects a target and an output of different shapes with ValueError"
    expect_raises(ValueError, lab.squared_error, [1.0, 0.0], [0.5, 0.5, 0.5])


# gradients ----------------------------------------------------------------------

@graded(points=2)
def squared_error_gradients_or_gate(lab):
    "squared_error_gradients gives the slides' OR-gate gradient dE/dw2 = -0.066317"
    dw, db = lab.squared_error_gradients(OR_X, OR_W, OR_B, OR_TARGET)
    hint = "dE/dw = (out - target) * out * (1 - out) * x"
    expect_close(dw, [0.0, -0.066317465], rtol=1e-7, atol=1e-15, hint=hint)
    expect_close(db, -0.066317465, rtol=1e-7, hint="dE/db is the same with x replaced by 1")


@graded(points=1)
def update_or_gate(lab):
    "one step with lr 0.05 on the OR gate moves w2 from 0.3 to 0.303316 (the slides start from w2 = 1)"
    path = lab.probes.neuron_descent(OR_X, OR_W, OR_B, OR_TARGET, 0.05, 1)
    # w2 - lr * dE/dw2 = 0.3 - 0.05 * (-0.066317465); w1 stays, its input is 0.
    expect_close(path[-1], [0.2, 0.3033158732], rtol=1e-9,
                 called="gradient_descent(lambda w: squared_error_gradients([0, 1], w, 0.5, 1)[0], "
                        "w0=[0.2, 0.3], lr=0.05, steps=1)",
                 hint="w <- w - lr * dE/dw from the weights you start with (the slides' 1.0033155 starts from 1)")


@graded(points=2)
def squared_error_gradients_second_example(lab):
    "squared_error_gradients gives the slides' second example, dE/dw = (0.009276, 0.027828)"
    expect_close(lab.neuron_output(X2, W2, B2), 0.874352143, rtol=1e-8)
    dw, _ = lab.squared_error_gradients(X2, W2, B2, TARGET2)
    expect_close(dw, [0.009276096, 0.027828288], rtol=1e-6,
                 hint="dE/dout = 0.844, dout/dnet = 0.10986, dnet/dw = x")


@graded(points=2)
def update_second_example(lab):
    "one step of gradient descent on the second example gives the slides' weights 0.49990724, 0.19972172"
    path = lab.probes.neuron_descent(X2, W2, B2, TARGET2, 0.01, 1)
    # The slides print 8 decimals: 0.1997217172... is shown as 0.19972172.
    expect_close(path[-1], [0.49990724, 0.19972172], rtol=0, atol=5e-9,
                 called="gradient_descent(lambda w: squared_error_gradients(x, w, b, target)[0], "
                        "w0=[0.5, 0.2], lr=0.01, steps=1)")


@graded(points=2, hidden=True)
def squared_error_gradients_numerical(lab):
    "squared_error_gradients on a batch matches a numerical gradient (summed over the examples)"
    x, w, b, target = random_batch(seed=7)
    dw, db = lab.squared_error_gradients(x, w, b, target)
    expect_close(dw, gradient(squared_error_of(x, b, target), w), rtol=1e-5, atol=1e-9,
                 hint="for a batch, sum each example's gradient: X.T @ delta")
    expect_close(db, gradient(lambda v: squared_error_of(x, v[0], target)(w), [b])[0],
                 rtol=1e-5, atol=1e-9)


@graded(points=2)
def cross_entropy_gradients_formula(lab):
    "cross_entropy_gradients is -(y - y_hat) * x for one example"
    x, w, b, y = np.array([0.5, -1.5, 2.0]), np.array([0.3, 0.1, -0.2]), 0.4, 1.0
    y_hat = sigmoid(x @ w + b)
    dw, db = lab.cross_entropy_gradients(x, w, b, y)
    hint = "with cross-entropy the sigmoid's derivative cancels: dL/dnet = y_hat - y"
    expect_close(dw, -(y - y_hat) * x, rtol=1e-10, hint=hint)
    expect_close(db, -(y - y_hat), rtol=1e-10, hint=hint)


@graded(points=2, hidden=True)
def cross_entropy_gradients_numerical(lab):
    "cross_entropy_gradients on a batch matches a numerical gradient"
    x, w, b, target = random_batch(seed=11)
    dw, _ = lab.cross_entropy_gradients(x, w, b, target)
    expect_close(dw, gradient(cross_entropy_of(x, b, target), w), rtol=1e-5, atol=1e-9)


# training -----------------------------------------------------------------------

REPEATED = (np.array([0.5, -1.0, 2.0]), 1.0)  # one example, repeated n times below


def repeated_data(n):
    x, y = REPEATED
    return np.tile(x, (n, 1)), np.full(n, y)


@graded(points=2)
def train_batch(lab):
    "train_neuron with batch_size=None is batch gradient descent (one mean-gradient step per epoch)"
    x, _, _, y = random_batch(seed=3, n=8, d=3)
    w, b, _ = lab.train_neuron(x, y, 0.5, 20, batch_size=None, loss="mse", seed=0)
    expected_w, expected_b = lab.references.batch_training(x, y, 0.5, 20, "mse")
    hint = "start from zero weights; each step subtracts lr times the gradient averaged over the batch"
    expect_close(w, expected_w, rtol=1e-9, atol=1e-12, hint=hint)
    expect_close(b, expected_b, rtol=1e-9, atol=1e-12, hint=hint)


@graded(points=1)
def train_stochastic_steps(lab):
    "train_neuron with batch_size=1 takes one step per example each epoch"
    x, y = repeated_data(7)
    w, _, _ = lab.train_neuron(x, y, 0.3, 2, batch_size=1, seed=0)
    # With every example alike the order does not matter: 2 epochs x 7 examples = 14 steps.
    expect_close(w, lab.references.single_example_steps(*REPEATED, 0.3, 14)[0], rtol=1e-10,
                 hint="stochastic gradient descent updates after every single example")


@graded(points=1)
def train_minibatch_steps(lab):
    "train_neuron with batch_size=4 on 10 examples takes 3 steps per epoch (the last batch has 2)"
    x, y = repeated_data(10)
    w, _, _ = lab.train_neuron(x, y, 0.3, 2, batch_size=4, seed=0)
    expect_close(w, lab.references.single_example_steps(*REPEATED, 0.3, 6)[0], rtol=1e-10,
                 hint="ceil(n / batch_size) batches per epoch, each step with its batch's mean gradient")


@graded(points=1)
def train_seeded(lab):
    "train_neuron is reproducible: the same seed gives the same weights, another seed other weights"
    x, _, _, y = random_batch(seed=5, n=12, d=3)
    first, _, _ = lab.train_neuron(x, y, 0.5, 3, batch_size=1, seed=1)
    again, _, _ = lab.train_neuron(x, y, 0.5, 3, batch_size=1, seed=1)
    other, _, _ = lab.train_neuron(x, y, 0.5, 3, batch_size=1, seed=2)
    expect_equal(np.asarray(again), np.asarray(first), hint="shuffle with np.random.default_rng(seed)")
    expect_true(not np.allclose(other, first), "different weights for another seed (another order)",
                f"the same weights {first}", hint="shuffle the examples every epoch")


@graded(points=1)
def train_losses(lab):
    "train_neuron returns one loss per epoch: the mean loss over the data after that epoch"
    x, _, _, y = random_batch(seed=9, n=8, d=3)
    w, b, losses = lab.train_neuron(x, y, 0.5, 4, batch_size=2, loss="cross_entropy", seed=0)
    out = sigmoid(x @ np.asarray(w) + b)
    final = -np.mean(y * np.log(out) + (1 - y) * np.log(1 - out))
    expect_equal(np.shape(losses), (4,), hint="an array with one entry per epoch")
    expect_close(losses[-1], final, rtol=1e-8, hint="the last entry is the mean loss at the returned w and b")


@graded(points=2)
def train_or_gate(lab):
    "train_neuron learns the OR gate with cross-entropy (all four inputs classified, loss falling)"
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0.0, 1.0, 1.0, 1.0])
    w, b, losses = lab.train_neuron(x, y, 1.0, 200, batch_size=None, loss="cross_entropy", seed=0)
    predictions = (sigmoid(x @ np.asarray(w) + b) > 0.5).astype(float)
    expect_equal(predictions, y, hint="the cross-entropy gradient is (y_hat - y) * x")
    expect_true(losses[-1] < losses[0], "the loss to fall over training",
                f"first {losses[0]!r}, last {losses[-1]!r}")


@graded(points=1)
def train_rejects_bad_arguments(lab):
    "train_neuron rejects an unknown loss, a batch size of 0 and empty data with ValueError"
    x, y = repeated_data(4)
    expect_raises(ValueError, lab.train_neuron, x, y, 0.1, 1, loss="hinge", mentions="loss")
    expect_raises(ValueError, lab.train_neuron, x, y, 0.1, 1, batch_size=0, mentions="batch_size")
    expect_raises(ValueError, lab.train_neuron, np.zeros((0, 3)), np.zeros(0), 0.1, 1, mentions="X")


@graded(points=1)
def train_leaves_data_untouched(lab):
    "train_neuron leaves the caller's X and y as they were, so a second call gives the same weights"
    x, _, _, y = random_batch(seed=13, n=9, d=3)
    first, second, x_after, y_after = lab.probes.train_twice(x, y, 0.5, 2, 2, 4)
    called = "train_neuron(X, y, 0.5, 2, batch_size=2, seed=4), twice on the same X and y"
    hint = "shuffle an order of indices (or a copy), never the caller's arrays"
    expect_equal(np.asarray(x_after), x, called=called, hint=hint)
    expect_equal(np.asarray(y_after), y, called=called, hint=hint)
    expect_close(second, first, rtol=1e-12, called=called,
                 hint="the same data and the same seed give the same weights")
