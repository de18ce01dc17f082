"""A graded test can forbid functions and classes; using one costs the test, with the reason."""

import pytest
from helpers import FAST

from autograder import runner
from autograder.course import GradedTest
from autograder.graded import expect_close, graded

LAB = "lab99_forbidden"
REASON = "add the neighbours yourself"


def make_test(name, forbid, expected=(1.0, 3.0, 5.0, 3.0)):
    @graded(points=1, forbid=forbid)
    def check(lab):
        "pairwise sums"
        expect_close(getattr(lab, name)([1.0, 2.0, 3.0]), expected)

    return GradedTest(LAB, "99.1", "pairwise sums", 1.0, False, None, forbid, check)


STUDENT = """
import string
import numpy as np
from numpy import convolve

def by_attribute(x):
    return np.convolve(x, [1.0, 1.0])

def by_name(x):
    return convolve(x, [1.0, 1.0])

def caught(x):
    try:
        return np.convolve(x, [1.0, 1.0])
    except Exception:
        x = np.asarray(x)
        return np.concatenate([x[:1], x[1:] + x[:-1], x[-1:]])

def by_hand(x):
    x = np.asarray(x)
    return np.concatenate([x[:1], x[1:] + x[:-1], x[-1:]])

def with_a_class(x):
    string.Template("$a").substitute(a=1)
    return by_hand(x)
"""


@pytest.fixture
def student(tmp_path):
    path = tmp_path / f"{LAB}.py"
    path.write_text(STUDENT)
    return path


@pytest.mark.parametrize(("function", "forbidden"), [
    ("by_attribute", "numpy.convolve"),
    ("by_name", "numpy.convolve"),
    ("caught", "numpy.convolve"),
    ("with_a_class", "string.Template"),
])
def test_using_a_forbidden_name_fails_with_the_reason(student, function, forbidden):
    result = runner.grade_lab(LAB, student, FAST, tests=[make_test(function, {forbidden: REASON})])
    (test,) = result.tests
    assert not test.passed, f"{function} uses {forbidden} and must not pass"
    assert f"Your code used {forbidden}, which this exercise does not allow: {REASON}" in test.message, test.message


def test_code_that_does_the_work_itself_passes(student):
    result = runner.grade_lab(LAB, student, FAST, tests=[make_test("by_hand", {"numpy.convolve": REASON})])
    assert result.score == 1, result.tests[0].message


def test_forbidden_names_are_restored_after_the_test(student):
    tests = [make_test("by_hand", {"numpy.convolve": REASON}), make_test("by_attribute", {})]
    result = runner.grade_lab(LAB, student, FAST, tests=tests)
    assert [test.passed for test in result.tests] == [True, True], [test.message for test in result.tests]
