"""Lab 2: backpropagation, by hand and then for any depth.

Training a network needs dE/dw for every weight w. Backpropagation gets all
of them in one backward sweep: run the network forward and keep what every
layer computed, then walk back from the error. At each layer the chain rule
gives a "delta", dE/dnet for every unit, and the rest is bookkeeping:

    output layer:  delta_o = dE/dout_o * dout_o/dnet_o = (out_o - t) * out_o * (1 - out_o)
    hidden layer:  delta_h = (W2.T @ delta_o) * out_h * (1 - out_h)
    any weight:    dE/dW = outer(delta of the layer, input of the layer)

A hidden unit feeds every output, so its delta collects the output deltas
weighted by the very weights that carried its signal forward: W2.T @ delta_o.

Sections 1 to 3 do this by hand for the slides' 2-2-2 network (two inputs,
two hidden units, two outputs, sigmoid everywhere, E = sum(1/2 (t - o)^2)).
Section 4 is a worked exercise on deck 004's 2-2-1 network (appendix B),
factor by factor as the slides multiply them: `chain_rule_factors` and
`chain_rule_gradients`, with the constants APPENDIX_B_X, APPENDIX_B_TARGET,
APPENDIX_B_PARAMS and APPENDIX_B_LR. Section 5 builds the tool every
backpropagation code is checked with: a numerical gradient by central
differences. Sections 6 and 7 write the same algorithm once, for any number
of layers, as the class `MLP`.

What to look for:
- Compute every gradient first, then update. The hidden deltas must use the
  output weights the forward pass used; updating W2 before computing them is
  the classic ordering bug (the slides print the error after one step as
  0.291027924, which is that bug; the right value is 0.291027774). Deck
  004's "MLPs Training Algorithm" has the same bug in its steps: it updates
  the output layer weights (step 3) and then propagates the error through
  them (step 4). Propagate first, with the old weights, then update.
- The slides' b1 and b2 are single numbers shared by all units of a layer.
  A shared parameter's gradient is the sum of the gradients of all its uses,
  so dE/db1 = sum(delta_h) and dE/db2 = sum(delta_o). Updated that way, both
  biases take the 2-2-2 network to E = 4.3553e-06 after 10,000 steps (biases
  fixed: 3.51019e-05). Give each unit a bias of its own (a vector) and each
  gets its own delta instead.
- With softmax (or sigmoid) outputs and the cross-entropy loss the output
  derivative cancels: dL/dnet = output - target, nothing more. Deck 004's
  multi-class perceptron writes dloss/dw_i = x_i (y_true - y_pred) and then
  steps w - alpha * dloss/dw: with that sign every step climbs the loss. The
  gradient is x_i (y_pred - y_true).
- Deck 003 writes two hidden-weight updates as w11 <- w11 - alpha * x1 w1
  a1 (1 - a1)(y - y_hat) (and the same for w21). Its own previous line gives
  dL/dw11 = -x1 w1 a1 (1 - a1)(y - y_hat): the minus was dropped, so the rule
  as written adds the gradient (gradient ascent). The step is w11 - alpha *
  dL/dw11 = w11 + alpha * x1 w1 a1 (1 - a1)(y - y_hat).
- A batch's gradient is the sum of its examples' gradients (for the mean
  loss, the mean): the bias gradient must be summed over the rows.
- A correct gradient, in this course: relative_error against central
  differences (h = 1e-5, float64) below 1e-7. A right backward pass usually
  gets near 1e-9; a wrong one 1e-2 or more. Every lab uses this bar.

Shapes. The 2-2-2 network (one example, the slides' notation): x (n_in,),
W1 (n_hidden, n_in), b1 a number or (n_hidden,), W2 (n_out, n_hidden), b2 a
number or (n_out,), target (n_out,). The MLP (batches, rows are examples):
X (n, layer_sizes[0]), Y (n, layer_sizes[-1]); layer l has W of shape
(layer_sizes[l + 1], layer_sizes[l]), as in the slides, and b of shape
(layer_sizes[l + 1],), and computes A @ W.T + b, which is W @ a + b for
every row a of A.

Weight layout. This lab stores a layer's weights as (out, in), the slides'
way: row j of W1 holds the weights into hidden unit j, so W1 @ x reads like
the slides' net_h1 = w1 * i1 + w2 * i2 + b1. Keras's Dense, and lab 7 after
it, store the transpose, a kernel of shape (n_in, n_out), and compute
X @ W: with one example per row a batch then multiplies without a transpose.
The two hold the same numbers: W_keras = W.T, and A @ W.T here is
A @ W_keras there.
"""

import numbers

import numpy as np

from labkit import as_float_array, check_count, check_flag, check_nonnegative, check_positive, save_pngs

PARAM_KEYS = ("W1", "b1", "W2", "b2")
ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear", "softmax")
LOSSES = ("mse", "cross_entropy")

# The slides' worked example: inputs, targets, starting parameters and learning rate.
SLIDES_X = np.array([0.05, 0.10])
SLIDES_TARGET = np.array([0.01, 0.99])
SLIDES_PARAMS = {
    "W1": np.array([[0.15, 0.20], [0.25, 0.30]]),
    "b1": 0.35,
    "W2": np.array([[0.40, 0.45], [0.50, 0.55]]),
    "b2": 0.60,
}
SLIDES_LR = 0.5


# %% [markdown]
# ## Checking the arguments
# Bad input should fail early, with a `ValueError` that names the argument.
# These checks come from `labkit`, which every lab shares; call them where
# the exercises say so.

# %%
def _check_params(params, name="params"):
    """The 2-2-2 network's parameters as float arrays (0-d for a shared bias), shapes checked.

    Returns a new dict: the caller's arrays are never modified through it.
    """
    if not isinstance(params, dict) or not set(PARAM_KEYS) <= set(params):
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(f"{name} must be a dict with keys {PARAM_KEYS}, got {got}")
    checked = {key: as_float_array(params[key], f"{name}[{key!r}]") for key in PARAM_KEYS}
    W1, W2 = checked["W1"], checked["W2"]
    if W1.ndim != 2 or W2.ndim != 2 or W2.shape[1] != W1.shape[0]:
        raise ValueError(f"{name}['W1'] must have shape (n_hidden, n_in) and {name}['W2'] shape "
                         f"(n_out, n_hidden), got {W1.shape} and {W2.shape}")
    for key, units in (("b1", W1.shape[0]), ("b2", W2.shape[0])):
        if checked[key].shape not in ((), (units,)):
            raise ValueError(f"{name}[{key!r}] must be a number (shared by the layer's units) "
                             f"or have shape ({units},), got shape {checked[key].shape}")
    return checked


def _check_vector(value, name, size):
    """`value` as a float vector of `size` entries."""
    array = as_float_array(value, name)
    if array.shape != (size,):
        raise ValueError(f"{name} must have shape ({size},), got shape {array.shape}")
    return array


def _check_network(x, params):
    """x and params of the 2-2-2 network, checked against each other."""
    params = _check_params(params)
    return _check_vector(x, "x", params["W1"].shape[1]), params


def _check_cache(cache, params):
    """The forward pass's out_h and out_o (a new dict), with the shapes params give."""
    if not isinstance(cache, dict) or not {"out_h", "out_o"} <= set(cache):
        raise ValueError("cache must be the dict forward returned (with 'out_h' and 'out_o')")
    return {"out_h": _check_vector(cache["out_h"], "cache['out_h']", params["W1"].shape[0]),
            "out_o": _check_vector(cache["out_o"], "cache['out_o']", params["W2"].shape[0])}


def _plain(params):
    """Parameters to hand back: a shared (0-d) bias as a NumPy float, arrays as they are."""
    return {key: value[()] for key, value in params.items()}


# %% [markdown]
# ## 1. The forward pass
# The slides' network: inputs (0.05, 0.10), W1 = [[0.15, 0.20], [0.25, 0.30]],
# b1 = 0.35, W2 = [[0.40, 0.45], [0.50, 0.55]], b2 = 0.60, targets
# (0.01, 0.99); they are SLIDES_X, SLIDES_PARAMS and SLIDES_TARGET above.
# Check yours: net_h = (0.3775, 0.3925), out_h = (0.593269992, 0.596884378),
# out_o = (0.75136507, 0.772928465), E = 0.298371109.
#
# Deck 001 once writes net_h1 = w1 * i1 + w3 * i2 + b1. w3 feeds h2, not h1
# (that formula would give 0.3825, not 0.3775): net_h1 = w1 * i1 + w2 * i2 + b1,
# row 0 of W1. Each public function checks its arguments
# and hands over to a private twin that only computes: `train` checks once
# and then calls the twins ten thousand times.

# %%
def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)), elementwise, without overflow (lab 1).

    Inputs:
    - z: a number or an array of any shape.
    Returns:
    - an array of z's shape (a NumPy float for a number), each value in [0, 1].
    """
    # 1 / (1 + e^-z) = exp(-log(1 + e^-z)); logaddexp computes that logarithm without overflow.
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))[()]


def forward(x, params):
    """The 2-2-2 network's forward pass for one example.

    net_h = W1 @ x + b1, out_h = sigmoid(net_h), net_o = W2 @ out_h + b2,
    out_o = sigmoid(net_o).

    Inputs:
    - x: the inputs, shape (n_in,).
    - params: dict with W1 (n_hidden, n_in), b1 (a number or (n_hidden,)),
      W2 (n_out, n_hidden), b2 (a number or (n_out,)).
    Returns:
    - cache: dict with net_h and out_h, shape (n_hidden,), and net_o and
      out_o, shape (n_out,). backward needs it.
    """
    # BEGIN SOLUTION: check x and params with the helper above that checks both against each other (a ValueError for bad input)
    x, params = _check_network(x, params)
    # END SOLUTION
    return _forward(x, params)


def _forward(x, params):
    """forward without the argument checks (train calls it thousands of times)."""
    # BEGIN SOLUTION: two layers, each a weighted sum plus its bias and then the sigmoid (forward's docstring); check: the section's net_h, out_h and out_o
    net_h = params["W1"] @ x + params["b1"]
    out_h = sigmoid(net_h)
    net_o = params["W2"] @ out_h + params["b2"]
    return {"net_h": net_h, "out_h": out_h, "net_o": net_o, "out_o": sigmoid(net_o)}
    # END SOLUTION


def total_error(target, output):
    """The squared error E = sum(1/2 * (target - output)**2) over the outputs.

    Inputs:
    - target, output: arrays of the same shape (or numbers).
    Returns:
    - E, a float.
    """
    # BEGIN SOLUTION: check that the shapes match (ValueError naming them)
    target, output = as_float_array(target, "target"), as_float_array(output, "output")
    if target.shape != output.shape:
        raise ValueError(f"target and output must have the same shape, got {target.shape} and {output.shape}")
    # END SOLUTION
    return _total_error(target, output)


def _total_error(target, output):
    """total_error without the argument checks."""
    # BEGIN SOLUTION: sum half the squared differences, as a float
    return float((0.5 * (target - output) ** 2).sum())
    # END SOLUTION


# %% [markdown]
# ## 2. The backward pass
# Work from the output back: delta_o first, then delta_h through W2.T. The
# slides give dE/dw5 = dE/dW2[0, 0] = 0.082167041 and dE/dw1 = dE/dW1[0, 0]
# = 0.000438568. The slides' biases are single numbers shared by a layer's
# units: the gradient of a shared parameter is the sum over its uses.

# %%
def _bias_gradient(delta, bias):
    """dE/db from the deltas of the units that b feeds.

    Inputs:
    - delta: dE/dnet of the layer's units, shape (units,).
    - bias: the layer's bias: a number shared by all units, or shape (units,).
    Returns:
    - a float (the sum of the deltas) for a shared bias, else delta itself.
    """
    # BEGIN SOLUTION: dnet/db = 1 for each unit; a bias shared by all units collects all their deltas
    return float(delta.sum()) if np.ndim(bias) == 0 else delta
    # END SOLUTION


def backward(x, target, params, cache):
    """The gradients of E with respect to every parameter, by backpropagation.

    Inputs:
    - x: the inputs, shape (n_in,); target: shape (n_out,).
    - params: as for forward (the parameters the forward pass used).
    - cache: what forward(x, params) returned.
    Returns:
    - grads: dict with the keys of params and their shapes: dW1 (n_hidden, n_in),
      dW2 (n_out, n_hidden); db1 and db2 a float for a shared bias (the sum of
      the layer's deltas), else one entry per unit.
    """
    # BEGIN SOLUTION: check the arguments with _check_network, _check_vector and _check_cache (ValueError for bad input)
    x, params = _check_network(x, params)
    target = _check_vector(target, "target", params["W2"].shape[0])
    cache = _check_cache(cache, params)
    # END SOLUTION
    return _backward(x, target, params, cache)


def _backward(x, target, params, cache):
    """backward without the argument checks."""
    # BEGIN SOLUTION: the chain rule from the error back (the lesson): one delta per layer, the output's first, with the weights the forward pass used; a weight's gradient is its unit's delta times the input it carries; biases via _bias_gradient; check: dE/dw5 = 0.082167041, dE/dw1 = 0.000438568
    out_h, out_o = cache["out_h"], cache["out_o"]
    delta_o = (out_o - target) * out_o * (1 - out_o)
    # Each hidden unit reaches every output through W2: the same W2 the forward pass used.
    delta_h = (params["W2"].T @ delta_o) * out_h * (1 - out_h)
    return {"W1": np.outer(delta_h, x), "b1": _bias_gradient(delta_h, params["b1"]),
            "W2": np.outer(delta_o, out_h), "b2": _bias_gradient(delta_o, params["b2"])}
    # END SOLUTION


# %% [markdown]
# ## 3. Updating and training
# One update with lr 0.5 gives W1 = [[0.149780716, 0.19956143], [0.24975114,
# 0.29950229]] and W2 = [[0.35891648, 0.408666186], [0.51130127,
# 0.561370121]], and the error falls to 0.291027774. If you get the slides'
# 0.291027924, your hidden-layer gradients used the already-updated W2.
# After 10,000 updates the error is 3.51019e-05 with the biases fixed and
# 4.3553e-06 with both shared biases learning.
#
# The two defaults differ on purpose: `update` is one plain gradient step
# and moves every parameter unless told otherwise (update_biases=True);
# `train` reproduces the slides, whose 10,000-update run keeps b1 and b2
# fixed, so it holds them unless told otherwise (update_biases=False).
#
# Deck 001's three figures "after 10,000 updates" come from two different
# runs. Its error 0.0000351085 is the correct run after 9,999 updates (after
# 10,000 it is 3.51019e-05); its outputs 0.015912196 and 0.984065734 are the
# ordering-bug run's after 10,000 (whose error is 3.50848e-05). The correct
# run's outputs after 10,000 updates are 0.015913620 and 0.984064274.

# %%
def update(params, grads, lr, update_biases=True):
    """One step of gradient descent, p <- p - lr * dE/dp, on a copy of params.

    Inputs:
    - params: as for forward; it is not modified.
    - grads: what backward returned (same keys and shapes as params).
    - lr: the learning rate, >= 0.
    - update_biases: False keeps b1 and b2 as they are (only the weights move).
    Returns:
    - new params: a new dict, same keys and shapes (a shared bias stays a number).
    """
    # BEGIN SOLUTION: check params and grads (_check_params, same shapes), lr and update_biases (ValueError naming each)
    params = _check_params(params)
    grads = _check_params(grads, "grads")
    for key in PARAM_KEYS:
        if grads[key].shape != params[key].shape:
            raise ValueError(f"grads[{key!r}] must have the shape of params[{key!r}], "
                             f"{params[key].shape}, got {grads[key].shape}")
    check_nonnegative(lr, "lr")
    check_flag(update_biases, "update_biases")
    # END SOLUTION
    return _plain(_update(params, grads, lr, update_biases))


def _update(params, grads, lr, update_biases):
    """update without the argument checks: a new dict, params untouched."""
    # BEGIN SOLUTION: a new dict with p - lr * grads[key] for each moving key (update_biases=False: b1 and b2 stay)
    moving = PARAM_KEYS if update_biases else ("W1", "W2")
    return {key: params[key] - lr * grads[key] if key in moving else params[key] for key in PARAM_KEYS}
    # END SOLUTION


def train(x, target, params, lr, steps, update_biases=False):
    """Gradient descent on one example: forward, backward, then update, `steps` times.

    Inputs:
    - x: shape (n_in,); target: shape (n_out,); params: as for forward.
    - lr: the learning rate, >= 0; steps: the number of updates, >= 0.
    - update_biases: whether b1 and b2 learn too (by default they stay fixed).
    Returns:
    - (params, errors): the parameters after `steps` updates, and errors of
      shape (steps + 1,): errors[k] is E after k updates (errors[0] before any).
    """
    # BEGIN SOLUTION: check every argument once; then per step: _forward, record _total_error, _backward, _update
    x, params = _check_network(x, params)
    target = _check_vector(target, "target", params["W2"].shape[0])
    check_nonnegative(lr, "lr")
    check_count(steps, "steps", minimum=0)
    check_flag(update_biases, "update_biases")
    errors = np.empty(steps + 1)
    for k in range(steps):
        cache = _forward(x, params)
        errors[k] = _total_error(target, cache["out_o"])
        params = _update(params, _backward(x, target, params, cache), lr, update_biases)
    errors[steps] = _total_error(target, _forward(x, params)["out_o"])
    return _plain(params), errors
    # END SOLUTION


# %% [markdown]
# ## 4. A worked exercise: deck 004's 2-2-1 network
# Deck 004's appendix B trains a network with two inputs, two hidden units
# and one output: x = (0.1, 0.3), weights W1 ... W6 = 0.5, 0.1, 0.62, 0.2,
# -0.2, 0.3, biases b1 = 0.4 and b2 = -0.1 (one per hidden unit) and b3 = 1.83,
# target 0.03, learning rate 0.01. Here W1 ... W4 are the rows of W1
# ([[W1, W2], [W3, W4]]) and W5, W6 the one row of W2, so `forward`,
# `backward` and `update` work on it unchanged (APPENDIX_B_PARAMS). The slide
# showing the network is a picture; its biases are read off the printed
# h1_in = 0.48, h2_in = 0.022 and out = 0.865.
#
# The slides compute each gradient as a product of chain-rule factors. Do the
# same, then check the products against `backward`. The right figures:
# dE/dout = 0.835, dout/dnet = 0.865 * 0.135 = 0.1168, dh/dnet_h = (0.2361,
# 0.2500), dE/dW5 = 0.0602, dE/dW6 = 0.0493, dE/dW1 ... dE/dW4 = -0.00046,
# -0.00138, 0.00073, 0.00219. The slides go wrong four times:
# - dout/dnet is given as 0.23; out (1 - out) = 0.865 * 0.135 = 0.1168, so
#   every gradient they print is about twice too large;
# - dh2_in/dW3 and dh2_in/dW4 are given as 0.62 and 0.2, the weights W3 and
#   W4; h2_in = x1 W3 + x2 W4 + b2, so they are the inputs 0.1 and 0.3;
# - W5 is updated with dnet/dW5 = 0.618 (-0.2 - 0.01 * 0.618 = -0.20618)
#   instead of dE/dW5 = 0.0602: the new W5 is -0.2006021;
# - 0.2 - 0.01 * 0.003 is printed as 0.1997; it is 0.19997 (and with the
#   right gradient the new W4 is 0.1999781).
# Three slips in the slides' writing, not their arithmetic:
# - the W3 update is written W3 - eta * dE/dW2; it uses, and should read,
#   dE/dW3 (0.62 - 0.01 * 0.009 = 0.61991 is dE/dW3's slide value);
# - the factor labelled dh2out/dh2in = 0.236 in the dE/dW1 and dE/dW2
#   chains is h1's: sigmoid'(h1_in) = sigmoid'(0.48) = 0.2361, the right
#   factor for W1 and W2, which feed h1. h2's is sigmoid'(0.022) = 0.2500
#   (0.25, as the dE/dW3 chain has it);
# - the derivative sigma(0.48) (1 - sigma(0.48)) is labelled dh_out/dh2_in;
#   0.48 is h1_in, so it is dh1_out/dh1_in.

# %%
APPENDIX_B_X = np.array([0.1, 0.3])
APPENDIX_B_TARGET = np.array([0.03])
APPENDIX_B_PARAMS = {
    "W1": np.array([[0.5, 0.1], [0.62, 0.2]]),
    "b1": np.array([0.4, -0.1]),
    "W2": np.array([[-0.2, 0.3]]),
    "b2": 1.83,
}
APPENDIX_B_LR = 0.01
FACTOR_KEYS = ("dE_dout", "dout_dnet", "dnet_dh", "dh_dnet_h", "dnet_h_dW1", "dnet_dW2")


def chain_rule_factors(x, target, params):
    """The chain rule's factors for a network with one output, as the slides list them.

    dE/dW2[0, j] = dE_dout * dout_dnet * dnet_dW2[j] and
    dE/dW1[j, i] = dE_dout * dout_dnet * dnet_dh[j] * dh_dnet_h[j] * dnet_h_dW1[j, i].

    Inputs:
    - x: shape (n_in,); target: shape (1,).
    - params: as for forward, with one output unit: W2 of shape (1, n_hidden).
    Returns:
    - dict with
      - dE_dout: float, how E changes with the output out_o;
      - dout_dnet: float, how out_o changes with its net input net_o;
      - dnet_dh: shape (n_hidden,), how net_o changes with each hidden output;
      - dh_dnet_h: shape (n_hidden,), how each hidden output changes with its net input;
      - dnet_h_dW1: shape (n_hidden, n_in), how net_h[j] changes with W1[j, i];
      - dnet_dW2: shape (n_hidden,), how net_o changes with W2[0, j].
    """
    # BEGIN SOLUTION: check the arguments (one output unit: ValueError naming params); differentiate each formula of forward's docstring by the one variable it names; check: the section's figures, not the slides' 0.23 and 0.62
    x, params = _check_network(x, params)
    if params["W2"].shape[0] != 1:
        raise ValueError(f"params['W2'] must have one row (one output unit), got shape {params['W2'].shape}")
    target = _check_vector(target, "target", 1)
    cache = _forward(x, params)
    out, out_h = cache["out_o"][0], cache["out_h"]
    return {"dE_dout": float(out - target[0]), "dout_dnet": float(out * (1 - out)),
            "dnet_dh": params["W2"][0], "dh_dnet_h": out_h * (1 - out_h),
            # net_h[j] = sum_i W1[j, i] x[i]: its derivative by W1[j, i] is the input x[i], for every j.
            "dnet_h_dW1": np.tile(x, (out_h.size, 1)), "dnet_dW2": out_h}
    # END SOLUTION


def chain_rule_gradients(factors):
    """dE/dW1 and dE/dW2 as products of the chain rule's factors.

    Inputs:
    - factors: a dict like the one chain_rule_factors returns (same keys and shapes).
    Returns:
    - dict with W1, shape (n_hidden, n_in), and W2, shape (1, n_hidden).
    """
    # BEGIN SOLUTION: check the keys (ValueError naming factors); multiply the factors along each path from E to the weight (the formulas above); check: the same numbers as backward
    if not isinstance(factors, dict) or not set(FACTOR_KEYS) <= set(factors):
        got = sorted(factors) if isinstance(factors, dict) else type(factors).__name__
        raise ValueError(f"factors must be a dict with keys {FACTOR_KEYS}, got {got}")
    f = {key: as_float_array(factors[key], f"factors[{key!r}]") for key in FACTOR_KEYS}
    to_net = f["dE_dout"] * f["dout_dnet"]  # dE/dnet_o: every path starts with it
    to_net_h = to_net * f["dnet_dh"] * f["dh_dnet_h"]  # dE/dnet_h, one per hidden unit
    return {"W1": to_net_h[:, None] * f["dnet_h_dW1"], "W2": (to_net * f["dnet_dW2"])[None, :]}
    # END SOLUTION


# %% [markdown]
# ## 5. Checking gradients numerically
# Central differences need nothing but the function itself, so they can
# check any backward pass. Their error shrinks as h**2 until rounding error,
# about 1e-16 / h, takes over; in float64, h = 1e-5 keeps both small (the
# second figure in section 8 draws that V).

# %%
def numerical_gradient(f, x, h=1e-5):
    """The gradient of a scalar function by central differences.

    df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2h), whose error shrinks as h**2
    (a one-sided difference's only as h).

    Inputs:
    - f: function taking an array of x's shape and returning a number.
    - x: the point, a number or an array of any shape; it is not modified.
    - h: the step, > 0.
    Returns:
    - the gradient, an array of x's shape (a float for a number).
    """
    # BEGIN SOLUTION: check f (callable) and h (> 0); for each entry i (np.ndindex), evaluate f at x +- h e_i
    if not callable(f):
        raise ValueError(f"f must be a function, got {f!r}")
    check_positive(h, "h")
    x = as_float_array(x, "x")
    grad = np.empty_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = h
        grad[index] = (float(f(x + step)) - float(f(x - step))) / (2 * h)
    return grad[()]
    # END SOLUTION


def relative_error(a, b):
    """How far apart two gradients are, relative to their size.

    ||a - b|| / (||a|| + ||b||) over all entries (0 when both are 0): below
    1e-7 (the lesson's bar), a backward pass agrees with the numerical
    gradient; 1e-2 or above, it is wrong. Unlike an entrywise ratio it is not thrown by a
    tiny entry whose few last digits differ.

    Inputs:
    - a, b: numbers or arrays of the same shape.
    Returns:
    - a float in [0, 1].
    """
    # BEGIN SOLUTION: check the shapes match (ValueError), then the norm of the difference over the sum of the norms
    a, b = as_float_array(a, "a"), as_float_array(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)
    # END SOLUTION


# %% [markdown]
# ## 6. Activations and their derivatives
# Backpropagation needs each activation's derivative, and the cheapest way
# to get it reuses the output A = f(Z): sigmoid' = A (1 - A), tanh' = 1 - A**2.
# Softmax is different: every output depends on every logit, so it is only
# offered with cross-entropy, where its gradient collapses to A - Y.

# %%
def softmax(Z):
    """Softmax of each row: exp(z) / sum(exp(z)), stable for any logits.

    Inputs:
    - Z: shape (n, k).
    Returns:
    - shape (n, k); each row is non-negative and sums to 1.
    """
    # BEGIN SOLUTION: subtract each row's maximum first (it cancels in the ratio and keeps exp from overflowing)
    e = np.exp(Z - np.max(Z, axis=1, keepdims=True))
    return e / np.sum(e, axis=1, keepdims=True)
    # END SOLUTION


def activate(Z, name):
    """The activation `name` applied to the pre-activations Z (n, units)."""
    if name == "sigmoid":
        return sigmoid(Z)
    if name == "tanh":
        return np.tanh(Z)
    if name == "relu":
        return np.maximum(Z, 0.0)
    if name == "linear":
        return Z
    if name == "softmax":
        return softmax(Z)
    raise ValueError(f"name must be one of {ACTIVATIONS}, got {name!r}")


def activation_derivative(Z, A, name):
    """f'(Z) elementwise, for an elementwise activation f, given Z and A = f(Z).

    Inputs:
    - Z: pre-activations, shape (n, units); A: activate(Z, name), same shape.
    - name: "sigmoid", "tanh", "relu" or "linear". Softmax has no elementwise
      derivative (each output depends on every logit): with cross-entropy its
      gradient is handled at the loss.
    Returns:
    - an array of Z's shape. For relu the derivative at 0 is taken as 0.
    """
    # BEGIN SOLUTION: sigmoid: A(1 - A); tanh: 1 - A**2; relu: 1 where Z > 0, else 0; linear: 1
    if name == "sigmoid":
        return A * (1 - A)
    if name == "tanh":
        return 1 - A ** 2
    if name == "relu":
        return (Z > 0).astype(float)
    if name == "linear":
        return np.ones_like(Z)
    raise ValueError(f"name must be an elementwise activation, one of {ACTIVATIONS[:-1]}, got {name!r}")
    # END SOLUTION


# %% [markdown]
# ## 7. An MLP of any depth
# Sections 1 to 3 again, in a loop over the layers, for a batch of examples
# at once (one per row). Check it against `numerical_gradient` for every
# activation and loss: below 1e-7, the lesson's bar, it is right.

# %%
def _check_layer_sizes(layer_sizes):
    """layer_sizes as a list of at least two positive integers."""
    sizes = list(layer_sizes) if isinstance(layer_sizes, (list, tuple)) else None
    if (sizes is None or len(sizes) < 2
            or not all(isinstance(n, numbers.Integral) and not isinstance(n, bool) and n >= 1 for n in sizes)):
        raise ValueError(f"layer_sizes must be a list of at least two integers >= 1 "
                         f"(inputs, hidden layers..., outputs), got {layer_sizes!r}")
    return [int(n) for n in sizes]


def _check_activations(activations, layers, loss):
    """One activation name per layer (a single name is used for every layer), checked against the loss."""
    names = [activations] * layers if isinstance(activations, str) else activations
    if not isinstance(names, (list, tuple)) or len(names) != layers or not all(name in ACTIVATIONS for name in names):
        raise ValueError(f"activations must be one of {ACTIVATIONS} or a list of {layers} of them "
                         f"(one per layer), got {activations!r}")
    if "softmax" in names[:-1]:
        raise ValueError(f"activations may use softmax only for the output layer, got {activations!r}")
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
    if loss == "cross_entropy" and names[-1] not in ("sigmoid", "softmax"):
        raise ValueError(f"loss 'cross_entropy' needs a sigmoid or softmax output, "
                         f"but activations end with {names[-1]!r}")
    if loss == "mse" and names[-1] == "softmax":
        raise ValueError("loss 'mse' with a softmax output is not supported: use loss='cross_entropy'")
    return list(names)


class MLP:
    """A fully connected network of any depth, trained by backpropagation.

    Layer l (l = 0, ..., L - 1) maps its input A[l], shape (n, layer_sizes[l]),
    to A[l + 1] = f_l(A[l] @ W[l].T + b[l]). The loss is averaged over the
    examples (rows); per example it is
    - "mse": sum_k 1/2 (y_k - a_k)^2, the 2-2-2 network's E;
    - "cross_entropy" with a softmax output: -sum_k y_k log(a_k), each row of
      Y a probability distribution (e.g. one-hot);
    - "cross_entropy" with a sigmoid output: -sum_k [y_k log(a_k) +
      (1 - y_k) log(1 - a_k)], each y_k in [0, 1].

    Attributes:
    - weights: list of L arrays, W[l] of shape (layer_sizes[l + 1], layer_sizes[l]),
      drawn from a normal distribution with std sqrt(2 / (fan_in + fan_out)).
    - biases: list of L arrays, b[l] of shape (layer_sizes[l + 1],), zeros at first.
      forward and step read and write these two lists, so they may be set by hand.
    - rng: np.random.Generator seeded with `seed`: it draws the initial weights,
      then shuffles the examples in fit.
    """

    def __init__(self, layer_sizes, activations, loss="mse", seed=0):
        """Inputs:
        - layer_sizes: [n_in, hidden sizes..., n_out], integers >= 1.
        - activations: one name per layer from ACTIVATIONS, or one name for all;
          softmax only at the output and only with cross_entropy.
        - loss: "mse" or "cross_entropy" (which needs a sigmoid or softmax output).
        - seed: an integer >= 0.
        """
        # BEGIN SOLUTION: check the arguments; self.rng from np.random.default_rng(seed) draws the weights; biases are 0
        self.layer_sizes = _check_layer_sizes(layer_sizes)
        self.activations = _check_activations(activations, len(self.layer_sizes) - 1, loss)
        self.loss_name = loss
        check_count(seed, "seed", minimum=0)
        self.rng = np.random.default_rng(seed)
        pairs = list(zip(self.layer_sizes[:-1], self.layer_sizes[1:]))
        self.weights = [self.rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_out, n_in))
                        for n_in, n_out in pairs]
        self.biases = [np.zeros(n_out) for _, n_out in pairs]
        # END SOLUTION
        self._cache = None  # (A, Z) of the last forward pass
        self._grads = None  # the last backward pass's [(dW, db), ...]

    def _check_X(self, X):
        """X as a float array of shape (n, layer_sizes[0]), n >= 1."""
        X = as_float_array(X, "X")
        if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] != self.layer_sizes[0]:
            raise ValueError(f"X must have shape (n, {self.layer_sizes[0]}) with n >= 1 (one example per row), "
                             f"got shape {X.shape}")
        return X

    def _check_Y(self, Y, rows):
        """Y as a float array of shape (rows, layer_sizes[-1]) that suits the loss."""
        Y = as_float_array(Y, "Y")
        if Y.shape != (rows, self.layer_sizes[-1]):
            raise ValueError(f"Y must have shape ({rows}, {self.layer_sizes[-1]}) to match X, got shape {Y.shape}")
        if self.loss_name == "cross_entropy" and not np.all((Y >= 0) & (Y <= 1)):
            raise ValueError("Y must lie in [0, 1] for the cross-entropy loss")
        if self.activations[-1] == "softmax" and not np.allclose(Y.sum(axis=1), 1.0, rtol=0, atol=1e-6):
            raise ValueError("Y's rows must each sum to 1 for a softmax output (e.g. one-hot rows)")
        return Y

    def forward(self, X):
        """The network's output for a batch, keeping what backward needs.

        Inputs:
        - X: shape (n, layer_sizes[0]), one example per row.
        Returns:
        - the output A[L], shape (n, layer_sizes[-1]).
        """
        # BEGIN SOLUTION: check X; section 1's forward pass in a loop over the layers, one example per row (the class docstring); keep every layer's input and net input in self._cache for backward; check: the slides' 2-2-2 outputs
        A, Z = [self._check_X(X)], []
        for W, b, name in zip(self.weights, self.biases, self.activations):
            Z.append(A[-1] @ W.T + b)
            A.append(activate(Z[-1], name))
        self._cache = (A, Z)
        return A[-1]
        # END SOLUTION

    def loss(self, X, Y):
        """The mean loss over the examples (see the class docstring), after a forward pass.

        Inputs:
        - X: shape (n, layer_sizes[0]); Y: targets, shape (n, layer_sizes[-1]).
        Returns:
        - a float.
        """
        # BEGIN SOLUTION: forward(X), then the loss per example (from the logits for cross-entropy), averaged
        output = self.forward(X)
        Y = self._check_Y(Y, output.shape[0])
        logits = self._cache[1][-1]
        if self.loss_name == "mse":
            per_example = 0.5 * np.sum((Y - output) ** 2, axis=1)
        elif self.activations[-1] == "softmax":
            # log softmax = z - max - log(sum(exp(z - max))), finite even where softmax rounds to 0.
            shifted = logits - np.max(logits, axis=1, keepdims=True)
            per_example = -np.sum(Y * (shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))), axis=1)
        else:
            # -[y log s(z) + (1 - y) log(1 - s(z))] = log(1 + e^z) - y z, which never takes log(0).
            per_example = np.sum(np.logaddexp(0.0, logits) - Y * logits, axis=1)
        return float(np.mean(per_example))
        # END SOLUTION

    def backward(self, Y):
        """Gradients of the mean loss for the batch of the last forward pass.

        Inputs:
        - Y: targets, shape (n, layer_sizes[-1]) for the n rows forward last saw.
        Returns:
        - [(dW, db), ...]: one pair per layer, with the shapes of W[l] and b[l].
          They are kept for step.
        """
        # BEGIN SOLUTION: section 2's backward pass in a loop from the last layer to the first, for a batch: the loss is a mean over the rows, and with cross-entropy the output derivative cancels (the lesson); check: relative_error against numerical_gradient below 1e-7
        if self._cache is None:
            raise RuntimeError("call forward(X) before backward(Y)")
        A, Z = self._cache
        Y = self._check_Y(Y, A[0].shape[0])
        delta = (A[-1] - Y) / Y.shape[0]
        if self.loss_name == "mse":
            delta = delta * activation_derivative(Z[-1], A[-1], self.activations[-1])
        # With cross-entropy and a softmax or sigmoid output, f'(Z) cancels: delta is already dL/dZ.
        grads = []
        for layer in reversed(range(len(self.weights))):
            grads.append((delta.T @ A[layer], np.sum(delta, axis=0)))
            if layer > 0:
                delta = (delta @ self.weights[layer]) * activation_derivative(
                    Z[layer - 1], A[layer], self.activations[layer - 1])
        self._grads = grads[::-1]
        return self._grads
        # END SOLUTION

    def step(self, lr):
        """One gradient-descent step with the gradients of the last backward pass.

        Inputs:
        - lr: the learning rate, >= 0.
        """
        # BEGIN SOLUTION: check lr; W <- W - lr * dW and b <- b - lr * db for every layer
        check_nonnegative(lr, "lr")
        if self._grads is None:
            raise RuntimeError("call backward(Y) before step(lr)")
        self.weights = [W - lr * dW for W, (dW, _) in zip(self.weights, self._grads)]
        self.biases = [b - lr * db for b, (_, db) in zip(self.biases, self._grads)]
        # END SOLUTION

    def fit(self, X, Y, lr, epochs, batch_size=None):
        """Mini-batch gradient descent: shuffle each epoch (with self.rng), then a step per batch.

        Inputs:
        - X: shape (n, layer_sizes[0]); Y: shape (n, layer_sizes[-1]).
        - lr: the learning rate, >= 0; epochs: an integer >= 0.
        - batch_size: None for the whole data set (one step per epoch), else an
          integer >= 1: ceil(n / batch_size) steps per epoch, the last batch
          maybe smaller.
        Returns:
        - losses: shape (epochs,), the mean loss over all of X after each epoch.
        """
        # BEGIN SOLUTION: check the arguments; per epoch: self.rng.permutation(n), forward/backward/step per batch, then self.loss
        X = self._check_X(X)
        Y = self._check_Y(Y, X.shape[0])
        check_nonnegative(lr, "lr")
        check_count(epochs, "epochs", minimum=0)
        if batch_size is not None:
            check_count(batch_size, "batch_size", minimum=1)
        n = X.shape[0]
        size = n if batch_size is None else min(batch_size, n)
        losses = np.empty(epochs)
        for epoch in range(epochs):
            order = self.rng.permutation(n)
            for start in range(0, n, size):
                batch = order[start:start + size]
                self.forward(X[batch])
                self.backward(Y[batch])
                self.step(lr)
            losses[epoch] = self.loss(X, Y)
        return losses
        # END SOLUTION


# %% [markdown]
# ## 8. Figures
# The 2-2-2 network's error over 10,000 updates, and the numerical
# gradient's error as the step h shrinks.

# %%
def plot_error_curves(steps=10_000):
    """The 2-2-2 network's error over training, biases fixed and biases updated.

    Inputs:
    - steps: the number of updates.
    Returns:
    - a matplotlib Figure (log-scale error against the number of updates).
    """
    # Imported here so that grading, which draws nothing, does not pay for matplotlib.
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 4.2), layout="constrained")
    axes = figure.subplots()
    for update_biases, label in ((False, "biases fixed"), (True, "biases updated")):
        _, errors = train(SLIDES_X, SLIDES_TARGET, SLIDES_PARAMS, SLIDES_LR, steps, update_biases)
        axes.semilogy(errors, label=f"{label}: E = {errors[-1]:.4g} after {steps:,} updates")
    axes.set(xlabel="updates", ylabel="total error E (log scale)",
             title="The slides' 2-2-2 network, lr = 0.5")
    axes.legend()
    return figure


def plot_gradient_check(h_values=None):
    """Relative error of the numerical gradient against backward, for each step h.

    The 2-2-2 network's dE/dW1 at the slides' starting point. Large h: the
    central difference's h**2 error; tiny h: rounding error, about 1e-16 / h.
    The sweet spot lies in between.

    Inputs:
    - h_values: the steps h to try, positive (default: 1e-13 to 1e-1).
    Returns:
    - a matplotlib Figure (both axes logarithmic).
    """
    from matplotlib.figure import Figure

    h_values = np.logspace(-13, -1, 49) if h_values is None else np.asarray(h_values, dtype=float)
    params = dict(SLIDES_PARAMS)
    analytic = backward(SLIDES_X, SLIDES_TARGET, params, forward(SLIDES_X, params))["W1"]

    def error_at(W1):
        return total_error(SLIDES_TARGET, forward(SLIDES_X, {**params, "W1": W1})["out_o"])

    errors = [relative_error(numerical_gradient(error_at, params["W1"], h), analytic) for h in h_values]
    figure = Figure(figsize=(6.4, 4.2), layout="constrained")
    axes = figure.subplots()
    axes.loglog(h_values, np.maximum(errors, 1e-17), marker=".")
    axes.axvline(1e-5, color="gray", linestyle=":", label="h = 1e-5 (the default)")
    axes.set(xlabel="step h", ylabel="relative error of dE/dW1",
             title="Central differences against backpropagation")
    axes.legend()
    return figure


def save_figures(folder):
    """Write this lab's figures as PNG files into `folder`; return their paths."""
    return save_pngs(folder, {"error_curves": plot_error_curves, "gradient_check": plot_gradient_check})
