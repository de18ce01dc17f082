"""Plausible mistakes in lab 6, one per mutant.

Each is (what the student got wrong, old text, new text, the graded tests it
must fail): the tests that check what the mistake breaks.
"""

MOMENTUM_UPDATE = ("    velocity = beta * velocity + (1 - beta) * g\n"
                   "    return (w - lr * velocity)[()], velocity[()]\n")
NESTEROV_RETURN = "    return (w - lr * (beta * velocity + (1 - beta) * g))[()], velocity[()]\n"
ADAM_CORRECTION = "    m_hat = m / (1 - beta1 ** t)\n    v_hat = v / (1 - beta2 ** t)\n"
ADAM_AVERAGES = "    m = beta1 * m + (1 - beta1) * g\n    v = beta2 * v + (1 - beta2) * g ** 2\n" + ADAM_CORRECTION
# A student who checks the state's shape without copying it, then updates it in place: the caller's array changes.
MOMENTUM_CHECKED = '    velocity = _check_like(velocity, w, "velocity")\n    check_fraction(beta, "beta")\n' + MOMENTUM_UPDATE
MOMENTUM_IN_PLACE = ("    velocity = np.asarray(velocity, dtype=float)\n"
                     "    if velocity.shape != w.shape:\n"
                     '        raise ValueError(f"velocity must have the shape of w, {w.shape}, got {velocity.shape}")\n'
                     '    check_fraction(beta, "beta")\n'
                     "    velocity *= beta\n"
                     "    velocity += (1 - beta) * g\n"
                     "    return (w - lr * velocity)[()], velocity[()]\n")
ADAM_CHECKED = ('    m, v = _check_like(m, w, "m"), _check_like(v, w, "v")\n'
                '    check_count(t, "t")  # the number of this step, from 1\n'
                '    check_fraction(beta1, "beta1")\n    check_fraction(beta2, "beta2")\n'
                '    check_nonnegative(eps, "eps")\n')
ADAM_IN_PLACE = ("    m, v = np.asarray(m, dtype=float), np.asarray(v, dtype=float)\n"
                 "    if m.shape != w.shape or v.shape != w.shape:\n"
                 '        raise ValueError(f"m and v must have the shape of w, {w.shape}, got {m.shape}, {v.shape}")\n'
                 + ADAM_CHECKED[ADAM_CHECKED.index("    check_count"):]
                 + "    m *= beta1\n    m += (1 - beta1) * g\n    v *= beta2\n    v += (1 - beta2) * g ** 2\n")

MUTANTS = [
    # NumPy rules
    ("gradient descent climbs: w + lr * g", "return (w - lr * g)[()]", "return (w + lr * g)[()]",
     ("sgd_step_by_hand", "sgd_quadratic_closed_form")),
    ("sgd_step checks nothing (negative lr, mismatched g accepted)",
     "    w, g = _check_step(w, g, lr)\n    return (w - lr * g)[()]",
     "    w, g = np.asarray(w, dtype=float), np.asarray(g, dtype=float)\n    return (w - lr * g)[()]",
     ("sgd_rejects_bad_arguments",)),
    ("momentum in Keras's form instead of the slides': v = beta v + g, w -= lr v",
     MOMENTUM_UPDATE, MOMENTUM_UPDATE.replace("(1 - beta) * g", "g"), ("momentum_by_hand", "rules_agree_with_keras")),
    ("momentum steps with the old velocity, before updating it",
     MOMENTUM_UPDATE,
     "    step = lr * velocity\n"
     "    velocity = beta * velocity + (1 - beta) * g\n"
     "    return (w - step)[()], velocity[()]\n",
     ("momentum_by_hand", "momentum_beta_zero_is_sgd", "rules_agree_with_keras")),
    ("momentum's beta and 1 - beta swapped",
     MOMENTUM_UPDATE, MOMENTUM_UPDATE.replace("beta * velocity + (1 - beta) * g", "(1 - beta) * velocity + beta * g"),
     ("momentum_by_hand", "momentum_beta_zero_is_sgd", "rules_agree_with_keras")),
    ("momentum_step does not check beta",
     '    check_fraction(beta, "beta")\n' + MOMENTUM_UPDATE, MOMENTUM_UPDATE, ("momentum_rejects_bad_arguments",)),
    ("nesterov_step is plain momentum (no look-ahead)",
     NESTEROV_RETURN, "    return (w - lr * velocity)[()], velocity[()]\n",
     ("nesterov_by_hand", "rules_agree_with_keras")),
    ("nesterov's look-ahead in Keras's units: w - lr * (beta v + g)",
     NESTEROV_RETURN, NESTEROV_RETURN.replace("(1 - beta) * g))", "g))"),
     ("nesterov_by_hand", "rules_agree_with_keras")),
    ("adagrad averages instead of summing the squared gradients",
     "    cache = cache + g ** 2\n", "    cache = 0.9 * cache + 0.1 * g ** 2\n", ("adagrad_by_hand",)),
    ("adagrad divides by the cache, not its square root",
     "    cache = cache + g ** 2\n    return (w - lr * g / (np.sqrt(cache) + eps))",
     "    cache = cache + g ** 2\n    return (w - lr * g / (cache + eps))", ("adagrad_by_hand",)),
    ("rmsprop's moving average weights swapped: (1 - rho) cache + rho g**2",
     "cache = rho * cache + (1 - rho) * g ** 2", "cache = (1 - rho) * cache + rho * g ** 2",
     ("rmsprop_by_hand", "rmsprop_first_step")),
    ("adam without bias correction", ADAM_CORRECTION, "    m_hat, v_hat = m, v\n",
     ("adam_first_step", "adam_two_steps_by_hand", "adam_epsilon_outside_root", "rules_agree_with_keras")),
    ("adam corrects m but not v", ADAM_CORRECTION, "    m_hat = m / (1 - beta1 ** t)\n    v_hat = v\n",
     ("adam_first_step", "adam_two_steps_by_hand", "adam_epsilon_outside_root", "rules_agree_with_keras")),
    ("adam with epsilon inside the square root",
     "lr * m_hat / (np.sqrt(v_hat) + eps))", "lr * m_hat / np.sqrt(v_hat + eps))",
     ("adam_first_step", "adam_epsilon_outside_root", "rules_agree_with_keras")),
    ("adam returns the corrected averages as its state",
     "eps))[()], m[()], v[()]", "eps))[()], m_hat[()], v_hat[()]",
     ("adam_first_step", "adam_two_steps_by_hand", "rules_agree_with_keras")),
    ("adam's correction one step late: 1 - beta**(t + 1)",
     ADAM_CORRECTION, ADAM_CORRECTION.replace("** t)", "** (t + 1))"),
     ("adam_first_step", "adam_two_steps_by_hand", "adam_epsilon_outside_root", "rules_agree_with_keras")),
    ("adam accepts t = 0",
     '    check_count(t, "t")  # the number of this step, from 1\n', "",
     ("adam_rejects_bad_arguments",)),
    ("inverse-time decay written as exponential decay: lr0 / (1 + decay_rate) ** epoch",
     "(lr0 / (1 + decay_rate * epoch))[()]", "(lr0 / (1 + decay_rate) ** epoch)[()]", ("inverse_time_decay_values",)),
    # Keras optimizers
    ("MomentumOptimizer in Keras's form: velocity = beta * velocity + gradient",
     "ops.multiply(ops.subtract(gradient, velocity), 1 - self.beta),",
     "ops.add(ops.multiply(velocity, self.beta - 1), gradient),",
     ("momentum_optimizer_trajectory", "momentum_optimizer_config")),
    ("MomentumOptimizer ignores its beta argument (always 0.9)", "        self.beta = beta\n", "        self.beta = 0.9\n",
     ("momentum_optimizer_trajectory", "momentum_optimizer_config")),
    ("MomentumOptimizer shares one velocity between all variables",
     "velocity = self._velocities[self.variable_index(variable)]", "velocity = self._velocities[0]",
     ("momentum_optimizer_trajectory", "momentum_optimizer_config")),
    ("MomentumOptimizer does not check beta", '        beta = check_real("beta", beta, high=1.0)\n', "",
     ("momentum_optimizer_rejects_bad_arguments",)),
    ("MomentumOptimizer's get_config forgets beta", '        config["beta"] = self.beta\n', "",
     ("momentum_optimizer_config",)),
    ("MomentumOptimizer delegates to the course's reference optimizer",
     "class MomentumOptimizer(PerVariableOptimizer):",
     "class MomentumOptimizer(__import__('custom_layers').MomentumOptimizer):",
     ("momentum_optimizer_trajectory", "momentum_optimizer_config")),
    ("AdamOptimizer without bias correction",
     "        correction_1 = 1 - self.beta_1**t\n"
     "        correction_2 = 1 - self.beta_2**t\n",
     "        correction_1 = correction_2 = ops.cast(1, dtype)\n", ("adam_optimizer_trajectory", "adam_optimizer_config")),
    ("AdamOptimizer with epsilon inside the square root",
     "ops.add(ops.sqrt(v), self.epsilon * root_correction_2)",
     "ops.sqrt(ops.add(v, self.epsilon * root_correction_2))",
     ("adam_optimizer_trajectory", "adam_optimizer_config")),
    ("AdamOptimizer counts t from 0: t = iterations",
     "t = ops.cast(self.iterations + 1, dtype)", "t = ops.cast(self.iterations, dtype)",
     ("adam_optimizer_trajectory", "adam_optimizer_config")),
    ("AdamOptimizer delegates to keras.optimizers.Adam",
     "class AdamOptimizer(PerVariableOptimizer):", "class AdamOptimizer(keras.optimizers.Adam):",
     ("adam_optimizer_trajectory", "adam_optimizer_config")),
    ("AdamOptimizer's get_config forgets epsilon",
     '        config["epsilon"] = self.epsilon\n', "", ("adam_optimizer_config",)),
    ("AdamOptimizer does not check beta_2", '        beta_2 = check_real("beta_2", beta_2, high=1.0)\n', "",
     ("adam_optimizer_rejects_bad_arguments",)),
    ("adam_step ignores beta1 and beta2 (always 0.9 and 0.999)",
     ADAM_AVERAGES, ADAM_AVERAGES.replace("beta1", "0.9").replace("beta2", "0.999"), ("adam_other_betas",)),
    ("adagrad_step ignores eps (always 1e-7)",
     "    cache = cache + g ** 2\n    return (w - lr * g / (np.sqrt(cache) + eps))",
     "    cache = cache + g ** 2\n    return (w - lr * g / (np.sqrt(cache) + 1e-7))", ("adagrad_and_rmsprop_use_eps",)),
    ("momentum_step updates the caller's velocity in place (velocity *= beta)",
     MOMENTUM_CHECKED, MOMENTUM_IN_PLACE, ("rules_leave_inputs_untouched",)),
    # rules_agree_with_keras sees this one too, by accident: its probe starts m and v as one zero array.
    ("adam_step updates the caller's m and v in place (m *= beta1)",
     ADAM_CHECKED + ADAM_AVERAGES[:ADAM_AVERAGES.index("    m_hat")], ADAM_IN_PLACE, ("rules_leave_inputs_untouched",)),
    ("inverse-time decay rounds the epoch down (a staircase)",
     "(lr0 / (1 + decay_rate * epoch))[()]", "(lr0 / (1 + decay_rate * np.floor(epoch)))[()]",
     ("inverse_time_decay_values",)),
    ("inverse_time_decay accepts a negative lr0", '    check_nonnegative(lr0, "lr0")\n', "",
     ("inverse_time_decay_values",)),
    ("MomentumOptimizer does not check learning_rate",
     '        learning_rate = check_learning_rate(learning_rate)\n        beta = check_real(',
     '        beta = check_real(', ("momentum_optimizer_rejects_bad_arguments",)),
    ("AdamOptimizer does not check beta_1", '        beta_1 = check_real("beta_1", beta_1, high=1.0)\n', "",
     ("adam_optimizer_rejects_bad_arguments",)),
]
