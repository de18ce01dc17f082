"""Helpers shared by the project's own tests (imported as `helpers`)."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `autograder` importable however pytest is started

from autograder import course  # noqa: E402
from autograder.sandbox import Limits  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Short limits: hostile submissions hit them on purpose.
FAST = Limits(timeout=2.0, import_timeout=10.0, memory=512 * 2**20)


def load_solution(lab):
    """The instructor's solution of `lab`, imported as a module (for figure tests)."""
    spec = importlib.util.spec_from_file_location(f"solution_{lab}", course.solution_file(lab))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_drawn_png(path):
    """Fail unless `path` is a PNG file with a figure drawn in it (a blank figure's file is smaller)."""
    data = Path(path).read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 5000, f"{Path(path).name} is not a drawn PNG"


def solution_text(lab):
    """The instructor's solution of `lab`, as text."""
    return course.solution_file(lab).read_text()


def patched(source, old, new):
    """`source` with the one occurrence of `old` replaced by `new`."""
    count = source.count(old)
    assert count == 1, f"expected exactly one {old!r} in the source to patch, found {count}"
    return source.replace(old, new)
