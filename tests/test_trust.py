"""Grades no student can fake: the tricks of a student who has read the grader's source.

Each trick is a submission that tries to earn points without the work, or to
defeat `forbid`; each must score no more than the same file without the
trick. The graded tests here are small stand-ins for the course's, so that
each mechanism is tested alone.
"""

import time

import pytest
from helpers import FAST

from autograder import runner
from autograder.course import GradedTest
from autograder.graded import expect_close, expect_true, graded
from autograder.sandbox import Limits

LAB = "lab99_trust"
PAIRWISE = (1.0, 3.0, 5.0, 3.0)
BY_HAND = """
def pairwise(x):
    x = np.asarray(x, dtype=float)
    return np.concatenate([x[:1], x[1:] + x[:-1], x[-1:]])
"""


def forbidding(name, reason="add the neighbours yourself"):
    @graded(points=1, forbid={name: reason})
    def check(lab):
        "pairwise sums without the library's convolution"
        expect_close(lab.pairwise([1.0, 2.0, 3.0]), PAIRWISE)

    return GradedTest(LAB, "99.1", "pairwise sums", 1.0, False, None, {name: reason}, check)


def score(tmp_path, source, tests):
    path = tmp_path / f"{LAB}.py"
    path.write_text(source)
    return runner.grade_lab(LAB, path, FAST, tests=tests)


DELEGATIONS = {
    "a reference taken at import": ("import numpy as np\n_conv = np.convolve\n"
                                    "def pairwise(x):\n    return _conv(x, [1.0, 1.0])\n", "numpy.convolve"),
    "a reference kept in a dict": ("import numpy as np\nKERNELS = {'c': np.convolve}\n"
                                   "def pairwise(x):\n    return KERNELS['c'](x, [1.0, 1.0])\n", "numpy.convolve"),
    "the tripwire caught and the original dug out of gc": (
        "import gc, numpy as np\n"
        "def pairwise(x):\n"
        "    for thing in gc.get_objects():\n"
        "        if callable(thing) and getattr(thing, '__name__', '') == 'convolve' and thing is not np.convolve:\n"
        "            try:\n                return thing(x, [1.0, 1.0])\n            except Exception:\n                pass\n"
        "    return np.convolve(x, [1.0, 1.0])\n", "numpy.convolve"),
    "a forbidden package imported under another name": (
        "import numpy as np\nimport importlib\n"
        "def pairwise(x):\n    signal = importlib.import_module('scipy.signal')\n"
        "    return signal.convolve(x, [1.0, 1.0])\n", "scipy.signal.convolve"),
    "a forbidden package's source read and run": (
        "import numpy as np, importlib.util, sys\n"
        "def pairwise(x):\n"
        "    for folder in sys.path:\n"
        "        try:\n"
        "            spec = importlib.util.spec_from_file_location('s', folder + '/scipy/signal/__init__.py')\n"
        "            module = importlib.util.module_from_spec(spec)\n            spec.loader.exec_module(module)\n"
        "            return module.convolve(x, [1.0, 1.0])\n"
        "        except Exception:\n            pass\n"
        "    raise RuntimeError('no way in')\n", "scipy.signal.convolve"),
    "a subclass calling into a forbidden class": (
        "import numpy as np, string\nclass Mine(string.Template):\n    pass\n"
        "def pairwise(x):\n    Mine('$a').substitute(a=1)\n    return np.convolve(x, [1.0, 1.0])\n",
        "string.Template"),
}


@pytest.mark.parametrize(("source", "forbidden"), DELEGATIONS.values(), ids=DELEGATIONS.keys())
def test_delegating_to_a_forbidden_callable_earns_nothing(tmp_path, source, forbidden):
    result = score(tmp_path, source, [forbidding(forbidden)])
    assert result.score == 0, f"the trick passed: {result.tests[0].message or result.error}"


def test_the_same_work_done_by_hand_still_passes(tmp_path):
    result = score(tmp_path, "import numpy as np\n" + BY_HAND, [forbidding("numpy.convolve")])
    assert result.score == 1, result.tests[0].message or result.error


def test_a_forbidden_package_is_absent_even_where_the_lab_imports_it_lazily(tmp_path):
    source = "import numpy as np\n" + BY_HAND + "def uses_scipy():\n    import scipy.signal\n    return True\n"
    seen = []

    @graded(points=1, forbid={"scipy.signal.convolve": "by hand"})
    def check(lab):
        "scipy is out of reach"
        try:
            seen.append(lab.uses_scipy())
        except Exception as error:  # the student's ImportError comes back as a RemoteError
            seen.append(str(error))

    score(tmp_path, source, [GradedTest(LAB, "99.1", "scipy", 1.0, False, None, check.graded["forbid"], check)])
    assert seen and "not available in this exercise" in str(seen[0]), seen


def test_a_hidden_test_input_never_reaches_a_visible_tests_output(tmp_path):
    # The student logs every argument to a file and prints the log on each call.
    source = ("import os\nLOG = os.path.join(os.environ['HOME'], 'seen.txt')\n"
              "def echo(x):\n    with open(LOG, 'a') as log:\n        log.write(repr(x) + '\\n')\n"
              "    print(open(LOG).read())\n    return x\n")
    secret = 987654.321

    @graded(points=1)
    def visible(lab):
        "visible"
        lab.echo(1.0)

    @graded(points=1, hidden=True)
    def hidden(lab):
        "hidden"
        lab.echo(secret)

    tests = [GradedTest(LAB, "99.h1", "hidden", 1.0, True, None, {}, hidden),
             GradedTest(LAB, "99.1", "visible", 1.0, False, None, {}, visible)]
    result = score(tmp_path, source, tests)
    shown = [test.output for test in result.tests if not test.hidden]
    assert shown and not any(str(secret) in output for output in shown), shown


def test_state_kept_across_calls_cannot_replay_an_earlier_answer(tmp_path):
    # A function that answers each call with what the previous call should have returned earns nothing
    # more: every expected value stays in the grader, so the child has nothing to replay.
    source = ("import numpy as np\n_last = [None]\n"
              "def square(x):\n    answer, _last[0] = _last[0], np.asarray(x) ** 2\n    return answer\n")

    @graded(points=1)
    def twice(lab):
        "square twice"
        expect_close(lab.square(2.0), 4.0)
        expect_close(lab.square(3.0), 9.0)

    result = score(tmp_path, source, [GradedTest(LAB, "99.1", "twice", 1.0, False, None, {}, twice)])
    assert result.score == 0


def test_a_patched_numpy_in_the_child_changes_no_judgement(tmp_path):
    source = ("import numpy as np\nnp.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: True\n"
              "np.testing.assert_allclose = lambda *a, **k: None\n"
              "def square(x):\n    return 0.0\n")

    @graded(points=1)
    def check(lab):
        "square"
        expect_true(abs(lab.square(3.0) - 9.0) < 1e-12, "9.0", "something else")

    result = score(tmp_path, source, [GradedTest(LAB, "99.1", "square", 1.0, False, None, {}, check)])
    assert result.score == 0


def test_a_grader_slow_to_read_still_gets_the_childs_import_reply(tmp_path, monkeypatch):
    # The child's first two messages (confined, imported) then wait in one pipe read together.
    from autograder import sandbox

    real = sandbox.Child.wait_for_import

    def slow(child, *args):
        time.sleep(1.0)
        return real(child, *args)

    monkeypatch.setattr(sandbox.Child, "wait_for_import", slow)
    result = score(tmp_path, "import numpy as np\n" + BY_HAND, [forbidding("numpy.convolve")])
    assert result.score == 1, f"the second message was lost: {result.tests[0].message or result.error}"


def _calls_square(number, lab=LAB):
    @graded(points=1)
    def check(lab):
        "square(3.0) is 9.0"
        expect_true(abs(lab.square(3.0) - 9.0) < 1e-12, "9.0", "something else")

    return GradedTest(lab, f"99.{number}", "square", 1.0, False, None, {}, check)


SLOW_OR_STUCK = {
    "sleeps at import": "import time\ntime.sleep(1.0)\ndef square(x):\n    return x * x\n",
    "loops for ever": "def square(x):\n    while True:\n        pass\n",
}


@pytest.mark.parametrize("source", SLOW_OR_STUCK.values(), ids=SLOW_OR_STUCK.keys())
def test_a_lab_is_bounded_by_its_time_budget(tmp_path, source):
    # Eight tests, each a fresh child: eight imports of 1 s, or eight timeouts of 2 s, without a budget.
    limits = Limits(timeout=2.0, import_timeout=10.0, lab_timeout=3.0, memory=FAST.memory)
    path = tmp_path / f"{LAB}.py"
    path.write_text(source)
    started = time.monotonic()
    result = runner.grade_lab(LAB, path, limits, tests=[_calls_square(number) for number in range(1, 9)])
    seconds = time.monotonic() - started
    assert seconds < 6, f"the lab took {seconds:.1f} s, past its budget of 3 s"
    assert len(result.tests) == 8, "every test needs a result"
    assert "ran out of its time budget" in result.tests[-1].message, (
        f"the last test should say the lab's budget ran out:\n{result.tests[-1].message}")


def test_a_submission_is_bounded_by_its_time_budget(tmp_path):
    # Three labs that loop, each within its own 3 s budget: 9 s without a budget for the submission.
    limits = Limits(timeout=2.0, import_timeout=10.0, lab_timeout=3.0, submission_timeout=4.0, memory=FAST.memory)
    labs = ["lab97_trust", "lab98_trust", LAB]
    files = {}
    for lab in labs:
        files[lab] = tmp_path / f"{lab}.py"
        files[lab].write_text(SLOW_OR_STUCK["loops for ever"])
    started = time.monotonic()
    results = runner.grade(files, limits, tests={lab: [_calls_square(n, lab) for n in range(1, 4)] for lab in labs})
    seconds = time.monotonic() - started
    assert seconds < 7, f"the submission took {seconds:.1f} s, past its budget of 4 s"
    assert [len(result.tests) for result in results] == [3, 3, 3], "every test of every lab needs a result"
    last = results[-1].tests[-1].message
    assert "The submission ran out of its time budget (4 s" in last, (
        f"the last lab's tests should say the submission's budget ran out:\n{last}")
