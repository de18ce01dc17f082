"""Plausible mistakes in lab 2, one per mutant.

Each is (what the student got wrong, old text, new text, the graded tests that must catch it).
"""

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
    check_nonnegative(lr, "lr")
    check_flag(update_biases, "update_biases")
    # END SOLUTION
    return _plain(_update(params, grads, lr, update_biases))
"""

CENTRAL_DIFFERENCE = """    x = as_float_array(x, "x")
    grad = np.empty_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = h
        grad[index] = (float(f(x + step)) - float(f(x - step))) / (2 * h)
"""

MUTANTS = [
    # Part 1: the 2-2-2 network
    ("forward: W1 applied from the wrong side (x @ W1)",
     'net_h = params["W1"] @ x + params["b1"]', 'net_h = x @ params["W1"] + params["b1"]',
     ("forward_hidden_layer", "forward_other_sizes")),
    ("forward: the hidden layer's bias left out",
     'net_h = params["W1"] @ x + params["b1"]', 'net_h = params["W1"] @ x',
     ("forward_hidden_layer", "forward_output_layer")),
    ("total error without the 1/2",
     "float((0.5 * (target - output) ** 2).sum())", "float(((target - output) ** 2).sum())",
     ("total_error_slides",)),
    ("output delta without the sigmoid's derivative",
     "delta_o = (out_o - target) * out_o * (1 - out_o)", "delta_o = out_o - target",
     ("backward_output_weights", "backward_hidden_weights")),
    ("sigmoid's derivative taken at the output instead of the net input: s(out)(1 - s(out))",
     "delta_o = (out_o - target) * out_o * (1 - out_o)",
     "delta_o = (out_o - target) * sigmoid(out_o) * (1 - sigmoid(out_o))",
     ("backward_output_weights", "backward_hidden_weights")),
    ("output delta with the sign flipped (target - out)",
     "delta_o = (out_o - target) * out_o * (1 - out_o)", "delta_o = (target - out_o) * out_o * (1 - out_o)",
     ("backward_output_weights", "backward_hidden_weights")),
    ("hidden delta missing the factor out_h * (1 - out_h)",
     'delta_h = (params["W2"].T @ delta_o) * out_h * (1 - out_h)', 'delta_h = params["W2"].T @ delta_o',
     ("backward_hidden_weights", "backward_random_network")),
    ("output deltas sent back through W2 instead of W2.T",
     'delta_h = (params["W2"].T @ delta_o)', 'delta_h = (params["W2"] @ delta_o)',
     ("backward_hidden_weights", "backward_random_network")),
    ("dW2 transposed: outer(out_h, delta_o)", "np.outer(delta_o, out_h)", "np.outer(out_h, delta_o)",
     ("backward_output_weights", "backward_random_network")),
    ("dW1 built from the hidden outputs instead of the inputs x",
     "np.outer(delta_h, x)", "np.outer(delta_h, out_h)",
     ("backward_hidden_weights", "backward_random_network")),
    ("a shared bias gets the delta of its first unit only", "float(delta.sum())", "float(delta[0])",
     ("backward_biases", "train_shared_biases")),
    ("a shared bias gets one delta per unit and turns into a vector",
     "float(delta.sum()) if np.ndim(bias) == 0 else delta", "delta",
     ("backward_biases", "train_shared_biases")),
    ("update_biases ignored: the biases always move",
     'moving = PARAM_KEYS if update_biases else ("W1", "W2")', "moving = PARAM_KEYS",
     ("update_one_step", "train_fixed_biases")),
    ("update writes the new values into the caller's dict",
     UPDATE_REGION,
     UPDATE_REGION.replace("    params = _check_params(params)\n",
                           "    caller = params\n    params = _check_params(params)\n")
     .replace("    return _plain(_update(params, grads, lr, update_biases))\n",
              "    caller.update(_plain(_update(params, grads, lr, update_biases)))\n    return caller\n"),
     ("update_leaves_input_alone",)),
    ("weights updated too early: the hidden gradients use the already-updated W2 (the slides' 0.291027924)",
     '        params = _update(params, _backward(x, target, params, cache), lr, update_biases)\n',
     '        grads = _backward(x, target, params, cache)\n'
     '        params = _update(params, {**grads, "W1": 0 * grads["W1"], "b1": 0 * grads["b1"]}, lr, update_biases)\n'
     '        hidden = _backward(x, target, params, cache)\n'
     '        params = _update(params, {**hidden, "W2": 0 * hidden["W2"], "b2": 0 * hidden["b2"]},\n'
     '                         lr, update_biases)\n',
     ("one_update_error", "train_fixed_biases")),
    ("errors recorded after each update, without the error before training",
     TRAIN_LOOP,
     TRAIN_LOOP.replace("np.empty(steps + 1)", "np.empty(steps)")
     .replace('        errors[k] = _total_error(target, cache["out_o"])\n', "")
     .replace('    errors[steps] = _total_error(target, _forward(x, params)["out_o"])\n', "")
     .replace("lr, update_biases)\n",
              'lr, update_biases)\n        errors[k] = _total_error(target, _forward(x, params)["out_o"])\n'),
     ("one_update_error", "train_records_errors")),
    ("training loop one step short", "    for k in range(steps):\n", "    for k in range(steps - 1):\n",
     ("one_update_error", "train_records_errors")),
    ("train accepts a negative learning rate",
     '    check_nonnegative(lr, "lr")\n    check_count(steps, "steps", minimum=0)\n',
     '    check_count(steps, "steps", minimum=0)\n',
     ("part1_rejects_bad_input",)),
    # Part 1b: deck 004's 2-2-1 network, factor by factor
    ("chain_rule_factors: dout/dnet taken as out instead of out (1 - out)",
     '"dout_dnet": float(out * (1 - out))', '"dout_dnet": float(out)',
     ("chain_rule_factors_appendix_b", "chain_rule_matches_central_differences")),
    ("chain_rule_factors: the slides' mistake, dnet_h/dW1 taken as the weights W1 instead of the inputs",
     '"dnet_h_dW1": np.tile(x, (out_h.size, 1))', '"dnet_h_dW1": params["W1"]',
     ("chain_rule_factors_appendix_b", "chain_rule_matches_central_differences")),
    ("chain_rule_factors: dE/dout with the sign flipped (target - out)",
     '"dE_dout": float(out - target[0])', '"dE_dout": float(target[0] - out)',
     ("chain_rule_factors_appendix_b", "chain_rule_matches_central_differences")),
    ("chain_rule_gradients: the slides' W5 mistake, dE/dW2 taken as its last factor dnet/dW2",
     '"W2": (to_net * f["dnet_dW2"])[None, :]', '"W2": f["dnet_dW2"][None, :]',
     ("chain_rule_gradients_appendix_b", "chain_rule_matches_central_differences")),
    ("chain_rule_gradients: a hidden weight's path skips the hidden unit's sigmoid derivative",
     'to_net_h = to_net * f["dnet_dh"] * f["dh_dnet_h"]', 'to_net_h = to_net * f["dnet_dh"]',
     ("chain_rule_gradients_appendix_b", "chain_rule_matches_central_differences")),
    ("chain_rule_factors accepts a network with several outputs",
     '    if params["W2"].shape[0] != 1:\n'
     '        raise ValueError(f"params[\'W2\'] must have one row (one output unit), got shape {params[\'W2\'].shape}")\n',
     "",
     ("chain_rule_rejects_bad_input",)),
    # Part 2: numerical gradients
    ("one-sided difference (f(x + h) - f(x)) / h instead of the central one",
     "grad[index] = (float(f(x + step)) - float(f(x - step))) / (2 * h)",
     "grad[index] = (float(f(x + step)) - float(f(x))) / h",
     ("numerical_gradient_central", "numerical_gradient_defaults")),
    ("central difference divided by h instead of 2h", "/ (2 * h)", "/ h",
     ("numerical_gradient_central", "numerical_gradient_defaults")),
    ("x perturbed in place and never restored",
     CENTRAL_DIFFERENCE,
     '    x = np.asarray(x, dtype=float)\n'
     '    grad = np.empty_like(x)\n'
     '    for index in np.ndindex(x.shape):\n'
     '        x[index] += h\n'
     '        up = float(f(x))\n'
     '        x[index] -= 2 * h\n'
     '        grad[index] = (up - float(f(x))) / (2 * h)\n',
     ("numerical_gradient_central", "numerical_gradient_defaults")),
    ("relative error without the denominator",
     "float(np.linalg.norm(a - b) / scale)", "float(np.linalg.norm(a - b))",
     ("relative_error_values",)),
    ("relative error of two zero gradients is nan",
     "0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)", "float(np.linalg.norm(a - b) / scale)",
     ("relative_error_values",)),
    # Part 3: the MLP
    ("softmax without subtracting the maximum (overflows)",
     "np.exp(Z - np.max(Z, axis=1, keepdims=True))", "np.exp(Z)",
     ("mlp_softmax_stable",)),
    ("softmax normalized over the batch (axis 0) instead of each row",
     "e / np.sum(e, axis=1, keepdims=True)", "e / np.sum(e, axis=0, keepdims=True)",
     ("mlp_forward_activations", "mlp_gradients_softmax")),
    ("softmax gradient wrong: treated like the sigmoid, delta times A(1 - A)",
     "        delta = (A[-1] - Y) / Y.shape[0]\n",
     "        delta = (A[-1] - Y) / Y.shape[0]\n"
     '        if self.activations[-1] == "softmax":\n'
     "            delta = delta * A[-1] * (1 - A[-1])\n",
     ("mlp_gradients_softmax", "mlp_gradients_random_softmax")),
    ("sigmoid's derivative kept with the cross-entropy loss",
     '        if self.loss_name == "mse":\n            delta = delta *',
     '        if self.activations[-1] != "softmax":\n            delta = delta *',
     ("mlp_gradients_tanh_relu", "mlp_gradients_random_sigmoid_cross_entropy")),
    ("sigmoid's derivative written with Z instead of A", "return A * (1 - A)", "return Z * (1 - Z)",
     ("mlp_gradients_sigmoid_mse", "mlp_reproduces_slides")),
    ("tanh's derivative written with Z instead of A", "return 1 - A ** 2", "return 1 - Z ** 2",
     ("mlp_gradients_tanh_relu", "mlp_gradients_linear")),
    ("relu's derivative taken as the relu itself", "return (Z > 0).astype(float)", "return A",
     ("mlp_gradients_tanh_relu", "mlp_gradients_softmax")),
    ("gradient of the summed loss: no division by the batch size",
     "delta = (A[-1] - Y) / Y.shape[0]", "delta = A[-1] - Y",
     ("mlp_gradients_sigmoid_mse", "mlp_gradient_of_the_mean")),
    ("bias gradient not summed over the batch: averaged a second time",
     "np.sum(delta, axis=0)", "np.mean(delta, axis=0)",
     ("mlp_gradients_sigmoid_mse", "mlp_gradient_of_the_mean")),
    ("bias gradient from the first example only", "np.sum(delta, axis=0)", "delta[0]",
     ("mlp_gradients_sigmoid_mse", "mlp_gradient_of_the_mean")),
    ("backpropagation through a layer uses the derivative of the layer above",
     "Z[layer - 1], A[layer], self.activations[layer - 1])", "Z[layer], A[layer + 1], self.activations[layer])",
     ("mlp_gradients_sigmoid_mse", "mlp_gradients_tanh_relu")),
    ("loss summed over the examples instead of averaged",
     "return float(np.mean(per_example))", "return float(np.sum(per_example))",
     ("mlp_loss_values",)),
    ("step climbs: W + lr * dW", "W - lr * dW for", "W + lr * dW for",
     ("mlp_step_descends", "mlp_reproduces_slides")),
    ("step leaves the biases alone",
     "        self.biases = [b - lr * db for b, (_, db) in zip(self.biases, self._grads)]\n", "",
     ("mlp_step_descends",)),
    ("initial weights not drawn from the seed", "self.rng = np.random.default_rng(seed)",
     "self.rng = np.random.default_rng()",
     ("mlp_initialization",)),
    ("all weights start at zero",
     "self.rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_out, n_in))", "np.zeros((n_out, n_in))",
     ("mlp_initialization",)),
    ("fit never shuffles", "order = self.rng.permutation(n)", "order = np.arange(n)",
     ("mlp_fit_shuffles",)),
    ("fit drops the last, smaller batch", "range(0, n, size)", "range(0, n - size + 1, size)",
     ("mlp_fit_minibatches",)),
    ("fit records the loss of the last batch instead of the whole data set",
     "losses[epoch] = self.loss(X, Y)", "losses[epoch] = self.loss(X[batch], Y[batch])",
     ("mlp_fit_shuffles",)),
    ("unknown activation names accepted",
     " or not all(name in ACTIVATIONS for name in names):", ":",
     ("mlp_rejects_bad_arguments",)),
    ("softmax accepted with the mse loss",
     '    if loss == "mse" and names[-1] == "softmax":\n'
     '        raise ValueError("loss \'mse\' with a softmax output is not supported: use loss=\'cross_entropy\'")\n',
     "",
     ("mlp_rejects_bad_arguments",)),
    ("relu's derivative taken as 1 at 0 (the contract says 0)", "return (Z > 0).astype(float)",
     "return (Z >= 0).astype(float)", ("activation_derivative_values",)),
    ("numerical_gradient keeps an integer point's dtype: the step h rounds to 0",
     '    x = as_float_array(x, "x")\n    grad = np.empty_like(x)\n',
     "    x = np.asarray(x)\n    grad = np.empty_like(x, dtype=float)\n", ("numerical_gradient_integer_point",)),
    ("the initial weights scaled for the inputs only (He, sqrt(2 / fan_in)) instead of Glorot's",
     "np.sqrt(2.0 / (n_in + n_out))", "np.sqrt(2.0 / n_in)", ("mlp_initialization_scale",)),
    ("the initial weights drawn with std 1",
     "self.rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_out, n_in))",
     "self.rng.normal(size=(n_out, n_in))", ("mlp_initialization_scale",)),
]
