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
