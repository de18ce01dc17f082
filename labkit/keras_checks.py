"""Argument checks for Keras classes, in Keras's convention.

Used by `custom_layers` and by the Keras classes labs 6 and 7 write (which
are generated from `custom_layers`): each check raises `TypeError` when the
value has the wrong type and `ValueError` when it has the right type but an
invalid value, and both messages name the argument and repeat what was
received ("Received: beta=1.0"), as Keras's own layers and optimizers do.
The labs' NumPy functions use `labkit.checks` instead (a `ValueError` for
every bad argument).
"""

import numbers


def check_real(name, value, low=0.0, high=None):
    """Return `value` as a float after checking `low <= value < high`.

    Args:
        name: The argument's name, used in error messages.
        value: The value to check. Python and NumPy reals are accepted;
            booleans are not.
        low: Inclusive lower bound.
        high: Exclusive upper bound, or `None` for no upper bound.

    Returns:
        `float(value)`.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"`{name}` must be a real number. Received: {name}={value!r} "
            f"of type {type(value).__name__}."
        )
    value = float(value)
    # Written as a negated range test so that NaN is rejected too.
    if not (low <= value and (high is None or value < high)):
        interval = f"[{low}, {high})" if high is not None else f">= {low}"
        raise ValueError(
            f"`{name}` must be in {interval}. Received: {name}={value}."
        )
    return value


def check_bool(name, value):
    """Return `value` after checking that it is a Python boolean."""
    if not isinstance(value, bool):
        raise TypeError(
            f"`{name}` must be True or False. Received: {name}={value!r}."
        )
    return value


def check_int(name, value, low):
    """Return `value` as an int after checking that it is an integer >= low."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"`{name}` must be an integer. Received: {name}={value!r}."
        )
    if value < low:
        raise ValueError(
            f"`{name}` must be an integer >= {low}. Received: {name}={value}."
        )
    return int(value)


def check_choice(name, value, choices):
    """Return `value` after checking that it is one of the strings `choices`."""
    if not isinstance(value, str):
        raise TypeError(
            f"`{name}` must be a string, one of {list(choices)}. "
            f"Received: {name}={value!r}."
        )
    if value not in choices:
        raise ValueError(
            f"`{name}` must be one of {list(choices)}. "
            f"Received: {name}={value!r}."
        )
    return value


def check_learning_rate(value):
    """Return a learning rate the Keras base optimizer accepts.

    Schedules and other callables pass through unchanged. Numbers must be
    non-negative and are converted to float, because the base class rejects
    plain integers such as `learning_rate=1`.
    """
    if callable(value):
        return value
    return check_real("learning_rate", value)
