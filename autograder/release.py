"""The student bundle: everything a student needs, nothing of the solutions.

`python -m autograder release OUT` writes the student versions of the labs
and notebooks, `custom_layers`, the grader with the public graded tests and
their probes, and the requirements. Hidden tests are cut out of the graded
test files; the solutions, the solution notebooks and the mutants (copies of
solution code) stay behind.
"""

import ast
import shutil
from pathlib import Path

from autograder import course

README = """# Neural-network labs: student bundle

Set up once: `pip install -r requirements.txt` (Python 3.11+).

Work in `labs/labNN_*.py` (or the notebooks in `notebooks/labs/`): replace
every `raise NotImplementedError("hint")` with your code. Check your work:

    python -m autograder grade labs                       # every lab
    python -m autograder grade labs/lab01_gradient_descent.py
    python -m autograder grade notebooks/labs/lab01_gradient_descent.ipynb

These are the public tests; your instructor also grades with hidden ones.
"""
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc")


class ReleaseError(ValueError):
    """The release folder cannot be written."""


def _is_hidden_test(node):
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", None) == "graded":
            return any(keyword.arg == "hidden" and getattr(keyword.value, "value", False) is True
                       for keyword in decorator.keywords)
    return False


def public_tests(source):
    """A graded test module's text without its hidden tests."""
    lines = source.splitlines(keepends=True)
    cut = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and _is_hidden_test(node):
            first = min(decorator.lineno for decorator in node.decorator_list)
            cut.update(range(first - 1, node.end_lineno))
            # and the blank lines after it, so that the file stays tidy
            after = node.end_lineno
            while after < len(lines) and not lines[after].strip():
                cut.add(after)
                after += 1
    return "".join(line for number, line in enumerate(lines) if number not in cut)


def release(out):
    """Write the student bundle into `out` (a new or empty folder); return its path."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise ReleaseError(f"{out}: the release folder must be new or empty")
    root = course.ROOT
    for folder in ("labs", "custom_layers", "autograder", "tests/probes", "notebooks/labs"):
        if (root / folder).exists():
            shutil.copytree(root / folder, out / folder, ignore=IGNORED)
    (out / "tests" / "graded").mkdir(parents=True)
    for path in sorted(course.GRADED.glob("lab[0-9][0-9]_*.py")):
        (out / "tests" / "graded" / path.name).write_text(public_tests(path.read_text()))
    shutil.copyfile(root / "requirements.txt", out / "requirements.txt")
    (out / "README.md").write_text(README)
    return out
