"""The instructor's solutions earn every point; the generated stubs earn none."""

import functools

import pytest

from autograder import course, runner
from autograder.sandbox import Limits

GRADED = [(lab, test.number, test.name) for lab in course.lab_names() for test in course.load_tests(lab)]


@pytest.fixture(scope="session")
def graded_file(warm_sandbox):
    """grade(lab, path) -> LabResult, each file graded once per session, in one sandbox as `grade` does."""

    @functools.cache
    def grade(lab, path):
        return runner.grade_lab(lab, path, Limits(), sandbox=warm_sandbox)

    return grade


@pytest.mark.parametrize(("lab", "number", "name"), [
    pytest.param(lab, number, name, id=f"{lab} {number} {name[:50]}", marks=pytest.mark.xdist_group(lab))
    for lab, number, name in GRADED
])
def test_solution_earns_full_marks(lab, number, name, graded_file):
    result = graded_file(lab, course.solution_file(lab))
    assert not result.error, result.error
    (test,) = [test for test in result.tests if test.number == number]
    assert test.passed, f"the solution failed graded test {number} ({name}):\n{test.message}"


@pytest.mark.parametrize("lab", [pytest.param(lab, marks=pytest.mark.xdist_group(f"{lab} stub"))
                                 for lab in course.lab_names()])
def test_stub_scores_zero_and_says_what_is_missing(lab, graded_file):
    result = graded_file(lab, course.student_file(lab))
    assert not result.error, f"the student version must import cleanly: {result.error}"
    for test in result.tests:
        assert test.score == 0, f"the stub earned points on test {test.number} ({test.name})"
        assert "Not implemented yet" in test.message, (
            f"test {test.number} should say what is not implemented, but says:\n{test.message}")
