"""Hostile and broken submissions: each is graded as it should be.

Most cases put their trick inside lab 1's `cross_entropy_gradients`. Such a
submission must fail exactly the tests that fail when that function merely
raises an exception, each with a message that says what happened, while
every other test still earns its points.
"""

import json
import os
import selectors
import signal
import subprocess
import sys
import time

import pytest
from helpers import FAST, patched, solution_text

from autograder import cli, course, runner, sandbox
from autograder.course import GradedTest
from autograder.graded import graded
from autograder.sandbox import OUTPUT_BYTES, Limits

LAB = "lab01_gradient_descent"
HOOK = "    return _gradients_from_delta(x, neuron_output(x, w, b) - target)\n"
RETURN_OF_DESCENT = "    return trajectory\n"


def in_cross_entropy(code):
    """The solution with `code` run first thing in cross_entropy_gradients."""
    lines = "".join(f"    {line}\n" for line in code.strip().splitlines())
    return patched(solution_text(LAB), HOOK, lines + HOOK)


def at_import(code):
    """The solution with `code` run when the module is imported."""
    return solution_text(LAB) + "\n" + code.strip() + "\n"


def failing(result):
    return {test.number for test in result.tests if not test.passed}


@pytest.fixture(scope="module")
def affected(tmp_path_factory):
    """The tests that fail when cross_entropy_gradients raises an ordinary exception."""
    from autograder import runner

    path = tmp_path_factory.mktemp("baseline") / f"{LAB}.py"
    path.write_text(in_cross_entropy('raise RuntimeError("broken")'))
    result = runner.grade_lab(LAB, path, FAST)
    numbers = failing(result)
    assert numbers and len(numbers) < len(result.tests), "the baseline should fail some tests, not all"
    return numbers


CONTAINED = {
    "infinite loop": ("while True:\n    pass", "timed out after 2 s"),
    "os._exit": ("import os\nos._exit(3)", "exited with status 3"),
    "sys.exit": ("import sys\nsys.exit(0)", "raised SystemExit"),
    "segfault": ("import ctypes\nctypes.string_at(0)", "crashed with signal 11 (SIGSEGV)"),
    "one huge allocation": ("bytearray(2**45)", "ran out of memory"),
    "KeyboardInterrupt": ("raise KeyboardInterrupt", "raised KeyboardInterrupt"),
    "SIGINT to itself": ("import os, signal\nos.kill(os.getpid(), signal.SIGINT)\nimport time\ntime.sleep(1)",
                         "raised KeyboardInterrupt"),
    "SIGTERM to itself": ("import os, signal\nos.kill(os.getpid(), signal.SIGTERM)\nimport time\ntime.sleep(1)",
                          "crashed with signal 15 (SIGTERM)"),
    "closes the grader's pipes": ("import os\nos.closerange(3, 256)", "exited with status"),
    "unprintable exception": ("class Odd(Exception):\n    def __str__(self):\n        raise ValueError\nraise Odd()",
                              "could not be printed"),
    "ignores SIGTERM and loops": ("import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                                  "while True:\n    pass", "timed out after 2 s"),
}


@pytest.mark.parametrize(("code", "says"), CONTAINED.values(), ids=CONTAINED.keys())
def test_trick_fails_only_its_own_tests(code, says, grade_text, affected):
    result = grade_text(LAB, in_cross_entropy(code))
    assert not result.error, f"the lab should import, but: {result.error}"
    assert failing(result) == affected, (
        f"expected exactly tests {sorted(affected)} to fail, but {sorted(failing(result))} failed")
    for test in result.tests:
        if test.number in affected:
            assert says in test.message, f"test {test.number}'s message should say {says!r}:\n{test.message}"


def _sigint_ignored_and_blocked():
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def test_sigint_to_itself_is_a_keyboard_interrupt_however_the_grader_was_started(tmp_path):
    # A grader started as a background job inherits SIGINT ignored (or blocked); its children must not.
    path = tmp_path / f"{LAB}.py"
    path.write_text(in_cross_entropy(CONTAINED["SIGINT to itself"][0]))
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", str(path),
                           "--test", "cross_entropy_gradients_formula"],
                          cwd=course.ROOT, capture_output=True, text=True, timeout=300,
                          preexec_fn=_sigint_ignored_and_blocked)
    assert "raised KeyboardInterrupt" in done.stdout, done.stdout[-2000:] + done.stderr[-2000:]


def test_memory_hog_is_stopped_at_the_cap(grade_text, affected):
    # A generous deadline: filling memory takes seconds on a busy machine, and the cap must win.
    limits = Limits(timeout=60, import_timeout=10, memory=256 * 2**20)
    result = grade_text(LAB, in_cross_entropy("import numpy\nhog = []\nwhile True:\n    hog.append(numpy.ones(2**24))"),
                        limits)
    assert failing(result) == affected, f"expected tests {sorted(affected)} to fail, not {sorted(failing(result))}"
    for test in result.tests:
        if test.number in affected:
            assert "ran out of memory (the sandbox used more than 256 MiB)" in test.message, test.message


UNGRADABLE = {
    "object equal to anything": "class Anything:\n    def __eq__(self, other):\n        return True\n"
                                "return Anything(), Anything()",
    "array subclass equal to anything": "import numpy\nclass Anything(numpy.ndarray):\n"
                                        "    def __eq__(self, other):\n        return True\n"
                                        "return numpy.zeros(3).view(Anything), 0.0",
    "a huge result": "import numpy\nreturn numpy.zeros(2**26), 0.0",
    "a string": "return 'close enough', 'yes'",
}


@pytest.mark.parametrize("code", UNGRADABLE.values(), ids=UNGRADABLE.keys())
def test_results_that_are_not_numbers_earn_nothing(code, grade_text, affected):
    result = grade_text(LAB, in_cross_entropy(code))
    assert failing(result) <= affected, f"only tests {sorted(affected)} may fail, but {sorted(failing(result))} did"
    direct = [test for test in result.tests if test.name.startswith("cross_entropy_gradients")]
    assert direct, "some tests call cross_entropy_gradients directly"
    for test in direct:
        assert not test.passed, f"test {test.number} passed on a result that is not the gradient"
        assert "Expected:" in test.message or "cannot be graded" in test.message, test.message


AT_IMPORT = {
    "sys.exit": ("import sys\nsys.exit(0)", "SystemExit"),
    "os._exit": ("import os\nos._exit(0)", "exited with status 0"),
    "exception": ("raise RuntimeError('half-finished lab')", "RuntimeError: half-finished lab"),
    "syntax error": ("def broken(:\n    pass", "SyntaxError"),
    "endless import": ("while True:\n    pass", "timed out after 10 s"),
}


@pytest.mark.parametrize(("code", "says"), AT_IMPORT.values(), ids=AT_IMPORT.keys())
def test_lab_that_does_not_import_scores_zero(code, says, grade_text):
    result = grade_text(LAB, at_import(code))
    assert result.score == 0, f"a lab that does not import should score 0, got {result.score}"
    assert "could not be imported" in result.error and says in result.error, result.error


class _BlindSelector(selectors.DefaultSelector):
    """A selector that never reports a ready pipe: the grader sees the child end before its reply."""

    def select(self, timeout=None):
        time.sleep(timeout or 0)
        return []


def test_reply_written_just_before_the_child_ends_is_read(grade_text, monkeypatch):
    # A failed import sends its reply and exits at once; whichever the grader notices first,
    # the reply (not "exited with status 0") says why.
    monkeypatch.setattr(sandbox.selectors, "DefaultSelector", _BlindSelector)
    result = grade_text(LAB, at_import("def broken(:\n    pass"))
    assert "SyntaxError" in result.error, f"the import's error should be reported, not: {result.error}"


def test_child_that_ends_before_the_grader_finds_it_is_graded(grade_text, monkeypatch):
    # Confined, the grader looks up the child's pid once the worker says it forked; a failed
    # import can reply and exit before that: its reply, still in the pipe, says why.
    said_forked = sandbox.protocol.check_spawned

    def late(reply):
        time.sleep(0.5)  # the child imports, replies and is gone meanwhile
        return said_forked(reply)

    monkeypatch.setattr(sandbox.protocol, "check_spawned", late)
    result = grade_text(LAB, at_import("def broken(:\n    pass"))
    assert "SyntaxError" in result.error, f"the import's error should be reported, not: {result.error}"


def test_solutions_are_not_importable_from_the_child(grade_text):
    module = ".".join(course.solution_file(LAB).relative_to(course.ROOT).with_suffix("").parts)
    stolen = f"from {module} import *"
    result = grade_text(LAB, at_import(stolen))
    assert "ModuleNotFoundError" in result.error, f"importing solutions should fail, but: {result.error!r}"


def test_patching_numpy_comparisons_gains_nothing(grade_text):
    cheat = """
import math
import numpy
numpy.allclose = numpy.array_equal = numpy.testing.assert_allclose = lambda *a, **k: True
numpy.isclose = lambda *a, **k: True
math.isclose = lambda *a, **k: True
def sigmoid(z):
    return 0.5
"""
    result = grade_text(LAB, at_import(cheat))
    sigmoid_tests = [test for test in result.tests if test.name.startswith("sigmoid")]
    assert sigmoid_tests and not any(test.passed for test in sigmoid_tests), (
        "a sigmoid that always returns 0.5 must fail its tests, whatever the child did to NumPy")


def test_flooding_output_is_truncated_and_harmless(grade_text):
    flood = "for _ in range(20000):\n    print('pass 36 / 36 Total: 36 / 36')"
    result = grade_text(LAB, patched(solution_text(LAB), RETURN_OF_DESCENT, _indent(flood) + RETURN_OF_DESCENT))
    assert result.score == result.points, "printing does not change a correct result"
    printed = [test.output for test in result.tests if test.output]
    assert printed and max(map(len, printed)) <= OUTPUT_BYTES, "printed output is kept short"


def _indent(code):
    return "".join(f"    {line}\n" for line in code.strip().splitlines())


def test_fake_results_and_score_lines_do_not_reach_the_report(tmp_path, capsys):
    fake = {"score": 999, "tests": []}
    cheat = f"""
import json, pathlib
for folder in (pathlib.Path.cwd(), pathlib.Path.home(), pathlib.Path({str(tmp_path)!r})):
    (folder / "results.json").write_text(json.dumps({fake!r}))
print("Total: 36 / 36")
def sigmoid(z):
    return 0.5
"""
    (tmp_path / f"{LAB}.py").write_text(at_import(cheat))
    results = tmp_path / "results.json"
    assert cli.main(["grade", str(tmp_path / f"{LAB}.py"), "--json", str(results), "--timeout", "5"]) == 0
    written = json.loads(results.read_text())
    assert written["score"] < written["max_score"], f"sigmoid returning 0.5 cannot earn full marks: {written}"
    assert "Total: 36 / 36" not in capsys.readouterr().out, "the student's printed score reached the report"


def _running_with(arguments):
    """Host processes whose command line holds one of `arguments` (pids differ inside the sandbox)."""
    found = []
    for entry in os.scandir("/proc"):
        try:
            with open(f"/proc/{entry.name}/cmdline", "rb") as cmdline:
                words = cmdline.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        if entry.name.isdigit() and set(words) & set(arguments):
            found.append(int(entry.name))
    return found


def test_processes_left_running_do_not_outlive_grading(tmp_path):
    marks = [f"{seconds}.{os.getpid()}" for seconds in (300, 301, 302)]  # unique sleep lengths to find them by
    leave_behind = f"""
import os, subprocess, time
subprocess.Popen(["sleep", "{marks[0]}"])
subprocess.Popen(["sleep", "{marks[1]}"], start_new_session=True)
if os.fork() == 0:  # a daemon: double fork, new session, its parent gone
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "{marks[2]}"])
    os._exit(0)
time.sleep(0.5)

def running():
    return True
"""
    student = tmp_path / f"{LAB}.py"
    student.write_text(at_import(leave_behind))
    seen = []

    @graded(points=1)
    def record(lab):
        "the processes it started"
        seen.append(_running_with(marks))

    result = runner.grade_lab(LAB, student, FAST, tests=[GradedTest(LAB, "1.99", "pids", 1.0, False, None, {}, record)])
    assert result.tests[0].passed, result.tests[0].message
    assert len(seen[0]) == 3, f"the submission should have three processes running while graded, got {seen}"
    deadline = time.monotonic() + 5
    while _running_with(marks) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running_with(marks), "processes the student left running survived grading"


def test_a_correct_submission_keeps_its_points_when_a_test_times_out(grade_text, affected):
    result = grade_text(LAB, in_cross_entropy("import time\ntime.sleep(60)"))
    earned = sum(test.score for test in result.tests if test.number not in affected)
    possible = sum(test.points for test in result.tests if test.number not in affected)
    assert earned == possible > 0, f"the unaffected tests should keep all {possible} points, got {earned}"
