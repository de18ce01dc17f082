"""Fixtures shared by the project's own tests (helpers live in helpers.py)."""

import pytest
from helpers import FAST

from autograder import course, runner
from autograder.sandbox import Limits


@pytest.fixture
def grade_text(tmp_path):
    """grade_text(lab, text, limits=FAST, **options) -> LabResult for a submission given as text."""

    def grade(lab, text, limits=FAST, **options):
        path = tmp_path / f"{lab}.py"
        path.write_text(text)
        return runner.grade_lab(lab, path, limits, **options)

    return grade


@pytest.fixture(scope="session")
def warm_sandbox():
    """One sandbox for the session (per xdist worker): its warm workers serve every grading passed it."""
    sandbox = runner.open_sandbox(Limits(), course.lab_names())
    yield sandbox
    sandbox.close()
