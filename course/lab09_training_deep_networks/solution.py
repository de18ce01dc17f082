"""Lab 9: training deep networks, and telling whether it worked.

A model is good if it does well on data it has never seen. Everything in
this lab serves that one question, in two halves: how to tell whether a
model generalizes, and how to make a deep network train at all.

Three sets, three jobs. Split the data once, at random, before looking at
it: a training set to fit the weights, a validation set to choose what the
training cannot (the degree of a polynomial, the learning rate, when to
stop), and a test set used once, at the very end, to report the error. A
test set consulted while choosing is a validation set, and its error is
then an optimistic guess.

Under- and overfitting. Compare the training error with the validation
error (and with the best error one can hope for, the noise level or a
human's error):
- underfitting (high bias): the training error itself is high. The model
  cannot express the pattern; the validation error is just as bad. A bigger
  model, more features or longer training helps; more data does not.
- overfitting (high variance): the training error is low but the validation
  error is much higher. The model memorized the training set, noise
  included. More data, regularization (lab 7) or a smaller model helps.

Careful with the slides here: deck 004 ("Overfitting and Underfitting")
writes "Overfitting: our training data does much worse than our held out
portion of data". That is backwards. When a model overfits, it does much
*better* on its training data than on held-out data; held-out data doing
better is unusual (a too-easy validation set, or dropout active only while
training). Their "Underfitting: our training data performs similarly to our
held out data" needs a word too: similar errors mean no overfitting, and
they are underfitting only if both errors are high. This lab's `diagnose`
uses the right definitions.

Bias and variance. Refit a model on many training sets drawn from the same
source: bias^2 is how far its average prediction is from the truth,
variance how much its predictions scatter around their average, and
their sum is its expected squared error (plus the noise, which no model
removes). Simple models: high bias, low variance; flexible models: the
reverse. Learning curves (errors against the training-set size) show the
two apart: an underfitting model's curves meet early at a high error; an
overfitting model's curves stay far apart and close only with more data.
Deck 004's bias/variance slide defines variance as "our ability to match
the spread of our data". It is not: variance is the model's sensitivity to
the training sample, how much its predictions change when it is refitted on
another training set (the slide's own next line: "small changes in dataset
-> large changes in our model"). Matching the data's spread is low bias.

Hyperparameters are chosen on the validation set: a grid search tries every
combination of a few values per knob; a random search draws each trial at
random, on a log scale for a learning rate. With 9 trials and 2 knobs of
which only one matters, a grid tries only 3 values of the one that
matters, a random search 9 (Bergstra and Bengio, 2012). The learning rate
matters most: too small and the loss barely moves, too large and it
oscillates or blows up to inf and NaN.

Deep networks bring their own failures, all visible in the gradients:
- exploding gradients: the backward pass multiplies by every layer's
  Jacobian; once a step overshoots, gradients grow by orders of magnitude
  and the weights to inf. Clipping the gradient's global norm caps every
  step's length and keeps training finite.
- dying ReLU: a unit whose pre-activation is negative on every example
  outputs 0 and gets a gradient of exactly 0: nothing brings it back. A
  too-large learning rate with a badly scaled initialization kills many at
  once. He initialization, a lower learning rate, or leaky ReLU (whose
  slope below 0 is alpha, not 0) avoid it.
- vanishing gradients in a deep plain network: with small weights every
  layer shrinks the backward signal, so the first layer gets almost none
  and the network stalls. A residual connection h + f(h W + b) adds the
  identity to every layer's Jacobian: the gradient reaches the first layer
  undiminished and the same deep network trains.

Depth and width. One hidden layer of ReLU units can follow any continuous
1-D function as closely as you like (the universal approximation theorem,
Cybenko 1989, Hornik 1989): each unit adds a kink, and n kinks draw any
broken line through n + 1 points. Depth buys more with fewer units: a
composition of k tent maps, 2 ReLU units per layer, draws a sawtooth with
2^k linear pieces, which one hidden layer needs about 2^k units to draw.

What to look for in the figures:
- Generalization: on 20 noisy points of a sine, a line underfits (both
  errors high), degree 3 fits, degree 9 overfits (training error far below
  the validation error). Its learning curves: degree 9 starts with a huge
  gap that more data closes; the line's two curves meet at once, high.
  Refitted on 100 training sets, bias^2 falls with the degree, variance
  rises, and their sum is lowest in between.
- Learning rates on digits: 0.003 barely moves in 100 steps, 1 drops the
  loss a hundredfold, 10 bounces up and ends where it started. Nine trials
  of a random search find a better learning rate than a 3 x 3 grid.
- Deep networks: at the start, the plain 20-layer tanh network's gradients
  are below 1e-8 at every layer, the residual one's about 0.1 to 1; the plain
  one's loss does not move, the residual one's falls below 0.1. At lr 1.5 a
  10-layer ReLU network's gradient norm explodes past 1e100, then to NaN,
  within ten steps; clipped at norm 1 it stays finite. Half the ReLU units die from
  std-1 weights at lr 2; none with He weights, with lr 0.1, or with leaky
  ReLU.
- Width and depth: the broken line's error falls about 4 times per doubling
  of the units; the sawtooth doubles its pieces with every layer.
- Augmentation: an MLP trained on 300 digits gets about 93% of new digits
  right but under half once they are shifted by one pixel; trained on the
  same digits plus four shifted copies of each, about three quarters of the
  shifted ones (and a little less of the unshifted, in the same 150 steps).

Shapes: a batch X has shape (n, d), one example per row. A weight matrix W
has shape (n_in, n_out) and a layer computes X @ W + b, b of shape (n_out,),
as in lab 7 (lab 2's hand-worked network used (out, in) and W @ x). A
network's parameters are a list of (W, b) pairs, first layer first.
Integer labels y have shape (n,). Randomness comes from an int `seed`.
"""

import itertools
import numbers

import numpy as np
from matplotlib.figure import Figure

from labkit import as_float_array, check_count, check_fraction, check_nonnegative, check_positive, save_pngs

DIAGNOSES = ("good fit", "underfitting", "overfitting", "underfitting and overfitting")


# %% [markdown]
# ## Checking the arguments
# Bad input should fail early, with a `ValueError` that names the argument.
# These checks come from `labkit`, which every lab shares; call them where
# the exercises say so.

# %% [markdown]
# ## 1. Three sets
# Shuffle once with the seed, then cut: the test set first, the validation
# set next, the training set gets the rest.

# %%
def split_indices(n, val_fraction, test_fraction, seed=0):
    """A random split of n examples into training, validation and test sets.

    Inputs:
    - n: the number of examples, an integer >= 3.
    - val_fraction, test_fraction: shares of n in [0, 1), summing to less than 1.
    - seed: the seed of np.random.default_rng.
    Returns:
    - (train, val, test): integer index arrays that together hold each of
      0 .. n - 1 exactly once, in shuffled order; test has
      round(test_fraction * n) entries, val round(val_fraction * n), train
      the rest (at least one).
    """
    # BEGIN SOLUTION: check the arguments; shuffle 0 .. n-1 with np.random.default_rng(seed).permutation, then cut the test, validation and training parts
    check_count(n, "n", minimum=3)
    check_fraction(val_fraction, "val_fraction")
    check_fraction(test_fraction, "test_fraction")
    n_test, n_val = round(test_fraction * n), round(val_fraction * n)
    if n_test + n_val >= n:
        raise ValueError(f"val_fraction + test_fraction must leave a training set, got {val_fraction} + "
                         f"{test_fraction} of {n} examples")
    order = np.random.default_rng(seed).permutation(n)
    return order[n_test + n_val:], order[n_test:n_test + n_val], order[:n_test]
    # END SOLUTION


# %% [markdown]
# ## 2. Under- and overfitting, bias and variance
# Polynomials of growing degree are the classic way to see it: a line
# underfits a curve, a degree-9 polynomial through 10 points fits them
# exactly and wiggles wildly between them. Least squares fits them in
# closed form, so this part runs in milliseconds.

# %%
def polynomial_features(x, degree):
    """The powers of x: [1, x, x**2, ..., x**degree] for each example.

    Inputs:
    - x: shape (n,); degree: an integer >= 0.
    Returns:
    - shape (n, degree + 1), column k holding x**k.
    """
    # BEGIN SOLUTION: check degree; one column per power, lowest first
    check_count(degree, "degree", minimum=0)
    x = as_float_array(x, "x", finite=False)
    if x.ndim != 1:
        raise ValueError(f"x must have shape (n,), got {x.shape}")
    return x[:, None] ** np.arange(degree + 1)
    # END SOLUTION


def fit_polynomial(x, y, degree):
    """The least-squares polynomial of the given degree through (x, y).

    Inputs:
    - x, y: shape (n,); degree: an integer >= 0.
    Returns:
    - coefficients c of shape (degree + 1,), lowest power first, minimizing
      sum((polynomial_features(x, degree) @ c - y)**2) (the minimum-norm
      solution when several fit equally well).
    """
    # BEGIN SOLUTION: least squares on polynomial_features (np.linalg.lstsq with rcond=None); check that y matches x
    features = polynomial_features(x, degree)
    y = as_float_array(y, "y", finite=False)
    if y.shape != (features.shape[0],):
        raise ValueError(f"y must have shape ({features.shape[0]},) to match x, got {y.shape}")
    return np.linalg.lstsq(features, y, rcond=None)[0]
    # END SOLUTION


def mean_squared_error(y, y_hat):
    """mean((y - y_hat)**2), a float. y, y_hat: the same shape."""
    # BEGIN SOLUTION: the mean over every entry
    y, y_hat = as_float_array(y, "y", finite=False), as_float_array(y_hat, "y_hat", finite=False)
    if y.shape != y_hat.shape:
        raise ValueError(f"y_hat must have y's shape {y.shape}, got {y_hat.shape}")
    return float(np.mean((y - y_hat) ** 2))
    # END SOLUTION


def learning_curve(x_train, y_train, x_val, y_val, degree, sizes):
    """Training and validation errors of a polynomial fit against the training-set size.

    Inputs:
    - x_train, y_train: shape (n,); x_val, y_val: shape (m,).
    - degree: the polynomial's degree.
    - sizes: training-set sizes, each in 1 .. n.
    Returns:
    - (train_errors, val_errors), each of shape (len(sizes),): for each size
      s, fit on the first s training examples, then the mean squared error
      on those s examples and on the whole validation set.
    """
    # BEGIN SOLUTION: for each size: fit_polynomial on the first s examples, then mean_squared_error on them and on the validation set
    train_errors, val_errors = [], []
    for size in sizes:
        check_count(size, "sizes", minimum=1)
        coefficients = fit_polynomial(x_train[:size], y_train[:size], degree)
        train_errors.append(mean_squared_error(y_train[:size], polynomial_features(x_train[:size], degree)
                                               @ coefficients))
        val_errors.append(mean_squared_error(y_val, polynomial_features(x_val, degree) @ coefficients))
    return np.array(train_errors), np.array(val_errors)
    # END SOLUTION


def bias_variance(predictions, truth):
    """Bias^2 and variance of a model refitted on many training sets.

    Inputs:
    - predictions: shape (k, m): row i holds the predictions, at m fixed
      points, of the model fitted on the i-th training set.
    - truth: shape (m,), the noise-free target at those points.
    Returns:
    - (bias_squared, variance), floats: the mean over the points of
      (mean prediction - truth)**2, and of the variance of the predictions
      across the k fits (np.var, the 1/k form). They add up to the mean
      over the fits of mean((prediction - truth)**2).
    """
    # BEGIN SOLUTION: average over the fits (axis 0) first, then over the points
    predictions, truth = as_float_array(predictions, "predictions", finite=False), as_float_array(truth, "truth", finite=False)
    if predictions.ndim != 2 or truth.shape != predictions.shape[1:]:
        raise ValueError(f"predictions must have shape (k, m) and truth (m,), got {predictions.shape} and "
                         f"{truth.shape}")
    mean_prediction = predictions.mean(axis=0)
    return float(np.mean((mean_prediction - truth) ** 2)), float(np.mean(predictions.var(axis=0)))
    # END SOLUTION


def diagnose(train_error, val_error, base_error=0.0, tolerance=0.05):
    """Name what the errors say: one of DIAGNOSES.

    Inputs:
    - train_error, val_error: the errors on the training and validation sets.
    - base_error: the best error one can hope for (noise, a human's error).
    - tolerance: how much above it counts as high, > 0.
    Returns:
    - "underfitting" when the training error is more than tolerance above
      base_error (high bias), "overfitting" when the validation error is more
      than tolerance above the training error (high variance), both names
      joined by " and " when both hold, "good fit" when neither does.
    """
    # BEGIN SOLUTION: bias compares the training error with base_error, variance the validation error with the training error; check tolerance
    check_positive(tolerance, "tolerance")
    high_bias = train_error - base_error > tolerance
    high_variance = val_error - train_error > tolerance
    return DIAGNOSES[high_bias + 2 * high_variance]
    # END SOLUTION


# %% [markdown]
# ## 3. Hyperparameter search on a validation set
# `evaluate(**params)` trains a model with those hyperparameters and
# returns its validation error; both searches keep the lowest.

# %%
def grid_search(evaluate, grid):
    """Try every combination of the grid's values; keep the best.

    Inputs:
    - evaluate: a function evaluate(**params) -> a validation error (lower is better).
    - grid: {name: list of values}, one list per hyperparameter.
    Returns:
    - (best_params, trials): trials is the list of (params, error) in the
      order tried, the last name's values changing fastest (as
      itertools.product does); best_params is the dict with the lowest
      error (the first one on ties).
    """
    # BEGIN SOLUTION: itertools.product over the value lists; a dict of names per combination; the first minimum wins
    if not grid or any(len(values) == 0 for values in grid.values()):
        raise ValueError(f"grid must map each name to a non-empty list of values, got {grid!r}")
    names = list(grid)
    trials = []
    for values in itertools.product(*(grid[name] for name in names)):
        params = dict(zip(names, values))
        trials.append((params, float(evaluate(**params))))
    best = min(range(len(trials)), key=lambda index: trials[index][1])
    return trials[best][0], trials
    # END SOLUTION


def random_search(evaluate, space, n_trials, seed=0):
    """Draw n_trials settings at random; keep the best.

    Inputs:
    - evaluate: a function evaluate(**params) -> a validation error.
    - space: {name: (low, high, scale)} with 0 < low < high for scale "log"
      (drawn log-uniformly: exp of a uniform between log(low) and log(high))
      and low < high for scale "linear" (uniform).
    - n_trials: an integer >= 1; seed: the seed of np.random.default_rng.
    Returns:
    - (best_params, trials), as grid_search returns them. Each trial draws
      every name in the space's order.
    """
    # BEGIN SOLUTION: one generator; per trial and per name, a uniform draw between the bounds (between their logs for "log")
    check_count(n_trials, "n_trials", minimum=1)
    for name, (low, high, scale) in space.items():
        if scale not in ("log", "linear") or not low < high or (scale == "log" and low <= 0):
            raise ValueError(f"space[{name!r}] must be (low, high, 'linear' or 'log') with low < high "
                             f"(and low > 0 for 'log'), got {(low, high, scale)!r}")
    rng = np.random.default_rng(seed)
    trials = []
    for _ in range(n_trials):
        params = {}
        for name, (low, high, scale) in space.items():
            if scale == "log":
                params[name] = float(np.exp(rng.uniform(np.log(low), np.log(high))))
            else:
                params[name] = float(rng.uniform(low, high))
        trials.append((params, float(evaluate(**params))))
    best = int(np.argmin([error for _, error in trials]))
    return trials[best][0], trials
    # END SOLUTION


# %% [markdown]
# ## 4. A deep MLP in NumPy, plain or residual
# The network: a first layer from the inputs to `width` units, then
# `depth - 1` more hidden layers of `width` units, then a linear output
# layer of scores. Every hidden layer applies the activation f. In a
# residual network each hidden layer after the first adds its input back:
#
#     h_1 = f(X @ W_1 + b_1)
#     h_l = f(h_{l-1} @ W_l + b_l)              (plain, l = 2 .. depth)
#     h_l = h_{l-1} + f(h_{l-1} @ W_l + b_l)    (residual)
#     scores = h_depth @ W_out + b_out
#
# The activations and the softmax cross-entropy are given (lab 3 wrote
# them). Check your backward pass with a numerical gradient before you
# trust any experiment built on it.

# %%
LEAKY_ALPHA = 0.01


def activation(z, name):
    """(f(z), f'(z)) for name in "relu", "leaky_relu" (slope LEAKY_ALPHA below 0), "tanh". Given."""
    if name == "relu":
        return np.maximum(z, 0.0), (z > 0).astype(float)
    if name == "leaky_relu":
        return np.where(z > 0, z, LEAKY_ALPHA * z), np.where(z > 0, 1.0, LEAKY_ALPHA)
    if name == "tanh":
        t = np.tanh(z)
        return t, 1.0 - t ** 2
    raise ValueError(f"activation must be 'relu', 'leaky_relu' or 'tanh', got {name!r}")


def softmax_cross_entropy(scores, y):
    """Mean cross-entropy of integer labels y (n,) under softmax(scores) (n, k), and d loss / d scores. Given."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(len(y))
    d_scores = np.exp(log_p)
    d_scores[rows, y] -= 1.0
    return float(-log_p[rows, y].mean()), d_scores / len(y)


def init_deep_mlp(n_in, width, depth, n_out, scale="he", seed=0):
    """Gaussian weights and zero biases for the deep MLP.

    Inputs:
    - n_in, width, n_out: integers >= 1; depth: the number of hidden layers, >= 1.
    - scale: "he" (std sqrt(2 / fan_in)), "xavier" (std sqrt(2 / (fan_in +
      fan_out)), lab 7's forms) or a number > 0, the std of every layer.
    - seed: the seed of np.random.default_rng; layers drawn first to last.
    Returns:
    - params: a list of depth + 1 pairs (W, b), shapes (n_in, width),
      (width, width) ..., (width, n_out), and b of shape (fan_out,), zeros.
    """
    # BEGIN SOLUTION: check the sizes and scale; the layer sizes are n_in, width (depth times), n_out; one generator, layers drawn in order
    for value, name in ((n_in, "n_in"), (width, "width"), (depth, "depth"), (n_out, "n_out")):
        check_count(value, name, minimum=1)
    if scale not in ("he", "xavier"):
        check_positive(scale, "scale")
    rng = np.random.default_rng(seed)
    sizes = [n_in] + [width] * depth + [n_out]
    params = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        std = {"he": np.sqrt(2.0 / fan_in), "xavier": np.sqrt(2.0 / (fan_in + fan_out))}.get(scale, scale)
        params.append((rng.normal(0.0, std, size=(fan_in, fan_out)), np.zeros(fan_out)))
    return params
    # END SOLUTION


def deep_mlp_forward(X, params, activation_name="relu", residual=False):
    """The deep MLP's forward pass.

    Inputs:
    - X: shape (n, n_in).
    - params: [(W_1, b_1), ..., (W_depth, b_depth), (W_out, b_out)], as init_deep_mlp gives.
    - activation_name: "relu", "leaky_relu" or "tanh".
    - residual: False for a plain network; True adds each hidden layer's
      input to its output, from the second hidden layer on.
    Returns:
    - (scores, cache): scores of shape (n, n_out), and what deep_mlp_backward
      needs (each layer's input, the activation's derivative, whether it skips).
    """
    # BEGIN SOLUTION: hidden layers with activation(z, activation_name); keep (input, f'(z), skips) per layer; the last layer is linear
    h, cache = as_float_array(X, "X", finite=False), []
    for index, (W, b) in enumerate(params[:-1]):
        out, slope = activation(h @ W + b, activation_name)
        skips = residual and index > 0
        cache.append((h, slope, skips))
        h = h + out if skips else out
    W, b = params[-1]
    cache.append((h, None, False))
    return h @ W + b, (cache, params)
    # END SOLUTION


def deep_mlp_backward(d_scores, cache):
    """The deep MLP's backward pass.

    Inputs:
    - d_scores: d loss / d scores, shape (n, n_out).
    - cache: from deep_mlp_forward.
    Returns:
    - grads: a list of (dW, db) pairs, one per layer, in params' order and
      shapes.
    """
    # BEGIN SOLUTION: walk the layers backwards: dW = input^T dz, db = sum of dz, d input = dz @ W^T (plus the upstream gradient itself where the layer skips); for hidden layers dz = dh * f'(z)
    layers, params = cache
    grads = [None] * len(params)
    h, _, _ = layers[-1]
    grads[-1] = (h.T @ d_scores, d_scores.sum(axis=0))
    d_h = d_scores @ params[-1][0].T
    for index in range(len(params) - 2, -1, -1):
        h, slope, skips = layers[index]
        d_z = d_h * slope
        grads[index] = (h.T @ d_z, d_z.sum(axis=0))
        d_h = d_z @ params[index][0].T + (d_h if skips else 0.0)
    return grads
    # END SOLUTION


def loss_and_gradients(X, y, params, activation_name="relu", residual=False):
    """(loss, grads) of the deep MLP with softmax cross-entropy on labels y. Given."""
    scores, cache = deep_mlp_forward(X, params, activation_name, residual)
    loss, d_scores = softmax_cross_entropy(scores, np.asarray(y))
    return loss, deep_mlp_backward(d_scores, cache)


# %% [markdown]
# ## 5. Watching the gradients: norms, clipping, training, dead units

# %%
def layer_gradient_norms(grads):
    """The Frobenius norm of each layer's weight gradient dW (biases left out), shape (len(grads),)."""
    # BEGIN SOLUTION: sqrt of the sum of squares of each dW
    return np.array([np.sqrt(np.sum(np.square(dW))) for dW, _ in grads])
    # END SOLUTION


def clip_by_global_norm(grads, max_norm):
    """Scale every gradient by one factor so that their global norm is at most max_norm.

    The global norm is sqrt(sum of the squares of every entry of every dW and
    db), as Keras's global_clipnorm and tf.clip_by_global_norm compute it.

    Inputs:
    - grads: a list of (dW, db) pairs; max_norm: a number > 0, or np.inf
      to clip nothing.
    Returns:
    - (clipped, norm): the pairs times min(1, max_norm / norm), and the
      global norm before clipping.
    """
    # BEGIN SOLUTION: one norm over everything; a single factor for every array; leave short gradients as they are
    if max_norm != np.inf:
        check_positive(max_norm, "max_norm")
    norm = float(np.sqrt(sum(np.sum(np.square(dW)) + np.sum(np.square(db)) for dW, db in grads)))
    factor = max_norm / norm if norm > max_norm else 1.0
    return [(dW * factor, db * factor) for dW, db in grads], norm
    # END SOLUTION


def train_deep_mlp(X, y, params, lr, steps, activation_name="relu", residual=False, clip=None):
    """Full-batch gradient descent on the deep MLP.

    Inputs:
    - X, y: the training data, shapes (n, n_in) and (n,).
    - params: the initial parameters (left untouched).
    - lr: the learning rate, > 0; steps: an integer >= 0.
    - activation_name, residual: as deep_mlp_forward takes them.
    - clip: None, or the max_norm of clip_by_global_norm applied to every step.
    Returns:
    - (params, losses, norms): the parameters after `steps` updates; losses,
      shape (steps,), the loss before each update; norms, shape (steps,),
      the global gradient norm before clipping at each update.
    """
    # BEGIN SOLUTION: check lr and steps; each step: loss_and_gradients, record the loss and the global norm (clip_by_global_norm does both jobs; no clip is an infinite max_norm), then a gradient-descent step on every W and b
    check_positive(lr, "lr")
    check_count(steps, "steps", minimum=0)
    losses, norms = [], []
    for _ in range(steps):
        loss, grads = loss_and_gradients(X, y, params, activation_name, residual)
        grads, norm = clip_by_global_norm(grads, np.inf if clip is None else clip)
        losses.append(loss)
        norms.append(norm)
        params = [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads)]
    return params, np.array(losses), np.array(norms)
    # END SOLUTION


def dead_unit_fraction(X, params, activation_name="relu", residual=False):
    """The share of each hidden layer's units whose gradient is 0 on every example.

    A unit is dead when f'(z) is 0 for every row of X: it passes no gradient
    back and its weights never change again. (A leaky ReLU's slope is never
    0, so its units never die.)

    Inputs: as deep_mlp_forward.
    Returns:
    - shape (depth,): for each hidden layer, the fraction of its units dead.
    """
    # BEGIN SOLUTION: run the forward pass; a unit is dead where its activation's derivative is 0 in every row
    layers, _ = deep_mlp_forward(X, params, activation_name, residual)[1]
    return np.array([np.mean(np.all(slope == 0, axis=0)) for _, slope, _ in layers[:-1]])
    # END SOLUTION


# %% [markdown]
# ## 6. Width and depth on a 1-D function
# One hidden layer of ReLU units draws a broken line: with knots
# x_0 < x_1 < ... < x_n and values y_k, unit k = 0 .. n-1 is relu(x - x_k),
# and its output weight is the change of slope at x_k (the first slope at
# x_0). Depth: the tent map t(x) = 2 relu(x) - 4 relu(x - 1/2) folds [0, 1]
# onto itself; composing it k times gives 2^k pieces with 2 units a layer.

# %%
def relu_interpolant(knots_x, knots_y):
    """A one-hidden-layer ReLU network that draws the broken line through the knots.

    Inputs:
    - knots_x: shape (n + 1,), strictly increasing, n >= 1; knots_y: shape (n + 1,).
    Returns:
    - (W1, b1, w2, b2): W1 shape (1, n), b1 (n,), w2 (n,), b2 a float, such
      that relu(x[:, None] @ W1 + b1) @ w2 + b2 equals np.interp(x, knots_x,
      knots_y) for x in [x_0, x_n]: n hidden units, one per segment.
    """
    # BEGIN SOLUTION: unit k is relu(x - x_k); its output weight is the slope of segment k minus that of segment k - 1 (0 before the first); b2 = y_0
    knots_x, knots_y = as_float_array(knots_x, "knots_x", finite=False), as_float_array(knots_y, "knots_y", finite=False)
    if knots_x.ndim != 1 or knots_x.size < 2 or np.any(np.diff(knots_x) <= 0):
        raise ValueError(f"knots_x must be strictly increasing with at least 2 entries, got {knots_x!r}")
    if knots_y.shape != knots_x.shape:
        raise ValueError(f"knots_y must have knots_x's shape {knots_x.shape}, got {knots_y.shape}")
    slopes = np.diff(knots_y) / np.diff(knots_x)
    return (np.ones((1, slopes.size)), -knots_x[:-1], np.diff(slopes, prepend=0.0), float(knots_y[0]))
    # END SOLUTION


def sawtooth_network(x, depth):
    """The tent map t(x) = 2 relu(x) - 4 relu(x - 1/2) composed depth times.

    Inputs:
    - x: shape (n,), values in [0, 1]; depth: an integer >= 1.
    Returns:
    - shape (n,): t(t(...t(x))), a sawtooth with 2**(depth - 1) teeth, 2**depth
      linear pieces, from a network of depth layers of 2 ReLU units.
    """
    # BEGIN SOLUTION: apply the two-unit layer depth times
    check_count(depth, "depth", minimum=1)
    x = as_float_array(x, "x", finite=False)
    for _ in range(depth):
        x = 2 * np.maximum(x, 0.0) - 4 * np.maximum(x - 0.5, 0.0)
    return x
    # END SOLUTION


# %% [markdown]
# ## 7. More of the slides' tricks
# - Learning-rate schedules (deck 004 gives 1 / (1 + decay t), lab 6's
#   inverse_time_decay): a step decay halves the rate every few epochs, an
#   exponential decay shrinks it smoothly, a cosine decay glides from lr0 to
#   lr_min over a fixed number of epochs.
# - Nadam (Dozat, 2016) is Adam with Nesterov's look-ahead: the step uses
#   the momentum it will have after this update, b1 m_hat_{t+1}, plus this
#   gradient's own share (1 - b1) g / (1 - b1**t).
# - PReLU (He et al., 2015) is leaky ReLU whose slope a below 0 is learned:
#   the loss needs a gradient with respect to a too, and with it gradient
#   descent finds the slope (`learn_prelu_slope`).
# - Saddle points: where the gradient is 0, the Hessian's eigenvalues tell a
#   minimum (all > 0), a maximum (all < 0) and a saddle (both signs). In
#   many dimensions saddles are far more common than local minima. Plain
#   gradient descent started on a saddle stays there forever (its gradient
#   is 0); a small random kick after each step is enough to leave it, along
#   the direction of negative curvature (`perturbed_descent`; Jin et al.,
#   2017). The check: on x^2 - y^2 from (0, 0), plain descent never moves,
#   a kicked one ends far out in y while x stays near 0.
# - Stochastic depth (Huang et al., 2016) drops whole residual blocks while
#   training: a dropped block passes its input through, h. At inference every
#   block is kept, its branch scaled by the survival probability p, so that
#   its output is the expected training output: h + p f(h W + b).
# - Data augmentation: shifting a digit by a pixel gives a new, equally
#   valid training example; the network learns that position does not matter
#   (`augment_with_shifts`, and its gain in the experiments below).

# %%
def step_decay(lr0, epoch, drop=0.5, every=10):
    """lr0 * drop ** floor(epoch / every): the rate times `drop` every `every` epochs (epoch counts from 0)."""
    # BEGIN SOLUTION: the number of completed blocks of `every` epochs is the exponent
    check_positive(lr0, "lr0")
    check_count(every, "every", minimum=1)
    return float(lr0 * drop ** (epoch // every))
    # END SOLUTION


def exponential_decay(lr0, epoch, rate=0.1):
    """lr0 * exp(-rate * epoch)."""
    # BEGIN SOLUTION: a smooth shrink by exp(-rate) per epoch
    check_positive(lr0, "lr0")
    return float(lr0 * np.exp(-rate * epoch))
    # END SOLUTION


def cosine_decay(lr0, epoch, total_epochs, lr_min=0.0):
    """lr_min + (lr0 - lr_min) * (1 + cos(pi * epoch / total_epochs)) / 2, then lr_min after total_epochs."""
    # BEGIN SOLUTION: half a cosine from lr0 at epoch 0 to lr_min at total_epochs; clamp the epoch
    check_positive(lr0, "lr0")
    check_count(total_epochs, "total_epochs", minimum=1)
    progress = min(epoch, total_epochs) / total_epochs
    return float(lr_min + (lr0 - lr_min) * (1 + np.cos(np.pi * progress)) / 2)
    # END SOLUTION


def nadam_step(w, g, m, v, t, lr=0.002, beta1=0.9, beta2=0.999, eps=1e-7):
    """One Nadam update (Adam with a Nesterov look-ahead on the first moment).

    m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g**2;
    m_bar = b1 m / (1 - b1**(t + 1)) + (1 - b1) g / (1 - b1**t);
    w = w - lr * m_bar / (sqrt(v / (1 - b2**t)) + eps).

    Inputs:
    - w, g, m, v: arrays of one shape (m and v start at 0); t: the step, 1, 2, ...
    Returns:
    - (w, m, v), the updated arrays (the inputs untouched).
    """
    # BEGIN SOLUTION: Adam's moments; the look-ahead mixes next step's bias-corrected momentum with this gradient's share
    check_count(t, "t", minimum=1)
    w, g, m, v = (as_float_array(a, name, finite=False) for a, name in ((w, "w"), (g, "g"), (m, "m"), (v, "v")))
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    m_bar = beta1 * m / (1 - beta1 ** (t + 1)) + (1 - beta1) * g / (1 - beta1 ** t)
    return w - lr * m_bar / (np.sqrt(v / (1 - beta2 ** t)) + eps), m, v
    # END SOLUTION


def prelu(z, a):
    """PReLU: z where z > 0, a * z elsewhere. z: any shape; a: a number or an array broadcasting with z."""
    # BEGIN SOLUTION: like leaky ReLU, with the slope a as an argument
    z = as_float_array(z, "z", finite=False)
    return np.where(z > 0, z, a * z)
    # END SOLUTION


def prelu_backward(dout, z, a):
    """The gradients of sum(dout * prelu(z, a)) with respect to z and to a scalar slope a.

    Returns:
    - (dz, da): dz of z's shape (dout where z > 0, a * dout elsewhere), and da,
      a float: the sum of dout * z over the entries where z <= 0.
    """
    # BEGIN SOLUTION: only the entries at or below 0 depend on a, with derivative z
    dout, z = as_float_array(dout, "dout", finite=False), as_float_array(z, "z", finite=False)
    negative = z <= 0
    return np.where(negative, a * dout, dout), float(np.sum(dout * z * negative))
    # END SOLUTION


def classify_critical_point(hessian, tol=1e-9):
    """"minimum", "maximum" or "saddle" from the Hessian's eigenvalues, or "flat" when one is within tol of 0.

    Inputs:
    - hessian: a symmetric matrix, shape (d, d).
    """
    # BEGIN SOLUTION: np.linalg.eigvalsh; all positive, all negative, or mixed signs
    eigenvalues = np.linalg.eigvalsh(as_float_array(hessian, "hessian", finite=False))
    if np.any(np.abs(eigenvalues) <= tol):
        return "flat"
    if np.all(eigenvalues > 0):
        return "minimum"
    return "maximum" if np.all(eigenvalues < 0) else "saddle"
    # END SOLUTION


def perturbed_descent(hessian, x0, lr, steps, noise, seed=0):
    """Gradient descent on the quadratic f(x) = x @ H @ x / 2, a small random kick after each step.

    At a saddle the gradient H @ x is 0, so plain descent started there never
    moves; a kick puts it off the saddle, and the direction of negative
    curvature then carries it away.

    Inputs:
    - hessian: H, shape (d, d), symmetric.
    - x0: the start, shape (d,).
    - lr: the step size (> 0); steps: how many (>= 0).
    - noise: the standard deviation of each kick (0: plain gradient descent).
    - seed: seeds np.random.default_rng; step k's kick is the k-th draw rng.normal(0, noise, d).
    Returns:
    - the points x_0 ... x_steps, shape (steps + 1, d), where
      x_{k+1} = x_k - lr * H @ x_k + kick_k.
    """
    # BEGIN SOLUTION: check lr, steps and noise; one generator for the whole run; a gradient step, then its kick
    hessian, x = as_float_array(hessian, "hessian"), as_float_array(x0, "x0")
    lr, steps, noise = check_positive(lr, "lr"), check_count(steps, "steps", minimum=0), check_nonnegative(noise, "noise")
    rng = np.random.default_rng(seed)
    points = [x]
    for _ in range(steps):
        x = x - lr * hessian @ x + rng.normal(0, noise, x.shape)
        points.append(x)
    return np.array(points)
    # END SOLUTION


def learn_prelu_slope(z, target, a0, lr, steps):
    """PReLU's slope learned by gradient descent: the a for which prelu(z, a) fits target.

    Inputs:
    - z, target: arrays of one shape: inputs of the PReLU and the outputs wanted.
    - a0: the starting slope; lr: the step size (> 0); steps: how many (>= 0).
    Returns:
    - (a, losses): the slope after `steps` steps, a float, and the loss
      mean((prelu(z, a) - target) ** 2) / 2 before each step and after the
      last, a list of steps + 1 floats.
    """
    # BEGIN SOLUTION: gradient descent on a alone; prelu_backward's da is the loss's gradient once dout is the loss's gradient in the output
    z, target = as_float_array(z, "z"), as_float_array(target, "target")
    lr, steps = check_positive(lr, "lr"), check_count(steps, "steps", minimum=0)
    a, losses = float(a0), []
    for step in range(steps + 1):
        error = prelu(z, a) - target
        losses.append(float(np.mean(error ** 2) / 2))
        if step < steps:
            a -= lr * prelu_backward(error / z.size, z, a)[1]
    return a, losses
    # END SOLUTION


def stochastic_depth_block(h, W, b, survival, training, rng=None, activation_name="relu"):
    """A residual block with stochastic depth: h + f(h @ W + b), the branch dropped at random while training.

    Inputs:
    - h: shape (n, d); W: (d, d); b: (d,).
    - survival: the probability p in (0, 1] of keeping the branch.
    - training: True draws one keep/drop for the whole batch from rng (an int
      seed or a Generator; kept when rng.random() < p); False returns
      h + p * f(h @ W + b).
    Returns:
    - shape (n, d).
    """
    # BEGIN SOLUTION: check survival; at inference scale the branch by p; in training keep it whole with probability p, else return h
    if isinstance(survival, bool) or not isinstance(survival, numbers.Real) or not 0 < survival <= 1:
        raise ValueError(f"survival must be a number in (0, 1], got {survival!r}")
    h = as_float_array(h, "h", finite=False)
    branch = activation(h @ W + b, activation_name)[0]
    if not training:
        return h + survival * branch
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    return h + branch if rng.random() < survival else h
    # END SOLUTION


def shift_images(images, dx, dy):
    """Digits moved dx pixels right and dy pixels down, with zeros shifted in.

    Inputs:
    - images: shape (n, 8, 8) (or (n, h, w)); dx, dy: integers, any sign.
    Returns:
    - the same shape; pixels pushed past an edge are lost.
    """
    # BEGIN SOLUTION: np.roll moves pixels around; zero the rows and columns that wrapped
    images = as_float_array(images, "images", finite=False)
    out = np.roll(images, (dy, dx), axis=(1, 2))
    if dy > 0:
        out[:, :dy] = 0
    elif dy < 0:
        out[:, dy:] = 0
    if dx > 0:
        out[:, :, :dx] = 0
    elif dx < 0:
        out[:, :, dx:] = 0
    return out
    # END SOLUTION


SHIFTS = ((1, 0), (-1, 0), (0, 1), (0, -1))  # one pixel right, left, down, up


def augment_with_shifts(images, labels, shifts=SHIFTS):
    """A training set grown by augmentation: the images, then a shifted copy of them per shift.

    Inputs:
    - images: shape (n, h, w); labels: shape (n,).
    - shifts: (dx, dy) pairs, as shift_images takes them.
    Returns:
    - (images, labels): shapes ((1 + len(shifts)) * n, h, w) and
      ((1 + len(shifts)) * n,): the originals first, then one block per
      shift in the order given, each image keeping its label.
    """
    # BEGIN SOLUTION: concatenate the originals and shift_images of them per shift; tile the labels to match
    images, labels = as_float_array(images, "images"), np.asarray(labels)
    copies = [images] + [shift_images(images, dx, dy) for dx, dy in shifts]
    return np.concatenate(copies), np.tile(labels, len(copies))
    # END SOLUTION


# %% [markdown]
# ## 8. The experiments
# Everything below is given: it runs your functions and draws what they
# show. Digits come from scikit-learn's bundled 8x8 set.

# %%
POLY = {"n_train": 20, "n_val": 200, "noise": 0.2, "degrees": (1, 3, 9), "n_refit": 30}
DIGITS = {"n": 200, "steps": 100}  # small, so that every experiment takes a fraction of a second
RESIDUAL = {"width": 16, "depth": 20, "scale": 0.1, "lr": 0.1, "activation_name": "tanh"}
EXPLODING = {"width": 32, "depth": 10, "lr": 1.5, "max_norm": 1.0, "steps": 60}


def true_function(x):
    """The curve the polynomial experiments try to learn."""
    return np.sin(2 * np.pi * x)


def polynomial_data(n, seed):
    """n points x ~ U(0, 1), y = sin(2 pi x) + N(0, noise**2)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, n)
    return x, true_function(x) + rng.normal(0, POLY["noise"], n)


def digits_data(n=DIGITS["n"], seed=0):
    """n digits (pixels / 16, centred) and their labels, from scikit-learn's bundled set."""
    from sklearn.datasets import load_digits  # only the experiments need scikit-learn

    digits = load_digits()
    rows = np.random.default_rng(seed).permutation(len(digits.target))[:n]
    X = digits.data[rows] / 16.0
    return X - X.mean(axis=0), digits.target[rows]


def plot_generalization():
    """Fits of degree 1, 3 and 9, their learning curves, and bias^2 / variance by degree."""
    figure = Figure(figsize=(14, 4), layout="constrained")
    fits, curves, tradeoff = figure.subplots(1, 3)
    x, y = polynomial_data(POLY["n_train"], 0)
    x_val, y_val = polynomial_data(POLY["n_val"], 1)
    grid = np.linspace(0, 1, 200)
    fits.plot(x, y, "k.", label="training data")
    fits.plot(grid, true_function(grid), "k:", label="truth")
    for index, degree in enumerate(POLY["degrees"]):
        c = fit_polynomial(x, y, degree)
        train, val = learning_curve(x, y, x_val, y_val, degree, [len(x)])
        fits.plot(grid, polynomial_features(grid, degree) @ c, f"C{index}",
                  label=f"degree {degree}: {diagnose(train[0], val[0], POLY['noise'] ** 2)}")
    fits.set(ylim=(-2, 2), xlabel="x", title=f"Fits to {POLY['n_train']} noisy points")
    fits.legend(fontsize=8)
    x_big, y_big = polynomial_data(300, 2)
    sizes = np.arange(12, 301, 6)
    for index, degree in ((0, 1), (2, 9)):
        train, val = learning_curve(x_big, y_big, x_val, y_val, degree, sizes)
        curves.plot(sizes, train, f"C{index}--", label=f"degree {degree}, training")
        curves.plot(sizes, val, f"C{index}-", label=f"degree {degree}, validation")
    curves.axhline(POLY["noise"] ** 2, color="k", linestyle=":", label="noise variance")
    curves.set(yscale="log", ylim=(1e-3, 1e2), xlabel="training examples", ylabel="mean squared error",
               title="Learning curves")
    curves.legend(fontsize=8)
    degrees, bias, variance = bias_variance_by_degree()
    tradeoff.plot(degrees, bias, "o-", label="bias$^2$")
    tradeoff.plot(degrees, variance, "s-", label="variance")
    tradeoff.plot(degrees, bias + variance, "k^-", label="bias$^2$ + variance")
    tradeoff.set(yscale="log", xlabel="degree", title=f"Refitted on 100 training sets of {POLY['n_refit']}")
    tradeoff.legend(fontsize=8)
    return figure


def bias_variance_by_degree(degrees=tuple(range(10)), k=100):
    """(degrees, bias^2, variance): each degree refitted on k training sets, judged on a grid of 50 points."""
    grid = np.linspace(0.05, 0.95, 50)
    bias, variance = [], []
    for degree in degrees:
        predictions = [polynomial_features(grid, degree) @ fit_polynomial(*polynomial_data(POLY["n_refit"], 100 + i),
                                                                           degree) for i in range(k)]
        b, v = bias_variance(np.array(predictions), true_function(grid))
        bias.append(b)
        variance.append(v)
    return np.array(degrees), np.array(bias), np.array(variance)


def plot_learning_rates_and_search():
    """The loss against the step for four learning rates, then grid against random search of 9 trials."""
    X, y = digits_data()
    figure = Figure(figsize=(11, 4), layout="constrained")
    rates, search = figure.subplots(1, 2)
    params = init_deep_mlp(64, 32, 2, 10, seed=0)
    for lr in (0.003, 0.1, 1.0, 10.0):
        _, losses, _ = train_deep_mlp(X, y, params, lr, DIGITS["steps"])
        rates.plot(np.where(np.isfinite(losses), losses, np.nan), label=f"lr {lr:g}")
    rates.set(yscale="log", xlabel="step", ylabel="training loss", title="Too small crawls, too large bounces")
    rates.legend(fontsize=8)

    def validation_loss(lr, l2):  # a 2-knob problem in which only lr matters much
        return abs(np.log10(lr) + 1.3) + 0.02 * abs(np.log10(l2) + 3)

    _, grid_trials = grid_search(validation_loss, {"lr": [1e-3, 1e-2, 1e-1], "l2": [1e-5, 1e-3, 1e-1]})
    _, random_trials = random_search(validation_loss, {"lr": (1e-3, 1e-1, "log"), "l2": (1e-5, 1e-1, "log")}, 9)
    for trials, marker, name in ((grid_trials, "s", "grid"), (random_trials, "o", "random")):
        lrs, l2s = [p["lr"] for p, _ in trials], [p["l2"] for p, _ in trials]
        search.scatter(lrs, l2s, marker=marker, label=f"{name}: {len(set(lrs))} learning rates, "
                       f"best error {min(e for _, e in trials):.2f}")
    search.axvline(10 ** -1.3, color="k", linestyle=":", label="the best learning rate")
    search.set(xscale="log", yscale="log", xlabel="learning rate (matters)", ylabel="L2 strength (hardly matters)",
               title="9 trials: grid against random search")
    search.legend(fontsize=8)
    return figure


def deep_network_runs():
    """The experiments on digits behind the figures, as {name: (losses, norms, first-layer gradient norms)}."""
    X, y = digits_data()
    runs = {}
    act = RESIDUAL["activation_name"]
    params = init_deep_mlp(64, RESIDUAL["width"], RESIDUAL["depth"], 10, scale=RESIDUAL["scale"], seed=1)
    for residual in (False, True):
        _, grads = loss_and_gradients(X, y, params, act, residual)
        _, losses, norms = train_deep_mlp(X, y, params, RESIDUAL["lr"], DIGITS["steps"], act, residual)
        runs["residual" if residual else "plain"] = (losses, norms, layer_gradient_norms(grads))
    params = init_deep_mlp(64, EXPLODING["width"], EXPLODING["depth"], 10, seed=2)
    for clip in (None, EXPLODING["max_norm"]):
        with np.errstate(over="ignore", invalid="ignore"):
            _, losses, norms = train_deep_mlp(X, y, params, EXPLODING["lr"], EXPLODING["steps"], clip=clip)
        runs["clipped" if clip else "not clipped"] = (losses, norms, None)
    return runs


def dying_relu_runs():
    """Dead-unit fractions (both hidden layers) after DIGITS["steps"] steps: {setting: (fractions, final loss)}."""
    X, y = digits_data()
    settings = {"relu, std 1, lr 2": ("relu", 1.0, 2.0), "relu, std 1, lr 1": ("relu", 1.0, 1.0),
                "leaky relu, std 1, lr 1": ("leaky_relu", 1.0, 1.0), "relu, He, lr 2": ("relu", "he", 2.0),
                "relu, std 1, lr 0.1": ("relu", 1.0, 0.1)}
    runs = {}
    for name, (activation_name, scale, lr) in settings.items():
        params = init_deep_mlp(64, 32, 2, 10, scale=scale, seed=3)
        with np.errstate(over="ignore", invalid="ignore"):
            params, losses, _ = train_deep_mlp(X, y, params, lr, DIGITS["steps"], activation_name)
        runs[name] = (dead_unit_fraction(X, params, activation_name), losses[-1])
    return runs


def plot_deep_networks():
    """Residual against plain (gradient norms per layer, losses), clipping, and dying ReLU."""
    runs = deep_network_runs()
    figure = Figure(figsize=(15, 4), layout="constrained")
    per_layer, residual_losses, clipping, dying = figure.subplots(1, 4)
    for name in ("plain", "residual"):
        losses, _, layer_norms = runs[name]
        per_layer.plot(np.arange(1, len(layer_norms) + 1), layer_norms, "o-", label=name)
        residual_losses.plot(losses, label=name)
    per_layer.set(yscale="log", xlabel="layer (1 = next to the input)", ylabel="|dL/dW|",
                  title=f"Gradient per layer at the start, tanh, {RESIDUAL['depth']} layers")
    per_layer.legend(fontsize=8)
    residual_losses.set(xlabel="step", ylabel="training loss", title="Plain stalls, residual trains")
    residual_losses.legend(fontsize=8)
    for name, style in (("not clipped", "C3"), ("clipped", "C2")):
        _, norms, _ = runs[name]
        clipping.plot(np.where(np.isfinite(norms), norms, np.nan), style,
                      label=name if name == "not clipped" else f"global norm clipped at {EXPLODING['max_norm']:g}")
    clipping.set(yscale="log", xlabel="step", ylabel="gradient norm (before clipping)",
                 title=f"lr {EXPLODING['lr']:g}, {EXPLODING['depth']} ReLU layers: exploding")
    clipping.legend(fontsize=8)
    dying_runs = dying_relu_runs()
    names = list(dying_runs)
    shares = [100 * np.mean(fractions) for fractions, _ in dying_runs.values()]
    dying.barh(names, shares)
    dying.set(xlim=(0, 100), xlabel=f"% of hidden units dead after {DIGITS['steps']} steps", title="Dying ReLU")
    for row, (share, (_, loss)) in enumerate(zip(shares, dying_runs.values())):
        dying.text(share + 2, row, f"final loss {loss:.2f}", va="center", fontsize=8)
    return figure


def plot_width_and_depth():
    """One hidden layer approximating sin(2 pi x) as the units grow; the deep sawtooth."""
    figure = Figure(figsize=(11, 4), layout="constrained")
    shallow, deep = figure.subplots(1, 2)
    x = np.linspace(0, 1, 1025)  # every knot and kink on the grid
    shallow.plot(x, true_function(x), "k:", label="sin(2 pi x)")
    for units in (4, 8, 16, 32):
        knots = np.linspace(0, 1, units + 1)
        W1, b1, w2, b2 = relu_interpolant(knots, true_function(knots))
        approx = np.maximum(x[:, None] @ W1 + b1, 0) @ w2 + b2
        error = np.max(np.abs(approx - true_function(x)))
        shallow.plot(x, approx, label=f"{units} units: max error {error:.3f}")
    shallow.set(xlabel="x", title="One hidden layer: more units, closer")
    shallow.legend(fontsize=8)
    for depth in (1, 2, 4):
        deep.plot(x, sawtooth_network(x, depth), label=f"depth {depth}, 2 units a layer: {2 ** depth} pieces")
    deep.set(xlabel="x", title="Depth: pieces double with every layer")
    deep.legend(fontsize=8)
    return figure


def augmentation_study(n_train=300, n_val=500, steps=150, seed=0):
    """Validation accuracy of one MLP trained on digits as they are, and on them plus four one-pixel shifts.

    Returns:
    - {"as they are": (accuracy on the validation digits, accuracy on their
      shifted copies), "augmented": (the same two)}.
    """
    from sklearn.datasets import load_digits  # only the experiments need scikit-learn

    digits = load_digits()
    images, labels = digits.images / 16.0, digits.target
    order = np.random.default_rng(seed).permutation(len(labels))
    train, val = order[:n_train], order[n_train:n_train + n_val]
    shifted_val = np.concatenate([shift_images(images[val], dx, dy) for dx, dy in SHIFTS])
    training_sets = {"as they are": (images[train], labels[train]),
                     "augmented": augment_with_shifts(images[train], labels[train])}
    results = {}
    for name, (X, y) in training_sets.items():
        params = init_deep_mlp(64, 32, 1, 10, seed=seed)
        params, _, _ = train_deep_mlp(X.reshape(len(X), -1), y, params, 0.5, steps)
        accuracy = [np.mean(deep_mlp_forward(V.reshape(len(V), -1), params)[0].argmax(axis=1) == t)
                    for V, t in ((images[val], labels[val]), (shifted_val, np.tile(labels[val], len(SHIFTS))))]
        results[name] = tuple(float(a) for a in accuracy)
    return results


def plot_augmentation():
    """Accuracy on the validation digits and on their shifted copies, trained with and without shifted copies."""
    results = augmentation_study()
    figure = Figure(figsize=(6, 4), layout="constrained")
    axes = figure.subplots()
    for offset, (name, accuracy) in zip((-0.2, 0.2), results.items()):
        axes.bar(np.arange(2) + offset, accuracy, width=0.4, label=f"trained on 300 digits {name}")
    axes.set_xticks([0, 1], ["validation digits", "the same, shifted one pixel"])
    axes.set(ylim=(0, 1), ylabel="accuracy", title="Augmentation: shifted copies in training")
    axes.legend(fontsize=8, loc="lower left")
    return figure


def save_figures(folder):
    """Write this lab's figures as PNG files into `folder`; return their paths."""
    return save_pngs(folder, {"generalization": plot_generalization, "learning_rates_and_search": plot_learning_rates_and_search,
                              "deep_networks": plot_deep_networks, "width_and_depth": plot_width_and_depth,
                              "augmentation": plot_augmentation})
