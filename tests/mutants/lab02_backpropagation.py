"""Plausible mistakes in lab 2, one per mutant: (what the student got wrong, old text, new text)."""

TRAIN_LOOP = """    errors = np.empty(steps + 1)
    for k in range(steps):
        cache = _forward(x, params)
        errors[k] = _total_error(target, cache["out_o"])
        params = _update(params, _backward(x, target, params, cache), lr, update_biases)
    errors[steps] = _total_error(target, _forward(x, params)["out_o"])
"""

UPDATE_REGION = """    params = _check_params(params)
    grads = _check_params(grads, "grads")
    for key in PARAM_KEYS:
        if grads[key].shape != params[key].shape:
            raise ValueError(f"grads[{key!r}] must have the shape of params[{key!r}], "
                             f"{params[key].shape}, got {grads[key].shape}")
    _check_rate(lr, "lr")
    _check_flag(update_biases, "update_biases")
    # END SOLUTION
    return _plain(_update(params, grads, lr, update_biases))
"""

CENTRAL_DIFFERENCE = """    x = _as_float_array(x, "x")
    grad = np.empty_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = h
        grad[index] = (float(f(x + step)) - float(f(x - step))) / (2 * h)
"""

MUTANTS = [
    # Part 1: the 2-2-2 network
    ("forward: W1 applied from the wrong side (x @ W1)",
     'net_h = params["W1"] @ x + params["b1"]', 'net_h = x @ params["W1"] + params["b1"]'),
    ("forward: the hidden layer's bias left out",
     'net_h = params["W1"] @ x + params["b1"]', 'net_h = params["W1"] @ x'),
    ("total error without the 1/2",
     "float((0.5 * (target - output) ** 2).sum())", "float(((target - output) ** 2).sum())"),
    ("output delta without the sigmoid's derivative",
     "delta_o = (out_o - target) * out_o * (1 - out_o)", "delta_o = out_o - target"),
    ("sigmoid's derivative taken at the output instead of the net input: s(out)(1 - s(out))",
     "delta_o = (out_o - target) * out_o * (1 - out_o)",
     "delta_o = (out_o - target) * sigmoid(out_o) * (1 - sigmoid(out_o))"),
    ("output delta with the sign flipped (target - out)",
     "delta_o = (out_o - target) * out_o * (1 - out_o)", "delta_o = (target - out_o) * out_o * (1 - out_o)"),
    ("hidden delta missing the factor out_h * (1 - out_h)",
     'delta_h = (params["W2"].T @ delta_o) * out_h * (1 - out_h)', 'delta_h = params["W2"].T @ delta_o'),
    ("output deltas sent back through W2 instead of W2.T",
     'delta_h = (params["W2"].T @ delta_o)', 'delta_h = (params["W2"] @ delta_o)'),
    ("dW2 transposed: outer(out_h, delta_o)", "np.outer(delta_o, out_h)", "np.outer(out_h, delta_o)"),
    ("dW1 built from the hidden outputs instead of the inputs x",
     "np.outer(delta_h, x)", "np.outer(delta_h, out_h)"),
    ("a shared bias gets the delta of its first unit only", "float(delta.sum())", "float(delta[0])"),
    ("a shared bias gets one delta per unit and turns into a vector",
     "float(delta.sum()) if np.ndim(bias) == 0 else delta", "delta"),
    ("update_biases ignored: the biases always move",
     'moving = PARAM_KEYS if update_biases else ("W1", "W2")', "moving = PARAM_KEYS"),
    ("update writes the new values into the caller's dict",
     UPDATE_REGION,
     UPDATE_REGION.replace("    params = _check_params(params)\n",
                           "    caller = params\n    params = _check_params(params)\n")
     .replace("    return _plain(_update(params, grads, lr, update_biases))\n",
              "    caller.update(_plain(_update(params, grads, lr, update_biases)))\n    return caller\n")),
    ("weights updated too early: the hidden gradients use the already-updated W2 (the slides' 0.291027924)",
     '        params = _update(params, _backward(x, target, params, cache), lr, update_biases)\n',
     '        grads = _backward(x, target, params, cache)\n'
     '        params = _update(params, {**grads, "W1": 0 * grads["W1"], "b1": 0 * grads["b1"]}, lr, update_biases)\n'
     '        hidden = _backward(x, target, params, cache)\n'
     '        params = _update(params, {**hidden, "W2": 0 * hidden["W2"], "b2": 0 * hidden["b2"]},\n'
     '                         lr, update_biases)\n'),
    ("errors recorded after each update, without the error before training",
     TRAIN_LOOP,
     TRAIN_LOOP.replace("np.empty(steps + 1)", "np.empty(steps)")
     .replace('        errors[k] = _total_error(target, cache["out_o"])\n', "")
     .replace('    errors[steps] = _total_error(target, _forward(x, params)["out_o"])\n', "")
     .replace("lr, update_biases)\n",
              'lr, update_biases)\n        errors[k] = _total_error(target, _forward(x, params)["out_o"])\n')),
    ("training loop one step short", "    for k in range(steps):\n", "    for k in range(steps - 1):\n"),
    ("train accepts a negative learning rate",
     '    _check_rate(lr, "lr")\n    _check_count(steps, "steps", minimum=0)\n',
     '    _check_count(steps, "steps", minimum=0)\n'),
    # Part 2: numerical gradients
    ("one-sided difference (f(x + h) - f(x)) / h instead of the central one",
     "grad[index] = (float(f(x + step)) - float(f(x - step))) / (2 * h)",
     "grad[index] = (float(f(x + step)) - float(f(x))) / h"),
    ("central difference divided by h instead of 2h", "/ (2 * h)", "/ h"),
    ("x perturbed in place and never restored",
     CENTRAL_DIFFERENCE,
     '    x = np.asarray(x, dtype=float)\n'
     '    grad = np.empty_like(x)\n'
     '    for index in np.ndindex(x.shape):\n'
     '        x[index] += h\n'
     '        up = float(f(x))\n'
     '        x[index] -= 2 * h\n'
     '        grad[index] = (up - float(f(x))) / (2 * h)\n'),
    ("relative error without the denominator",
     "float(np.linalg.norm(a - b) / scale)", "float(np.linalg.norm(a - b))"),
    ("relative error of two zero gradients is nan",
     "0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)", "float(np.linalg.norm(a - b) / scale)"),
    # Part 3: the MLP
    ("softmax without subtracting the maximum (overflows)",
     "np.exp(Z - np.max(Z, axis=1, keepdims=True))", "np.exp(Z)"),
    ("softmax normalized over the batch (axis 0) instead of each row",
     "e / np.sum(e, axis=1, keepdims=True)", "e / np.sum(e, axis=0, keepdims=True)"),
    ("softmax gradient wrong: treated like the sigmoid, delta times A(1 - A)",
     "        delta = (A[-1] - Y) / Y.shape[0]\n",
     "        delta = (A[-1] - Y) / Y.shape[0]\n"
     '        if self.activations[-1] == "softmax":\n'
     "            delta = delta * A[-1] * (1 - A[-1])\n"),
    ("sigmoid's derivative kept with the cross-entropy loss",
     '        if self.loss_name == "mse":\n            delta = delta *',
     '        if self.activations[-1] != "softmax":\n            delta = delta *'),
    ("sigmoid's derivative written with Z instead of A", "return A * (1 - A)", "return Z * (1 - Z)"),
    ("tanh's derivative written with Z instead of A", "return 1 - A ** 2", "return 1 - Z ** 2"),
    ("relu's derivative taken as the relu itself", "return (Z > 0).astype(float)", "return A"),
    ("gradient of the summed loss: no division by the batch size",
     "delta = (A[-1] - Y) / Y.shape[0]", "delta = A[-1] - Y"),
    ("bias gradient not summed over the batch: averaged a second time",
     "np.sum(delta, axis=0)", "np.mean(delta, axis=0)"),
    ("bias gradient from the first example only", "np.sum(delta, axis=0)", "delta[0]"),
    ("backpropagation through a layer uses the derivative of the layer above",
     "Z[layer - 1], A[layer], self.activations[layer - 1])", "Z[layer], A[layer + 1], self.activations[layer])"),
    ("loss summed over the examples instead of averaged",
     "return float(np.mean(per_example))", "return float(np.sum(per_example))"),
    ("step climbs: W + lr * dW", "W - lr * dW for", "W + lr * dW for"),
    ("step leaves the biases alone",
     "        self.biases = [b - lr * db for b, (_, db) in zip(self.biases, self._grads)]\n", ""),
    ("initial weights not drawn from the seed", "self.rng = np.random.default_rng(seed)",
     "self.rng = np.random.default_rng()"),
    ("all weights start at zero",
     "self.rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_out, n_in))", "np.zeros((n_out, n_in))"),
    ("fit never shuffles", "order = self.rng.permutation(n)", "order = np.arange(n)"),
    ("fit drops the last, smaller batch", "range(0, n, size)", "range(0, n - size + 1, size)"),
    ("fit records the loss of the last batch instead of the whole data set",
     "losses[epoch] = self.loss(X, Y)", "losses[epoch] = self.loss(X[batch], Y[batch])"),
    ("unknown activation names accepted",
     " or not all(name in ACTIVATIONS for name in names):", ":"),
    ("softmax accepted with the mse loss",
     '    if loss == "mse" and names[-1] == "softmax":\n'
     '        raise ValueError("loss \'mse\' with a softmax output is not supported: use loss=\'cross_entropy\'")\n',
     ""),
]
