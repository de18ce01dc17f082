"""Fixtures shared by the project's own tests (helpers live in helpers.py)."""

import pytest
from helpers import FAST

from autograder import course, runner
from autograder.sandbox import Limits


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items):
    """Tests that share a module-scoped fixture run on one xdist worker, so the fixture is built once.

    Left to `--dist loadgroup` alone, such tests spread over the workers and
    each worker builds the fixture again (a release bundle, an nbgrader course).
    """
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        definitions = item._fixtureinfo.name2fixturedefs
        if any(definitions[name][-1].scope == "module" for name in item.fixturenames if name in definitions):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))


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
