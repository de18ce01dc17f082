"""What every lab shares: argument checks and figure saving.

Each lab imports these instead of writing its own, so that a learning rate,
a count or a drop rate means the same thing in every lab, and a bad argument
gets the same kind of message everywhere: a `ValueError` that names the
argument and repeats what it received.
"""

from labkit.checks import (
    as_float_array,
    check_count,
    check_flag,
    check_fraction,
    check_nonnegative,
    check_positive,
)
from labkit.figures import save_pngs

__all__ = [
    "as_float_array",
    "check_count",
    "check_flag",
    "check_fraction",
    "check_nonnegative",
    "check_positive",
    "save_pngs",
]
