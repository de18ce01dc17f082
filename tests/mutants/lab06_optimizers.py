"""Plausible mistakes in lab 6, one per mutant: (what the student got wrong, old text, new text)."""

MOMENTUM_UPDATE = ("    velocity = beta * velocity + (1 - beta) * g\n"
                   "    return (w - lr * velocity)[()], velocity[()]\n")
NESTEROV_RETURN = "    return (w - lr * (beta * velocity + (1 - beta) * g))[()], velocity[()]\n"
ADAM_CORRECTION = "    m_hat = m / (1 - beta1 ** t)\n    v_hat = v / (1 - beta2 ** t)\n"

MUTANTS = [
    # NumPy rules
    ("gradient descent climbs: w + lr * g", "return (w - lr * g)[()]", "return (w + lr * g)[()]"),
    ("sgd_step checks nothing (negative lr, mismatched g accepted)",
     "    w, g = _check_step(w, g, lr)\n    return (w - lr * g)[()]",
     "    w, g = np.asarray(w, dtype=float), np.asarray(g, dtype=float)\n    return (w - lr * g)[()]"),
    ("momentum in Keras's form instead of the slides': v = beta v + g, w -= lr v",
     MOMENTUM_UPDATE, MOMENTUM_UPDATE.replace("(1 - beta) * g", "g")),
    ("momentum steps with the old velocity, before updating it",
     MOMENTUM_UPDATE,
     "    step = lr * velocity\n"
     "    velocity = beta * velocity + (1 - beta) * g\n"
     "    return (w - step)[()], velocity[()]\n"),
    ("momentum's beta and 1 - beta swapped",
     MOMENTUM_UPDATE, MOMENTUM_UPDATE.replace("beta * velocity + (1 - beta) * g", "(1 - beta) * velocity + beta * g")),
    ("momentum_step does not check beta",
     '    _check_decay(beta, "beta")\n' + MOMENTUM_UPDATE, MOMENTUM_UPDATE),
    ("nesterov_step is plain momentum (no look-ahead)",
     NESTEROV_RETURN, "    return (w - lr * velocity)[()], velocity[()]\n"),
    ("nesterov's look-ahead in Keras's units: w - lr * (beta v + g)",
     NESTEROV_RETURN, NESTEROV_RETURN.replace("(1 - beta) * g))", "g))")),
    ("adagrad averages instead of summing the squared gradients",
     "    cache = cache + g ** 2\n", "    cache = 0.9 * cache + 0.1 * g ** 2\n"),
    ("adagrad divides by the cache, not its square root",
     "    cache = cache + g ** 2\n    return (w - lr * g / (np.sqrt(cache) + eps))",
     "    cache = cache + g ** 2\n    return (w - lr * g / (cache + eps))"),
    ("rmsprop's moving average weights swapped: (1 - rho) cache + rho g**2",
     "cache = rho * cache + (1 - rho) * g ** 2", "cache = (1 - rho) * cache + rho * g ** 2"),
    ("adam without bias correction", ADAM_CORRECTION, "    m_hat, v_hat = m, v\n"),
    ("adam corrects m but not v", ADAM_CORRECTION, "    m_hat = m / (1 - beta1 ** t)\n    v_hat = v\n"),
    ("adam with epsilon inside the square root",
     "lr * m_hat / (np.sqrt(v_hat) + eps))", "lr * m_hat / np.sqrt(v_hat + eps))"),
    ("adam returns the corrected averages as its state",
     "eps))[()], m[()], v[()]", "eps))[()], m_hat[()], v_hat[()]"),
    ("adam's correction one step late: 1 - beta**(t + 1)",
     ADAM_CORRECTION, ADAM_CORRECTION.replace("** t)", "** (t + 1))")),
    ("adam accepts t = 0",
     '    if isinstance(t, bool) or not isinstance(t, numbers.Integral) or t < 1:\n'
     '        raise ValueError(f"t must be an integer >= 1 (the number of this step), got {t!r}")\n', ""),
    ("inverse-time decay written as exponential decay: lr0 / (1 + decay_rate) ** epoch",
     "(lr0 / (1 + decay_rate * epoch))[()]", "(lr0 / (1 + decay_rate) ** epoch)[()]"),
    # Keras optimizers
    ("MomentumOptimizer in Keras's form: velocity = beta * velocity + gradient",
     "ops.multiply(gradient, 1 - self.beta)))", "gradient))"),
    ("MomentumOptimizer ignores its beta argument (always 0.9)", "self.beta = float(beta)", "self.beta = 0.9"),
    ("MomentumOptimizer shares one velocity between all variables",
     "velocity = self._velocities[self._get_variable_index(variable)]", "velocity = self._velocities[0]"),
    ("MomentumOptimizer's get_config forgets beta", '            config["beta"] = self.beta\n', ""),
    ("MomentumOptimizer delegates to the course's reference optimizer",
     "class MomentumOptimizer(keras.optimizers.Optimizer):",
     "class MomentumOptimizer(__import__('custom_layers').MomentumOptimizer):"),
    ("AdamOptimizer without bias correction",
     "            m_hat = ops.divide(m, 1 - ops.power(ops.cast(self.beta_1, dtype), t))\n"
     "            v_hat = ops.divide(v, 1 - ops.power(ops.cast(self.beta_2, dtype), t))\n",
     "            m_hat, v_hat = m, v\n"),
    ("AdamOptimizer with epsilon inside the square root",
     "ops.add(ops.sqrt(v_hat), self.epsilon)", "ops.sqrt(ops.add(v_hat, self.epsilon))"),
    ("AdamOptimizer counts t from 0: t = iterations",
     "t = ops.cast(self.iterations + 1, dtype)", "t = ops.cast(self.iterations, dtype)"),
    ("AdamOptimizer delegates to keras.optimizers.Adam",
     "class AdamOptimizer(keras.optimizers.Optimizer):", "class AdamOptimizer(keras.optimizers.Adam):"),
    ("AdamOptimizer's get_config forgets epsilon",
     "config.update(beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon)",
     "config.update(beta_1=self.beta_1, beta_2=self.beta_2)"),
    ("AdamOptimizer does not check beta_2", '            _check_decay(beta_2, "beta_2")\n', ""),
]
