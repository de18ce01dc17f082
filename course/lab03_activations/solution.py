"""Lab 3: activation functions and their derivatives.

A neuron's activation function f turns its weighted sum z into its output
f(z). Without it, a stack of layers is one big linear map: W2 (W1 x) is just
(W2 W1) x, however deep the stack. The non-linearity is what lets depth
draw curved decision boundaries.

Training needs more than f: backpropagation multiplies the error signal by
f'(z) at every layer it passes through on its way back to the input,

    dL/dz_l = (dL/dz_{l+1} @ W_{l+1}^T) * f'(z_l),

so the derivative decides how much of the signal survives.

- step: 1 for z >= 0, else 0. The original perceptron's unit; its derivative
  is 0 wherever it exists, so gradient descent gets no signal at all.
- sigmoid s(z) = 1 / (1 + e^-z) and tanh: smooth steps. s' = s (1 - s) is at
  most 1/4, tanh' = 1 - tanh^2 is at most 1, and both vanish when the unit
  saturates (|z| large).
- relu max(0, z): derivative exactly 1 for z > 0, so the signal passes
  unchanged through active units; 0 for z < 0 (a "dead" unit learns nothing).
- leaky_relu (alpha z below 0) and elu (alpha (e^z - 1) below 0) keep a small
  slope for negative inputs, so no unit dies completely.
- softplus log(1 + e^z): a smooth relu whose derivative is the sigmoid.
- softmax(z)_i = e^{z_i} / sum_j e^{z_j}: turns a vector of scores into
  probabilities. Its Jacobian is diag(s) - s s^T.

Kinks. relu, leaky_relu and step have no derivative at 0; code still has to
return a number there. This course uses: step(0) = 1; at z = 0 the
derivatives of step and relu are 0, of leaky_relu 1.

Where the slides say otherwise:
- Deck 004's table of activations gives three wrong ranges. softplus
  log(1 + e^x) takes every value in (0, inf), not (0, 1) (that is its
  derivative's range); leaky_relu is unbounded both ways, (-inf, inf), not
  (-1, 1); elu with alpha > 0 takes (-alpha, inf), not [0, inf): below 0 it
  is alpha (e^x - 1), which tends to -alpha.
- Deck 003 defines the step with overlapping cases, 0 if x > 0 and 1 if
  x >= 0, which gives x > 0 both values. The step is 0 for x < 0 and 1 for
  x >= 0, as deck 004's table has it.
- Deck 003 says that for the sigmoid "small input values give very small
  gradients". It is the other way round: s'(0) = 1/4 is the largest the
  derivative gets; large |z| saturates the unit and makes s'(z) tiny
  (s'(10) = 4.5e-5). The slide's next lines say so.
- Deck 003's sigmoid slide says its "output is in range [0,1]". The range
  is open, (0, 1): 1 / (1 + e^-z) is never exactly 0 or 1 for a finite z.
  (In floating point it rounds to 1.0 from about z = 37 on, which is why
  log(1 - sigmoid(z)) needs care.)

Numerical care. e^z overflows for z above about 709: softmax subtracts the
row's maximum first (softmax(z) = softmax(z - c) for any c), and softplus and
the sigmoid are rewritten with e^-|z|, which never exceeds 1. Beware
np.where(cond, a, b): it evaluates both a and b everywhere.

What to look for:
- The figure of the derivatives: which ones are ever larger than 1/4, and
  where each one is zero.
- The vanishing gradient: in a deep sigmoid network every layer multiplies
  the backward signal by at most 1/4, so the first layers' gradients are
  orders of magnitude smaller than the last layers'; with relu they are not.

Shapes: every activation and derivative works elementwise on a number or an
array of any shape and returns the same shape (a float for a number).
"""

import numbers

import numpy as np
from matplotlib.figure import Figure

from labkit import as_float_array, check_count, check_nonnegative, save_pngs

BATCH = 64  # examples in the batch whose loss gradient_norms_by_depth differentiates


# %% [markdown]
# ## Checking the arguments
# Bad input should fail early, with a `ValueError` that names the argument.
# These checks come from `labkit`, which every lab shares; call them where
# the exercises say so.

# %% [markdown]
# ## 1. The activation functions
# Each takes a number or an array and works elementwise: use NumPy's
# elementwise operations (`np.where`, `np.maximum`, `np.exp`), not `math` or
# Python's `max`, and turn a 0-d result back into a number with `out[()]`.

# %%
def linear(x):
    """The identity, f(x) = x: what a layer without an activation computes.

    Inputs:
    - x: a number or an array of any shape.
    Returns:
    - x as floats, same shape (a float for a number).
    """
    # BEGIN SOLUTION: out = x as a float array, checked: as_float_array(x, "x", finite=False)
    out = as_float_array(x, "x", finite=False)
    # END SOLUTION
    return out[()]


def step(x):
    """The Heaviside step: 1 where x >= 0, else 0.

    Inputs:
    - x: a number or an array of any shape.
    Returns:
    - 0.0 / 1.0 values of x's shape (a float for a number); step(0) = 1.
    """
    # BEGIN SOLUTION: x = as_float_array(x, "x", finite=False); out = 1.0 where x >= 0, else 0.0 (np.where)
    x = as_float_array(x, "x", finite=False)
    out = np.where(x >= 0, 1.0, 0.0)
    # END SOLUTION
    return out[()]


def sigmoid(x):
    """The logistic function 1 / (1 + e^-x), without overflow for any x.

    Inputs:
    - x: a number or an array of any shape.
    Returns:
    - values in [0, 1] of x's shape (a float for a number).
    """
    # BEGIN SOLUTION: as in lab 1, out without overflow: e = exp(-|x|) never exceeds 1; 1 / (1 + e) for x >= 0, e / (1 + e) below
    x = as_float_array(x, "x", finite=False)
    e = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    # END SOLUTION
    return out[()]


def tanh(x):
    """The hyperbolic tangent (e^x - e^-x) / (e^x + e^-x) = 2 sigmoid(2x) - 1.

    Inputs:
    - x: a number or an array of any shape.
    Returns:
    - values in [-1, 1] of x's shape (a float for a number).
    """
    # BEGIN SOLUTION: out = np.tanh of the checked x (as_float_array(x, "x", finite=False))
    out = np.tanh(as_float_array(x, "x", finite=False))
    # END SOLUTION
    return out[()]


def relu(x):
    """The rectified linear unit max(0, x).

    Inputs:
    - x: a number or an array of any shape.
    Returns:
    - values >= 0 of x's shape (a float for a number).
    """
    # BEGIN SOLUTION: out = np.maximum(checked x, 0.0): elementwise, unlike Python's max
    out = np.maximum(as_float_array(x, "x", finite=False), 0.0)
    # END SOLUTION
    return out[()]


def leaky_relu(x, alpha=0.01):
    """x for x >= 0, alpha * x below: a relu with a small slope for negative inputs.

    Inputs:
    - x: a number or an array of any shape.
    - alpha: the slope below 0, a number >= 0.
    Returns:
    - an array of x's shape (a float for a number).
    """
    # BEGIN SOLUTION: check x and alpha (check_nonnegative(alpha, "alpha")); out = x where x >= 0, alpha * x below (np.where)
    x = as_float_array(x, "x", finite=False)
    check_nonnegative(alpha, "alpha")
    out = np.where(x >= 0, x, alpha * x)
    # END SOLUTION
    return out[()]


def elu(x, alpha=1.0):
    """The exponential linear unit: x for x > 0, alpha * (e^x - 1) below.

    Inputs:
    - x: a number or an array of any shape.
    - alpha: the value approached as x -> -inf is -alpha; a number >= 0.
    Returns:
    - an array of x's shape (a float for a number).
    """
    # BEGIN SOLUTION: check x and alpha; out = x above 0, alpha * (e^x - 1) below; np.where computes both branches everywhere, so exponentiate min(x, 0)
    x = as_float_array(x, "x", finite=False)
    check_nonnegative(alpha, "alpha")
    # expm1(t) = e^t - 1, accurate for small t; min(x, 0) keeps e^x from overflowing.
    out = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))
    # END SOLUTION
    return out[()]


def softplus(x):
    """log(1 + e^x), a smooth relu, without overflow for any x.

    Inputs:
    - x: a number or an array of any shape.
    Returns:
    - values > 0 of x's shape (a float for a number).
    """
    # BEGIN SOLUTION: out = log(1 + e^x) without overflow: it equals max(x, 0) + log(1 + e^-|x|), and e^-|x| never exceeds 1
    x = as_float_array(x, "x", finite=False)
    out = np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))
    # END SOLUTION
    return out[()]


# %% [markdown]
# ## 2. Their derivatives
# Each derivative takes the activation's input x (not its output) and the
# activation's extra arguments. Check each against a numerical derivative,
# (f(x + h) - f(x - h)) / (2 h), away from the kinks, to the course's bar for
# a correct gradient (lab 2): a relative error below 1e-7. At the kinks follow
# the course's convention (see the lesson).

# %%
def d_linear(x):
    """Derivative of linear: 1 everywhere.

    Inputs:
    - x: a number or an array of any shape.
    Returns:
    - ones of x's shape (a float for a number).
    """
    # BEGIN SOLUTION: out = ones of the checked x's shape (np.ones_like)
    out = np.ones_like(as_float_array(x, "x", finite=False))
    # END SOLUTION
    return out[()]


def d_step(x):
    """Derivative of step: 0 everywhere (taken as 0 at the jump, x = 0, too).

    Inputs:
    - x: a number or an array of any shape.
    Returns:
    - zeros of x's shape (a float for a number).
    """
    # BEGIN SOLUTION: out = zeros of the checked x's shape (np.zeros_like)
    out = np.zeros_like(as_float_array(x, "x", finite=False))
    # END SOLUTION
    return out[()]


def d_sigmoid(x):
    """Derivative of sigmoid: s(x) * (1 - s(x)), at most 1/4 (at x = 0).

    Inputs:
    - x: a number or an array of any shape.
    Returns:
    - an array of x's shape (a float for a number).
    """
    # BEGIN SOLUTION: s = sigmoid(x) (which checks x); out = s * (1 - s) as an array
    s = sigmoid(x)
    out = np.asarray(s * (1.0 - s))
    # END SOLUTION
    return out[()]


def d_tanh(x):
    """Derivative of tanh: 1 - tanh(x)^2, at most 1 (at x = 0).

    Inputs:
    - x: a number or an array of any shape.
    Returns:
    - an array of x's shape (a float for a number).
    """
    # BEGIN SOLUTION: t = tanh(x); out = 1 - t**2 as an array
    out = np.asarray(1.0 - tanh(x) ** 2)
    # END SOLUTION
    return out[()]


def d_relu(x):
    """Derivative of relu: 1 for x > 0, else 0 (0 at the kink x = 0).

    Inputs:
    - x: a number or an array of any shape.
    Returns:
    - 0.0 / 1.0 values of x's shape (a float for a number).
    """
    # BEGIN SOLUTION: x = as_float_array(x, "x", finite=False); out = 1.0 where x > 0 (strictly: 0 at the kink), else 0.0
    x = as_float_array(x, "x", finite=False)
    out = np.where(x > 0, 1.0, 0.0)
    # END SOLUTION
    return out[()]


def d_leaky_relu(x, alpha=0.01):
    """Derivative of leaky_relu: 1 for x >= 0 (1 at the kink), alpha below.

    Inputs:
    - x: a number or an array of any shape.
    - alpha: the slope below 0, a number >= 0.
    Returns:
    - an array of x's shape (a float for a number).
    """
    # BEGIN SOLUTION: check x and alpha; out = 1.0 where x >= 0 (1 at the kink), alpha below
    x = as_float_array(x, "x", finite=False)
    check_nonnegative(alpha, "alpha")
    out = np.where(x >= 0, 1.0, float(alpha))
    # END SOLUTION
    return out[()]


def d_elu(x, alpha=1.0):
    """Derivative of elu: 1 for x > 0, alpha * e^x for x <= 0 (= elu(x) + alpha there).

    Inputs:
    - x: a number or an array of any shape.
    - alpha: as in elu, a number >= 0.
    Returns:
    - an array of x's shape (a float for a number).
    """
    # BEGIN SOLUTION: check x and alpha; out = 1.0 above 0, alpha * e^x below (exponentiate min(x, 0), as in elu)
    x = as_float_array(x, "x", finite=False)
    check_nonnegative(alpha, "alpha")
    out = np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))
    # END SOLUTION
    return out[()]


def d_softplus(x):
    """Derivative of softplus: the sigmoid, e^x / (1 + e^x).

    Inputs:
    - x: a number or an array of any shape.
    Returns:
    - values in [0, 1] of x's shape (a float for a number).
    """
    # BEGIN SOLUTION: out = the derivative of log(1 + e^x), which is the sigmoid (reuse your stable one)
    out = np.asarray(sigmoid(x))
    # END SOLUTION
    return out[()]


# Every activation with its derivative, by name (softmax is not elementwise: see below).
ACTIVATIONS = {
    "linear": (linear, d_linear),
    "step": (step, d_step),
    "sigmoid": (sigmoid, d_sigmoid),
    "tanh": (tanh, d_tanh),
    "relu": (relu, d_relu),
    "leaky_relu": (leaky_relu, d_leaky_relu),
    "elu": (elu, d_elu),
    "softplus": (softplus, d_softplus),
}


# %% [markdown]
# ## 3. Softmax
# Softmax is not elementwise: each output depends on every score along one
# axis, so its derivative is a matrix, the Jacobian. `softmax([1000, 1000])`
# must give `[0.5, 0.5]`, not `nan`.

# %%
def softmax(z, axis=-1):
    """Probabilities e^{z_i} / sum_j e^{z_j} along one axis, stable for large scores.

    Inputs:
    - z: scores, an array with at least one axis, e.g. shape (k,) for one
      example or (n, k) for a batch of n examples (one row each).
    - axis: the axis along which the probabilities sum to 1 (default: the last).
    Returns:
    - an array of z's shape, values in [0, 1], summing to 1 along `axis`.
    """
    # BEGIN SOLUTION: check z (at least one axis, not empty) and axis (ValueError naming them); out = exp(z - its max along axis) / the sum of those along axis (keepdims=True)
    z = as_float_array(z, "z", finite=False)
    if z.ndim == 0 or z.size == 0:
        raise ValueError(f"z must be a non-empty array with at least one axis, got shape {z.shape}")
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral) or not -z.ndim <= axis < z.ndim:
        raise ValueError(f"axis must be an integer in [{-z.ndim}, {z.ndim}) for z of shape {z.shape}, got {axis!r}")
    # softmax(z) = softmax(z - c): with c the maximum, every exponent is <= 0 and e^0 = 1 is the largest term.
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    out = e / np.sum(e, axis=axis, keepdims=True)
    # END SOLUTION
    return out


def softmax_jacobian(z):
    """The Jacobian of softmax at one score vector: J[i, j] = d s_i / d z_j.

    d s_i / d z_j = s_i (delta_ij - s_j), that is J = diag(s) - s s^T with s = softmax(z).

    Inputs:
    - z: one score vector, shape (k,).
    Returns:
    - J, shape (k, k), symmetric; each row sums to 0 (the probabilities always sum to 1).
    """
    # BEGIN SOLUTION: check that z is 1-D (ValueError naming z); with s = softmax(z), return diag(s) - s s^T (np.diag, np.outer)
    z = as_float_array(z, "z", finite=False)
    if z.ndim != 1:
        raise ValueError(f"z must be one score vector of shape (k,), got shape {z.shape}")
    s = softmax(z)
    return np.diag(s) - np.outer(s, s)
    # END SOLUTION


# %% [markdown]
# ## 4. The vanishing gradient
# Backpropagation through a deep network multiplies the error signal by f'(z)
# once per layer. Measure what is left of it at each layer of a fresh
# network: with the sigmoid, the layers next to the input get almost nothing.

# %%
def gradient_norms_by_depth(activation, depth, width, seed):
    """Per-layer norms of the loss gradient of a freshly initialized deep MLP.

    The network has `depth` dense layers of `width` units, each followed by
    the activation f, then a linear read-out v to one output:

        h_0 = X,   z_l = h_{l-1} @ W_l,   h_l = f(z_l)   (l = 1 .. depth),   y = h_depth @ v

    Initialization (He): every weight, W_l (width, width) and v (width,), is
    drawn from N(0, 2 / width); the biases start at 0, so they are left out.
    The inputs X, shape (BATCH, width), and the targets t, shape (BATCH,),
    are drawn from N(0, 1). Everything random comes from
    np.random.default_rng(seed). The loss is L = mean((y - t)^2) / 2.

    Inputs:
    - activation: a name in ACTIVATIONS, e.g. "sigmoid", "tanh" or "relu".
    - depth: the number of hidden layers, an integer >= 1.
    - width: units per layer (and input features), an integer >= 1.
    - seed: the seed of the random generator.
    Returns:
    - norms, shape (depth,): norms[l] is the Frobenius norm of dL/dW_{l+1},
      from the first layer (next to the input) to the last.
    """
    # BEGIN SOLUTION: check the arguments (ValueError naming them); draw X, t, W_l, v; forward pass keeping h_{l-1} and z_l; then backward from the output, dL/dz_l = dL/dh_l * f'(z_l), dL/dW_l = h_{l-1}^T dL/dz_l, dL/dh_{l-1} = dL/dz_l @ W_l^T
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    check_count(depth, "depth")
    check_count(width, "width")
    f, df = ACTIVATIONS[activation]
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, width))
    t = rng.standard_normal(BATCH)
    scale = np.sqrt(2.0 / width)
    weights = [rng.normal(0.0, scale, (width, width)) for _ in range(depth)]
    readout = rng.normal(0.0, scale, width)

    inputs, nets, h = [], [], x
    for w in weights:
        inputs.append(h)
        nets.append(h @ w)
        h = f(nets[-1])
    y = h @ readout

    grad_h = np.outer((y - t) / BATCH, readout)  # dL/dh_depth, shape (BATCH, width)
    norms = np.empty(depth)
    for layer in reversed(range(depth)):
        grad_z = grad_h * df(nets[layer])
        norms[layer] = np.linalg.norm(inputs[layer].T @ grad_z)
        grad_h = grad_z @ weights[layer].T
    # END SOLUTION
    return norms


# %% [markdown]
# ## 5. Figures
# The activations with their derivatives, and the gradient norm per layer
# for sigmoid, tanh and relu (log scale: a straight falling line is a
# gradient that shrinks by the same factor at every layer).

# %%
def plot_activations(low=-4.0, high=4.0):
    """Each activation (solid) and its derivative (dashed) on [low, high].

    Returns:
    - a matplotlib Figure with one panel per entry of ACTIVATIONS.
    """
    x = np.linspace(low, high, 801)
    fig = Figure(figsize=(12, 6), layout="constrained")
    axes = fig.subplots(2, 4, sharex=True).ravel()
    for ax, (name, (f, df)) in zip(axes, ACTIVATIONS.items()):
        ax.axhline(0.0, color="0.8", linewidth=0.8)
        ax.axvline(0.0, color="0.8", linewidth=0.8)
        ax.plot(x, f(x), label="f(x)")
        ax.plot(x, df(x), "--", label="f'(x)")
        ax.set_title(name)
        ax.set_ylim(-1.5, 2.5)
    axes[0].legend(loc="upper left")
    fig.suptitle("Activation functions and their derivatives")
    return fig


def plot_gradient_norms(depth=20, width=64, seed=0, activations=("sigmoid", "tanh", "relu")):
    """Gradient norm per layer of a fresh deep MLP (log scale), one curve per activation.

    Returns:
    - a matplotlib Figure; see gradient_norms_by_depth for the network.
    """
    fig = Figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.subplots()
    layers = np.arange(1, depth + 1)
    for name in activations:
        ax.semilogy(layers, gradient_norms_by_depth(name, depth, width, seed), "o-", label=name)
    ax.set_xticks(layers)
    ax.set_xlabel("layer (1 = next to the input)")
    ax.set_ylabel("||dL/dW|| (log scale)")
    ax.set_title(f"Gradient norm by layer, {depth} layers of {width} units, He initialization")
    ax.legend()
    return fig


def save_figures(folder):
    """Write this lab's figures as PNG files into `folder`; return their paths."""
    return save_pngs(folder, {"activations": plot_activations, "gradient_norms": plot_gradient_norms})
