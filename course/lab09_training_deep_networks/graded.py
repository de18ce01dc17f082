"""Graded tests for lab 9: training deep networks, and telling whether it worked.

Expected values come from small examples worked out by hand here, from
closed forms (the interpolation error bound, the sawtooth's formula), and
from references.py: np.polyfit for the
least-squares fits, central differences for the gradients, and a deep MLP
written apart from the solution (checked here against those differences)
for the training runs. The experiments' claims (residual beats plain, clipping
keeps training finite, ReLU units die at a high learning rate) are checked as
properties of the student's own runs, from parameters the grader draws.
"""

import numpy as np

from autograder.graded import (
    expect_close,
    expect_equal,
    expect_raises,
    expect_true,
    graded,
)

NOISE = 0.2  # the polynomial experiments' noise std


def sine_data(n, seed):
    """n points x ~ U(0, 1) and y = sin(2 pi x) + N(0, NOISE**2)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, n)
    return x, np.sin(2 * np.pi * x) + rng.normal(0, NOISE, n)


def as_pairs(params):
    """Parameters as a list of (W, b) pairs, whatever sequence type they came back as."""
    return [(np.asarray(W, dtype=float), np.asarray(b, dtype=float)) for W, b in params]


# three sets ----------------------------------------------------------------------------

@graded(points=1)
def split_indices_partition(lab):
    "split_indices(50, 0.2, 0.1) gives 35 training, 10 validation and 5 test indices: each of 0..49 once, shuffled; (20, 0.18, 0.29) rounds to 10, 4 and 6"
    train, val, test = (np.asarray(part) for part in lab.split_indices(50, 0.2, 0.1, seed=0))
    called = "split_indices(50, 0.2, 0.1, seed=0)"
    expect_equal((len(train), len(val), len(test)), (35, 10, 5), called=called,
                 hint="test: round(0.1 * 50) = 5, validation: round(0.2 * 50) = 10, training: the rest")
    expect_equal(tuple(len(part) for part in lab.split_indices(20, 0.18, 0.29, seed=0)), (10, 4, 6),
                 called="split_indices(20, 0.18, 0.29, seed=0): the sizes",
                 hint="the contract rounds: round(0.29 * 20) = round(5.8) = 6 test and round(3.6) = 4 validation "
                      "indices; int() cuts them down to 5 and 3")
    expect_equal(sorted(np.concatenate([train, val, test]).tolist()), list(range(50)), called=called,
                 hint="the three parts cut one permutation of 0 .. n - 1: no index twice, none left out")
    expect_true(not np.array_equal(np.sort(train), train), "a shuffled training set", "the indices in order",
                called=called, hint="shuffle before cutting, or the split follows the data's order")


@graded(points=1)
def split_indices_seeded_and_checked(lab):
    "split_indices: the same seed gives the same split, another seed another; fractions leaving no training set raise"
    first, again, other = (lab.split_indices(40, 0.25, 0.25, seed=seed) for seed in (3, 3, 4))
    for a, b in zip(first, again):
        expect_close(b, a, rtol=0, hint="np.random.default_rng(seed): the same seed, the same permutation")
    expect_true(not np.array_equal(first[2], other[2]), "another test set for seed 4", "the same test set",
                hint="draw the permutation from the seed you were given")
    expect_raises(ValueError, lab.split_indices, 10, 0.5, 0.5, mentions="fraction",
                  hint="val_fraction + test_fraction must leave at least one training example")
    expect_raises(ValueError, lab.split_indices, 10, 0.2, 1.5, mentions="test_fraction")


# under- and overfitting -------------------------------------------------------------------

@graded(points=1)
def polynomial_features_by_hand(lab):
    "polynomial_features([2, -1], 3) is [[1, 2, 4, 8], [1, -1, 1, -1]]"
    expect_close(lab.polynomial_features(np.array([2.0, -1.0]), 3), [[1, 2, 4, 8], [1, -1, 1, -1]], rtol=0,
                 hint="column k holds x**k, from k = 0 (a column of ones) to degree")


@graded(points=2)
def fit_polynomial_least_squares(lab):
    "fit_polynomial recovers an exact cubic, and on noisy data agrees with np.polyfit (lowest power first)"
    x = np.linspace(-1, 2, 9)
    cubic = np.array([1.0, -2.0, 0.5, 3.0])
    expect_close(lab.fit_polynomial(x, cubic[0] + cubic[1] * x + cubic[2] * x ** 2 + cubic[3] * x ** 3, 3), cubic,
                 rtol=1e-8, atol=1e-10, hint="data that lie on a cubic are fitted exactly: least squares on "
                                              "polynomial_features, coefficients lowest power first")
    x, y = sine_data(25, 5)
    expect_close(lab.fit_polynomial(x, y, 4), lab.references.polyfit_coefficients(x, y, 4), rtol=1e-6, atol=1e-8,
                 called="fit_polynomial(25 noisy points of sin(2 pi x), 4)",
                 hint="minimize the sum of squared residuals (np.linalg.lstsq); np.polyfit orders the powers the "
                      "other way round")


@graded(points=1)
def mean_squared_error_by_hand(lab):
    "mean_squared_error([1, 2, 3], [1, 2, 5]) = 4 / 3"
    expect_close(lab.mean_squared_error([1.0, 2.0, 3.0], [1.0, 2.0, 5.0]), 4 / 3, rtol=1e-12,
                 hint="the mean of the squared differences, not their sum")


@graded(points=2)
def learning_curve_values(lab):
    "learning_curve of a cubic on 5, 10, 20 and 30 points: training and validation errors as np.polyfit gives them"
    x, y = sine_data(30, 0)
    x_val, y_val = sine_data(200, 1)
    sizes = [5, 10, 20, 30]
    train, val = lab.learning_curve(x, y, x_val, y_val, 3, sizes)
    expected_train, expected_val = lab.references.polyfit_errors(x, y, x_val, y_val, 3, sizes)
    called = "learning_curve(30 training points, 200 validation points, 3, [5, 10, 20, 30])"
    expect_close(train, expected_train, rtol=1e-6, atol=1e-12, called=called,
                 hint="fit on the first s examples only, and measure the training error on those s")
    expect_close(val, expected_val, rtol=1e-6, called=called,
                 hint="the validation error is measured on the whole validation set every time")


@graded(points=2)
def learning_curves_diagnose(lab):
    """learning curves show it: degree 9 memorizes 10 points (overfits) and improves with data; degree 1 underfits at every size

    Degree 9 through 10 points interpolates them: training error 0, a large
    validation error; with 300 points the gap closes. A line's training and
    validation errors stay high and close together whatever the size.
    """
    x, y = sine_data(300, 2)
    x_val, y_val = sine_data(200, 1)
    train, val = (np.asarray(v) for v in lab.learning_curve(x, y, x_val, y_val, 9, [10, 300]))
    called = "learning_curve(300 points, 200 validation points, 9, [10, 300])"
    expect_true(train[0] < 1e-6 and val[0] > 10 * NOISE ** 2,
                "at 10 points: training error about 0, validation error more than 10 x the noise variance 0.04",
                f"training {train[0]:.3g}, validation {val[0]:.3g}", called=called,
                hint="10 coefficients fit 10 points exactly: that is overfitting")
    expect_true(val[1] < 1.5 * train[1], "at 300 points the validation error within 1.5 x the training error",
                f"training {train[1]:.3g}, validation {val[1]:.3g}", called=called,
                hint="more data closes an overfitting model's gap")
    train, val = (np.asarray(v) for v in lab.learning_curve(x, y, x_val, y_val, 1, [20, 300]))
    expect_true(np.all(train > 3 * NOISE ** 2) and np.all(val > 3 * NOISE ** 2),
                "a line's errors high (> 3 x the noise variance) at 20 and at 300 points",
                f"training {np.round(train, 3)}, validation {np.round(val, 3)}",
                called="learning_curve(..., 1, [20, 300])", hint="a line cannot follow a sine: high bias")


@graded(points=1)
def bias_variance_by_hand(lab):
    "bias_variance([[1, 2], [3, 4]], [1, 1]) = (2.5, 1.0); bias^2 + variance is the mean squared error over the fits"
    expect_close(lab.bias_variance([[1.0, 2.0], [3.0, 4.0]], [1.0, 1.0]), (2.5, 1.0), rtol=1e-12,
                 hint="mean prediction (2, 3): bias^2 = mean((2 - 1)^2, (3 - 1)^2); variance = mean of np.var "
                      "over the fits (axis 0)")
    rng = np.random.default_rng(9)
    predictions, truth = rng.normal(size=(7, 5)), rng.normal(size=5)
    bias, variance = lab.bias_variance(predictions, truth)
    expect_close(bias + variance, np.mean((predictions - truth) ** 2), rtol=1e-10,
                 called="bias_variance(7 x 5 random predictions, 5 targets)",
                 hint="bias^2 + variance = the mean over fits and points of (prediction - truth)^2")


@graded(points=2)
def bias_variance_tradeoff(lab):
    "refitted on 100 training sets of 30 points, degree 1 has 10 x the bias^2 of degree 9, and degree 9 the larger variance"
    sets = [sine_data(30, 100 + i) for i in range(100)]
    grid = np.linspace(0.05, 0.95, 50)
    measured = {}
    for degree in (1, 9):
        predictions = lab.probes.polynomial_predictions(np.array([x for x, _ in sets]), np.array([y for _, y in sets]),
                                                        degree, grid)
        measured[degree] = lab.references.bias_variance(predictions, np.sin(2 * np.pi * grid))
    (bias_1, variance_1), (bias_9, variance_9) = measured[1], measured[9]
    expect_true(bias_1 > 10 * bias_9 and variance_9 > variance_1,
                "degree 1: bias^2 over 10 x degree 9's; degree 9: the larger variance",
                f"degree 1: bias^2 {bias_1:.3g}, variance {variance_1:.3g}; degree 9: bias^2 {bias_9:.3g}, "
                f"variance {variance_9:.3g}", called="fit_polynomial on 100 training sets, at 50 points",
                hint="fit_polynomial must be least squares on the given degree's features")


@graded(points=1)
def diagnose_table(lab):
    "diagnose names high bias (training error far above the base) and high variance (validation far above training)"
    cases = [((0.30, 0.32, 0.0), "underfitting"), ((0.01, 0.30, 0.0), "overfitting"),
             ((0.20, 0.50, 0.0), "underfitting and overfitting"), ((0.02, 0.04, 0.0), "good fit"),
             ((0.30, 0.32, 0.28), "good fit"), ((0.10, 0.02, 0.0), "underfitting")]
    for (train, val, base), expected in cases:
        expect_equal(lab.diagnose(train, val, base, 0.05), expected,
                     called=f"diagnose({train}, {val}, base_error={base}, tolerance=0.05)",
                     hint="underfitting: train_error - base_error > tolerance; overfitting: val_error - "
                          "train_error > tolerance (the training error low, the held-out error high: the slide "
                          "has it the wrong way round)")


# hyperparameter search --------------------------------------------------------------------

CENTRE = {"lr": -2.0, "l2": -4.0}  # the bowl's lowest point, in log10


def bowl(params):
    return sum((np.log10(value) - CENTRE[name]) ** 2 for name, value in params.items())


@graded(points=1)
def grid_search_tries_every_combination(lab):
    "grid_search tries all 3 x 2 combinations, the last name changing fastest, and keeps the lowest error"
    grid = {"lr": [1e-3, 1e-2, 1e-1], "l2": [1e-4, 1e-2]}
    best, trials, calls = lab.probes.grid_search_recorded(grid, CENTRE)
    expected = [{"lr": lr, "l2": l2} for lr in grid["lr"] for l2 in grid["l2"]]
    called = "grid_search(evaluate, {'lr': [1e-3, 1e-2, 1e-1], 'l2': [1e-4, 1e-2]})"
    expect_equal(calls, expected, called=called,
                 hint="every combination once, in itertools.product order, each passed as keyword arguments")
    expect_equal([params for params, _ in trials], expected, called=called, hint="one trial per call, in order")
    expect_close([error for _, error in trials], [bowl(params) for params in expected], rtol=1e-12, called=called,
                 hint="each trial keeps the error evaluate returned")
    expect_equal(best, {"lr": 1e-2, "l2": 1e-4}, called=called, hint="keep the combination with the lowest error")


@graded(points=1)
def grid_search_keeps_the_first_of_ties(lab):
    "grid_search with two combinations tied for the lowest error keeps the first one tried"
    grid = {"lr": [1e-4, 1e-3, 1e-1], "l2": [1e-4]}
    errors = [bowl({"lr": lr, "l2": 1e-4}) for lr in grid["lr"]]
    expect_true(errors[1] == errors[2] < errors[0], "lr 1e-3 and 1e-1 tied at the lowest error", f"{errors}")  # the test's own premise
    best, _, _ = lab.probes.grid_search_recorded(grid, CENTRE)
    expect_equal(best, {"lr": 1e-3, "l2": 1e-4},
                 called="grid_search(evaluate, {'lr': [1e-4, 1e-3, 1e-1], 'l2': [1e-4]}), errors 4, 1 and 1",
                 hint="the contract keeps the first of tied combinations: replace the best only on a strictly lower "
                      "error (min and np.argmin already keep the first)")


@graded(points=2)
def random_search_draws_log_uniform(lab):
    "random_search draws within the bounds, log-uniformly for 'log' (half the draws below the geometric middle)"
    space = {"lr": [1e-4, 1.0, "log"], "momentum": [0.5, 0.99, "linear"]}
    best, trials, calls = lab.probes.random_search_recorded(space, 400, 0, {"lr": -2.0, "momentum": 0.0})
    called = "random_search(evaluate, {'lr': (1e-4, 1, 'log'), 'momentum': (0.5, 0.99, 'linear')}, 400, seed=0)"
    expect_equal(len(calls), 400, called=called, hint="one call of evaluate per trial")
    lrs = np.array([params["lr"] for params in calls])
    momenta = np.array([params["momentum"] for params in calls])
    expect_true(lrs.min() >= 1e-4 and lrs.max() <= 1.0 and momenta.min() >= 0.5 and momenta.max() <= 0.99,
                "every draw within its bounds", f"lr in [{lrs.min():.3g}, {lrs.max():.3g}], momentum in "
                f"[{momenta.min():.3g}, {momenta.max():.3g}]", called=called)
    low, high = 200 - 5 * 10, 200 + 5 * 10  # Binomial(400, 1/2): mean 200, std 10
    below = int(np.sum(lrs < 1e-2))
    expect_true(low <= below <= high, f"between {low} and {high} of 400 learning rates below 1e-2",
                f"{below}", called=called,
                hint="'log': draw the exponent uniformly, exp(uniform(log(low), log(high))); a uniform draw "
                     "between 1e-4 and 1 falls below 1e-2 only 1% of the time")
    below = int(np.sum(momenta < 0.745))
    expect_true(low <= below <= high, f"between {low} and {high} of 400 momenta below the middle 0.745",
                f"{below}", called=called, hint="'linear': uniform between low and high")
    errors = [error for _, error in trials]
    expect_equal(best, trials[int(np.argmin(errors))][0], called=called, hint="keep the trial with the lowest error")


@graded(points=1)
def random_search_seeded_and_broader(lab):
    "random_search is seeded, and its 9 trials try 9 learning rates where a 3 x 3 grid tries 3"
    space = {"lr": [1e-3, 1e-1, "log"], "l2": [1e-5, 1e-1, "log"]}
    first, again, other = (lab.probes.random_search_recorded(space, 9, seed, CENTRE)[2] for seed in (1, 1, 2))
    expect_equal(again, first, hint="np.random.default_rng(seed): the same seed, the same trials")
    expect_true(first != other, "other trials for another seed", "the same trials", hint="use the seed given")
    distinct = len({params["lr"] for params in first})
    expect_equal(distinct, 9, called="random_search(evaluate, space, 9, seed=1): distinct learning rates",
                 hint="every trial draws every hyperparameter afresh")


# the deep MLP -------------------------------------------------------------------------------

def small_net(lab, seed, sizes=(3, 4, 4, 4, 3)):
    """A small network with nonzero biases (no unit sits at a ReLU kink)."""
    rng = np.random.default_rng(seed + 100)
    return [(W, rng.normal(0, 0.5, b.shape)) for W, b in as_pairs(lab.references.params(list(sizes), 0.8, seed))]


CONFIGS = [(name, residual) for name in ("relu", "leaky_relu", "tanh") for residual in (False, True)]


@graded(points=1)
def init_deep_mlp_shapes_and_scales(lab):
    "init_deep_mlp gives depth + 1 layers of the right shapes, zero biases, and He, Xavier or a given std, drawn from its seed"
    params = as_pairs(lab.init_deep_mlp(5, 4, 3, 2, scale="he", seed=0))
    called = "init_deep_mlp(5, 4, 3, 2, scale='he', seed=0)"
    expect_equal([W.shape for W, _ in params], [(5, 4), (4, 4), (4, 4), (4, 2)], called=called,
                 hint="the first layer maps n_in to width, then depth - 1 layers width to width, then width to n_out")
    expect_equal([b.shape for _, b in params], [(4,), (4,), (4,), (2,)], called=called)
    expect_true(all(not b.any() for _, b in params), "zero biases", "nonzero biases", called=called)
    # 8,000 to 20,000 weights a layer: a sample std within 4% of the true one (5 standard errors).
    for scale, stds in (("he", [np.sqrt(2 / 200), np.sqrt(2 / 100), np.sqrt(2 / 100)]),
                        ("xavier", [np.sqrt(2 / 300), np.sqrt(2 / 200), np.sqrt(2 / 180)]), (0.3, [0.3] * 3)):
        params = as_pairs(lab.init_deep_mlp(200, 100, 2, 80, scale=scale, seed=1))
        expect_close([W.std() for W, _ in params], stds, rtol=0.04,
                     called=f"init_deep_mlp(200, 100, 2, 80, scale={scale!r}, seed=1): each layer's std",
                     hint="He: sqrt(2 / fan_in); Xavier: sqrt(2 / (fan_in + fan_out)); a number: that std")
    first, again, other = (as_pairs(lab.init_deep_mlp(5, 4, 3, 2, seed=seed)) for seed in (7, 7, 8))
    called = "init_deep_mlp(5, 4, 3, 2, seed=7) twice, and with seed=8"
    expect_true(all(np.array_equal(W, W_again) for (W, _), (W_again, _) in zip(first, again)),
                "the same weights for the same seed", "different weights", called=called,
                hint="draw every layer from np.random.default_rng(seed), not from an unseeded generator")
    expect_true(not any(np.array_equal(W, W_other) for (W, _), (W_other, _) in zip(first, other)),
                "other weights in every layer for another seed", "a layer with the same weights", called=called,
                hint="use the seed you were given")
    expect_true(not np.array_equal(first[1][0], first[2][0]), "two hidden 4 x 4 layers with different weights",
                "the same weights in both", called=called,
                hint="one generator for the whole network, its layers drawn one after the other: a generator "
                     "made afresh for each layer repeats the same draw")


@graded(points=2)
def deep_mlp_forward_values(lab):
    "deep_mlp_forward's scores, plain and residual, for relu, leaky_relu and tanh, match a reference"
    X = np.random.default_rng(3).normal(size=(6, 3))
    for name, residual in CONFIGS:
        net = small_net(lab, 1)
        expect_close(lab.probes.scores(X, net, name, residual), lab.references.scores(X, net, name, residual),
                     rtol=1e-10, atol=1e-12,
                     called=f"deep_mlp_forward(X of shape (6, 3), 4 layers, {name!r}, residual={residual})",
                     hint="hidden layers h = f(h @ W + b), or h + f(h @ W + b) from the second hidden layer on "
                          "when residual; the output layer is linear")


@graded(points=3)
def deep_mlp_backward_numerical(lab):
    "deep_mlp_backward's gradients match central differences of the loss, plain and residual, for every activation"
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(5, 3)), rng.integers(0, 3, 5)
    for name, residual in CONFIGS:
        net = small_net(lab, 2)
        _, grads = lab.loss_and_gradients(X, y, net, name, residual)
        numeric = lab.references.numerical_gradients(X, y, net, name, residual)
        called = f"loss_and_gradients(X (5, 3), y, 4 layers, {name!r}, residual={residual})"
        for layer, ((dW, db), (nW, nb)) in enumerate(zip(as_pairs(grads), numeric)):
            hint = ("dz = dh * f'(z); dW = input^T dz; db = dz summed over the batch; d input = dz @ W^T"
                    + (", plus dh itself through the skip" if residual and 0 < layer < len(numeric) - 1 else ""))
            expect_close(dW, nW, rtol=1e-5, atol=1e-8, called=f"{called}: dW of layer {layer + 1}", hint=hint)
            expect_close(db, nb, rtol=1e-5, atol=1e-8, called=f"{called}: db of layer {layer + 1}", hint=hint)


@graded(points=1)
def norms_and_clipping_by_hand(lab):
    "layer_gradient_norms of dW = [[3, 4]] is 5; clip_by_global_norm scales every array by one factor: norm 13 to 1, and np.inf clips nothing"
    grads = [(np.array([[3.0, 4.0]]), np.array([12.0])), (np.array([[0.0]]), np.array([0.0]))]
    expect_close(lab.layer_gradient_norms(grads), [5.0, 0.0], rtol=1e-12,
                 hint="the Frobenius norm of each dW, biases left out")
    clipped, norm = lab.clip_by_global_norm(grads, 1.0)
    expect_close(norm, 13.0, rtol=1e-12, hint="the global norm counts every entry of every dW and db: "
                                              "sqrt(9 + 16 + 144) = 13")
    expect_close(as_pairs(clipped)[0][0], [[3 / 13, 4 / 13]], rtol=1e-12, hint="every array times max_norm / norm")
    expect_close(as_pairs(clipped)[0][1], [12 / 13], rtol=1e-12, hint="the biases are scaled too")
    clipped, norm = lab.clip_by_global_norm(grads, 20.0)
    expect_close(as_pairs(clipped)[0][1], [12.0], rtol=0, hint="a gradient shorter than max_norm is left as it is")
    clipped, norm = lab.clip_by_global_norm(grads, np.inf)
    expect_close((norm, *as_pairs(clipped)[0][0][0], *as_pairs(clipped)[0][1]), (13.0, 3.0, 4.0, 12.0), rtol=1e-12,
                 called="clip_by_global_norm(grads, np.inf)",
                 hint="max_norm = np.inf clips nothing: the gradients unchanged, the norm still measured (np.inf "
                      "is a valid max_norm, and inf / inf is NaN)")
    expect_raises(ValueError, lab.clip_by_global_norm, grads, 0.0, mentions="max_norm")


@graded(points=1)
def train_deep_mlp_matches_reference(lab):
    "train_deep_mlp's losses and gradient norms over 15 steps match a reference, with and without clipping"
    X, y = (np.asarray(v) for v in lab.references.digits(60))
    net = as_pairs(lab.references.params([64, 16, 16, 10], "he", 5))
    for residual, clip in ((False, None), (True, 0.5)):
        _, losses, norms = lab.probes.train(X, y, net, 0.5, 15, "relu", residual, clip)
        expected_losses, expected_norms, _ = lab.references.train(X, y, net, 0.5, 15, "relu", residual, clip)
        called = f"train_deep_mlp(60 digits, 2 hidden layers, lr 0.5, 15 steps, residual={residual}, clip={clip})"
        expect_close(losses, expected_losses, rtol=1e-8, called=called,
                     hint="full-batch steps; the loss is recorded before each update")
        expect_close(norms, expected_norms, rtol=1e-8, called=called,
                     hint="record the global norm before clipping; with clip, scale every gradient by "
                          "min(1, clip / norm) before the step")


@graded(points=1)
def train_deep_mlp_leaves_params_untouched(lab):
    """train_deep_mlp leaves the params it was given untouched: the lab's learning-rate experiment starts every rate from them

    Trained for 5 steps at lr 0.5 on 60 digits, the list passed in must hold
    the same weights and biases afterwards.
    """
    X, y = (np.asarray(v) for v in lab.references.digits(60))
    net = as_pairs(lab.references.params([64, 16, 16, 10], "he", 5))
    after = as_pairs(lab.probes.train_then_inputs(X, y, net, 0.5, 5))
    changed = [layer + 1 for layer, ((W, b), (W_after, b_after)) in enumerate(zip(net, after))
               if not (np.array_equal(W, W_after) and np.array_equal(b, b_after))]
    expect_true(len(after) == len(net) and not changed, "every layer of the params passed in as it was",
                f"layers {changed} changed" if changed else f"{len(after)} layers instead of {len(net)}",
                called="train_deep_mlp(60 digits, params, 0.5, 5), then the params passed in",
                hint="build new arrays at each step (W - lr * dW), not W -= lr * dW, and a new list, not "
                     "params[i] = ...: the caller's params are the starting point of the next run")


# the experiments, as properties of the student's runs -----------------------------------------

@graded(points=2)
def residual_connections_carry_the_gradient(lab):
    """a 20-layer tanh net (std 0.1): the residual net's first-layer gradient is at least 10 x the plain net's, and it trains while the plain one stalls

    On 200 digits, both from the same weights: the plain net's backward signal
    shrinks at every layer, the residual net's identity path carries it.
    """
    X, y = (np.asarray(v) for v in lab.references.digits(200))
    net = as_pairs(lab.references.params([64] + [16] * 20 + [10], 0.1, 1))
    first = {}
    for residual in (False, True):
        _, grads = lab.loss_and_gradients(X, y, net, "tanh", residual)
        first[residual] = float(np.linalg.norm(as_pairs(grads)[0][0]))
    called = "loss_and_gradients(200 digits, 20 tanh layers of 16, std 0.1, residual=False / True)"
    expect_true(first[True] >= 10 * first[False], "residual first-layer |dW| at least 10 x the plain net's",
                f"plain {first[False]:.3g}, residual {first[True]:.3g}", called=called,
                hint="in the residual backward pass, each skipping layer passes dh on unchanged, plus dz @ W^T")
    losses = {residual: np.asarray(lab.probes.train(X, y, net, 0.1, 50, "tanh", residual)[1])
              for residual in (False, True)}
    expect_true(losses[False][-1] > 0.98 * losses[False][0] and losses[True][-1] < 0.5,
                "after 50 steps at lr 0.1: the plain net's loss within 2% of its start, the residual net's below 0.5",
                f"plain {losses[False][0]:.3f} -> {losses[False][-1]:.3f}, residual {losses[True][0]:.3f} -> "
                f"{losses[True][-1]:.3f}", called="train_deep_mlp(..., 0.1, 50, 'tanh', residual)",
                hint="the residual forward pass adds each layer's input to its output")


@graded(points=2)
def clipping_tames_exploding_gradients(lab):
    "10 ReLU layers at lr 1.5: unclipped, the gradient norm explodes past 1e6 (or to inf/NaN); clipped at 1, training stays finite and the loss falls"
    X, y = (np.asarray(v) for v in lab.references.digits(200))
    net = as_pairs(lab.references.params([64] + [32] * 10 + [10], "he", 2))
    _, losses, norms = lab.probes.train(X, y, net, 1.5, 60)
    norms = np.asarray(norms, dtype=float)
    exploded = not np.all(np.isfinite(norms)) or np.nanmax(norms) > 1e6
    expect_true(exploded, "the unclipped run's gradient norm past 1e6 or not finite",
                f"largest norm {np.nanmax(norms):.3g}", called="train_deep_mlp(200 digits, 10 layers, lr 1.5, 60 steps)",
                hint="without clip, step with the raw gradient")
    _, losses, norms = lab.probes.train(X, y, net, 1.5, 60, "relu", False, 1.0)
    losses, norms = np.asarray(losses, dtype=float), np.asarray(norms, dtype=float)
    expect_true(np.all(np.isfinite(losses)) and np.max(norms) < 1e3 and losses[-1] < losses[0],
                "clipped: every loss finite, every gradient norm below 1e3, the last loss below the first",
                f"losses {losses[0]:.3f} -> {losses[-1]:.3f}, largest norm {np.max(norms):.3g}",
                called="train_deep_mlp(..., clip=1.0)", hint="scale every step's gradients by min(1, clip / norm)")


@graded(points=2)
def dead_unit_fraction_values(lab):
    "dead_unit_fraction counts, per hidden layer, the units whose slope is 0 on every example, plain and residual: as a reference counts them"
    X, y = (np.asarray(v) for v in lab.references.digits(200))
    net = as_pairs(lab.references.params([64, 32, 32, 10], 1.0, 3))
    _, _, trained = lab.references.train(X, y, net, 2.0, 100)
    expected = lab.references.dead_fractions(X, trained, "relu")
    expect_true(np.mean(expected) > 0.2, "a run with dead units to count", f"{expected}")  # the test's own premise
    expect_close(lab.dead_unit_fraction(X, trained, "relu"), expected, rtol=0, atol=1e-12,
                 called="dead_unit_fraction(200 digits, a ReLU net trained at lr 2 from std-1 weights)",
                 hint="a unit is dead when f'(z) is 0 for every row of X (np.all over axis 0), not for some rows")
    expect_close(lab.dead_unit_fraction(X, trained, "leaky_relu"), [0.0, 0.0], rtol=0,
                 called="dead_unit_fraction(..., 'leaky_relu')", hint="a leaky ReLU's slope is never 0")
    rng = np.random.default_rng(101)
    net = [(W, rng.normal(-1.0, 0.5, b.shape)) for W, b in as_pairs(lab.references.params([64, 16, 16, 16, 10], 0.5, 1))]
    expected = lab.references.dead_fractions(X, net, "relu", True)
    plain = lab.references.dead_fractions(X, net, "relu", False)
    expect_true(not np.array_equal(expected, plain), "a residual net whose dead units a plain pass counts otherwise",
                f"residual {expected}, plain {plain}")  # the test's own premise
    expect_close(lab.dead_unit_fraction(X, net, "relu", True), expected, rtol=0, atol=1e-12,
                 called="dead_unit_fraction(200 digits, 3 hidden ReLU layers of 16 with negative biases, residual=True)",
                 hint="pass residual on to the forward pass: with the skips, the later layers see other inputs")


@graded(points=2)
def dying_relu_and_its_fixes(lab):
    "from std-1 weights at lr 2 over 25% of the ReLU units die; He weights, lr 0.1 or leaky ReLU keep (almost) all alive"
    X, y = (np.asarray(v) for v in lab.references.digits(200))
    results = {}
    for name, (scale, lr, activation_name) in {"std 1, lr 2": (1.0, 2.0, "relu"), "He, lr 2": ("he", 2.0, "relu"),
                                               "std 1, lr 0.1": (1.0, 0.1, "relu"),
                                               "leaky, std 1, lr 1": (1.0, 1.0, "leaky_relu")}.items():
        net = as_pairs(lab.references.params([64, 32, 32, 10], scale, 3))
        fractions, _ = lab.probes.dead_after_training(X, y, net, lr, 100, activation_name)
        results[name] = float(np.mean(fractions))
    got = ", ".join(f"{name}: {share:.0%}" for name, share in results.items())
    called = "train_deep_mlp(200 digits, 2 hidden layers of 32, 100 steps), then dead_unit_fraction"
    expect_true(results["std 1, lr 2"] > 0.25, "over 25% dead from std-1 weights at lr 2", got, called=called,
                hint="a too-large step pushes units negative on every example; dead_unit_fraction must see them")
    expect_true(results["He, lr 2"] <= 0.05 and results["std 1, lr 0.1"] <= 0.05 and results["leaky, std 1, lr 1"] == 0,
                "at most 5% dead with He weights or lr 0.1, none with leaky ReLU", got, called=called)


@graded(points=1)
def learning_rate_too_small_or_too_large(lab):
    "on digits, lr 0.003 barely moves the loss in 60 steps, lr 1 brings it below 0.1, lr 10 bounces and ends above 1"
    X, y = (np.asarray(v) for v in lab.references.digits(200))
    net = as_pairs(lab.references.params([64, 32, 32, 10], "he", 0))
    runs = {lr: np.asarray(lab.probes.train(X, y, net, lr, 60)[1], dtype=float) for lr in (0.003, 1.0, 10.0)}
    got = ", ".join(f"lr {lr:g}: {losses[0]:.3f} -> {losses[-1]:.3f}" for lr, losses in runs.items())
    expect_true(runs[0.003][-1] > 0.95 * runs[0.003][0] and runs[1.0][-1] < 0.1 and not runs[10.0][-1] < 1.0,
                "lr 0.003: within 5% of the start; lr 1: below 0.1; lr 10: not below 1", got,
                called="train_deep_mlp(200 digits, 2 ReLU layers of 32, He, lr, 60 steps)",
                hint="plain gradient descent: W -= lr * dW at every step")


# width and depth -------------------------------------------------------------------------------

@graded(points=2)
def relu_interpolant_draws_the_broken_line(lab):
    "relu_interpolant: one hidden layer of n ReLU units reproduces np.interp through n + 1 knots"
    rng = np.random.default_rng(6)
    knots_x = np.sort(rng.uniform(-2, 3, 7))
    knots_y = rng.normal(size=7)
    W1, b1, w2, b2 = (np.asarray(v, dtype=float) for v in lab.relu_interpolant(knots_x, knots_y))
    called = "relu_interpolant(7 random knots)"
    expect_equal((W1.shape, b1.shape, w2.shape), ((1, 6), (6,), (6,)), called=called,
                 hint="one hidden unit per segment: n = 6 units for 7 knots")
    x = np.linspace(knots_x[0], knots_x[-1], 501)
    expect_close(np.maximum(x[:, None] @ W1 + b1, 0) @ w2 + b2, np.interp(x, knots_x, knots_y), rtol=1e-9,
                 atol=1e-9, called=called + ", evaluated at 501 points between the first and last knot",
                 hint="unit k = relu(x - x_k) turns on at knot k; its output weight is the change of slope there")


@graded(points=1)
def universal_approximation_error_shrinks(lab):
    "with n equal segments the broken line through sin(2 pi x) is within (1/n)^2 pi^2 / 2 of it: more units, closer"
    x = np.linspace(0, 1, 2001)
    for units in (4, 8, 16, 32):
        knots = np.linspace(0, 1, units + 1)
        W1, b1, w2, b2 = (np.asarray(v, dtype=float) for v in lab.relu_interpolant(knots, np.sin(2 * np.pi * knots)))
        error = np.max(np.abs(np.maximum(x[:, None] @ W1 + b1, 0) @ w2 + b2 - np.sin(2 * np.pi * x)))
        bound = (1 / units) ** 2 / 8 * (2 * np.pi) ** 2  # h^2 / 8 max |f''|, the linear interpolation bound
        expect_true(error <= bound, f"max error at most {bound:.4f}", f"{error:.4f}",
                    called=f"relu_interpolant({units + 1} knots on sin(2 pi x))",
                    hint="the network must pass through every knot and be linear in between")


@graded(points=2)
def sawtooth_doubles_its_pieces(lab):
    "sawtooth_network: depth k gives 1 - |2 frac(2^(k-1) x) - 1|, a sawtooth of 2^k pieces from 2 units a layer"
    x = np.arange(1025) / 1024
    for depth in (1, 3, 5):
        expected = 1 - np.abs(2 * np.mod(2.0 ** (depth - 1) * x, 1.0) - 1)
        got = np.asarray(lab.sawtooth_network(x, depth), dtype=float)
        expect_close(got, expected, rtol=0, atol=1e-12, called=f"sawtooth_network(x on a grid of 1/1024, {depth})",
                     hint="the tent layer t(x) = 2 relu(x) - 4 relu(x - 1/2), applied depth times")
        slopes = np.round(np.diff(got) * 1024, 6)
        pieces = 1 + int(np.sum(slopes[1:] != slopes[:-1]))
        expect_equal(pieces, 2 ** depth, called=f"sawtooth_network(x, {depth}): linear pieces",
                     hint="each tent layer folds [0, 1] in two, doubling the pieces")


# more of the slides' tricks ------------------------------------------------------------------

@graded(points=1)
def decay_schedules_by_hand(lab):
    "step_decay(0.1, 25) = 0.025; exponential_decay(0.1, 10, 0.1) = 0.1 / e; cosine_decay(0.1, 5, 10) = 0.05, then lr_min"
    expect_close(lab.step_decay(0.1, 25), 0.025, rtol=1e-12, hint="two completed blocks of 10 epochs: 0.1 * 0.5**2")
    expect_close(lab.step_decay(0.1, 9), 0.1, rtol=1e-12, hint="no drop before epoch 10 (floor(9 / 10) = 0)")
    expect_close(lab.exponential_decay(0.1, 10, 0.1), 0.1 / np.e, rtol=1e-12, hint="lr0 * exp(-rate * epoch)")
    expect_close(lab.cosine_decay(0.1, 0, 10), 0.1, rtol=1e-12, hint="the cosine starts at lr0")
    expect_close(lab.cosine_decay(0.1, 5, 10), 0.05, rtol=1e-12, hint="half way, (1 + cos(pi / 2)) / 2 = 1/2")
    expect_close(lab.cosine_decay(0.1, 12, 10, 0.01), 0.01, rtol=1e-12, hint="after total_epochs, stay at lr_min")


@graded(points=2)
def nadam_steps(lab):
    "nadam_step's first step from w = 1 with g = 0.5, lr 0.1 is 0.1 * (1 + 0.9 / 1.9): w = 0.852632; three steps match Dozat's form"
    w, m, v = lab.nadam_step(1.0, 0.5, 0.0, 0.0, 1, lr=0.1)
    # First step: m_bar = b1 (1 - b1) g / (1 - b1^2) + g = g (1 + b1 / (1 + b1)); sqrt(v_hat) = |g|.
    expect_close(w, 1.0 - 0.1 * (1 + 0.9 / 1.9) * 0.5 / (0.5 + 1e-7), rtol=1e-9,
                 hint="the look-ahead: b1 m / (1 - b1**(t + 1)) + (1 - b1) g / (1 - b1**t), over sqrt(v_hat) + eps")
    expect_close((m, v), (0.05, 0.00025), rtol=1e-12, hint="the moments are Adam's: m = b1 m + (1 - b1) g, "
                                                          "v = b2 v + (1 - b2) g**2")
    gradients = [[0.5, -2.0], [0.1, -1.0], [-0.3, 0.5]]
    expect_close(lab.probes.nadam_run([1.0, 1.0], gradients, 0.01),
                 lab.references.nadam_trajectory([1.0, 1.0], gradients, 0.01), rtol=1e-9,
                 called="nadam_step three times from w = (1, 1), lr 0.01",
                 hint="pass m and v on from step to step, and t = 1, 2, 3")


@graded(points=1)
def prelu_and_its_slope_gradient(lab):
    "prelu([-2, 3], 0.25) = [-0.5, 3]; prelu_backward gives dz and the slope's gradient da, as central differences do"
    expect_close(lab.prelu([-2.0, 3.0], 0.25), [-0.5, 3.0], rtol=1e-12, hint="a * z below 0, z above")
    rng = np.random.default_rng(8)
    z, dout, a = rng.normal(size=(4, 5)), rng.normal(size=(4, 5)), 0.2
    dz, da = lab.prelu_backward(dout, z, a)
    loss = lambda z_, a_: np.sum(dout * np.where(z_ > 0, z_, a_ * z_))
    h = 1e-6
    expect_close(da, (loss(z, a + h) - loss(z, a - h)) / (2 * h), rtol=1e-6,
                 hint="da sums dout * z over the entries at or below 0")
    expect_close(dz, np.where(z > 0, dout, a * dout), rtol=1e-12, hint="dz: dout above 0, a * dout below")


@graded(points=1)
def critical_points_by_hand(lab):
    "classify_critical_point: x^2 + y^2 a minimum, -x^2 - y^2 a maximum, x^2 - y^2 a saddle, x^2 flat in y"
    for hessian, expected in (([[2, 0], [0, 2]], "minimum"), ([[-2, 0], [0, -2]], "maximum"),
                              ([[2, 0], [0, -2]], "saddle"), ([[1, 3], [3, 1]], "saddle"), ([[2, 0], [0, 0]], "flat")):
        expect_equal(lab.classify_critical_point(hessian), expected, called=f"classify_critical_point({hessian})",
                     hint="the eigenvalues' signs (np.linalg.eigvalsh), not the diagonal's: [[1, 3], [3, 1]] has "
                          "eigenvalues 4 and -2")


SADDLE = [[2.0, 0.0], [0.0, -2.0]]  # the Hessian of x^2 - y^2


@graded(points=1)
def perturbed_descent_leaves_a_saddle(lab):
    "perturbed_descent on x^2 - y^2 from the saddle (0, 0): without kicks it never moves; with kicks of 0.01 it leaves along y, x staying near 0"
    called = "perturbed_descent(H, [0, 0], 0.1, 50, 0.0) with H = [[2, 0], [0, -2]]"
    still = lab.perturbed_descent(SADDLE, [0.0, 0.0], 0.1, 50, 0.0)
    expect_close(still, np.zeros((51, 2)), rtol=0, called=called,
                 hint="all 51 points, the start included; at a saddle the gradient H @ x is 0, so plain descent stays")
    called = "perturbed_descent(H, [0, 0], 0.1, 50, 0.01, seed=3)"
    rng, x, expected = np.random.default_rng(3), np.zeros(2), [np.zeros(2)]
    for _ in range(50):
        x = x - 0.1 * np.asarray(SADDLE) @ x + rng.normal(0, 0.01, 2)
        expected.append(x)
    kicked = lab.perturbed_descent(SADDLE, [0.0, 0.0], 0.1, 50, 0.01, seed=3)
    expect_close(kicked, expected, rtol=1e-9, atol=1e-12, called=called,
                 hint="one generator np.random.default_rng(seed) for the run; each step is x - lr * H @ x, then "
                      "its kick rng.normal(0, noise, d)")
    end = np.asarray(kicked)[-1]
    expect_true(abs(end[1]) > 1 and abs(end[0]) < 0.1, "|y| > 1 and |x| < 0.1 after 50 steps",
                f"x = {end[0]:.3g}, y = {end[1]:.3g}", called=called,
                hint="the kick starts it off; the negative curvature in y then grows it by 1 + 2 lr a step, while "
                     "x shrinks by 1 - 2 lr")


@graded(points=1)
def prelu_slope_is_learned(lab):
    "learn_prelu_slope finds the slope 0.3 from targets prelu(z, 0.3), step by step as gradient descent on the mean squared error"
    z = np.linspace(-3, 3, 13)
    target = np.where(z > 0, z, 0.3 * z)
    # The loss is a parabola in a, of curvature c = sum of z^2 over z <= 0, / n: a_k = 0.3 + (a0 - 0.3) (1 - lr c)^k.
    c = np.sum(z[z <= 0] ** 2) / z.size
    called = "learn_prelu_slope(z, prelu(z, 0.3), a0=1.0, lr=0.2, steps=10) with z = linspace(-3, 3, 13)"
    a, losses = lab.learn_prelu_slope(z, target, 1.0, 0.2, 10)
    expected = 0.3 + 0.7 * (1 - 0.2 * c) ** np.arange(11)
    expect_close(a, expected[-1], rtol=1e-9, called=called,
                 hint="the loss is mean((prelu(z, a) - target)**2) / 2: its gradient in a is prelu_backward's da "
                      "with dout = (prelu(z, a) - target) / z.size")
    expect_close(losses, np.sum((z[z <= 0] * (expected - 0.3)[:, None]) ** 2, axis=1) / (2 * z.size), rtol=1e-9,
                 called=called, hint="steps + 1 losses: one before each step and one after the last")
    a, _ = lab.learn_prelu_slope(z, target, 1.0, 0.2, 300)
    expect_close(a, 0.3, rtol=1e-6, called=called.replace("steps=10", "steps=300"), hint="it converges to 0.3")


@graded(points=1)
def stochastic_depth_drops_blocks(lab):
    "stochastic_depth_block keeps the whole branch with probability p while training, and scales it by p at inference"
    rng = np.random.default_rng(10)
    h, W, b = rng.normal(size=(3, 4)), rng.normal(size=(4, 4)), rng.normal(size=4)
    branch = np.maximum(h @ W + b, 0)
    expect_close(lab.stochastic_depth_block(h, W, b, 0.7, False), h + 0.7 * branch, rtol=1e-12,
                 hint="at inference every block is kept, its branch times the survival probability")
    outputs = np.array(lab.probes.stochastic_depth_runs(h, W, b, 0.7, 400, 0))
    kept = np.array([np.allclose(out, h + branch, rtol=1e-12) for out in outputs])
    dropped = np.array([np.allclose(out, h, rtol=1e-12) for out in outputs])
    called = "stochastic_depth_block(h, W, b, 0.7, True, g) 400 times with one Generator g"
    expect_true(np.all(kept | dropped), "every training output h + f(h W + b) (kept) or h (dropped)",
                f"{int(np.sum(~(kept | dropped)))} outputs that are neither", called=called,
                hint="one keep/drop for the whole block: no scaling while training")
    low, high = 400 * 0.7 - 5 * np.sqrt(400 * 0.21), 400 * 0.7 + 5 * np.sqrt(400 * 0.21)
    expect_true(low <= kept.sum() <= high, f"between {low:.0f} and {high:.0f} of 400 kept", f"{int(kept.sum())}",
                called=called, hint="keep the block with probability survival, drawing from the rng given")


@graded(points=1)
def stochastic_depth_with_an_int_seed(lab):
    "stochastic_depth_block with an int seed as rng keeps the branch exactly when np.random.default_rng(seed).random() < p"
    rng = np.random.default_rng(11)
    h, W, b = rng.normal(size=(3, 4)), rng.normal(size=(4, 4)), rng.normal(size=4)
    branch = np.maximum(h @ W + b, 0)
    seeds = list(range(20))
    outputs = lab.probes.stochastic_depth_seeded_runs(h, W, b, 0.7, seeds)
    for seed, out in zip(seeds, outputs):
        keep = np.random.default_rng(seed).random() < 0.7
        expect_close(out, h + branch if keep else h, rtol=1e-12,
                     called=f"stochastic_depth_block(h, W, b, 0.7, True, rng={seed})",
                     hint="rng may be an int seed: make it a generator with np.random.default_rng(rng), then one "
                          "rng.random() < survival decides; the branch is " + ("kept" if keep else "dropped")
                          + " for this seed")


@graded(points=1)
def shift_images_by_hand(lab):
    "shift_images moves a 4 x 4 image one pixel right and one up, filling with zeros"
    image = np.arange(16.0).reshape(1, 4, 4)
    expected = [[[0, 4, 5, 6], [0, 8, 9, 10], [0, 12, 13, 14], [0, 0, 0, 0]]]
    expect_close(lab.shift_images(image, 1, -1), expected, rtol=0,
                 hint="dx > 0 moves right, dy < 0 moves up; pixels leaving the image are lost, zeros come in "
                      "(np.roll wraps around: zero what wrapped)")
    expect_close(lab.shift_images(image, 0, 0), image, rtol=0, hint="no shift, no change")


@graded(points=1)
def augmentation_with_shifts(lab):
    "augment_with_shifts gives the digits, then a copy per shift in order, labels kept; trained on it, an MLP gets more shifted digits right"
    images, labels = lab.references.digit_images(300)
    shifts = ((1, 0), (-1, 0), (0, 1), (0, -1))
    called = "augment_with_shifts(300 digits, their labels, ((1, 0), (-1, 0), (0, 1), (0, -1)))"
    grown, grown_labels = lab.augment_with_shifts(images, labels, shifts)
    expect_close(grown, lab.references.shifted_copies(images, shifts), rtol=0, called=called,
                 hint="the originals first, then shift_images(images, dx, dy) for each shift in the order given")
    expect_equal(np.asarray(grown_labels).tolist(), np.tile(labels, 5).tolist(), called=called,
                 hint="each copy keeps its digit's label: the labels tiled, once per block")
    plain = lab.references.shifted_accuracy(images, labels, shifts)
    augmented = lab.references.shifted_accuracy(grown, grown_labels, shifts)
    expect_true(augmented >= plain + 0.2, "at least 0.2 more of 2,000 shifted held-out digits right",
                f"{plain:.3f} without the copies, {augmented:.3f} with them",
                called="a 64-32-10 MLP trained 150 steps on each set, then shown shifted digits it never saw",
                hint="the shifted copies teach the network that a digit moved by a pixel is the same digit")

