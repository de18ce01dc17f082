"""Every plausible mistake in the mutant corpus fails the graded tests it names.

A mutant is (what the student got wrong, old text, new text, test names):
the solution with `old` replaced by `new` must fail every graded test named
(their function names in course/<lab>/graded.py). Only those tests run, so a
mutant costs what its tests cost.
"""

import importlib.util

import pytest
from helpers import patched, solution_text

from autograder import course
from autograder.sandbox import Limits


def corpus():
    for lab in course.lab_names():
        if (path := course.mutants_file(lab)) is None:
            continue
        spec = importlib.util.spec_from_file_location(f"mutants_{lab}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for description, old, new, caught_by in module.MUTANTS:
            yield pytest.param(lab, old, new, tuple(caught_by), id=f"{lab}: {description}")


@pytest.mark.parametrize(("lab", "old", "new", "caught_by"), list(corpus()))
def test_mutant_loses_points(lab, old, new, caught_by, grade_text, warm_sandbox):
    tests = course.load_tests(lab)
    by_name = {test.function.__name__: test for test in tests}
    unknown = [name for name in caught_by if name not in by_name]
    assert not unknown, f"the mutant names graded tests that {lab} does not have: {unknown}"
    result = grade_text(lab, patched(solution_text(lab), old, new), Limits(),
                        tests=[by_name[name] for name in caught_by], sandbox=warm_sandbox)
    # A forbidding test's child has no forbidden package: a mutant that delegates at import cannot load there.
    assert not result.error or "not available in this exercise" in result.error, (
        f"the mutant should import and be graded, but: {result.error}")
    passed = [test.name for test in result.tests if test.passed]
    assert not passed, f"this mistake went unnoticed by tests that should catch it: {passed}"
