"""Probes for lab 1: calls that need a callable, run inside the grading child.

Each probe receives the student's module first and returns plain data. They
hold no expected values and judge nothing: the graded tests do that.
"""

import warnings

import numpy as np


def sigmoid_with_warnings(lab, z):
    """sigmoid(z) and the warnings it raised, with NumPy set to warn on overflow."""
    with warnings.catch_warnings(record=True) as caught, np.errstate(over="warn", divide="warn", invalid="warn"):
        warnings.simplefilter("always")
        out = lab.sigmoid(np.asarray(z, dtype=float))
    return out, [f"{warning.category.__name__}: {warning.message}" for warning in caught]


def quadratic_descent(lab, curvatures, x0, lr, steps):
    """gradient_descent on f(x) = sum(curvatures * x**2) / 2, whose gradient is curvatures * x."""
    curvatures = np.asarray(curvatures, dtype=float)
    return lab.gradient_descent(lambda x: curvatures * x, x0, lr, steps)


def neuron_descent(lab, x, w0, b, target, lr, steps):
    """gradient_descent on a sigmoid neuron's weights, with its squared-error gradient."""
    return lab.gradient_descent(lambda w: lab.squared_error_gradients(x, w, b, target)[0], w0, lr, steps)


def descent_and_start(lab, curvatures, x0, lr, steps):
    """quadratic_descent's trajectory and the start array x0 as it is after the call."""
    x0 = np.array(x0, dtype=float)
    curvatures = np.asarray(curvatures, dtype=float)
    return lab.gradient_descent(lambda x: curvatures * x, x0, lr, steps), x0


def train_twice(lab, X, y, lr, epochs, batch_size, seed):
    """train_neuron called twice on the very same arrays: (first w, second w, X after, y after)."""
    first, _, _ = lab.train_neuron(X, y, lr, epochs, batch_size=batch_size, seed=seed)
    second, _, _ = lab.train_neuron(X, y, lr, epochs, batch_size=batch_size, seed=seed)
    return first, second, X, y
