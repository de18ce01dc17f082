"""References for lab 1's graded tests, run in the grader, never shipped to students.

Plain training loops for a sigmoid neuron, written independently of the
solution. Arguments and results are plain data.
"""

import numpy as np

from autograder.textbook import sigmoid


def batch_training(x, y, lr, epochs, loss):
    """Full-batch gradient descent from zero weights, mean gradient per step; (w, b)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(epochs):
        out = sigmoid(x @ w + b)
        delta = (out - y) * out * (1 - out) if loss == "mse" else out - y
        w, b = w - lr * x.T @ delta / len(y), b - lr * float(delta.mean())
    return w, b


def single_example_steps(x, y, lr, steps):
    """`steps` squared-error updates on one example (x, y), from zero weights; (w, b)."""
    x = np.asarray(x, dtype=float)
    w, b = np.zeros(len(x)), 0.0
    for _ in range(steps):
        out = sigmoid(x @ w + b)
        delta = (out - y) * out * (1 - out)
        w, b = w - lr * delta * x, b - lr * delta
    return w, float(b)
