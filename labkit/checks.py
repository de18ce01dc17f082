"""Argument checks for the labs' functions.

Each check returns the value in the form the lab computes with, or raises a
`ValueError` that names the argument and repeats what it received. Booleans
are never numbers here (`True` is not a learning rate), and every number
must be finite.
"""

import math
import numbers

import numpy as np


def as_float_array(value, name, finite=True):
    """`value` as a new float array (never the caller's own), or a ValueError naming it.

    Args:
    - value: a number, or a (nested) list or array of numbers.
    - name: the argument's name, for the message.
    - finite: whether inf and nan are refused (True) or let through.

    Returns:
    - a new numpy array of dtype float64, of value's shape.
    """
    try:
        array = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or an array of numbers, got {value!r}") from None
    if finite and not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite, got {value!r}")
    return array


def _real(value, name, ok, wanted):
    """`value` as a float if it is a finite real number for which `ok(value)` holds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or not ok(value):
        raise ValueError(f"{name} must be {wanted}, got {value!r}")
    return float(value)


def check_nonnegative(value, name):
    """A learning rate, a strength, an epsilon: a finite number >= 0. Returns it as a float."""
    return _real(value, name, lambda v: v >= 0, "a finite number >= 0")


def check_positive(value, name):
    """A step size or a threshold that must move something: a finite number > 0. Returns it as a float."""
    return _real(value, name, lambda v: v > 0, "a finite number > 0")


def check_fraction(value, name):
    """A drop rate, a decay rate (beta, rho), a share of the data: a number in [0, 1). Returns it as a float."""
    return _real(value, name, lambda v: 0 <= v < 1, "a number in [0, 1)")


def check_count(value, name, minimum=1):
    """Steps, epochs, units, a batch size: an integer >= minimum. Returns it as an int."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_flag(value, name):
    """A switch: True or False (not 0, 1 or a string). Returns it."""
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return value
