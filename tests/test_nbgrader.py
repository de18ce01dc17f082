"""The labs run through nbgrader's whole pipeline, offline, in a temporary course folder.

generate_assignment (our regions cleared with their hints and # STUB lines),
release_assignment, validate (of the release and of notebooks/labs/),
autograde with the graded tests' points, and generate_feedback, for a student who hands in the project's own student
notebook (notebooks/labs/) completed and one who hands in the released
notebook untouched.
"""

import os
import shutil
import subprocess
import sys

import nbformat
import pytest
from helpers import ROOT

from autograder import course
from autograder.authoring import build, notebooks

nbgrader = pytest.importorskip("nbgrader", reason="nbgrader is not installed (pip install nbgrader==0.9.6)")
pytestmark = pytest.mark.slow
LAB = "lab01_gradient_descent"


def run(course_folder, *args):
    """An nbgrader command in the course folder; its output (it must succeed)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))  # the kernels import autograder from the repository
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course_folder, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    folder = notebooks.nbgrader_course(tmp_path_factory.mktemp("course"), [LAB, "lab04_logic_gates"])
    run(folder, "generate_assignment", LAB, "--force")
    run(folder, "generate_assignment", "lab04_logic_gates", "--force")
    run(folder, "release_assignment", LAB, "--force")
    return folder


def release_notebook(folder, lab=LAB):
    return nbformat.read(folder / "release" / lab / f"{lab}.ipynb", as_version=4)


def test_release_is_the_student_notebook_with_hints_and_stubs(released):
    for lab in (LAB, "lab04_logic_gates"):
        text = course.solution_file(lab).read_text()
        _, ours = notebooks.make_notebooks(build.parse(text, lab), lab)
        theirs = {cell.id: cell.source for cell in release_notebook(released, lab).cells}
        for cell in ours.cells:
            if cell.metadata.get("nbgrader", {}).get("solution"):
                assert theirs[cell.id] == cell.source, f"{lab} {cell.id}: nbgrader's student version differs from ours"
    gates = "".join(cell.source for cell in release_notebook(released, "lab04_logic_gates").cells)
    assert "AND_GATE = None" in gates, "lab 4's # STUB lines became code"


def test_hidden_tests_are_not_released(released):
    hidden = [test.function.__name__ for test in course.load_tests(LAB) if test.hidden]
    sources = "".join(cell.source for cell in release_notebook(released).cells)
    assert hidden and not any(name in sources for name in hidden), "a hidden test's name reached the release"


@pytest.mark.parametrize("flavour", ["release", "notebooks/labs"])
def test_validate_fails_an_unimplemented_notebook_naming_the_exercises(released, tmp_path, flavour):
    path = tmp_path / f"{LAB}.ipynb"
    shutil.copy(released / "release" / LAB / f"{LAB}.ipynb" if flavour == "release"
                else course.notebook_file(LAB), path)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "nbgrader", "validate", str(path)], cwd=released, env=env,
                          capture_output=True, text=True, timeout=900)
    assert "Success! Your notebook passes all the tests." not in done.stdout, done.stdout
    assert "Not implemented yet" in done.stdout, done.stdout[-3000:]
    assert "Not passing yet: sigmoid." in done.stdout, "the check cells name the exercises that fail"


def submit(folder, student, notebook):
    target = folder / "submitted" / student / LAB / f"{LAB}.ipynb"
    target.parent.mkdir(parents=True)
    nbformat.write(notebook, target)


def failures(folder, student):
    """The errors of an autograded notebook's test cells, for failure messages."""
    notebook = nbformat.read(folder / "autograded" / student / LAB / f"{LAB}.ipynb", as_version=4)
    return [f"{cell.id}: {output.evalue}" for cell in notebook.cells if cell.cell_type == "code"
            for output in cell.outputs if output.output_type == "error"]


def test_autograde_gives_the_graded_tests_points_and_feedback(released):
    solution = {cell.id: cell.source for cell in nbformat.read(released / "source" / LAB / f"{LAB}.ipynb",
                                                                as_version=4).cells}
    # The complete student downloaded notebooks/labs/ (check cells, no test cells), not nbgrader's release.
    complete = nbformat.read(course.notebook_file(LAB), as_version=4)
    for cell in complete.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = solution[cell.id]
    submit(released, "complete", complete)
    submit(released, "untouched", release_notebook(released))
    run(released, "autograde", LAB, "--force")
    run(released, "generate_feedback", LAB, "--force")

    points = sum(test.points for test in course.load_tests(LAB))
    with nbgrader.api.Gradebook(f"sqlite:///{released / 'gradebook.db'}") as gradebook:
        scores = {student: (gradebook.find_submission(LAB, student).score,
                            gradebook.find_submission(LAB, student).max_score)
                  for student in ("complete", "untouched")}
    assert scores == {"complete": (points, points), "untouched": (0, points)}, (scores, failures(released, "complete"))
    feedback = (released / "feedback" / "untouched" / LAB / f"{LAB}.html").read_text()
    assert "Not implemented yet" in feedback, "the feedback shows the grader's messages"
