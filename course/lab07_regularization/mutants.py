"""Plausible mistakes in lab 7, one per mutant.

Each is (what the student got wrong, old text, new text, the graded tests it
must fail): the tests that check what the mistake breaks.
"""

KEEP_MASK = "    return (rng.random(shape) >= rate) / (1.0 - rate)\n"
DROPCONNECT_MASK = ("    if training and rate > 0:\n"
                    "        W = W * _scaled_keep_mask(W.shape, rate, _as_generator(rng))\n"
                    "    return x @ W + b\n")
MASKED_KERNEL = "            kernel = ops.where(keep, ops.divide(kernel, 1.0 - self.rate), 0.0)\n"
DENSE_CALL = ("        kernel = self.kernel\n"
              "        if training and self.rate > 0:\n"
              "            shape = ops.shape(kernel)\n"
              "            noise = keras.random.uniform(shape, seed=self.seed_generator)\n"
              "            # uniform[0, 1) >= rate holds with probability exactly 1 - rate.\n"
              "            keep = ops.greater_equal(noise, self.rate)\n"
              + MASKED_KERNEL +
              "        outputs = ops.matmul(inputs, kernel)\n"
              "        if self.bias is not None:\n"
              "            outputs = ops.add(outputs, self.bias)\n"
              "        return self.activation(outputs)\n")
CLIP = ('    g = as_float_array(g, "g")\n    norm = np.sqrt(np.sum(g ** 2))\n'
        "    return g * (max_norm / norm) if norm > max_norm else g\n")
ZSCORE = "    X = _as_batch(X)\n    std = X.std(axis=0)\n    return (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)\n"
BN_DX = "    dx = inv_std / n * (n * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))\n"

MUTANTS = [
    # dropout and DropConnect in NumPy
    ("dropout without rescaling: kept units keep their value",
     KEEP_MASK, "    return (rng.random(shape) >= rate).astype(float)\n",
     ("dropout_inverted_scaling", "dropconnect_drops_weights")),
    ("dropout keeps units with probability rate instead of 1 - rate",
     KEEP_MASK, "    return (rng.random(shape) < rate) / (1.0 - rate)\n",
     ("dropout_inverted_scaling", "dropconnect_drops_weights")),
    ("dropout still drops at inference",
     "    if not training or rate == 0:\n        return x\n", "    if rate == 0:\n        return x\n",
     ("dropout_identity_at_inference",)),
    ("dropout ignores its rng and always uses seed 0",
     "    return x * _scaled_keep_mask(x.shape, rate, _as_generator(rng))",
     "    return x * _scaled_keep_mask(x.shape, rate, np.random.default_rng(0))",
     ("dropout_seeded", "dropout_rejects_bad_arguments")),
    ("DropConnect still drops weights at inference",
     DROPCONNECT_MASK, DROPCONNECT_MASK.replace("if training and rate > 0:", "if rate > 0:"),
     ("dropconnect_inference_is_dense",)),
    ("DropConnect written as dropout on the layer's output",
     DROPCONNECT_MASK,
     "    if training and rate > 0:\n"
     "        return (x @ W) * _scaled_keep_mask((x @ W).shape, rate, _as_generator(rng)) + b\n"
     "    return x @ W + b\n", ("dropconnect_drops_weights",)),
    ("DropConnect written as dropout on the layer's input",
     DROPCONNECT_MASK,
     DROPCONNECT_MASK.replace("W = W * _scaled_keep_mask(W.shape", "x = x * _scaled_keep_mask(x.shape"),
     ("dropconnect_drops_weights",)),
    ("DropConnect with one mask per output unit instead of per weight",
     DROPCONNECT_MASK, DROPCONNECT_MASK.replace("_scaled_keep_mask(W.shape", "_scaled_keep_mask((1, W.shape[1])"),
     ("dropconnect_drops_weights",)),
    # penalties
    ("L2 gradient off by 2: lam * W",
     'return 2 * lam * as_float_array(W, "W")', 'return lam * as_float_array(W, "W")',
     ("penalty_gradients_numerical",)),
    ("L2 penalty with a 1/2: lam / 2 * sum(W**2)",
     'return float(lam * np.sum(as_float_array(W, "W") ** 2))',
     'return float(lam / 2 * np.sum(as_float_array(W, "W") ** 2))', ("l2_by_hand",)),
    ("L1 gradient written like L2's: lam * W",
     'return lam * np.sign(as_float_array(W, "W"))', 'return lam * as_float_array(W, "W")',
     ("l1_by_hand", "penalty_gradients_numerical")),
    # early stopping
    ("early stopping off by one: stops when the count exceeds patience",
     "            if waited >= patience:\n", "            if waited > patience:\n",
     ("early_stopping_counts_like_keras", "early_stopping_ties_and_patience_zero", "early_stopping_random_histories")),
    ("early stopping counts a tie with the best as an improvement",
     "if losses[epoch] < losses[best_epoch]:", "if losses[epoch] <= losses[best_epoch]:",
     ("early_stopping_ties_and_patience_zero", "early_stopping_random_histories")),
    ("early stopping never resets its count at a new best",
     "            best_epoch, waited = epoch, 0\n", "            best_epoch = epoch\n",
     ("early_stopping_counts_like_keras", "early_stopping_random_histories")),
    ("early stopping accepts a negative patience",
     '    check_count(patience, "patience", minimum=0)\n', "", ("early_stopping_rejects_bad_arguments",)),
    # batch normalization
    ("batch-norm backward without the variance term",
     BN_DX, "    dx = inv_std / n * (n * dx_hat - dx_hat.sum(axis=0))\n", ("batch_norm_backward_numerical",)),
    ("batch-norm backward without the mean term",
     BN_DX, "    dx = inv_std / n * (n * dx_hat - x_hat * (dx_hat * x_hat).sum(axis=0))\n",
     ("batch_norm_backward_numerical",)),
    ("batch-norm forward with the unbiased variance (ddof=1)",
     "inv_std = 1.0 / np.sqrt(x.var(axis=0) + eps)", "inv_std = 1.0 / np.sqrt(x.var(axis=0, ddof=1) + eps)",
     ("batch_norm_forward_standardizes", "batch_norm_backward_numerical")),
    # initialization
    ("Xavier with the wrong fan: sqrt(2 / n_in)",
     "np.sqrt(2.0 / (n_in + n_out)))", "np.sqrt(2.0 / n_in))", ("xavier_init_std",)),
    ("He with the fan-out: sqrt(2 / n_out)",
     "    return _gaussian_weights(n_in, n_out, rng, np.sqrt(2.0 / n_in))",
     "    return _gaussian_weights(n_in, n_out, rng, np.sqrt(2.0 / n_out))", ("he_init_std",)),
    ("initial weights drawn uniformly (with the right standard deviation)",
     "_as_generator(rng).normal(0.0, std, size=(n_in, n_out))",
     "_as_generator(rng).uniform(-std * np.sqrt(3), std * np.sqrt(3), size=(n_in, n_out))",
     ("random_normal_init_std", "xavier_init_std", "he_init_std")),
    # clipping and normalization
    ("clip_by_norm clips each entry instead of the norm",
     "return g * (max_norm / norm) if norm > max_norm else g", "return np.clip(g, -max_norm, max_norm)",
     ("clip_by_norm_values",)),
    ("minmax_normalize uses the whole array's min and max instead of each column's",
     "low, spread = X.min(axis=0), np.ptp(X, axis=0)", "low, spread = X.min(), np.ptp(X)", ("minmax_by_hand",)),
    ("l2_normalize divides by the columns' norms",
     "np.sum(X ** 2, axis=-1, keepdims=True)", "np.sum(X ** 2, axis=0, keepdims=True)", ("l2_normalize_rows",)),
    # DropConnectDense
    ("DropConnectDense still drops weights at inference",
     DENSE_CALL, DENSE_CALL.replace("if training and self.rate > 0:", "if self.rate > 0:"),
     ("dropconnect_dense_inference",)),
    ("DropConnectDense written as dropout on the layer's output",
     DENSE_CALL,
     "        outputs = ops.matmul(inputs, self.kernel)\n"
     "        if training and self.rate > 0:\n"
     "            outputs = keras.random.dropout(outputs, self.rate, seed=self.seed_generator)\n"
     "        return self.activation(ops.add(outputs, self.bias))\n", ("dropconnect_dense_drops_weights",)),
    ("DropConnectDense masks its kernel with keras.layers.Dropout",
     MASKED_KERNEL, "            kernel = keras.layers.Dropout(self.rate)(kernel, training=True)\n",
     ("dropconnect_dense_inference", "dropconnect_dense_drops_weights", "dropconnect_dense_mean_and_seeds")),
    ("DropConnectDense without rescaling the kept weights",
     "ops.divide(kernel, 1.0 - self.rate), 0.0)", "kernel, 0.0)",
     ("dropconnect_dense_drops_weights", "dropconnect_dense_mean_and_seeds")),
    ("DropConnectDense ignores its seed",
     "        self.seed_generator = keras.random.SeedGenerator(seed)\n",
     "        self.seed_generator = keras.random.SeedGenerator()\n", ("dropconnect_dense_mean_and_seeds",)),
    ("DropConnectDense draws the same mask at every call",
     "noise = keras.random.uniform(shape, seed=self.seed_generator)",
     "noise = keras.random.uniform(shape, seed=self.seed or 0)", ("dropconnect_dense_mean_and_seeds",)),
    ("DropConnectDense's get_config forgets rate",
     "            rate=self.rate,\n", "", ("dropconnect_dense_config",)),
    ("DropConnectDense delegates to the course's layer",
     "class DropConnectDense(keras.layers.Layer):",
     "class DropConnectDense(__import__('custom_layers').DropConnectDense):",
     ("dropconnect_dense_inference", "dropconnect_dense_drops_weights", "dropconnect_dense_mean_and_seeds",
      "dropconnect_dense_config")),
    ("dropconnect ignores its rng and always uses seed 0",
     "W = W * _scaled_keep_mask(W.shape, rate, _as_generator(rng))",
     "W = W * _scaled_keep_mask(W.shape, rate, np.random.default_rng(0))", ("dropconnect_seeded",)),
    ("batch-norm forward ignores eps (always 1e-5)",
     "inv_std = 1.0 / np.sqrt(x.var(axis=0) + eps)", "inv_std = 1.0 / np.sqrt(x.var(axis=0) + 1e-5)",
     ("batch_norm_forward_standardizes",)),
    ("batch-norm forward adds eps outside the square root",
     "inv_std = 1.0 / np.sqrt(x.var(axis=0) + eps)", "inv_std = 1.0 / (np.sqrt(x.var(axis=0)) + eps)",
     ("batch_norm_forward_standardizes",)),
    ("clip_by_norm rescales the caller's gradient in place (g *= max_norm / norm)",
     CLIP, '    g = np.asarray(g, dtype=float)\n    norm = np.sqrt(np.sum(g ** 2))\n'
           "    if norm > max_norm:\n        g *= max_norm / norm\n    return g\n",
     ("functions_leave_inputs_untouched",)),
    ("zscore_normalize standardizes the caller's X in place (X -= mean)",
     ZSCORE, "    X = np.asarray(X, dtype=float)\n    if X.ndim not in (1, 2) or X.shape[0] == 0:\n"
             '        raise ValueError(f"X must be a non-empty array of shape (n,) or (n, d), got shape {X.shape}")\n'
             "    std = X.std(axis=0)\n    X -= X.mean(axis=0)\n    X /= np.where(std > 0, std, 1.0)\n    return X\n",
     ("functions_leave_inputs_untouched",)),
]
