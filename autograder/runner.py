"""Grade student lab files: run each graded test against a sandboxed child.

Every judgement happens here, in the grader's process, on plain data the
child sent back. Each test gets a fresh child, forked from the warm worker,
so nothing a student's module keeps carries from one test to the next; a
test whose call times out, runs out of memory, exits or crashes fails alone.
A test's references run in a child of their own, closed with the test, so
no reference's model outlives the test that needed it.
"""

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autograder import course, errors, notebook_code, report
from autograder.graded import Failure, ReferenceCalls, RemoteError, StudentError, explain_exception
from autograder.sandbox import ChildLost, Limits, Sandbox, SandboxError, confine
from autograder.sandbox.runtime import protocol, wire
from autograder.submission import LabFile


@dataclass
class TestResult:
    """The outcome of one graded test."""

    __test__ = False  # not a pytest test class, despite its name

    number: str
    name: str
    points: float
    score: float
    hidden: bool
    id: str = ""
    message: str = ""
    output: str = ""
    seconds: float = 0.0

    @classmethod
    def unscored(cls, test, message=""):
        """A result of no points for `test` (a `course.GradedTest`)."""
        return cls(test.number, test.name, test.points, 0.0, test.hidden, test.id, message)

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
    note: str = ""

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
    """`lab.probes.name(...)`: run a probe from course/<lab>/probes.py in the child."""

    def __init__(self, lab):
        self._lab = lab

    def __getattr__(self, name):
        return RemoteFunction(self._lab, "probe", name)


class RemoteLab:
    """The student's module as graded tests see it: attribute calls run in the child.

    Args:
        forbid: {dotted name: reason} of the test's forbidden calls (the reason is the message).
        references: call(name, args, kwargs) behind `lab.references` (`References.call`).
    """

    def __init__(self, child, lab_name, timeout, forbid, references):
        self._child, self._lab_name, self._timeout = child, lab_name, timeout
        self._forbid = forbid or {}
        self._deadline = time.monotonic() + timeout
        self.last_called = None
        self.probes = Probes(self)
        self.references = ReferenceCalls(references)

    def __getattr__(self, name):
        return RemoteFunction(self, "call", name)

    def call(self, op, name, args, kwargs):
        """Send one call to the child; return its value or raise RemoteError."""
        called = self.last_called = describe_call(name, args, kwargs)
        reply = self._child.ask(protocol.request(op, name, args, kwargs), self._deadline, self._timeout)
        # A tripwire's report can only fail a test: the child cannot vouch for itself.
        for used in reply.get("forbidden", []):
            raise RemoteError(called, f"Your code used {used}, which this exercise does not allow: "
                                      f"{self._forbid.get(used, 'write it yourself')}")
        if reply["ok"]:
            return reply.get("value")
        if "missing" in reply:
            where = f"{self._lab_name}.py" if op == "call" else "the probes"
            raise RemoteError(called, f"{where} has no function named {name!r}.")
        if "unreadable" in reply:
            raise RemoteError(called, f"Your code returned {reply['unreadable']}, which cannot be graded: "
                                      "return Python numbers or NumPy arrays.")
        if "out_of_turn" in reply:
            raise RemoteError(called, f"The grader's harness refused what your code sent: {reply['out_of_turn']}.")
        raise StudentError(called, reply["error"])


class ReferenceCache:
    """Reference values kept in a folder, so that the gradings of one batch compute each once.

    A reference's value depends only on its lab, its name and its arguments
    (every call starts from the same seeds), so the first grading that needs
    it computes it and the others read it back. The folder is made by the
    batch, outside every sandbox, and only graders write to it.
    """

    def __init__(self, folder):
        self.folder = Path(folder)

    def _path(self, lab, key):
        digest = hashlib.sha256(f"{lab}\0{key}".encode()).hexdigest()
        return self.folder / f"{digest}.json"

    def get(self, lab, key):
        """The value kept for `key` (a `course.reference_key`) of `lab`, or None with False if none is."""
        path = self._path(lab, key)
        if not path.exists():
            return None, False
        return wire.from_plain(json.loads(path.read_text())), True

    def put(self, lab, key, value):
        """Keep `value` for `key` of `lab` (atomically: a grading reading at once sees all of it or nothing)."""
        report.write_atomic(self._path(lab, key), json.dumps(wire.to_plain(value)))


class References:
    """A lab's trusted references: computed by a child that never loads student code.

    In the student bundle, which has no references module, the values the
    public tests need come from the golden file `release` recorded.

    Args:
        record: a dict to which every value computed is added, by
            `course.reference_key` (what `release` stores as golden values).
        cache: a `ReferenceCache` the values are read from where they are kept, and kept in.
    """

    def __init__(self, sandbox, lab_name, limits, record=None, cache=None):
        self._sandbox, self._lab, self._limits, self._record, self._cache = sandbox, lab_name, limits, record, cache
        self._child = None

    def call(self, name, args, kwargs):
        """Run course/<lab>/references.py's `name`, or read its kept value; return it (errors.GraderFault if it fails)."""
        key = course.reference_key(name, args, kwargs)
        value, kept = self._cache.get(self._lab, key) if self._cache is not None else (None, False)
        if not kept:
            value = self._compute(name, args, kwargs, key)
            if self._cache is not None:
                self._cache.put(self._lab, key, value)
        if self._record is not None:
            self._record[key] = value
        return value

    def _compute(self, name, args, kwargs, key):
        path = course.references_file(self._lab)
        if path is None:
            golden = course.golden_values(self._lab)
            if key in golden:
                return golden[key]
            if name not in course.PUBLIC_REFERENCES:
                raise errors.GraderFault(f"no reference value for {name}{tuple(args)} was recorded for this bundle")
            path = course.PUBLIC_REFERENCES_FILE
        timeout = self._limits.timeout
        try:
            if self._child is None:
                self._child = self._sandbox.reference(path, keras=course.uses_keras(self._lab))
            reply = self._child.ask(protocol.request("reference", name, args, kwargs), time.monotonic() + timeout,
                                    timeout)
        except (ChildLost, SandboxError) as error:
            self._child = None
            raise errors.GraderFault(f"the reference {name} did not finish: {error}") from None
        if "missing" in reply:
            raise errors.GraderFault(f"the references of {self._lab} have no function {name}")
        if not reply["ok"]:
            raise errors.GraderFault(f"the reference {name} failed: {explain_exception(reply['error'])}")
        return reply.get("value")

    def close(self):
        """Stop the references' child (the next call starts a new one)."""
        if self._child is not None:
            self._child.close()
            self._child = None


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
    return f"The grader itself failed ({type(error).__name__}: {error}); please tell your instructor."


def _order(tests):
    """The order tests run in: hidden tests after every visible one, so that nothing
    a hidden test passed can reach a visible test's output."""
    return [test for test in tests if not test.hidden] + [test for test in tests if test.hidden]


class LabSession:
    """Runs a lab's graded tests against one submitted file inside a `Sandbox`."""

    def __init__(self, sandbox, lab_name, limits, record=None, reference_cache=None, submission_deadline=None):
        self.sandbox, self.lab, self.limits = sandbox, lab_name, limits
        self.references = References(sandbox, lab_name, limits, record, reference_cache)
        self.deadline = time.monotonic() + limits.lab_timeout
        self.out_of_time = (f"{lab_name} ran out of its time budget ({limits.lab_timeout:g} s for all its tests, "
                            "imports included), so this test did not finish or did not run.")
        if submission_deadline is not None and submission_deadline < self.deadline:
            self.deadline = submission_deadline
            self.out_of_time = (f"The submission ran out of its time budget ({limits.submission_timeout:g} s for "
                                "all its labs), so this test did not finish or did not run.")

    def expired(self):
        """Whether the lab's time budget is spent."""
        return time.monotonic() >= self.deadline

    def child(self, forbid, withhold=()):
        """A child with the student's module imported (`withhold`'s files unreadable), or (None, why it failed)."""
        # Where the lab's module loads without Keras, a forbidding test runs in the plain worker,
        # in which the packages of the forbidden names (Keras, TensorFlow, SciPy) were never loaded.
        keras = course.imports_keras_at_top(self.lab) if forbid else course.uses_keras(self.lab)
        block = {name.split(".")[0] for name in forbid} | set(withhold)
        child = self.sandbox.student(self.lab, keras=keras, forbid=list(forbid), block=block,
                                     libraries=course.libraries(self.lab))
        try:
            reply = child.wait_for_import(self.deadline)
            if reply["ok"]:
                child.take_output()  # what importing printed is nobody's test output
                return child, ""
            why = "\n" + explain_exception(reply["error"])
        except ChildLost as error:
            why = f" {error}."
        output = child.take_output()
        child.close()
        why = f"{self.lab}.py could not be imported, so none of its tests ran:{why}"
        return None, why + (f"\nIt printed:\n{output}" if output else "")

    def run(self, test, child):
        """Run one test in `child` (which it closes); return its TestResult."""
        # Within the lab's budget: the timeout the message names is the time the test really had.
        timeout = min(test.timeout or self.limits.timeout, max(self.deadline - time.monotonic(), 0.0))
        lab = RemoteLab(child, self.lab, timeout, test.forbid, references=self.references.call)
        started = time.monotonic()
        result = TestResult.unscored(test)
        try:
            test.function(lab)
            result.score = test.points
        except Exception as error:  # Failure, RemoteError, ChildLost, errors.GraderFault, or a bug in the test itself
            result.message = _failure_text(error, lab)
        finally:
            self.references.close()
        if not result.passed and self.expired():
            result.message += "\n" + self.out_of_time
        result.output = child.take_output()
        child.close()
        result.seconds = time.monotonic() - started
        return result


def grade_lab(lab_name, lab_file, limits=Limits(), tests=None, on_test=None, until_failure=False, sandbox=None,
              record_references=None, reference_cache=None, submission_deadline=None):
    """Grade one student file against the lab's graded tests.

    Args:
        lab_name: e.g. "lab01_gradient_descent".
        lab_file: a `submission.LabFile`, or the path of a .py file.
        limits: the sandbox `Limits`.
        tests: the graded tests (default: all of the lab's).
        on_test: called with the `LabResult` so far after every test.
        until_failure: stop at the first failed test (enough to know a
            submission is not correct).
        sandbox: the `Sandbox` to run in (default: a new one, closed at the end).
        record_references: a dict to which every reference value computed is added.
        reference_cache: a `ReferenceCache` shared with other gradings (default: none).
        submission_deadline: the `time.monotonic()` at which the whole submission's budget ends
            (`Limits.submission_timeout`, set by `grade`; default: only the lab's own budget).
    Returns:
        A `LabResult`, its tests in the order they are written.
    """
    tests = course.load_tests(lab_name) if tests is None else tests
    if not isinstance(lab_file, LabFile):
        lab_file = LabFile.of(lab_name, lab_file)
    progress = _Progress(lab_name, lab_file, tests, on_test)
    if lab_file.problem:  # said once, for the lab; its tests just score 0
        for test in tests:
            progress.record(test, TestResult.unscored(test))
        return progress.result
    own = sandbox is None
    sandbox = sandbox or open_sandbox(limits, [lab_name])
    try:
        sandbox.stage(lab_name, lab_file.module, course.probes_file(lab_name))
        session = LabSession(sandbox, lab_name, limits, record_references, reference_cache, submission_deadline)
        for test in _order(tests):
            test_result = _attempt(session, test, progress.result)
            progress.record(test, test_result)
            if until_failure and not test_result.passed:
                break
    finally:
        if own:
            sandbox.close()
    return progress.result


class _Progress:
    """A lab's `LabResult` as its tests end: in the order they are written, notebook cells named, reported."""

    def __init__(self, lab_name, lab_file, tests, on_test):
        self.result = LabResult(lab_name, error=lab_file.problem, note=lab_file.note)
        self._order = {id(test): index for index, test in enumerate(tests)}
        self._done = []
        self._where = _cell_namer(lab_file)
        self._on_test = on_test

    def record(self, test, test_result):
        """Add `test`'s result, and say so (`on_test`)."""
        # Messages name notebook cells at once, so that every results.json written on the way does.
        test_result.message = self._where(test_result.message)
        self.result.error = self._where(self.result.error)
        self._done.append((self._order[id(test)], test_result))
        self.result.tests = [item for _, item in sorted(self._done, key=lambda pair: pair[0])]
        if self._on_test is not None:
            self._on_test(self.result)


def _attempt(session, test, lab_result):
    """Run `test` in a fresh child, or say why it did not run: the lab's module does not import
    (kept in `lab_result.error`, said once for the lab), or the lab's time budget is spent."""
    child = None
    if not lab_result.error and not session.expired():
        child, lab_result.error = session.child(test.forbid, test.withhold)
        if lab_result.error and session.expired():  # the budget, not the module, stopped the import
            lab_result.error = ""
    if session.expired() and not lab_result.error:
        if child is not None:
            child.close()
        return TestResult.unscored(test, session.out_of_time)
    if lab_result.error:
        return TestResult.unscored(test)
    return session.run(test, child)


def open_sandbox(limits, labs, unconfined=False):
    """A `Sandbox` for grading `labs`, confined as this machine allows (see `confine.environment`)."""
    return Sandbox(limits, confine.environment(unconfined), course.PACKAGES, course.preload(labs),
                   course.plain_preload(labs))


def _cell_namer(lab_file):
    """A function that rewrites a message's "line N" of a notebook's code as its cell and line."""
    if lab_file.module is None:
        return str
    code = lab_file.module.read_text()
    if not notebook_code.is_extracted(code):  # a notebook's cells, or a kernel's (check())
        return str
    return lambda text: notebook_code.name_cells(text, lab_file.lab, code)


def grade(files, limits=Limits(), on_test=None, unconfined=False, tests=None, reference_cache=None, sandbox=None):
    """Grade every lab in `files` (lab name -> file, as `grade_lab` takes), in course order, in one sandbox.

    Args:
        on_test: called after every test with the list of `LabResult`s so far.
        unconfined: run student code without walls (see `confine.environment`).
        tests: lab name -> the graded tests to run (default: all of each lab's).
        reference_cache: a `ReferenceCache` shared with other gradings (default: none).
        sandbox: a `Sandbox` opened for these labs and kept for other submissions, cleared at the
            end (`Sandbox.clear`); default: a new one, closed at the end.
    """
    results = []
    deadline = time.monotonic() + limits.submission_timeout
    own = sandbox is None
    sandbox = sandbox or open_sandbox(limits, sorted(files), unconfined)
    try:
        for lab in sorted(files):
            def so_far(lab_result):
                on_test(results + [lab_result])

            results.append(grade_lab(lab, files[lab], limits, tests=(tests or {}).get(lab),
                                     on_test=so_far if on_test else None, sandbox=sandbox,
                                     reference_cache=reference_cache, submission_deadline=deadline))
    finally:
        if own:
            sandbox.close()
        else:
            sandbox.clear()
    return results
