"""Probes for lab 3: calls that need more than plain data, run inside the grading child.

Each probe receives the student's module first and returns plain data. They
hold no expected values and judge nothing: the graded tests do that.
"""

import warnings

import numpy as np


def with_warnings(lab, name, *args, **kwargs):
    """lab.<name>(*args, **kwargs) and the warnings it raised, NumPy set to warn on overflow."""
    with warnings.catch_warnings(record=True) as caught, np.errstate(over="warn", divide="warn", invalid="warn"):
        warnings.simplefilter("always")
        out = getattr(lab, name)(*args, **kwargs)
    return out, [f"{warning.category.__name__}: {warning.message}" for warning in caught]


def activation_table(lab, x):
    """{name: (f(x), df(x))} for every entry of lab.ACTIVATIONS."""
    return {str(name): (f(x), df(x)) for name, (f, df) in lab.ACTIVATIONS.items()}


ELEMENTWISE = ("linear", "step", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus")


def inputs_after(lab, x):
    """{name: the input array as it is after lab.<name>(input)}, one fresh copy of x per function."""
    after = {}
    for name in ELEMENTWISE + tuple(f"d_{name}" for name in ELEMENTWISE) + ("softmax",):
        given = np.array(x, dtype=float)
        getattr(lab, name)(given)
        after[name] = given
    return after


def norms_over_seeds(lab, activation, depth, width, seeds):
    """gradient_norms_by_depth(activation, depth, width, seed) for each seed, as a list."""
    return [lab.gradient_norms_by_depth(activation, depth, width, seed=seed) for seed in seeds]
