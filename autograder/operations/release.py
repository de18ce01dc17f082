"""The student bundle: everything a student needs, nothing of the solutions.

`python -m autograder release OUT` writes the student versions of the labs
and notebooks, `labkit` (the checks and figure saving the labs share), the
grader with the public graded tests and their probes, and the requirements.
Hidden tests are cut out of the graded test files; the
solutions, the solution notebooks, the mutants (copies of solution code),
the references (implementations that would answer exercises) and
`custom_layers` (finished versions of labs 6 and 7's Keras classes, shipped
only when asked, e.g. after the deadline) stay behind. The values the public
tests need from the references are recorded as golden values, by grading
the solutions with those tests.
"""

import ast
import json
import shutil
from pathlib import Path

from autograder import course, errors, runner
from autograder.sandbox.runtime import wire

README = """# Neural-network labs: student bundle

Set up once: `pip install -r requirements.txt` (Python 3.11+). To work in
the notebooks, install JupyterLab too (requirements-jupyter.txt is
requirements.txt plus JupyterLab), then open them:

    pip install -r requirements-jupyter.txt
    jupyter lab notebooks/labs

Work in `labs/labNN_*.py` (or the notebooks in `notebooks/labs/`): replace
every `raise NotImplementedError("hint")` with your code. Check your work:

    python -m autograder grade labs                       # every lab
    python -m autograder grade labs/lab01_gradient_descent.py
    python -m autograder grade notebooks/labs/lab01_gradient_descent.ipynb

These are the public tests; your instructor also grades with hidden ones.
In a notebook, the `check(...)` cell after each exercise runs its tests.
"""
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc")


class ReleaseError(errors.CannotGrade):
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


def _golden(lab, public, limits, sandbox):
    """The reference values the public tests of `lab` use, recorded by grading the solution in `sandbox`."""
    recorded = {}
    result = runner.grade_lab(lab, course.solution_file(lab), limits, tests=public, sandbox=sandbox,
                              record_references=recorded)
    if not all(test.passed for test in result.tests):
        failed = [test.number for test in result.tests if not test.passed]
        raise ReleaseError(f"{lab}: the solution fails public tests {', '.join(failed)}; fix them before releasing")
    return {key: wire.to_plain(value) for key, value in sorted(recorded.items())}


def _in_bundle(out, path):
    """Where the course's `path` goes in the bundle `out`: the same place, its folder made."""
    target = out / path.relative_to(course.ROOT)
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def release(out, labs=None, with_reference=False, limits=runner.Limits(), progress=None):
    """Write the student bundle into `out` (a new or empty folder); return its path.

    Args:
        labs: the assignment's labs (default: every lab).
        with_reference: also ship `custom_layers`, the finished Keras components.
        progress: called with a line for each lab once its tests are written (recording golden values
            grades the solution, some seconds a lab).
    """
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise ReleaseError(f"{out}: the release folder must be new or empty")
    labs = course.lab_names() if labs is None else list(labs)
    root = course.ROOT
    for package in (root / "autograder", course.LABKIT, *([course.CUSTOM_LAYERS] if with_reference else [])):
        shutil.copytree(package, out / package.name, ignore=IGNORED)
    for lab in labs:
        for path in (course.student_file(lab), course.notebook_file(lab), course.probes_file(lab)):
            if path is not None and path.exists():
                shutil.copyfile(path, _in_bundle(out, path))
    sandbox = runner.open_sandbox(limits, labs)  # one for every lab, as `grade` does: Keras is imported once
    try:
        for number, lab in enumerate(labs, start=1):
            _in_bundle(out, course.graded_file(lab)).write_text(public_tests(course.graded_file(lab).read_text()))
            done = "public tests written"
            if course.references_file(lab) is not None:
                public = [test for test in course.load_tests(lab) if not test.hidden]
                golden = _golden(lab, public, limits, sandbox)
                _in_bundle(out, course.golden_file(lab)).write_text(json.dumps(golden, indent=1) + "\n")
                done = "public tests written, golden values recorded"
            if progress is not None:
                progress(f"{lab}: {done} ({number}/{len(labs)})")
    finally:
        sandbox.close()
    for requirements in root.glob("requirements*.txt"):
        shutil.copyfile(requirements, out / requirements.name)
    (out / "README.md").write_text(README)
    return out
