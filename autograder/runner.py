"""Grade student lab files: run each graded test against a sandboxed child.

Every judgement happens here, in the grader's process, on plain data the
child sent back. A test whose call times out, runs out of memory, exits or
crashes fails alone; the next test gets a fresh child.
"""

import importlib.util
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autograder import confine, course, notebooks
from autograder import wire
from autograder.graded import Failure, RemoteError, StudentError, explain_exception, reference
from autograder.sandbox import ChildLost, Limits, Sandbox
from autograder.submission import Unreadable


@dataclass
class TestResult:
    """The outcome of one graded test."""

    __test__ = False  # not a pytest test class, despite its name

    number: str
    name: str
    points: float
    score: float
    hidden: bool
    message: str = ""
    output: str = ""
    seconds: float = 0.0

    @property
    def passed(self):
        """Whether the test earned all its points."""
        return self.score == self.points


@dataclass
class LabResult:
    """The outcome of one lab: its tests, and why none could run, if so."""

    lab: str
    tests: list = field(default_factory=list)
    error: str = ""

    @property
    def score(self):
        """Points earned in the lab."""
        return sum(test.score for test in self.tests)

    @property
    def points(self):
        """Points the lab is worth."""
        return sum(test.points for test in self.tests)


def describe_call(name, args, kwargs):
    """'sigmoid(0.8)' from a call's name and arguments, arrays abbreviated."""

    def short(value):
        if isinstance(value, np.ndarray) and value.size > 6:
            return f"<array of shape {value.shape}>"
        if isinstance(value, np.ndarray):
            return f"np.array({value.tolist()!r})"
        return repr(value)

    parts = [short(arg) for arg in args] + [f"{key}={short(value)}" for key, value in kwargs.items()]
    return f"{name}({', '.join(parts)})"


class RemoteFunction:
    """A function of the student's module (or a probe), called in the child."""

    def __init__(self, lab, op, name):
        self._lab, self._op, self._name = lab, op, name

    @property
    def last_called(self):
        """The last call made through this lab, as code."""
        return self._lab.last_called

    def __call__(self, *args, **kwargs):
        return self._lab.call(self._op, self._name, args, kwargs)


class Probes:
    """`lab.probes.name(...)`: run a probe from tests/probes/<lab>.py in the child."""

    def __init__(self, lab):
        self._lab = lab

    def __getattr__(self, name):
        return RemoteFunction(self._lab, "probe", name)


class RemoteLab:
    """The student's module as graded tests see it: attribute calls run in the child."""

    def __init__(self, sandbox, lab_name, timeout, forbid=None):
        self._sandbox, self._lab_name, self._timeout = sandbox, lab_name, timeout
        self._forbid = forbid or {}
        self._deadline = time.monotonic() + timeout
        self.last_called = None
        self.probes = Probes(self)

    def __getattr__(self, name):
        return RemoteFunction(self, "call", name)

    def call(self, op, name, args, kwargs):
        """Send one call to the child; return its value or raise RemoteError."""
        called = self.last_called = describe_call(name, args, kwargs)
        request = {"op": op, "name": name, "args": list(args), "kwargs": dict(kwargs),
                   "forbid": list(self._forbid)}
        reply = self._sandbox.ask(request, self._deadline, self._timeout)
        for used in reply.get("forbidden") or []:
            raise RemoteError(called, f"Your code used {used}, which this exercise does not allow: "
                                      f"{self._forbid.get(used, 'write it yourself')}")
        if reply.get("ok"):
            return reply.get("value")
        if "missing" in reply:
            where = f"{self._lab_name}.py" if op == "call" else "the probes"
            raise RemoteError(called, f"{where} has no function named {name!r}.")
        if "unreadable" in reply:
            raise RemoteError(called, f"Your code returned {reply['unreadable']}, which cannot be graded: "
                                      "return Python numbers or NumPy arrays.")
        raise StudentError(called, reply["error"])


def _failure_text(error, lab):
    """The student-facing text for an exception raised while a test ran."""
    if isinstance(error, Failure):
        called = error.called or lab.last_called
        text = str(error)
        return f"Called:   {called}\n{text}" if called and not text.startswith("Called:") else text
    if isinstance(error, RemoteError):
        return f"Called:   {error.called}\n{error.explanation}" if error.called else error.explanation
    if isinstance(error, ChildLost):
        prefix = f"Called:   {lab.last_called}\n" if lab.last_called else ""
        return f"{prefix}Your code did not finish: {error}."
    return f"The graded test itself failed ({type(error).__name__}: {error}); please tell your instructor."


def _reference_caller(lab_name):
    """Call tests/references/<lab>.py's functions, round-tripping through the wire as the child's replies do."""
    path = course.references_file(lab_name)
    module = None

    def call(name, args, kwargs):
        nonlocal module
        if module is None:
            if path is None:
                raise RuntimeError(f"{lab_name} has no tests/references/{lab_name}.py")
            spec = importlib.util.spec_from_file_location(f"references_{lab_name}", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        value = getattr(module, name)(*wire.decode(wire.encode({"a": list(args)})[wire.HEADER.size:])["a"],
                                      **kwargs)
        return wire.decode(wire.encode({"v": value})[wire.HEADER.size:])["v"]

    return call


def _run_test(test, sandbox, limits):
    timeout = test.timeout or limits.timeout
    lab = RemoteLab(sandbox, test.lab, timeout, test.forbid)
    started = time.monotonic()
    result = TestResult(test.number, test.name, test.points, 0.0, test.hidden)
    lost = False
    reference.bind(_reference_caller(test.lab))
    try:
        test.function(lab)
        result.score = test.points
    except ChildLost as error:
        lost = True
        result.message = _failure_text(error, lab)
    except Exception as error:  # Failure, RemoteError, or a bug in the test itself
        result.message = _failure_text(error, lab)
    finally:
        reference.bind(None)
    result.output = sandbox.take_output()
    result.seconds = time.monotonic() - started
    return result, lost


def _start(lab_name, lab_file, limits):
    """A sandbox with the student's module imported, or (None, why it failed)."""
    sandbox = Sandbox(lab_name, lab_file, course.probes_file(lab_name), course.PACKAGES, limits,
                      confine.confinement(limits.hidden))
    try:
        reply = sandbox.wait_for_import()
        if reply.get("ok"):
            sandbox.take_output()  # what importing printed is nobody's test output
            return sandbox, ""
        why = "\n" + explain_exception(reply["error"])
    except ChildLost as error:
        why = f" {error}."
    output = sandbox.take_output()
    sandbox.close()
    why = f"{lab_name}.py could not be imported, so none of its tests ran:{why}"
    return None, why + (f"\nIt printed:\n{output}" if output else "")


def grade_lab(lab_name, lab_file, limits=Limits(), tests=None, on_test=None, until_failure=False):
    """Grade one student file against the lab's graded tests.

    Args:
        lab_name: e.g. "lab01_gradient_descent".
        lab_file: path of the student's file; None when it is missing;
            an `Unreadable` saying why it cannot be graded.
        limits: the sandbox `Limits`.
        tests: the graded tests (default: all of the lab's).
        on_test: called with the `LabResult` so far after every test.
        until_failure: stop at the first failed test (enough to know a
            submission is not correct, as the mutant tests need).
    Returns:
        A `LabResult`.
    """
    tests = course.load_tests(lab_name) if tests is None else tests
    if isinstance(lab_file, Unreadable):
        lab_file, error = None, str(lab_file)
    else:
        error = "" if lab_file else f"No {lab_name}.py or {lab_name}.ipynb in the submission."
    result = LabResult(lab_name, error=error)
    sandbox = None
    try:
        for test in tests:
            if sandbox is None and not result.error:
                sandbox, result.error = _start(lab_name, lab_file, limits)
            if result.error:
                result.tests.append(TestResult(test.number, test.name, test.points, 0.0, test.hidden,
                                               message=result.error))
            else:
                test_result, lost = _run_test(test, sandbox, limits)
                result.tests.append(test_result)
                if lost:
                    sandbox.close()
                    sandbox = None
            if on_test is not None:
                on_test(result)
            if until_failure and not result.tests[-1].passed:
                break
    finally:
        if sandbox is not None:
            sandbox.close()
    if lab_file is not None:
        _name_notebook_cells(result, Path(lab_file).read_text())
    return result


def _name_notebook_cells(result, code):
    """In results of a notebook's code, say cells where messages say lines."""
    if notebooks.is_extracted(code):
        result.error = notebooks.name_cells(result.error, result.lab, code)
        for test in result.tests:
            test.message = notebooks.name_cells(test.message, result.lab, code)


def grade(files, limits=Limits(), on_test=None):
    """Grade every lab in `files` (lab name -> file, as `grade_lab` takes), in course order.

    Args:
        on_test: called after every test with the list of `LabResult`s so far.
    """
    results = []
    for lab in sorted(files):
        def report(lab_result):
            on_test(results + [lab_result])

        results.append(grade_lab(lab, files[lab], limits, on_test=report if on_test else None))
    return results
