"""Check an exercise from inside its notebook: `check("sigmoid")`.

A student notebook's set-up cell calls `watch(lab)`, which records every
cell the kernel runs from then on (and the history before it). `check`
grades the notebook's current code, as the kernel holds it, against the
lab's visible graded tests, in the same sandbox and with the same feedback
as `python -m autograder grade`, and prints the report.

The notebook's current code is the cells the kernel ran successfully: for
each cell the last successful run, placed where the cell first ran (a cell
edited and re-run keeps its place); cells that never ran successfully, the
set-up and check cells, `check(...)` lines, IPython magics and `!` lines are
left out (`notebook_code.kernel_code`). That is what the kernel's namespace was
built from, saved or not; a cell deleted after it ran still counts, as its
definitions still live in the kernel (restart the kernel to forget them).
Messages name cells as IPython does: `Cell In[12], line 3`.

Selectors (`select`): a test's number ("6.3"), a graded test's function
name ("sigmoid_or_gate"), or a name of the lab ("momentum_step"): the
visible tests that call it (`lab.momentum_step(...)` in the test's own code),
or, for a test that reaches the lab only through probes, whose description
mentions it. No selector: every visible test of the lab.

`assert_passes` is the form for nbgrader's autograder-test cells: it may
name hidden tests (present where the instructor grades) and raises
AssertionError with the feedback when a test fails. Check cells are
nbgrader test cells too, worth no points: under `nbgrader validate`, `check`
raises as well, naming what fails; under autograde it grades nothing.

Each test is graded at most once per state of the kernel's code, whichever
cell asks: nbgrader's autograde runs one test cell per graded test.
"""

import ast
import atexit
import contextlib
import hashlib
import os
import re
import sys
import tempfile
from pathlib import Path

from autograder import course, notebook_code
from autograder.graded import LAB_HELPERS

_state = {"lab": None, "recorder": None}
_graded = {"key": None, "error": "", "tests": {}}  # the current code's results, by test number


class _Recorder:
    """Every code cell a kernel runs: its first place and its last successful source."""

    def __init__(self, shell):
        self.cells = {}  # key -> [place, execution count, source or None]
        history = getattr(shell, "history_manager", None)
        for number, source in enumerate(history.input_hist_raw[1:] if history else [], start=1):
            self._note(("history", number), number, source, success=True)

    def _note(self, key, number, source, success):
        entry = self.cells.setdefault(key, [len(self.cells), number, None])
        if success:
            entry[1:] = [number, source]

    def post_run_cell(self, result):
        """IPython's hook, after every cell."""
        info = result.info
        if info.silent or not info.store_history:
            return
        key = info.cell_id or ("run", result.execution_count)
        self._note(key, result.execution_count, info.raw_cell, result.success)

    def code(self, lab):
        """The module's text of the recorded cells (see the module docstring)."""
        ran = sorted(entry for entry in self.cells.values() if entry[2] is not None)
        return notebook_code.kernel_code([(number, source) for _, number, source in ran], f"{lab}.ipynb")


def watch(lab):
    """Record the cells this IPython kernel runs, for `check` to grade; `lab` is the notebook's lab."""
    from IPython import get_ipython  # only in a notebook

    shell = get_ipython()
    if shell is None:
        raise RuntimeError("watch() records a notebook's cells: call it in Jupyter, not in a script")
    if _state["recorder"] is None:
        _state["recorder"] = _Recorder(shell)
        shell.events.register("post_run_cell", _state["recorder"].post_run_cell)
    _state["lab"] = lab


def _functions(path):
    if path is None or not Path(path).exists():
        return {}
    return {node.name: node for node in ast.parse(Path(path).read_text()).body if isinstance(node, ast.FunctionDef)}


def _lab_parameter(function, position=0):
    params = function.args.posonlyargs + function.args.args
    return params[position].arg if position < len(params) else None


def _direct_calls(function, parameter, helpers, seen):
    """Names `function` reaches on the student's module `parameter`: `lab.name`, also through helpers it passes lab to."""
    if parameter is None or (function.name, parameter) in seen:
        return set()
    seen.add((function.name, parameter))
    names = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == parameter:
            names.add(node.attr)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in helpers:
            for position, argument in enumerate(node.args):
                if isinstance(argument, ast.Name) and argument.id == parameter:
                    helper = helpers[node.func.id]
                    names |= _direct_calls(helper, _lab_parameter(helper, position), helpers, seen)
    return names - set(LAB_HELPERS)


def _mentions(text, name):
    return re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", text) is not None


def select(lab, selectors, tests=None, quiet=False):
    """The visible graded tests of `lab` that the selectors name (see the module docstring).

    Args:
        tests: the tests to choose from (default: the lab's visible tests).
        quiet: say nothing of selectors that select nothing.
    """
    tests = [test for test in course.load_tests(lab) if not test.hidden] if tests is None else tests
    if not selectors:
        return list(tests)
    functions = _functions(course.graded_file(lab))
    calls = {}
    for test in tests:
        node = functions.get(test.function.__name__)
        calls[test.number] = _direct_calls(node, _lab_parameter(node), functions, set()) if node else set()
    chosen = []
    for selector in selectors:
        found = [test for test in tests if selector in (test.number, test.function.__name__)
                 or selector in calls[test.number]
                 or (not calls[test.number] and _mentions(test.name, selector))]
        if not found and not quiet and tests:
            print(f"check({selector!r}) names no visible test of {lab}: give a function of the lab, "
                  f"a test's name or its number ({tests[0].number} to {tests[-1].number}).")
        chosen += [test for test in found if test not in chosen]
    return sorted(chosen, key=tests.index)


def _grade(lab, code, tests):
    """Grade `code` as `lab`'s module on `tests`, each test once per state of `code`; return the LabResult."""
    from autograder import runner  # the sandbox, only when grading
    from autograder.sandbox import Limits

    key = (lab, hashlib.sha256(code.encode()).hexdigest())
    if _graded["key"] != key:
        _graded.update(key=key, error="", tests={})
    missing = [test for test in tests if test.number not in _graded["tests"]]
    # The grader's warnings go to stdout: nbgrader scores a test cell that wrote to stderr 0.
    with tempfile.TemporaryDirectory(prefix="check-") as folder, contextlib.redirect_stderr(sys.stdout):
        if missing:
            path = Path(folder) / f"{lab}.py"
            path.write_text(code)
            # One sandbox for the kernel's life: its warm Keras worker makes the next check quick.
            if _state.get("sandbox") is None:
                _state["sandbox"] = runner.open_sandbox(Limits(), [lab])
                atexit.register(_state["sandbox"].close)
            result = runner.grade_lab(lab, path, Limits(), tests=missing, sandbox=_state["sandbox"])
            _graded["error"] = result.error
            _graded["tests"].update((test.number, test) for test in result.tests)
    return runner.LabResult(lab, [_graded["tests"][test.number] for test in tests], _graded["error"])


def _current(lab):
    lab = lab or _state["lab"]
    if lab is None or _state["recorder"] is None:
        raise RuntimeError("run the notebook's set-up cell (the one that calls watch) first")
    return lab, _state["recorder"].code(lab)


def check(*selectors, lab=None):
    """Grade the notebook's current code on the visible tests the selectors name; print the report.

    Args:
        selectors: test numbers ("6.3"), graded test names, or names of the
            lab's functions and classes; none: every visible test.
        lab: the lab (default: the one given to `watch`).

    Under `nbgrader validate`, raise AssertionError when a selected test fails.
    """
    from autograder import report

    if os.environ.get("NBGRADER_EXECUTION") == "autograde":  # the test cells grade; checking too would double the time
        print("Checked by the graded test cells during nbgrader's autograde.")
        return
    lab, code = _current(lab)
    tests = select(lab, selectors)
    if not tests:
        return
    result = _grade(lab, code, tests)
    if os.environ.get("NBGRADER_EXECUTION") == "validate" and not all(test.passed for test in result.tests):
        what = ", ".join(selectors) if selectors else f"the whole of {lab}"
        raise AssertionError(f"\nNot passing yet: {what}.\n" + report.table([result]))
    print(report.table([result]))


def assert_passes(*names, lab=None):
    """Raise AssertionError, with the feedback, unless the named graded tests (hidden ones too) pass.

    Args:
        names: graded tests' function names or numbers.
    """
    from autograder import report

    lab, code = _current(lab)
    tests = course.load_tests(lab)
    numbers = {test.function.__name__: test.number for test in tests}
    unknown = [name for name in names if name not in numbers and name not in numbers.values()]
    if unknown:
        raise LookupError(f"{lab} has no graded test named {', '.join(unknown)}")
    wanted = {numbers.get(name, name) for name in names}
    result = _grade(lab, code, [test for test in tests if test.number in wanted])
    failed = [test for test in result.tests if not test.passed]
    if failed:
        raise AssertionError("\n" + report.table([type(result)(result.lab, failed, result.error)]))
    print(report.table([result]))
