"""Fixtures shared by the project's own tests (helpers live in helpers.py)."""

import pytest
from helpers import FAST

from autograder import runner


@pytest.fixture
def grade_text(tmp_path):
    """grade_text(lab, text, limits=FAST, **options) -> LabResult for a submission given as text."""

    def grade(lab, text, limits=FAST, **options):
        path = tmp_path / f"{lab}.py"
        path.write_text(text)
        return runner.grade_lab(lab, path, limits, **options)

    return grade
