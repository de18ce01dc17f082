"""Textbook formulas the graded tests and the references compare with.

Plain NumPy, written from the formulas and never from a solution: the
sigmoid, and derivatives by central differences, f'(x) ~ (f(x + h) - f(x - h)) / 2h,
whose error shrinks like h**2. The graded tests import this module in the
grader; the references' children get a copy beside the grader's runtime, so
both sides compute with the same lines.
"""

import numpy as np

H = 1e-6  # the step: small enough for an h**2 error near 1e-12, large enough for float64's rounding


def sigmoid(z):
    """1 / (1 + e^-z) elementwise, fine for the moderate inputs used as references (overflows past |z| ~ 700)."""
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def central_differences(f, p, h=H):
    """The gradient of the number f() with respect to the float array p, which f reads.

    Each entry of p is moved to p + h and p - h in place, f() is evaluated at
    both, and the entry is put back: p is as it was afterwards.

    Returns:
    - an array of p's shape.
    """
    grad = np.empty(p.shape)
    for index in np.ndindex(p.shape):
        kept = p[index]
        p[index] = kept + h
        up = f()
        p[index] = kept - h
        down = f()
        p[index] = kept
        grad[index] = (up - down) / (2 * h)
    return grad


def gradient(f, x, h=H):
    """The gradient of the number f(x) at x (a number or an array of any shape); x itself is left alone."""
    x = np.array(x, dtype=float)
    return central_differences(lambda: f(x), x, h)


def derivative(f, x, h=H):
    """The derivative of an elementwise function f at each of the points x."""
    x = np.asarray(x, dtype=float)
    return (f(x + h) - f(x - h)) / (2 * h)


def jacobian(f, z, h=H):
    """J[i, j] = d f(z)_i / d z_j for a vector function f of a vector z."""
    z = np.asarray(z, dtype=float)
    return np.stack([(f(z + step) - f(z - step)) / (2 * h) for step in np.eye(z.size) * h], axis=1)
