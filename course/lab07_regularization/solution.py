"""Lab 7: dropout, DropConnect and friends.

A network with enough weights can memorize a small training set: the
training loss goes to zero while the loss on new data (the validation loss)
stops falling and then rises. That gap is overfitting. Regularization is
anything that narrows it, usually at a small cost on the training data.
This lab writes the common ones, and a few habits that keep training
stable, in NumPy.

- Penalties. Add lam * sum(W**2) (L2, "weight decay") or lam * sum(|W|)
  (L1) to the loss. Their gradients, 2 lam W and lam sign(W), pull every
  weight towards 0 at each step: large weights must earn their keep. L1
  pushes many weights to exactly 0; L2 shrinks them all.
- Dropout. While training, zero each unit with probability `rate`, a new
  random choice at every step, so that no unit can rely on a particular
  other one. Scaling the kept units by 1 / (1 - rate) ("inverted dropout")
  keeps every unit's expected value unchanged, so at inference nothing is
  dropped and nothing needs rescaling.
- DropConnect (Wan et al., 2013) drops single weights, connections, instead
  of whole units: a unit loses some of its inputs, never all of them at
  once. Dropout on a layer's output is not the same thing.
- Early stopping. Watch the validation loss after every epoch and stop once
  it has not improved for `patience` epochs; keep the best epoch's weights.
- Batch normalization standardizes every feature over the batch, then lets
  the network rescale it (gamma) and shift it (beta). Its backward pass is a
  good exercise in the chain rule: the batch mean and variance depend on
  every input.
- Initialization. Weights drawn with the right spread keep the signal's
  variance roughly constant from layer to layer: Xavier's std
  sqrt(2 / (n_in + n_out)) for tanh and sigmoid, He's sqrt(2 / n_in) for
  ReLU, which zeroes half its inputs. All-zero weights make every hidden unit
  the same unit forever.
- Gradient clipping caps a gradient's norm or its entries, so that one bad
  batch cannot throw the weights far away.
- Input normalization (z-score, min-max, unit L2 norm) puts the features on
  comparable scales; compute its statistics on the training data only.

What to look for, in the figure (an MLP trained on only 100 digits):
- Without regularization the training loss keeps falling while the
  validation loss bottoms out around epoch 50 and then creeps up. Early
  stopping with patience 20 stops 20 epochs after that best epoch and keeps
  its weights.
- L2 holds the training loss up (the weights may not grow) and reaches the
  lowest validation loss.
- Dropout and DropConnect end with a slightly better validation accuracy,
  yet their validation loss climbs too: evaluated without dropping anything,
  the network they trained is more confident, which costs cross-entropy on
  the digits it gets wrong. In practice regularizers are tuned and combined,
  dropout with early stopping for instance.
- Dropout and DropConnect are random only while training: at inference
  they are deterministic, and their average output while training equals
  the inference output.

Where deck 004's slides say otherwise:
- Zero initialization "breaks the symmetry", says the slide on
  initialization: it fails to. With all weights equal, every hidden unit
  computes the same output and gets the same gradient, so the units stay
  copies of one another however long you train; random weights are what
  break the symmetry. Recomputed: a 64-16-10 sigmoid MLP trained on the
  1,797 digits (pixels / 16) by 300 full-batch gradient-descent steps
  (lr 0.5) keeps 16 identical hidden units from zeros and classifies 10%
  of those digits; from N(0, 0.1**2) weights it reaches 92%. Those two
  figures hold with a softmax + cross-entropy output, as in this lab's
  study. With a sigmoid output and squared error instead (half the summed
  squared error, averaged over the digits), the same net and steps reach
  only 51% from N(0, 0.1**2) weights (still 10% from zeros): that loss's
  gradient shrinks wherever a sigmoid output saturates, so it learns far
  more slowly.
- The slides' step-by-step dropout draws the mask "for each epoch"; the
  next slide's "at each iteration" is right: a new mask at every training
  step (every batch), as `dropout` draws one at every call. A mask kept for
  a whole epoch would train the same thinned network on all its batches.
- The L1 and L2 update rules count the penalty's gradient twice. They write
  w_new = w_old - eta * (dLoss/dw + 2 lam w_old) (L1: + lam sign(w_old)),
  but Loss already includes the penalty, so dLoss/dw already holds
  2 lam w_old. Right: w_new = w_old - eta * (dMSE/dw + 2 lam w_old). With
  w_old = 1, lam = 0.1, eta = 0.1 and dMSE/dw = 0, the slide gives 0.96
  instead of 0.98: twice the decay.
- Batch normalization has been standard "since the introduction of
  GoogLeNet", says the slide: it came after. GoogLeNet (Szegedy et al.,
  2014) had no batch normalization; Ioffe and Szegedy introduced it in
  2015 and showed it on an Inception network, GoogLeNet's design, which
  it trained in far fewer steps.
- Deck 003 says batch normalization standardizes each layer's outputs "to
  have a mean of 0 and a standard deviation of 1". Only the normalized
  x_hat does; the layer outputs gamma * x_hat + beta, so each feature's
  batch mean is beta and its std |gamma| (a hair less, because of eps),
  and gamma and beta are learned. With gamma = 1 and
  beta = 0, their starting values, the slide's statement holds.

Shapes: a batch X has shape (n, d), one example per row. A weight matrix W
has shape (n_in, n_out) and a layer computes X @ W + b with b of shape
(n_out,). This is where the course switches layout: lab 2 wrote W with
shape (n_out, n_in), the slides' W x for one example as a column, and
computed A @ W.T + b. From here on the layout is Keras's, the one of a
`keras.layers.Dense` kernel (input_dim, units): with examples as rows,
X @ W computes the whole batch, and a matrix drawn by `he_init` can be set
in a Dense layer as it is. The two are transposes of each other.
Functions that draw random numbers take `rng`: a NumPy Generator, or an
int seed s, which means np.random.default_rng(s).
"""

import numbers

import keras
import numpy as np
from keras import ops
from matplotlib.figure import Figure

from labkit import as_float_array, check_count, check_fraction, check_nonnegative, check_positive, save_pngs
from labkit.keras_checks import check_int, check_real

# %% [markdown]
# ## Checking the arguments
# Bad input should fail early, with a `ValueError` that names the argument.
# These checks come from `labkit`, which every lab shares; call them where
# the exercises say so.

# %%
def _as_generator(rng):
    """A NumPy Generator from a Generator or an int seed >= 0."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise ValueError(f"rng must be a numpy.random.Generator or an int seed >= 0, got {rng!r}")


def _as_batch(X):
    """X as a non-empty float array of shape (n,) or (n, d)."""
    X = as_float_array(X, "X")
    if X.ndim not in (1, 2) or X.shape[0] == 0:
        raise ValueError(f"X must be a non-empty array of shape (n,) or (n, d), got shape {X.shape}")
    return X


# %% [markdown]
# ## 1. Dropout and DropConnect
# Both multiply something by a random mask that is 0 with probability
# `rate` and 1 / (1 - rate) otherwise: dropout the units, DropConnect the
# weights. Write the mask once and use it in both.

# %%
def _scaled_keep_mask(shape, rate, rng):
    """A random mask: 0 with probability rate, else 1 / (1 - rate).

    Inputs:
    - shape: the mask's shape; rate: in [0, 1); rng: a NumPy Generator.
    Returns:
    - a float array of that shape, whose mean is 1 in expectation.
    """
    # BEGIN SOLUTION: keep where rng.random(shape) >= rate (probability 1 - rate), then divide by 1 - rate
    return (rng.random(shape) >= rate) / (1.0 - rate)
    # END SOLUTION


def dropout(x, rate, training, rng=None):
    """Inverted dropout.

    Inputs:
    - x: activations, any shape.
    - rate: the probability of dropping each unit, in [0, 1).
    - training: True while training; False (inference) returns x unchanged.
    - rng: a Generator or an int seed (needed only when training).
    Returns:
    - an array of x's shape: each entry 0 with probability rate, else
      x / (1 - rate), while training; x itself otherwise.
    """
    x = as_float_array(x, "x")
    # BEGIN SOLUTION: check rate; outside training (or at rate 0) return x; else multiply by _scaled_keep_mask, with _as_generator(rng)
    check_fraction(rate, "rate")
    if not training or rate == 0:
        return x
    return x * _scaled_keep_mask(x.shape, rate, _as_generator(rng))
    # END SOLUTION


def dropconnect(x, W, b, rate, training, rng=None):
    """A dense layer with DropConnect: x @ (W * mask) + b, one mask on the weights per call.

    Inputs:
    - x: one example, shape (n_in,), or a batch, shape (n, n_in).
    - W: weights, shape (n_in, n_out); b: biases, shape (n_out,) (never dropped).
    - rate: the probability of dropping each weight, in [0, 1).
    - training: True while training; False uses the full weights.
    - rng: a Generator or an int seed (needed only when training).
    Returns:
    - shape (n_out,) or (n, n_out): x @ (W * mask) + b while training, with
      mask 0 or 1 / (1 - rate) per weight; x @ W + b otherwise.
    """
    # BEGIN SOLUTION: check the shapes (ValueError naming x, W or b) and rate; outside training use W as it is, else W * _scaled_keep_mask(W.shape, ...)
    x, W, b = as_float_array(x, "x"), as_float_array(W, "W"), as_float_array(b, "b")
    if W.ndim != 2:
        raise ValueError(f"W must have shape (n_in, n_out), got {W.shape}")
    if x.ndim not in (1, 2) or x.shape[-1] != W.shape[0]:
        raise ValueError(f"x must have shape ({W.shape[0]},) or (n, {W.shape[0]}) to match W, got {x.shape}")
    if b.shape != (W.shape[1],):
        raise ValueError(f"b must have shape ({W.shape[1]},) to match W, got {b.shape}")
    check_fraction(rate, "rate")
    if training and rate > 0:
        W = W * _scaled_keep_mask(W.shape, rate, _as_generator(rng))
    return x @ W + b
    # END SOLUTION


# %% [markdown]
# ## 2. Weight penalties
# The penalty is added to the loss, its gradient to the weights' gradient.
# The slides write L2 as lam * sum(W**2), so its gradient is 2 lam W.

# %%
def l1_penalty(W, lam):
    """lam * sum(|W|), a float. W: any shape; lam: >= 0."""
    # BEGIN SOLUTION: check lam (check_nonnegative), then the sum
    check_nonnegative(lam, "lam")
    return float(lam * np.sum(np.abs(as_float_array(W, "W"))))
    # END SOLUTION


def l1_gradient(W, lam):
    """The gradient of l1_penalty: lam * sign(W), W's shape (0 where W is 0)."""
    # BEGIN SOLUTION: check lam, then lam * np.sign(W)
    check_nonnegative(lam, "lam")
    return lam * np.sign(as_float_array(W, "W"))
    # END SOLUTION


def l2_penalty(W, lam):
    """lam * sum(W**2), a float. W: any shape; lam: >= 0."""
    # BEGIN SOLUTION: check lam, then the sum of squares
    check_nonnegative(lam, "lam")
    return float(lam * np.sum(as_float_array(W, "W") ** 2))
    # END SOLUTION


def l2_gradient(W, lam):
    """The gradient of l2_penalty: 2 * lam * W, W's shape."""
    # BEGIN SOLUTION: check lam; the derivative of lam * w**2 is 2 lam w
    check_nonnegative(lam, "lam")
    return 2 * lam * as_float_array(W, "W")
    # END SOLUTION


# %% [markdown]
# ## 3. Early stopping
# Count as Keras's `EarlyStopping(patience=..., min_delta=0)` does. With
# validation losses 1.0, 0.8, 0.9, 0.85, 0.7 and patience 2, epochs 2 and 3
# bring no new best, so training stops after epoch 3 and keeps epoch 1.

# %%
def early_stopping_epoch(val_losses, patience):
    """Where early stopping on the validation loss stops, and the epoch it keeps.

    The convention of keras.callbacks.EarlyStopping(monitor="val_loss",
    patience=patience, min_delta=0): after each epoch, a loss strictly below
    the best so far is a new best (a tie is not); every other epoch adds one
    to a counter that a new best resets to 0. Training stops after the first
    epoch at which the counter reaches `patience`, so with patience p it
    stops p epochs after the best one, unless a new best comes first. If
    that never happens, training runs to the last epoch.

    Inputs:
    - val_losses: the validation loss after each epoch, shape (epochs,), epochs >= 1.
    - patience: an integer >= 0.
    Returns:
    - (stop_epoch, best_epoch), 0-based: the last epoch trained, and the
      epoch of the lowest loss up to then (the first, on ties): the weights
      EarlyStopping(restore_best_weights=True) would restore.
    """
    # BEGIN SOLUTION: check val_losses (1-D, not empty) and patience (an integer >= 0); walk the epochs keeping the best and the count since it
    losses = as_float_array(val_losses, "val_losses")
    if losses.ndim != 1 or losses.size == 0:
        raise ValueError(f"val_losses must be a non-empty 1-D array, got shape {losses.shape}")
    check_count(patience, "patience", minimum=0)
    best_epoch, waited = 0, 0
    for epoch in range(1, losses.size):
        if losses[epoch] < losses[best_epoch]:
            best_epoch, waited = epoch, 0
        else:
            waited += 1
            if waited >= patience:
                return epoch, best_epoch
    return losses.size - 1, best_epoch
    # END SOLUTION


# %% [markdown]
# ## 4. Batch normalization
# Forward: standardize each column with the batch's mean and variance, then
# scale by gamma and shift by beta. Backward: the mean and the variance
# depend on every row, so dx has three terms. Check yours against a
# numerical gradient before you trust it.

# %%
def batch_norm_forward(x, gamma, beta, eps=1e-5):
    """Batch normalization of a batch, in training mode.

    Inputs:
    - x: a batch, shape (n, d), n >= 1.
    - gamma, beta: scale and shift, shape (d,).
    - eps: added to the variance, > 0.
    Returns:
    - (y, cache): y = gamma * x_hat + beta of shape (n, d), where
      x_hat = (x - mean) / sqrt(var + eps) with the mean and the (biased)
      variance of each column over the batch; cache holds what
      batch_norm_backward needs.
    """
    # BEGIN SOLUTION: check the shapes (ValueError naming x, gamma or beta) and eps; standardize each column; keep x_hat, gamma and 1 / sqrt(var + eps) in the cache
    x = as_float_array(x, "x")
    if x.ndim != 2 or x.shape[0] == 0:
        raise ValueError(f"x must be a non-empty batch of shape (n, d), got {x.shape}")
    gamma, beta = as_float_array(gamma, "gamma"), as_float_array(beta, "beta")
    for name, value in (("gamma", gamma), ("beta", beta)):
        if value.shape != (x.shape[1],):
            raise ValueError(f"{name} must have shape ({x.shape[1]},) to match x, got {value.shape}")
    check_positive(eps, "eps")
    inv_std = 1.0 / np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std)
    # END SOLUTION


def batch_norm_backward(dy, cache):
    """The backward pass of batch_norm_forward.

    Inputs:
    - dy: the loss's gradient with respect to y, shape (n, d).
    - cache: what batch_norm_forward returned with y.
    Returns:
    - (dx, dgamma, dbeta): shapes (n, d), (d,) and (d,).
    """
    # BEGIN SOLUTION: check dy's shape; dbeta and dgamma sum over the batch; dx sums three paths: through x_hat directly, through the batch mean and through the batch variance
    x_hat, gamma, inv_std = cache
    dy = as_float_array(dy, "dy")
    if dy.shape != x_hat.shape:
        raise ValueError(f"dy must have the shape of the forward pass's x, {x_hat.shape}, got {dy.shape}")
    n = dy.shape[0]
    dx_hat = dy * gamma
    dx = inv_std / n * (n * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, (dy * x_hat).sum(axis=0), dy.sum(axis=0)
    # END SOLUTION


# %% [markdown]
# ## 5. Initialization
# Each initializer returns a weight matrix of shape (n_in, n_out). The
# Gaussian ones differ only in their standard deviation.

# %%
def _gaussian_weights(n_in, n_out, rng, std):
    """Weights drawn from N(0, std**2), shape (n_in, n_out); checks n_in, n_out (integers >= 1) and rng."""
    # BEGIN SOLUTION: check n_in and n_out (check_count), then _as_generator(rng).normal
    check_count(n_in, "n_in", minimum=1)
    check_count(n_out, "n_out", minimum=1)
    return _as_generator(rng).normal(0.0, std, size=(n_in, n_out))
    # END SOLUTION


def zeros_init(n_in, n_out, rng=None):
    """All-zero weights, shape (n_in, n_out) (rng is not used: nothing is random)."""
    # BEGIN SOLUTION: check n_in and n_out, then np.zeros
    check_count(n_in, "n_in", minimum=1)
    check_count(n_out, "n_out", minimum=1)
    return np.zeros((n_in, n_out))
    # END SOLUTION


def random_normal_init(n_in, n_out, rng, std=0.01):
    """Small Gaussian weights: N(0, std**2), shape (n_in, n_out)."""
    # BEGIN SOLUTION: check std (> 0); _gaussian_weights with it
    check_positive(std, "std")
    return _gaussian_weights(n_in, n_out, rng, std)
    # END SOLUTION


def xavier_init(n_in, n_out, rng):
    """Xavier (Glorot) initialization, the slides' Gaussian form: std = sqrt(2 / (n_in + n_out))."""
    # BEGIN SOLUTION: the fan-in and fan-out average: std = sqrt(2 / (n_in + n_out))
    check_count(n_in, "n_in", minimum=1)
    check_count(n_out, "n_out", minimum=1)
    return _gaussian_weights(n_in, n_out, rng, np.sqrt(2.0 / (n_in + n_out)))
    # END SOLUTION


def he_init(n_in, n_out, rng):
    """He (Kaiming) initialization for ReLU layers: std = sqrt(2 / n_in)."""
    # BEGIN SOLUTION: the fan-in only: std = sqrt(2 / n_in)
    check_count(n_in, "n_in", minimum=1)
    return _gaussian_weights(n_in, n_out, rng, np.sqrt(2.0 / n_in))
    # END SOLUTION


# %% [markdown]
# ## 6. Gradient clipping
# Clipping by norm keeps the gradient's direction and caps its length;
# clipping by value caps every entry and may change the direction.

# %%
def clip_by_norm(g, max_norm):
    """g rescaled so that its L2 norm (over all entries) is at most max_norm.

    Inputs:
    - g: a gradient, any shape; max_norm: a number > 0.
    Returns:
    - g unchanged if its norm is <= max_norm, else g * max_norm / norm(g).
    """
    # BEGIN SOLUTION: check max_norm; the norm over every entry; rescale only when it is too long
    check_positive(max_norm, "max_norm")
    g = as_float_array(g, "g")
    norm = np.sqrt(np.sum(g ** 2))
    return g * (max_norm / norm) if norm > max_norm else g
    # END SOLUTION


def clip_by_value(g, limit):
    """g with every entry clipped to [-limit, limit]. g: any shape; limit: > 0."""
    # BEGIN SOLUTION: check limit, then np.clip
    check_positive(limit, "limit")
    return np.clip(as_float_array(g, "g"), -limit, limit)
    # END SOLUTION


# %% [markdown]
# ## 7. Input normalization
# z-score and min-max work column by column (feature by feature) over the
# rows; the L2 norm works row by row (example by example). A constant
# column has no spread: it maps to 0 instead of dividing by zero.

# %%
def zscore_normalize(X):
    """Each column minus its mean, divided by its (population) standard deviation.

    Inputs:
    - X: shape (n, d) or (n,), n >= 1.
    Returns:
    - X's shape: every column with mean 0 and std 1 (constant columns: 0).
    """
    # BEGIN SOLUTION: _as_batch(X); statistics over axis 0; a zero std becomes 1
    X = _as_batch(X)
    std = X.std(axis=0)
    return (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)
    # END SOLUTION


def minmax_normalize(X):
    """Each column mapped linearly onto [0, 1]: (X - min) / (max - min).

    Inputs:
    - X: shape (n, d) or (n,), n >= 1.
    Returns:
    - X's shape: every column from 0 to 1 (constant columns: 0).
    """
    # BEGIN SOLUTION: _as_batch(X); min and max over axis 0; a zero range becomes 1
    X = _as_batch(X)
    low, spread = X.min(axis=0), np.ptp(X, axis=0)
    return (X - low) / np.where(spread > 0, spread, 1.0)
    # END SOLUTION


def l2_normalize(X):
    """Each row (the last axis) divided by its L2 norm.

    Inputs:
    - X: one vector, shape (d,), or a batch, shape (n, d).
    Returns:
    - X's shape: every row of norm 1 (rows of zeros stay zero).
    """
    # BEGIN SOLUTION: _as_batch(X); norms over the last axis (keepdims); a zero norm becomes 1
    X = _as_batch(X)
    norms = np.sqrt(np.sum(X ** 2, axis=-1, keepdims=True))
    return X / np.where(norms > 0, norms, 1.0)
    # END SOLUTION


# %% [markdown]
# ## 8. DropConnect as a Keras layer
# A Keras layer creates its weights in `build(input_shape)` with
# `self.add_weight` and computes its output in `call(inputs, training=False)`
# with `keras.ops`. Keras passes `training=True` inside `fit` and
# `training=False` in `predict` and `evaluate`. Random masks come from
# `keras.random.uniform(shape, seed=self.seed_generator)`, where
# `self.seed_generator = keras.random.SeedGenerator(seed)`: the same seed
# gives the same sequence of masks, and each call draws the next one.
# The kernel has shape (input_dim, units), as in `keras.layers.Dense` and
# in `dropconnect` above: the layer computes `inputs @ kernel + bias`.
#
# Check the arguments in `__init__` as Keras does, with `labkit.keras_checks`:
# `check_int("units", units, low=1)` and `check_real("rate", rate,
# high=1.0)` return the value, and raise a `TypeError` for a value of the
# wrong type, a `ValueError` ("Received: rate=1.0") for one out of range.
# This layer is the course's `custom_layers.DropConnectDense` without its
# extras (`use_bias`, a mask per example, Dense's initializers,
# regularizers and constraints).

# %%
class DropConnectDense(keras.layers.Layer):
    """A Dense layer with DropConnect: activation(inputs @ (kernel * mask) + bias).

    While training, each weight of the kernel is kept with probability
    1 - rate and scaled by 1 / (1 - rate), with a new mask (one for the
    whole batch) at every call; the bias is never dropped. At inference
    (training=False) the layer is an ordinary Dense layer.

    Args:
        units: the number of outputs, an integer >= 1.
        rate: the probability of dropping each weight, in [0, 1).
        activation: a Keras activation (name or function); None is linear.
        seed: an int seed for the layer's keras.random.SeedGenerator, or None.
        **kwargs: passed on to keras.layers.Layer (name, dtype, ...).
    Weights (get_weights / set_weights order): kernel of shape
    (input_dim, units), then bias of shape (units,), as in keras.layers.Dense.
    Config keys (get_config): the base layer's, plus units, rate,
    activation and seed.
    """

    def __init__(self, units, rate=0.5, activation=None, seed=None, **kwargs):
        # BEGIN SOLUTION: check units (check_int, >= 1), rate (check_real, in [0, 1)) and seed (None, or check_int, >= 0); super().__init__(**kwargs); keep them, keras.activations.get(activation) and a keras.random.SeedGenerator(seed)
        # FROM custom_layers.dropconnect.DropConnectDense.__init__
        super().__init__(**kwargs)
        self.units = check_int("units", units, low=1)
        self.rate = check_real("rate", rate, high=1.0)
        self.activation = keras.activations.get(activation)
        self.seed = seed if seed is None else check_int("seed", seed, low=0)
        self.seed_generator = keras.random.SeedGenerator(seed)
        # END SOLUTION

    def build(self, input_shape):
        """Create the kernel (input_dim, units), Glorot-uniform, and the bias (units,), zeros."""
        # BEGIN SOLUTION: self.kernel, then self.bias, with self.add_weight(name=..., shape=..., initializer=...)
        # FROM custom_layers.dropconnect.DropConnectDense.build
        input_dim = input_shape[-1]
        self.kernel = self.add_weight(
            name="kernel",
            shape=(input_dim, self.units),
            initializer="glorot_uniform",
        )
        self.bias = self.add_weight(
            name="bias",
            shape=(self.units,),
            initializer="zeros",
        )
        # END SOLUTION

    def call(self, inputs, training=False):
        """activation(inputs @ kernel + bias), the kernel masked while training."""
        # BEGIN SOLUTION: while training (and rate > 0) mask the kernel as _scaled_keep_mask masks W, with keras.random.uniform and the layer's seed generator; then the Dense formula
        # FROM custom_layers.dropconnect.DropConnectDense.call
        kernel = self.kernel
        if training and self.rate > 0:
            shape = ops.shape(kernel)
            noise = keras.random.uniform(shape, seed=self.seed_generator)
            # uniform[0, 1) >= rate holds with probability exactly 1 - rate.
            keep = ops.greater_equal(noise, self.rate)
            kernel = ops.where(keep, ops.divide(kernel, 1.0 - self.rate), 0.0)
        outputs = ops.matmul(inputs, kernel)
        if self.bias is not None:
            outputs = ops.add(outputs, self.bias)
        return self.activation(outputs)
        # END SOLUTION

    def get_config(self):
        """The base layer's config plus units, rate, activation and seed."""
        # BEGIN SOLUTION: super().get_config() plus the arguments; serialize the activation with keras.activations.serialize
        # FROM custom_layers.dropconnect.DropConnectDense.get_config
        config = super().get_config()
        config.update(
            units=self.units,
            rate=self.rate,
            activation=keras.activations.serialize(self.activation),
            seed=self.seed,
        )
        return config
        # END SOLUTION


# %% [markdown]
# ## 9. The regularizers side by side
# A small MLP (64 -> 64 ReLU -> 10 softmax, He-initialized) learns the 8x8
# digits from only 100 examples, four ways. Dropout and DropConnect are
# written out here with the mask from `_scaled_keep_mask`, because the
# backward pass needs it: dropout(h) is h * mask, DropConnect multiplies
# the weights W1 by a mask instead.

# %%
STUDY = {"epochs": 300, "hidden": 64, "lr": 0.2, "batch_size": 20, "n_train": 100, "n_val": 500}
METHODS = {  # name -> settings of study_curves
    "none": {},
    "dropout 0.2": {"dropout": 0.2},
    "DropConnect 0.2": {"dropconnect": 0.2},
    "L2 (lam 3e-3)": {"l2": 3e-3},
}
PATIENCE = 20


def study_data(seed=0):
    """A small training set and a validation set from scikit-learn's bundled digits.

    Returns:
    - (X_train, y_train, X_val, y_val): pixels standardized with the training
      set's statistics, labels as integers.
    """
    from sklearn.datasets import load_digits  # only the figure needs scikit-learn

    digits = load_digits()
    order = np.random.default_rng(seed).permutation(len(digits.target))
    train, val = order[:STUDY["n_train"]], order[STUDY["n_train"]:STUDY["n_train"] + STUDY["n_val"]]
    mean, std = digits.data[train].mean(axis=0), digits.data[train].std(axis=0)
    std[std == 0] = 1.0  # pixels that are always blank in the training set
    return ((digits.data[train] - mean) / std, digits.target[train],
            (digits.data[val] - mean) / std, digits.target[val])


def _cross_entropy(scores, y):
    """Mean softmax cross-entropy of integer labels y, and its gradient with respect to the scores."""
    scores = scores - scores.max(axis=1, keepdims=True)
    p = np.exp(scores)
    p /= p.sum(axis=1, keepdims=True)
    rows = np.arange(len(y))
    d_scores = p.copy()
    d_scores[rows, y] -= 1
    return -np.mean(np.log(p[rows, y] + 1e-12)), d_scores / len(y)


def study_curves(dropout=0.0, dropconnect=0.0, l2=0.0, seed=0):
    """Train the study's MLP with one regularizer; return its learning curves.

    Inputs:
    - dropout: drop rate of the hidden units; dropconnect: drop rate of the
      first layer's weights; l2: the L2 strength on both weight matrices.
    Returns:
    - (train_loss, val_loss, val_accuracy), each of shape (epochs,): the
      cross-entropy (without the penalty) and the validation accuracy after
      each epoch, measured with nothing dropped.
    """
    X, y, X_val, y_val = study_data(seed)
    rng = np.random.default_rng(seed)
    hidden, lr, size = STUDY["hidden"], STUDY["lr"], STUDY["batch_size"]
    W1, b1 = he_init(X.shape[1], hidden, rng), np.zeros(hidden)
    W2, b2 = he_init(hidden, 10, rng), np.zeros(10)

    def scores(X):
        return np.maximum(X @ W1 + b1, 0) @ W2 + b2

    curves = []
    for _ in range(STUDY["epochs"]):
        order = rng.permutation(len(X))
        for start in range(0, len(X), size):
            xb, yb = X[order[start:start + size]], y[order[start:start + size]]
            connection_mask = _scaled_keep_mask(W1.shape, dropconnect, rng) if dropconnect else 1.0
            pre = xb @ (W1 * connection_mask) + b1
            unit_mask = _scaled_keep_mask(pre.shape, dropout, rng) if dropout else 1.0
            h = np.maximum(pre, 0) * unit_mask
            _, d_scores = _cross_entropy(h @ W2 + b2, yb)
            d_pre = (d_scores @ W2.T) * unit_mask * (pre > 0)
            dW2 = h.T @ d_scores + l2_gradient(W2, l2)
            dW1 = (xb.T @ d_pre) * connection_mask + l2_gradient(W1, l2)
            W1, b1 = W1 - lr * dW1, b1 - lr * d_pre.sum(axis=0)
            W2, b2 = W2 - lr * dW2, b2 - lr * d_scores.sum(axis=0)
        val_scores = scores(X_val)
        curves.append((_cross_entropy(scores(X), y)[0], _cross_entropy(val_scores, y_val)[0],
                       np.mean(val_scores.argmax(axis=1) == y_val)))
    return tuple(np.array(curve) for curve in zip(*curves))


def plot_regularization_study():
    """Learning curves of the study's MLP for each regularizer, and where early stopping stops.

    Returns:
    - a matplotlib Figure with three panels: training loss, validation loss,
      validation accuracy.
    """
    figure = Figure(figsize=(13, 4), layout="constrained")
    panels = figure.subplots(1, 3, sharex=True)
    epochs = np.arange(STUDY["epochs"])
    for index, (name, settings) in enumerate(METHODS.items()):
        curves = study_curves(**settings)
        for axes, curve in zip(panels, curves):
            axes.plot(epochs, curve, color=f"C{index}", linewidth=1, label=name)
        if name == "none":
            _, val_loss, val_accuracy = curves
            stop, best = early_stopping_epoch(val_loss, PATIENCE)
            for axes in panels:
                axes.axvline(stop, color="k", linestyle=":", linewidth=1)
            panels[1].plot(best, val_loss[best], "k*", markersize=10,
                           label=f"early stopping (patience {PATIENCE}):\nstops after epoch {stop}, keeps {best}")
            panels[2].plot(best, val_accuracy[best], "k*", markersize=10)
    n_train, n_val = STUDY["n_train"], STUDY["n_val"]
    panels[0].set(xlabel="epoch", ylabel="cross-entropy", yscale="log", title=f"Training loss ({n_train} digits)")
    panels[1].set(xlabel="epoch", ylabel="cross-entropy", title=f"Validation loss ({n_val} other digits)")
    panels[2].set(xlabel="epoch", ylabel="accuracy", title="Validation accuracy")
    panels[1].legend(fontsize=8)
    return figure


def save_figures(folder):
    """Write this lab's figures as PNG files into `folder`; return their paths."""
    return save_pngs(folder, {"regularization_study": plot_regularization_study})
