"""Plausible mistakes in lab 7, one per mutant: (what the student got wrong, old text, new text)."""

KEEP_MASK = "    return (rng.random(shape) >= rate) / (1.0 - rate)\n"
DROPCONNECT_MASK = ("    if training and rate > 0:\n"
                    "        W = W * _scaled_keep_mask(W.shape, rate, _as_generator(rng))\n"
                    "    return x @ W + b\n")
MASKED_KERNEL = ("                kernel = ops.where(ops.greater_equal(noise, self.rate), "
                 "kernel / (1.0 - self.rate), 0.0)\n")
DENSE_CALL = ("            kernel = self.kernel\n"
              "            if training and self.rate > 0:\n"
              "                noise = keras.random.uniform(ops.shape(kernel), seed=self.seed_generator)\n"
              + MASKED_KERNEL +
              "            return self.activation(ops.add(ops.matmul(inputs, kernel), self.bias))\n")
BN_DX = "    dx = inv_std / n * (n * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))\n"

MUTANTS = [
    # dropout and DropConnect in NumPy
    ("dropout without rescaling: kept units keep their value",
     KEEP_MASK, "    return (rng.random(shape) >= rate).astype(float)\n"),
    ("dropout keeps units with probability rate instead of 1 - rate",
     KEEP_MASK, "    return (rng.random(shape) < rate) / (1.0 - rate)\n"),
    ("dropout still drops at inference",
     "    if not training or rate == 0:\n        return x\n", "    if rate == 0:\n        return x\n"),
    ("dropout ignores its rng and always uses seed 0",
     "    return x * _scaled_keep_mask(x.shape, rate, _as_generator(rng))",
     "    return x * _scaled_keep_mask(x.shape, rate, np.random.default_rng(0))"),
    ("DropConnect still drops weights at inference",
     DROPCONNECT_MASK, DROPCONNECT_MASK.replace("if training and rate > 0:", "if rate > 0:")),
    ("DropConnect written as dropout on the layer's output",
     DROPCONNECT_MASK,
     "    if training and rate > 0:\n"
     "        return (x @ W) * _scaled_keep_mask((x @ W).shape, rate, _as_generator(rng)) + b\n"
     "    return x @ W + b\n"),
    ("DropConnect written as dropout on the layer's input",
     DROPCONNECT_MASK,
     DROPCONNECT_MASK.replace("W = W * _scaled_keep_mask(W.shape", "x = x * _scaled_keep_mask(x.shape")),
    ("DropConnect with one mask per output unit instead of per weight",
     DROPCONNECT_MASK, DROPCONNECT_MASK.replace("_scaled_keep_mask(W.shape", "_scaled_keep_mask((1, W.shape[1])")),
    # penalties
    ("L2 gradient off by 2: lam * W",
     'return 2 * lam * _as_float_array(W, "W")', 'return lam * _as_float_array(W, "W")'),
    ("L2 penalty with a 1/2: lam / 2 * sum(W**2)",
     'return float(lam * np.sum(_as_float_array(W, "W") ** 2))',
     'return float(lam / 2 * np.sum(_as_float_array(W, "W") ** 2))'),
    ("L1 gradient written like L2's: lam * W",
     'return lam * np.sign(_as_float_array(W, "W"))', 'return lam * _as_float_array(W, "W")'),
    # early stopping
    ("early stopping off by one: stops when the count exceeds patience",
     "            if waited >= patience:\n", "            if waited > patience:\n"),
    ("early stopping counts a tie with the best as an improvement",
     "if losses[epoch] < losses[best_epoch]:", "if losses[epoch] <= losses[best_epoch]:"),
    ("early stopping never resets its count at a new best",
     "            best_epoch, waited = epoch, 0\n", "            best_epoch = epoch\n"),
    ("early stopping accepts a negative patience",
     '    _check_count(patience, "patience", minimum=0)\n', ""),
    # batch normalization
    ("batch-norm backward without the variance term",
     BN_DX, "    dx = inv_std / n * (n * dx_hat - dx_hat.sum(axis=0))\n"),
    ("batch-norm backward without the mean term",
     BN_DX, "    dx = inv_std / n * (n * dx_hat - x_hat * (dx_hat * x_hat).sum(axis=0))\n"),
    ("batch-norm forward with the unbiased variance (ddof=1)",
     "inv_std = 1.0 / np.sqrt(x.var(axis=0) + eps)", "inv_std = 1.0 / np.sqrt(x.var(axis=0, ddof=1) + eps)"),
    # initialization
    ("Xavier with the wrong fan: sqrt(2 / n_in)",
     "np.sqrt(2.0 / (n_in + n_out)))", "np.sqrt(2.0 / n_in))"),
    ("He with the fan-out: sqrt(2 / n_out)",
     "    return _gaussian_weights(n_in, n_out, rng, np.sqrt(2.0 / n_in))",
     "    return _gaussian_weights(n_in, n_out, rng, np.sqrt(2.0 / n_out))"),
    ("initial weights drawn uniformly (with the right standard deviation)",
     "_as_generator(rng).normal(0.0, std, size=(n_in, n_out))",
     "_as_generator(rng).uniform(-std * np.sqrt(3), std * np.sqrt(3), size=(n_in, n_out))"),
    # clipping and normalization
    ("clip_by_norm clips each entry instead of the norm",
     "return g * (max_norm / norm) if norm > max_norm else g", "return np.clip(g, -max_norm, max_norm)"),
    ("minmax_normalize uses the whole array's min and max instead of each column's",
     "low, spread = X.min(axis=0), np.ptp(X, axis=0)", "low, spread = X.min(), np.ptp(X)"),
    ("l2_normalize divides by the columns' norms",
     "np.sum(X ** 2, axis=-1, keepdims=True)", "np.sum(X ** 2, axis=0, keepdims=True)"),
    # DropConnectDense
    ("DropConnectDense still drops weights at inference",
     DENSE_CALL, DENSE_CALL.replace("if training and self.rate > 0:", "if self.rate > 0:")),
    ("DropConnectDense written as dropout on the layer's output",
     DENSE_CALL,
     "            outputs = ops.matmul(inputs, self.kernel)\n"
     "            if training and self.rate > 0:\n"
     "                outputs = keras.random.dropout(outputs, self.rate, seed=self.seed_generator)\n"
     "            return self.activation(ops.add(outputs, self.bias))\n"),
    ("DropConnectDense masks its kernel with keras.layers.Dropout",
     MASKED_KERNEL, "                kernel = keras.layers.Dropout(self.rate)(kernel, training=True)\n"),
    ("DropConnectDense without rescaling the kept weights",
     "kernel / (1.0 - self.rate), 0.0)", "kernel, 0.0)"),
    ("DropConnectDense ignores its seed",
     "            self.seed_generator = keras.random.SeedGenerator(seed)\n",
     "            self.seed_generator = keras.random.SeedGenerator()\n"),
    ("DropConnectDense draws the same mask at every call",
     "keras.random.uniform(ops.shape(kernel), seed=self.seed_generator)",
     "keras.random.uniform(ops.shape(kernel), seed=self.seed or 0)"),
    ("DropConnectDense's get_config forgets rate",
     "config.update(units=self.units, rate=self.rate, seed=self.seed,",
     "config.update(units=self.units, seed=self.seed,"),
    ("DropConnectDense delegates to the course's layer",
     "class DropConnectDense(keras.layers.Layer):",
     "class DropConnectDense(__import__('custom_layers').DropConnectDense):"),
]
