"""Plausible mistakes in lab 1, one per mutant.

Each is (what the student got wrong, old text, new text, the graded tests that must catch it).
"""

from autograder import course

_SOLUTION = course.solution_file("lab01_gradient_descent").read_text()
# The solution copies X in its checks and shuffles indices; a student who takes X as it comes and shuffles
# the arrays themselves changes both places: one replacement from the checks to the shuffle.
TRAIN_CHECK = '    X = as_float_array(X, "X")\n'
TRAIN_SHUFFLE = "        order = rng.permutation(n)\n"
TRAIN_SPAN = _SOLUTION[_SOLUTION.index(TRAIN_CHECK):_SOLUTION.index(TRAIN_SHUFFLE) + len(TRAIN_SHUFFLE)]
TRAIN_IN_PLACE = TRAIN_SPAN.replace(TRAIN_CHECK, "    X = np.asarray(X, dtype=float)\n").replace(
    TRAIN_SHUFFLE, "        order = rng.permutation(n)\n        X[:], y[:] = X[order], y[order]\n"
                   "        order = np.arange(n)\n")

# gradient_descent's checks and loop, the solution's and a student's that steps x in place.
DESCENT_CHECKS = '    check_nonnegative(lr, "lr")\n    check_count(steps, "steps", minimum=0)\n'
DESCENT_START = "    trajectory = np.empty((steps + 1, *x.shape))\n    trajectory[0] = x\n    for k in range(steps):\n"
DESCENT_STEP = "        trajectory[k + 1] = trajectory[k] - lr * np.asarray(grad_fn(trajectory[k].copy()), dtype=float)\n"
DESCENT_STEP_IN_PLACE = "        x -= lr * np.asarray(grad_fn(x.copy()), dtype=float)\n        trajectory[k + 1] = x\n"

MUTANTS = [
    ("sigmoid computed as 1 / (1 + exp(-z)), which overflows",
     "    e = np.exp(-np.abs(z))\n    out = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))",
     "    out = 1.0 / (1.0 + np.exp(-z))",
     ("sigmoid_stable",)),
    ("gradient descent climbs: x + lr * grad",
     "trajectory[k] - lr * np.asarray", "trajectory[k] + lr * np.asarray",
     ("descent_trajectory", "descent_scalar_and_zero_steps")),
    ("trajectory without the starting point",
     "    return trajectory\n", "    return trajectory[1:]\n",
     ("descent_trajectory", "descent_scalar_and_zero_steps")),
    ("no check that lr is not negative",
     '    check_nonnegative(lr, "lr")\n    check_count(steps', "    check_count(steps",
     ("descent_rejects_bad_arguments",)),
    ("bias left out of the neuron", "return sigmoid(x @ w + b)", "return sigmoid(x @ w)",
     ("neuron_or_gate", "neuron_batch")),
    ("squared error without the 1/2", "np.sum(0.5 * (target - output) ** 2)", "np.sum((target - output) ** 2)",
     ("squared_error_or_gate", "squared_error_sums")),
    ("squared error averaged instead of summed",
     "np.sum(0.5 * (target - output) ** 2)", "np.mean(0.5 * (target - output) ** 2)",
     ("squared_error_sums",)),
    ("sigmoid derivative forgotten in the squared-error gradient",
     "(out - target) * out * (1 - out))", "(out - target))",
     ("squared_error_gradients_or_gate", "squared_error_gradients_second_example", "squared_error_gradients_numerical")),
    ("sign flipped in the squared-error gradient",
     "(out - target) * out * (1 - out))", "(target - out) * out * (1 - out))",
     ("squared_error_gradients_or_gate", "update_or_gate", "squared_error_gradients_numerical")),
    ("sigmoid derivative kept in the cross-entropy gradient",
     "neuron_output(x, w, b) - target)",
     "(neuron_output(x, w, b) - target) * neuron_output(x, w, b) * (1 - neuron_output(x, w, b)))",
     ("cross_entropy_gradients_formula", "cross_entropy_gradients_numerical")),
    ("batch gradients averaged instead of summed",
     "np.atleast_2d(x).T @ delta, float(np.sum(delta))",
     "np.atleast_2d(x).T @ delta / delta.size, float(np.mean(delta))",
     ("squared_error_gradients_numerical", "cross_entropy_gradients_numerical")),
    ("bias gradient taken as 0", "float(np.sum(delta))", "0.0",
     ("squared_error_gradients_or_gate", "cross_entropy_gradients_formula")),
    ("training steps use the summed gradient, not the batch mean",
     "w = w - lr * dw / len(batch)\n            b = b - lr * db / len(batch)",
     "w = w - lr * dw\n            b = b - lr * db",
     ("train_batch", "train_minibatch_steps")),
    ("examples never shuffled", "order = rng.permutation(n)", "order = np.arange(n)",
     ("train_seeded",)),
    ("batch_size ignored: always the whole batch", "size = n if batch_size is None else min(batch_size, n)",
     "size = n",
     ("train_stochastic_steps", "train_minibatch_steps")),
    ("the last, smaller mini-batch dropped", "range(0, n, size)", "range(0, n - size + 1, size)",
     ("train_minibatch_steps",)),
    ("loss recorded before the epoch's updates, not after",
     '        order = rng.permutation(n)\n        for start in range(0, n, size):\n            batch = order[start:start + size]\n            dw, db = gradients(X[batch], w, b, y[batch])\n            w = w - lr * dw / len(batch)\n            b = b - lr * db / len(batch)\n        losses[epoch] = mean_loss(X, y, w, b, loss)\n',
     '        losses[epoch] = mean_loss(X, y, w, b, loss)\n        order = rng.permutation(n)\n        for start in range(0, n, size):\n            batch = order[start:start + size]\n            dw, db = gradients(X[batch], w, b, y[batch])\n            w = w - lr * dw / len(batch)\n            b = b - lr * db / len(batch)\n',
     ("train_losses",)),
    ("weights start random instead of at zero", "w, b = np.zeros(X.shape[1]), 0.0",
     "w, b = rng.normal(size=X.shape[1]), 0.0",
     ("train_batch", "train_stochastic_steps")),
    ("unknown loss names silently treated as cross-entropy",
     '    if loss not in LOSSES:\n        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")\n', "",
     ("train_rejects_bad_arguments",)),
    ("gradient descent steps the caller's x0 in place (x -= lr * grad)",
     '    x = as_float_array(x0, "x0")\n' + DESCENT_CHECKS + DESCENT_START + DESCENT_STEP,
     '    x = np.asarray(x0, dtype=float)\n' + DESCENT_CHECKS + DESCENT_START + DESCENT_STEP_IN_PLACE,
     ("descent_leaves_start_and_makes_floats",)),
    ("gradient descent keeps an integer start's dtype, so every point is truncated",
     "    trajectory = np.empty((steps + 1, *x.shape))\n    trajectory[0] = x\n",
     "    trajectory = np.repeat(np.asarray(x0)[None], steps + 1, axis=0)\n",
     ("descent_leaves_start_and_makes_floats",)),
    ("the training shuffles the caller's X (and a copy of y) in place", TRAIN_SPAN, TRAIN_IN_PLACE,
     ("train_leaves_data_untouched",)),
]
