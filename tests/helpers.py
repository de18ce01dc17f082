"""Helpers shared by the project's own tests (imported as `helpers`)."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `autograder` importable however pytest is started

from autograder import course  # noqa: E402
from autograder.sandbox import Limits  # noqa: E402

# Short limits: hostile submissions hit them on purpose.
FAST = Limits(timeout=2.0, import_timeout=10.0, memory=512 * 2**20)


def load_solution(lab):
    """The instructor's solution of `lab`, imported as a module (for figure tests)."""
    spec = importlib.util.spec_from_file_location(f"solution_{lab}", course.SOLUTIONS / f"{lab}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def solution_text(lab):
    """The instructor's solution of `lab`, as text."""
    return (course.SOLUTIONS / f"{lab}.py").read_text()


def patched(source, old, new):
    """`source` with the one occurrence of `old` replaced by `new`."""
    count = source.count(old)
    assert count == 1, f"expected exactly one {old!r} in the source to patch, found {count}"
    return source.replace(old, new)
