"""Every plausible mistake in the mutant corpus loses points on its lab."""

import importlib.util

import pytest
from helpers import ROOT, patched, solution_text

from autograder.sandbox import Limits


def corpus():
    for path in sorted((ROOT / "tests" / "mutants").glob("lab[0-9][0-9]_*.py")):
        spec = importlib.util.spec_from_file_location(f"mutants_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for description, old, new in module.MUTANTS:
            yield pytest.param(path.stem, old, new, id=f"{path.stem}: {description}")


@pytest.mark.parametrize(("lab", "old", "new"), list(corpus()))
def test_mutant_loses_points(lab, old, new, grade_text):
    result = grade_text(lab, patched(solution_text(lab), old, new), Limits(), until_failure=True)
    assert not result.error, f"the mutant should import and be graded, but: {result.error}"
    assert not all(test.passed for test in result.tests), "this mistake went unnoticed: every graded test passed"
