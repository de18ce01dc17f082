"""Graded tests for lab 3: activation functions and their derivatives.

Expected values come from textbook formulas written out here, from numerical
derivatives of those formulas (central differences, away from the kinks),
from the identities the slides give (sigmoid' = s (1 - s), tanh' = 1 - t^2,
softplus' = sigmoid, elu' = alpha e^x below 0, softmax's Jacobian
diag(s) - s s^T) and from properties (probabilities sum to 1, the vanishing
gradient), never from the solution.
"""

import numpy as np

from autograder.graded import expect_close, expect_equal, expect_raises, expect_true, graded
from autograder.textbook import derivative, jacobian, sigmoid

NAMES = ("linear", "step", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus")
# Points away from every kink (all |x| > 0.005), for numerical derivatives.
X_SMOOTH = np.array([-3.7, -1.2, -0.3, -0.01, 0.02, 0.45, 1.6, 4.2])
# A grid with the kink x = 0 in it.
X_GRID = np.array([-3.0, -1.5, -0.5, 0.0, 0.25, 1.0, 2.5, 5.0])
LARGE = np.array([-1e4, -1000.0, -40.0, 0.0, 40.0, 1000.0, 1e4])
LARGE_CALL = "np.array([-1e4, -1000, -40, 0, 40, 1000, 1e4])"
EXACT = 1e-15  # for values that must come out exactly: a few units in the last place


def reference_elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * (np.exp(np.minimum(x, 0.0)) - 1.0))


def reference_softmax(z, axis=-1):
    """Textbook softmax for moderate scores: exponentiate, then normalize along the axis."""
    e = np.exp(np.asarray(z, dtype=float))
    return e / e.sum(axis=axis, keepdims=True)


# Each activation with its derivative, written from the formulas, with this
# course's kink conventions: step(0) = 1, d_step(0) = d_relu(0) = 0, d_leaky_relu(0) = 1.
REFERENCE = {
    "linear": (lambda x: x, np.ones_like),
    "step": (lambda x: (x >= 0).astype(float), np.zeros_like),
    "sigmoid": (sigmoid, lambda x: sigmoid(x) * (1 - sigmoid(x))),
    "tanh": (np.tanh, lambda x: 1 / np.cosh(x) ** 2),
    "relu": (lambda x: np.maximum(x, 0.0), lambda x: (x > 0).astype(float)),
    "leaky_relu": (lambda x: np.where(x < 0, 0.01 * x, x), lambda x: np.where(x < 0, 0.01, 1.0)),
    "elu": (reference_elu, lambda x: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0.0)))),
    "softplus": (lambda x: np.log(1 + np.exp(x)), sigmoid),
}


def expect_derivative(got, f, x, name, hint):
    """`got` (the student's derivative at x) matches the numerical derivative of the reference f."""
    expect_close(got, derivative(f, x), rtol=1e-6, atol=1e-9, hint=hint,
                 called=f"{name}({x.tolist()})")


def expect_no_warnings(warnings, called, hint):
    expect_true(not warnings, "no warnings", "; ".join(warnings), hint=hint, called=called)


# the activations ------------------------------------------------------------------

@graded(points=2)
def linear_and_step(lab):
    "linear is the identity; step is 1 where x >= 0 (so step(0) = 1), else 0"
    expect_close(lab.linear(X_GRID), X_GRID, rtol=EXACT, hint="linear(x) returns x (as floats)")
    x = np.array([-2.0, -1e-9, 0.0, 1e-9, 3.0])
    expect_close(lab.step(x), [0.0, 0.0, 1.0, 1.0, 1.0], rtol=EXACT,
                 hint="compare with x >= 0, not x > 0: the slides' table has step(0) = 1")


@graded(points=1)
def sigmoid_and_tanh(lab):
    "sigmoid and tanh match their formulas, elementwise on a 2-D array"
    x = np.linspace(-6, 6, 12).reshape(3, 4)
    expect_close(lab.sigmoid(x), sigmoid(x), rtol=1e-12,
                 hint="sigmoid(x) = 1 / (1 + exp(-x)), with NumPy operations so that arrays work")
    expect_close(lab.tanh(x), (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x)), rtol=1e-12,
                 hint="np.tanh works elementwise")


@graded(points=2)
def relu_family(lab):
    "relu, leaky_relu and elu match their formulas, with the default alpha and another"
    expect_close(lab.relu(X_GRID), np.maximum(X_GRID, 0.0), rtol=EXACT,
                 hint="np.maximum(x, 0) compares elementwise; Python's max does not")
    expect_close(lab.leaky_relu(X_GRID), np.where(X_GRID < 0, 0.01 * X_GRID, X_GRID), rtol=1e-12,
                 hint="leaky_relu(x) = x for x >= 0, alpha * x below, with alpha = 0.01 by default")
    expect_close(lab.leaky_relu(X_GRID, alpha=0.2), np.where(X_GRID < 0, 0.2 * X_GRID, X_GRID), rtol=1e-12,
                 hint="use the alpha argument, do not hard-code 0.01")
    expect_close(lab.elu(X_GRID), reference_elu(X_GRID), rtol=1e-12,
                 hint="elu(x) = x for x > 0, alpha * (e^x - 1) below, with alpha = 1 by default")
    expect_close(lab.elu(X_GRID, alpha=0.5), reference_elu(X_GRID, 0.5), rtol=1e-12,
                 hint="use the alpha argument: elu(x) approaches -alpha as x -> -inf")


@graded(points=1)
def softplus_values(lab):
    "softplus(x) = log(1 + e^x) elementwise, on a 2-D array"
    x = X_GRID.reshape(2, 4)
    expect_close(lab.softplus(x), np.log(1.0 + np.exp(x)), rtol=1e-12, hint="softplus(x) = log(1 + e^x)")


@graded(points=2)
def activations_table(lab):
    "ACTIVATIONS pairs each of the eight functions with its own derivative; numbers give numbers, arrays keep their shape"
    table = lab.probes.activation_table(X_GRID)
    called = "f(x), df(x) for each (f, df) in ACTIVATIONS.values()"
    expect_equal(sorted(table), sorted(NAMES), called=called,
                 hint="ACTIVATIONS maps each name to its (function, derivative) pair")
    for name in NAMES:
        f, df = REFERENCE[name]
        got_f, got_df = table[name]
        expect_close(got_f, f(X_GRID), rtol=1e-12, atol=1e-15, called=f"ACTIVATIONS[{name!r}][0]({X_GRID.tolist()})",
                     hint=f"ACTIVATIONS[{name!r}] holds ({name}, d_{name})")
        expect_close(got_df, df(X_GRID), rtol=1e-12, atol=1e-15, called=f"ACTIVATIONS[{name!r}][1]({X_GRID.tolist()})",
                     hint=f"ACTIVATIONS[{name!r}] holds ({name}, d_{name}); d_{name} follows the kink convention at 0")
    for x in (0.7, X_GRID.reshape(4, 2)):
        for name, (got_f, got_df) in lab.probes.activation_table(x).items():
            for which, got in ((name, got_f), (f"d_{name}", got_df)):
                expect_equal(np.shape(got), np.shape(x), called=f"{which}({x!r})",
                             hint="work elementwise with NumPy; a number gives a number (index a 0-d result with [()])")


# the derivatives -------------------------------------------------------------------

@graded(points=2)
def d_sigmoid_matches(lab):
    "d_sigmoid matches a numerical derivative and the identity sigmoid' = s (1 - s)"
    hint = "sigmoid'(x) = s (1 - s) with s = sigmoid(x) (the input x, not s, goes in)"
    expect_derivative(lab.d_sigmoid(X_SMOOTH), sigmoid, X_SMOOTH, "d_sigmoid", hint)
    s = sigmoid(X_SMOOTH)
    expect_close(lab.d_sigmoid(X_SMOOTH), s * (1 - s), rtol=1e-12, hint=hint)
    expect_close(lab.d_sigmoid(0.0), 0.25, rtol=1e-12, hint="its largest value is 1/4, at x = 0")


@graded(points=2)
def d_tanh_matches(lab):
    "d_tanh matches a numerical derivative and the identity tanh' = 1 - t^2"
    hint = "tanh'(x) = 1 - t**2 with t = tanh(x)"
    expect_derivative(lab.d_tanh(X_SMOOTH), np.tanh, X_SMOOTH, "d_tanh", hint)
    expect_close(lab.d_tanh(X_SMOOTH), 1 - np.tanh(X_SMOOTH) ** 2, rtol=1e-12, hint=hint)


@graded(points=2)
def d_piecewise_linear(lab):
    "d_linear, d_step, d_relu and d_leaky_relu match numerical derivatives away from the kink"
    for name, f, alpha in (("d_linear", lambda x: x, None), ("d_step", REFERENCE["step"][0], None),
                           ("d_relu", REFERENCE["relu"][0], None), ("d_leaky_relu", REFERENCE["leaky_relu"][0], None),
                           ("d_leaky_relu", lambda x: np.where(x < 0, 0.3 * x, x), 0.3)):
        got = getattr(lab, name)(X_SMOOTH) if alpha is None else getattr(lab, name)(X_SMOOTH, alpha=alpha)
        expect_close(got, derivative(f, X_SMOOTH), rtol=1e-6, atol=1e-9,
                     called=f"{name}({X_SMOOTH.tolist()}" + ("" if alpha is None else f", alpha={alpha}") + ")",
                     hint="each piece is a straight line: its derivative is its slope (and use the alpha argument)")


@graded(points=2)
def d_elu_matches(lab):
    "d_elu matches a numerical derivative and the identity elu' = alpha e^x below 0 (1 above)"
    for alpha in (1.0, 0.5):
        got = lab.d_elu(X_SMOOTH, alpha=alpha)
        expect_close(got, derivative(lambda x, a=alpha: reference_elu(x, a), X_SMOOTH), rtol=1e-6, atol=1e-9,
                     hint="elu'(x) = 1 for x > 0, alpha * e^x below")
        expect_close(got, np.where(X_SMOOTH > 0, 1.0, alpha * np.exp(np.minimum(X_SMOOTH, 0))), rtol=1e-12,
                     hint="elu'(x) = alpha * e^x below 0: use the alpha argument")
    expect_close(lab.d_elu(X_SMOOTH), np.where(X_SMOOTH > 0, 1.0, np.exp(np.minimum(X_SMOOTH, 0))), rtol=1e-12,
                 hint="the default is alpha = 1.0")


@graded(points=1)
def d_softplus_matches(lab):
    "d_softplus matches a numerical derivative and is the sigmoid"
    hint = "the derivative of log(1 + e^x) is e^x / (1 + e^x), the sigmoid"
    expect_derivative(lab.d_softplus(X_SMOOTH), REFERENCE["softplus"][0], X_SMOOTH, "d_softplus", hint)
    expect_close(lab.d_softplus(X_SMOOTH), sigmoid(X_SMOOTH), rtol=1e-12, hint=hint)


@graded(points=2)
def kinks(lab):
    "at the kink x = 0: step is 1, relu is 0, and the derivatives of step and relu are 0, of leaky_relu 1, of elu alpha"
    expect_close(lab.step(0.0), 1.0, rtol=EXACT, hint="step(x) is 1 where x >= 0")
    expect_close(lab.relu(0.0), 0.0, rtol=EXACT)
    expect_close(lab.d_step(0.0), 0.0, rtol=EXACT, hint="the step is flat on both sides; this course takes 0 at the jump")
    x = np.array([-1.0, 0.0, 1.0])
    expect_close(lab.d_relu(x), [0.0, 0.0, 1.0], rtol=EXACT, hint="d_relu is 1 where x > 0 (strictly), so 0 at the kink")
    expect_close(lab.d_leaky_relu(x), [0.01, 1.0, 1.0], rtol=1e-12, hint="d_leaky_relu is 1 where x >= 0, so 1 at the kink")
    expect_close(lab.d_leaky_relu(x, alpha=0.3), [0.3, 1.0, 1.0], rtol=1e-12, hint="alpha only below 0")
    expect_close(lab.d_elu(x, alpha=0.5), [0.5 * np.exp(-1.0), 0.5, 1.0], rtol=1e-12,
                 hint="d_elu is alpha * e^x where x <= 0, so alpha * e^0 = alpha at the kink (1 only above 0)")


@graded(points=1)
def activations_leave_input_alone(lab):
    "every activation, derivative and softmax leaves the caller's array as it was"
    x = np.array([[-2.0, -0.5, 0.0], [0.3, 1.5, -4.0]])
    for name, after in lab.probes.inputs_after(x).items():
        expect_close(after, x, rtol=0, called=f"x = {x.tolist()}; {name}(x); x",
                     hint="compute into a new array (np.where, np.maximum, z - max): the caller may still need x")


# overflow ---------------------------------------------------------------------------

@graded(points=1)
def sigmoid_stable(lab):
    "sigmoid and d_sigmoid are stable at |x| = 1e4 (as in lab 1): exact limits, no NaN, no overflow warning"
    hint = "exp(-x) overflows for x below about -709: use exp(-|x|), which never exceeds 1"
    s = sigmoid(np.clip(LARGE, -700, 700))
    for name, expected, atol in (("sigmoid", s, 1e-300), ("d_sigmoid", s * (1 - s), 1e-15)):
        called = f"{name}({LARGE_CALL})"
        out, warnings = lab.probes.with_warnings(name, LARGE)
        expect_close(out, expected, rtol=1e-12, atol=atol, hint=hint, called=called)
        expect_no_warnings(warnings, called, hint)


@graded(points=2)
def softplus_stable(lab):
    "softplus and d_softplus are stable at |x| = 1e4: softplus(1000) = 1000, no inf, no overflow warning"
    hint = "log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): the exponential then never exceeds 1"
    for name, expected, atol in (("softplus", np.logaddexp(0.0, LARGE), 1e-12),
                                 ("d_softplus", sigmoid(np.clip(LARGE, -700, 700)), 1e-300)):
        called = f"{name}({LARGE_CALL})"
        out, warnings = lab.probes.with_warnings(name, LARGE)
        expect_close(out, expected, rtol=1e-12, atol=atol, called=called,
                     hint=hint if name == "softplus" else "softplus' is the sigmoid: reuse your stable sigmoid")
        expect_no_warnings(warnings, called, hint)


# softmax ------------------------------------------------------------------------------

NO_SCIPY_SOFTMAX = {"scipy.special.softmax": "write softmax with NumPy: exponentiate, then normalize"}


@graded(points=2, forbid=NO_SCIPY_SOFTMAX)
def softmax_vector(lab):
    "softmax of one score vector: e^z_i / sum_j e^z_j, probabilities summing to 1"
    z = np.array([2.0, 1.0, 0.1, -1.5])
    out = lab.softmax(z)
    expect_close(out, reference_softmax(z), rtol=1e-12, hint="exponentiate every score, then divide by their sum")
    expect_close(lab.softmax([0.0, 0.0, 0.0, 0.0]), [0.25] * 4, rtol=1e-12, hint="equal scores, equal probabilities")


@graded(points=2, forbid=NO_SCIPY_SOFTMAX)
def softmax_axis(lab):
    "softmax of a batch normalizes along `axis`: each row (default) or each column (axis=0) sums to 1"
    hint = "take the max and the sum along `axis` with keepdims=True, so they broadcast back against z"
    for z in (np.arange(12.0).reshape(3, 4) / 4, np.array([[1.0, 2.0], [3.0, 5.0]])):
        for axis in (-1, 1, 0):
            out = lab.softmax(z, axis=axis)
            expect_close(out, reference_softmax(z, axis=axis), rtol=1e-12, hint=hint)
            expect_close(np.sum(out, axis=axis), np.ones_like(np.sum(z, axis=axis)), rtol=1e-12,
                         hint=f"the probabilities must sum to 1 along axis {axis}")
    expect_close(lab.softmax(np.arange(12.0).reshape(3, 4)), reference_softmax(np.arange(12.0).reshape(3, 4)),
                 rtol=1e-12, hint="by default, axis=-1: one example per row")
    z3 = np.linspace(-2, 2, 24).reshape(2, 3, 4)
    expect_close(lab.softmax(z3, axis=1), reference_softmax(z3, axis=1), rtol=1e-12, hint=hint)


@graded(points=2, forbid=NO_SCIPY_SOFTMAX)
def softmax_stable(lab):
    "softmax is stable: softmax([1000, 1000]) == [0.5, 0.5] exactly, no NaN, no overflow warning"
    hint = "softmax(z) = softmax(z - max(z)): subtract the maximum along the axis before exponentiating"
    for z, expected, rtol in (([1000.0, 1000.0], [0.5, 0.5], EXACT),
                              ([[1000.0, 0.0], [-1000.0, -1000.0]], [[1.0, 0.0], [0.5, 0.5]], 1e-12),
                              ([1e4, 1e4 + np.log(3.0)], [0.25, 0.75], 1e-9)):
        called = f"softmax(np.array({z!r}))"
        out, warnings = lab.probes.with_warnings("softmax", np.array(z))
        expect_close(out, expected, rtol=rtol, atol=1e-300 if rtol > EXACT else 0.0, hint=hint, called=called)
        expect_no_warnings(warnings, called, hint)


@graded(points=2)
def softmax_jacobian_closed_form(lab):
    "softmax_jacobian(z) is diag(s) - s s^T: symmetric, rows summing to 0"
    z = np.array([0.5, -1.0, 2.0, 0.0])
    s = reference_softmax(z)
    expect_close(lab.softmax_jacobian(z), np.diag(s) - np.outer(s, s), rtol=1e-10, atol=1e-15,
                 hint="d s_i / d z_j = s_i (delta_ij - s_j): s_i (1 - s_i) on the diagonal, -s_i s_j off it")


@graded(points=2, hidden=True)
def softmax_jacobian_numerical(lab):
    "softmax_jacobian matches a numerical Jacobian of softmax"
    z = np.array([1.3, -0.4, 0.0, 2.2, -2.0])
    expect_close(lab.softmax_jacobian(z), jacobian(reference_softmax, z), rtol=1e-6, atol=1e-9,
                 hint="J[i, j] is the derivative of output i with respect to score j")


# bad input ---------------------------------------------------------------------------

@graded(points=1)
def activations_reject_bad_input(lab):
    "the activations reject a negative alpha and input that is not numbers with ValueError naming the argument"
    expect_raises(ValueError, lab.leaky_relu, [1.0, -1.0], alpha=-0.1, mentions="alpha",
                  hint="check alpha (a number >= 0) and name it in the message")
    expect_raises(ValueError, lab.elu, [1.0, -1.0], alpha=-1.0, mentions="alpha",
                  hint="check alpha (a number >= 0) and name it in the message")
    expect_raises(ValueError, lab.d_leaky_relu, [1.0, -1.0], alpha=-0.1, mentions="alpha")
    expect_raises(ValueError, lab.relu, "ten", mentions="x",
                  hint="convert x with np.asarray(x, dtype=float) and turn its TypeError / ValueError "
                       "into a ValueError that names x")


@graded(points=1)
def softmax_rejects_bad_input(lab):
    "softmax rejects a single number and softmax_jacobian a 2-D array, with ValueError naming z"
    expect_raises(ValueError, lab.softmax, 3.0, mentions="z",
                  hint="a single number has no axis to normalize along")
    expect_raises(ValueError, lab.softmax_jacobian, np.ones((2, 3)), mentions="z",
                  hint="the Jacobian is for one score vector, shape (k,)")


# the vanishing gradient -------------------------------------------------------------------

DEPTH, WIDTH = 20, 64


def layer_factors(norms):
    """How much the gradient norm changes from each layer to the one before it (towards the input)."""
    with np.errstate(divide="ignore", invalid="ignore"):  # a zero norm fails the test, not the grader
        return norms[:-1] / norms[1:]


@graded(points=1)
def gradient_norms_shape(lab):
    "gradient_norms_by_depth returns one finite, positive norm per layer"
    norms = lab.gradient_norms_by_depth("tanh", 3, 5, seed=0)
    expect_equal(np.shape(norms), (3,), hint="an array of shape (depth,)")
    expect_true(np.all(np.isfinite(norms)) and np.all(np.asarray(norms) > 0), "finite norms > 0", repr(norms),
                hint="the Frobenius norm of dL/dW for each layer: np.linalg.norm of the gradient matrix")


@graded(points=1)
def gradient_norms_seeded(lab):
    "gradient_norms_by_depth is reproducible: the same seed gives the same norms, another seed others"
    first = lab.gradient_norms_by_depth("relu", 4, 8, seed=3)
    again = lab.gradient_norms_by_depth("relu", 4, 8, seed=3)
    expect_close(again, first, rtol=EXACT, hint="draw everything from np.random.default_rng(seed)")
    other = lab.gradient_norms_by_depth("relu", 4, 8, seed=4)
    expect_true(not np.allclose(other, first), "other norms for another seed", f"the same norms {first}",
                hint="draw everything from np.random.default_rng(seed)")


@graded(points=1)
def gradient_norms_magnitude(lab):
    "gradient_norms_by_depth's norms have the size the docstring's network gives (He weights, L = mean((y - t)^2) / 2)"
    depth, width = 3, 32
    runs = np.asarray(lab.probes.norms_over_seeds("tanh", depth, width, list(range(20))), dtype=float)
    expect_equal(np.shape(runs), (20, depth), hint="an array of shape (depth,) for each seed")
    expect_true(np.all(np.isfinite(runs)) and np.all(runs > 0), "finite norms > 0", repr(runs[:2]))
    # Random draws may come in any order, so compare the typical size over seeds (geometric means):
    # 20 seeds land within 20% of the reference's, a factor of 2 (a lost 1/2, std 1 / width) is far outside.
    typical = np.exp(np.mean(np.log(runs), axis=0))
    expected = np.asarray(lab.references.typical_norms("tanh", depth, width, 64, list(range(1000, 1100))))
    ratio = typical / expected
    expect_true(bool(np.all((ratio > 0.7) & (ratio < 1.4))),
                "each layer's typical norm within 0.7 to 1.4 times the docstring network's",
                f"{np.round(ratio, 3).tolist()} times it, layer by layer",
                called="gradient_norms_by_depth('tanh', 3, 32, seed) for seeds 0 to 19",
                hint="the weights are drawn from N(0, 2 / width) (a std of sqrt(2 / width)), and the loss is the "
                     "mean over the batch of (y - t)^2 / 2, so dL/dy = (y - t) / BATCH")


@graded(points=2)
def sigmoid_gradient_vanishes(lab):
    "sigmoid, 20 layers: the gradient shrinks layer by layer towards the input, the first layer's below 1e-4 of the last's"
    norms = np.asarray(lab.gradient_norms_by_depth("sigmoid", DEPTH, WIDTH, seed=0))
    expect_equal(np.shape(norms), (DEPTH,), hint="an array of shape (depth,)")
    factor = float(np.median(layer_factors(norms)))
    hint = ("every layer multiplies the backward signal by f'(z) <= 1/4; norms[0] is the first layer "
            "(next to the input), norms[-1] the last")
    expect_true(factor < 0.5, "the norm to shrink by a factor below 0.5 per layer towards the input (median)",
                f"a median factor of {factor:.3g}; norms {norms}", hint=hint)
    expect_true(norms[0] < 1e-4 * norms[-1], "norms[0] < 1e-4 * norms[-1]",
                f"norms[0] = {norms[0]:.3g}, norms[-1] = {norms[-1]:.3g}", hint=hint)


@graded(points=2)
def relu_gradient_survives(lab):
    "relu, 20 layers (He initialization): the gradient does not vanish, the first layer's is above 1% of the last's"
    norms = np.asarray(lab.gradient_norms_by_depth("relu", DEPTH, WIDTH, seed=0))
    expect_equal(np.shape(norms), (DEPTH,), hint="an array of shape (depth,)")
    factor = float(np.median(layer_factors(norms)))
    hint = "relu' is 1 for active units; He initialization, N(0, 2 / width), keeps the signal's size"
    expect_true(factor > 0.7, "the norm to stay about the same from layer to layer (median factor above 0.7)",
                f"a median factor of {factor:.3g}; norms {norms}", hint=hint)
    expect_true(norms[0] > 0.01 * norms[-1], "norms[0] > 0.01 * norms[-1]",
                f"norms[0] = {norms[0]:.3g}, norms[-1] = {norms[-1]:.3g}", hint=hint)


@graded(points=1)
def step_gradient_is_zero(lab):
    "with step units every layer's gradient is exactly 0: the step's derivative is 0"
    norms = lab.gradient_norms_by_depth("step", 4, 8, seed=0)
    expect_close(norms, np.zeros(4), atol=1e-12,
                 hint="multiply the backward signal by df(z_l) at every layer, the last one included")


@graded(points=1)
def gradient_norms_reject_bad_arguments(lab):
    "gradient_norms_by_depth rejects an unknown activation and a depth of 0 with ValueError"
    expect_raises(ValueError, lab.gradient_norms_by_depth, "swish", 3, 4, seed=0, mentions="activation",
                  hint="the activation is a name in ACTIVATIONS")
    expect_raises(ValueError, lab.gradient_norms_by_depth, "relu", 0, 4, seed=0, mentions="depth",
                  hint="depth must be an integer >= 1")
