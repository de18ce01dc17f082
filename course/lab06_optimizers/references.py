"""Trusted references for lab 6's graded tests, from Keras's own optimizers.

Run by the grader, where no student code ever ran; never shipped to
students. Each function is deterministic and takes and returns plain data.

The problem is the graded tests' bowl: f = sum over variables of
sum(c * w**2) / 2, gradient c * w, one float32 Keras variable per entry of
w0. A trajectory is the list of points visited, starting point included:
one array of shape (steps + 1, *shape) per variable.

The slides' rules are reached through Keras's, not written again:
- momentum, v = beta v + (1 - beta) g, w = w - lr v, is
  keras.optimizers.SGD(learning_rate=lr * (1 - beta), momentum=beta): Keras's
  velocity is -lr / (1 - beta) times the slides', so the steps are equal;
  Nesterov's form likewise with nesterov=True;
- the slides' Adam, w = w - lr m_hat / (sqrt(v_hat) + eps), is
  keras.optimizers.Adam, whose step at t is
  lr sqrt(1 - b2**t) / (1 - b1**t) * m / (sqrt(v) + epsilon_keras): the two
  are equal when epsilon_keras = eps * sqrt(1 - b2**t), which the reference
  sets before every step.
"""

import numpy as np


def _path(optimizer, curvatures, w0, steps, before_step=lambda t: None):
    """`steps` updates of a Keras optimizer on the bowl; before_step(t) runs before step t = 1, 2, ..."""
    import keras

    curvatures = [np.asarray(c, dtype="float32") for c in curvatures]
    variables = [keras.Variable(np.asarray(w, dtype="float32"), name=f"w{i}") for i, w in enumerate(w0)]
    paths = [[np.asarray(w, dtype=float)] for w in w0]
    for t in range(1, steps + 1):
        before_step(t)
        values = [keras.ops.convert_to_numpy(variable) for variable in variables]
        optimizer.apply_gradients(zip([keras.ops.convert_to_tensor(c * value)
                                       for c, value in zip(curvatures, values)], variables))
        for path, variable in zip(paths, variables):
            path.append(np.asarray(keras.ops.convert_to_numpy(variable), dtype=float))
    return [np.array(path) for path in paths]


def momentum_path(curvatures, w0, lr, beta, steps, nesterov=False):
    """The slides' momentum (Nesterov's with nesterov=True) on the bowl, run by keras.optimizers.SGD."""
    import keras

    optimizer = keras.optimizers.SGD(learning_rate=lr * (1 - beta), momentum=beta, nesterov=nesterov)
    return _path(optimizer, curvatures, w0, steps)


def adam_path(curvatures, w0, lr, beta_1, beta_2, epsilon, steps):
    """The slides' Adam (epsilon outside the root of v_hat) on the bowl, run by keras.optimizers.Adam."""
    import keras

    optimizer = keras.optimizers.Adam(learning_rate=lr, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)

    def move_epsilon(t):
        optimizer.epsilon = epsilon * np.sqrt(1 - beta_2 ** t)

    return _path(optimizer, curvatures, w0, steps, move_epsilon)
