"""Lab 1: gradient descent and the sigmoid neuron.

A neuron adds up its weighted inputs, net = x @ w + b, and squashes the sum
with the sigmoid, out = 1 / (1 + exp(-net)), a smooth step from 0 to 1. To
learn, it needs to know how its error E changes when one weight changes:
the chain rule splits that into three small factors,

    dE/dw = dE/dout * dout/dnet * dnet/dw
          = (out - target) * out * (1 - out) * x      (for E = 1/2 (target - out)^2)

and gradient descent then moves each weight a small step downhill,
w <- w - lr * dE/dw. Repeat, and the error shrinks.

Where the slides say otherwise:
- Deck 000 writes the rule X = X - lr * d/dX f(X) and calls X the "input".
  X is the parameter being learned (a weight); the inputs are the data and
  stay fixed while the weights move. The same slide calls F(X) the "output
  based on X": it is the cost being minimised (the error E as a function of
  the weight), not the neuron's output. Descending the output itself would
  just push the neuron's answer down, whatever the target.
- Deck 004 says the human brain has "nearly 10 billion neurons". Current
  estimates are about 86 billion (Azevedo et al., 2009); about 16 billion of
  them are in the cortex.
- Deck 002 says training moves "down toward the gradient". It moves
  against it: the gradient points uphill, so w - lr * dE/dw goes down.

What to look for:
- The factor out * (1 - out) is at most 1/4 and nearly 0 when the neuron is
  saturated (out near 0 or 1): a confident, wrong neuron learns slowly with
  the squared error. With the cross-entropy loss that factor cancels and the
  gradient is simply (out - target) * x.
- Batch, stochastic and mini-batch gradient descent differ only in how many
  examples feed each step: all of them, one, or a few. Smaller batches take
  more, noisier steps per pass over the data (an epoch).
- A formula is only trusted once it matches an independent route: the
  slides' worked numbers, or a numerical gradient (lab 2 sets the bar for
  every lab: a relative error below 1e-7).

Shapes: one example x has shape (d,); a batch X has shape (n, d), one example
per row. Weights w have shape (d,); the bias b is a number.
"""


import numpy as np

from labkit import as_float_array, check_count, check_nonnegative, save_pngs

LOSSES = ("mse", "cross_entropy")


# %% [markdown]
# ## Checking the arguments
# Bad input should fail early, with a `ValueError` that names the argument.
# These checks come from `labkit`, which every lab shares; call them where
# the exercises say so.

# %%
def _check_inputs(x, w, b):
    """x, w and b as arrays; x's last axis must match w."""
    x, w, b = as_float_array(x, "x"), as_float_array(w, "w"), as_float_array(b, "b")
    if w.ndim != 1:
        raise ValueError(f"w must be a 1-D array of weights, got shape {w.shape}")
    if x.ndim not in (1, 2) or x.shape[-1] != w.shape[0]:
        raise ValueError(f"x must have shape ({w.shape[0]},) or (n, {w.shape[0]}) to match w, got {x.shape}")
    if b.ndim != 0:
        raise ValueError(f"b must be a single number, got shape {b.shape}")
    return x, w, b


def _check_target(target, x):
    """target as an array: a number for one example x, shape (n,) for a batch."""
    target = as_float_array(target, "target")
    expected = () if x.ndim == 1 else (x.shape[0],)
    if target.shape != expected:
        raise ValueError(f"target must have shape {expected} to match x, got {target.shape}")
    return target


# %% [markdown]
# ## 1. The sigmoid
# The textbook formula `1 / (1 + exp(-z))` overflows for very negative `z`:
# `exp(1e4)` is infinite. Rewrite it so that `exp` only ever sees numbers <= 0.

# %%
def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)), elementwise, without overflow.

    Inputs:
    - z: a number or an array of any shape.
    Returns:
    - an array of z's shape (a float for a number), each value in [0, 1].
    """
    z = np.asarray(z, dtype=float)
    # BEGIN SOLUTION: exp(-z) overflows for z < -709; compute with exp(-|z|) and pick the form by sign
    # exp(-|z|) lies in (0, 1], so neither branch can overflow.
    e = np.exp(-np.abs(z))
    out = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    # END SOLUTION
    return out[()]


# %% [markdown]
# ## 2. Gradient descent
# Start somewhere, step against the gradient, record where you went. On the
# quadratic f(x) = a x^2 / 2 every step multiplies x by (1 - lr a): it
# converges when that factor lies between -1 and 1, that is lr < 2 / a.

# %%
def gradient_descent(grad_fn, x0, lr, steps):
    """Run gradient descent from x0 and record every point visited.

    Inputs:
    - grad_fn: function taking a point (x0's shape) and returning the gradient there.
    - x0: the starting point, a number or an array.
    - lr: the learning rate, >= 0.
    - steps: the number of updates, an integer >= 0.
    Returns:
    - trajectory: array of shape (steps + 1, *np.shape(x0)); row k is the point
      after k updates, x[k + 1] = x[k] - lr * grad_fn(x[k]).
    """
    # BEGIN SOLUTION: check lr and steps (ValueError naming them), then fill a (steps + 1, *x.shape) array
    x = as_float_array(x0, "x0")
    check_nonnegative(lr, "lr")
    check_count(steps, "steps", minimum=0)
    trajectory = np.empty((steps + 1, *x.shape))
    trajectory[0] = x
    for k in range(steps):
        trajectory[k + 1] = trajectory[k] - lr * np.asarray(grad_fn(trajectory[k].copy()), dtype=float)
    # END SOLUTION
    return trajectory


# %% [markdown]
# ## 3. The neuron and its error
# Check your functions against the slides' OR gate: input (0, 1), weights
# 0.2 and 0.3, bias 0.5 give net 0.8, output 0.68997 and error 0.0480579.
# Deck 000 prints 0.048059: it rounded the output to 0.68997 before squaring
# (1/2 * 0.31003**2 = 0.0480593). Round the answer, never the intermediates.

# %%
def neuron_output(x, w, b):
    """The sigmoid neuron's output, sigmoid(x @ w + b).

    Inputs:
    - x: one example, shape (d,), or a batch, shape (n, d).
    - w: weights, shape (d,).
    - b: bias, a number.
    Returns:
    - a float for one example, an array of shape (n,) for a batch.
    """
    # BEGIN SOLUTION: check the shapes with _check_inputs, then sigmoid of the weighted sum plus the bias
    x, w, b = _check_inputs(x, w, b)
    return sigmoid(x @ w + b)
    # END SOLUTION


def squared_error(target, output):
    """The squared error E = sum(1/2 * (target - output)**2).

    Inputs:
    - target, output: numbers or arrays of the same shape.
    Returns:
    - E, a float.
    """
    # BEGIN SOLUTION: check that the shapes match (ValueError), then sum half the squared differences
    target, output = as_float_array(target, "target"), as_float_array(output, "output")
    if target.shape != output.shape:
        raise ValueError(f"target and output must have the same shape, got {target.shape} and {output.shape}")
    return float(np.sum(0.5 * (target - output) ** 2))
    # END SOLUTION


# %% [markdown]
# ## 4. Gradients by the chain rule
# Both losses give dL/dnet (call it delta) first; dnet/dw = x and dnet/db = 1
# finish the job. The slides' OR gate gives dE/dw2 = -0.066317 (deck 000
# prints -0.06631, truncated: -0.066317 rounds to -0.06632, and so does
# -0.0663185, the product of the rounded -0.31003 and 0.21391).
#
# Deck 004's appendix A trains one such neuron: x = (0.1, 0.3), w = (0.5, 0.2),
# b = 1.83, target 0.03, lr 0.01: net 1.94, output 0.874352, dE/dout 0.844352,
# dout/dnet 0.109860, so dE/dw = (0.0093, 0.0278) (0.009276, 0.027828). The
# slides print dE/dW1 as 0.01 (it is 0.0093) and dE/dW2 as 0.03, yet update
# W2 with 0.028: 0.2 - 0.01 * 0.028 = 0.19972. Neither printed figure is the
# one to use: with the unrounded gradients the new weights are 0.49990724 and
# 0.19972172.
#
# Deck 000 then updates w2 "from w2 = 1": 1 - 0.05 * (-0.06631) = 1.0033155
# is right arithmetic on the wrong start. w2 was 0.3, so with lr 0.05 the new
# weight is 0.3 - 0.05 * (-0.066317) = 0.303316.
#
# Deck 003 once writes the cross-entropy as y ln(y_hat) - (1 - y) ln(1 - y_hat),
# without the leading minus. For y = 1 that is ln(y_hat), which falls as
# y_hat falls: minimizing it would push the answer to 0. The loss is
# -y ln(y_hat) - (1 - y) ln(1 - y_hat), as cross_entropy_gradients says.

# %%
def _gradients_from_delta(x, delta):
    """dL/dw and dL/db from delta = dL/dnet, summed over the examples.

    Inputs:
    - x: shape (d,) or (n, d).
    - delta: a number, or shape (n,) for a batch.
    Returns:
    - (dL/dw of shape (d,), dL/db as a float)
    """
    # BEGIN SOLUTION: dnet/dw = x and dnet/db = 1; for a batch, sum over the rows
    delta = np.atleast_1d(delta)
    return np.atleast_2d(x).T @ delta, float(np.sum(delta))
    # END SOLUTION


def squared_error_gradients(x, w, b, target):
    """Gradients of E = 1/2 (target - out)^2 for a sigmoid neuron.

    Inputs:
    - x: one example, shape (d,), or a batch, shape (n, d).
    - w: weights, shape (d,); b: bias, a number.
    - target: a number for one example, shape (n,) for a batch.
    Returns:
    - (dE/dw, dE/db): shape (d,) and a float, summed over the batch.
      dE/dw = (out - target) * out * (1 - out) * x.
    """
    # BEGIN SOLUTION: dE/dnet = dE/dout * dout/dnet = (out - target) * out * (1 - out)
    x, w, b = _check_inputs(x, w, b)
    target = _check_target(target, x)
    out = neuron_output(x, w, b)
    return _gradients_from_delta(x, (out - target) * out * (1 - out))
    # END SOLUTION


def cross_entropy_gradients(x, w, b, target):
    """Gradients of the binary cross-entropy for a sigmoid neuron.

    L = -(y log(y_hat) + (1 - y) log(1 - y_hat)) with y_hat = out.

    Inputs:
    - x: one example, shape (d,), or a batch, shape (n, d).
    - w: weights, shape (d,); b: bias, a number.
    - target: y, a number in [0, 1] for one example, shape (n,) for a batch.
    Returns:
    - (dL/dw, dL/db): shape (d,) and a float, summed over the batch:
      -(y - y_hat) * x and -(y - y_hat), that is (y_hat - y) * x and y_hat - y.
    """
    # BEGIN SOLUTION: the sigmoid's derivative cancels: dL/dnet = y_hat - y
    x, w, b = _check_inputs(x, w, b)
    target = _check_target(target, x)
    return _gradients_from_delta(x, neuron_output(x, w, b) - target)
    # END SOLUTION


# %% [markdown]
# ## 5. Training: batch, stochastic and mini-batch
# One epoch is one pass over the data. Batch gradient descent takes one
# step per epoch with the average gradient, stochastic one step per
# example, mini-batch one per batch of k examples.
#
# Deck 004 calls (batch) GD "well suited for large datasets where computing
# the full gradient is impractical". That is SGD's strength (and mini-batch's):
# batch GD reads all n examples for every single step.
#
# Deck 004 also says a loss "should be convex" and that MSE is "robust to
# outliers". Neither holds. Through a sigmoid the squared error is not convex
# in w (for x = 1, t = 1 its curvature turns negative where out < 1/3) while
# one neuron's cross-entropy is; once there is a hidden layer no loss is
# convex in the weights, and training works anyway: differentiability is what
# gradient descent needs. And MSE squares each residual, so one outlier
# dominates it: it is the least robust to outliers, not the most.

# %%
def mean_loss(X, y, w, b, loss):
    """The loss per example, averaged over the data set.

    Inputs:
    - X: shape (n, d); y: targets, shape (n,); w: shape (d,); b: a number.
    - loss: "mse" (1/2 (y - out)^2) or "cross_entropy".
    Returns:
    - a float.
    """
    out = neuron_output(X, w, b)
    if loss == "mse":
        return squared_error(y, out) / len(y)
    # Clip so that a saturated neuron gives a large, finite loss instead of inf.
    out = np.clip(out, 1e-12, 1 - 1e-12)
    return float(-np.mean(y * np.log(out) + (1 - y) * np.log(1 - out)))


def train_neuron(X, y, lr, epochs, batch_size=None, loss="mse", seed=0):
    """Train a sigmoid neuron by gradient descent, starting from zero weights.

    Each step uses the mean gradient over its batch. batch_size=None is batch
    gradient descent (one step per epoch), 1 is stochastic gradient descent
    (n steps), and k is mini-batch (ceil(n / k) steps, the last batch maybe
    smaller). The examples are shuffled every epoch by a generator seeded
    with `seed`, so the same call always gives the same result.

    Inputs:
    - X: shape (n, d); y: targets in [0, 1], shape (n,).
    - lr: learning rate, >= 0; epochs: passes over the data, an integer >= 0.
    - batch_size: None, or an integer >= 1.
    - loss: "mse" or "cross_entropy".
    - seed: the shuffling seed.
    Returns:
    - (w, b, losses): weights of shape (d,), the bias as a float, and the mean
      loss over the whole data set after each epoch, shape (epochs,).
    """
    # BEGIN SOLUTION: check every argument (ValueError naming it), then train
    X = as_float_array(X, "X")
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"X must be a non-empty 2-D array (n, d), got shape {X.shape}")
    y = _check_target(y, X)
    check_nonnegative(lr, "lr")
    check_count(epochs, "epochs", minimum=0)
    if batch_size is not None:
        check_count(batch_size, "batch_size", minimum=1)
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
    # END SOLUTION
    gradients = squared_error_gradients if loss == "mse" else cross_entropy_gradients
    n = X.shape[0]
    size = n if batch_size is None else min(batch_size, n)
    rng = np.random.default_rng(seed)
    w, b = np.zeros(X.shape[1]), 0.0
    losses = np.empty(epochs)
    # BEGIN SOLUTION: per epoch: shuffle, then one step per batch with the batch's mean gradient
    for epoch in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, size):
            batch = order[start:start + size]
            dw, db = gradients(X[batch], w, b, y[batch])
            w = w - lr * dw / len(batch)
            b = b - lr * db / len(batch)
        losses[epoch] = mean_loss(X, y, w, b, loss)
    # END SOLUTION
    return w, float(b), losses


# %% [markdown]
# ## 6. What the batch size changes
# The same neuron trained on two noisy half-moons with the
# three kinds of gradient descent: smaller batches take more steps per epoch
# and so fall faster per epoch, at the price of noisier steps.

# %%
def moons_data(n=200, seed=0):
    """A small two-class problem: two noisy half-moons, standardized.

    Returns:
    - (X, y): shape (n, 2) and (n,), labels 0 or 1.
    """
    from sklearn.datasets import make_moons  # only the figures need scikit-learn

    X, y = make_moons(n_samples=n, noise=0.2, random_state=seed)
    return (X - X.mean(axis=0)) / X.std(axis=0), y.astype(float)


def plot_training_curves(epochs=30, lr=0.5, seed=0):
    """Mean cross-entropy per epoch for batch, mini-batch (16) and stochastic descent.

    Returns:
    - a matplotlib Figure.
    """
    from matplotlib.figure import Figure  # here, not at the top: grading never pays for it

    X, y = moons_data(seed=seed)
    figure = Figure(figsize=(6, 4))
    axes = figure.add_subplot()
    for label, batch_size in (("batch", None), ("mini-batch of 16", 16), ("stochastic", 1)):
        _, _, losses = train_neuron(X, y, lr, epochs, batch_size=batch_size, loss="cross_entropy", seed=seed)
        axes.plot(np.arange(1, epochs + 1), losses, label=label)
    axes.set(xlabel="epoch", ylabel="mean cross-entropy", title="One sigmoid neuron on two moons")
    axes.legend()
    return figure


def save_figures(folder):
    """Write this lab's figures as PNG files into `folder`; return their paths."""
    return save_pngs(folder, {"training_curves": plot_training_curves})
