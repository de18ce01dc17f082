"""Grading a class: one submission per student, results written as they come, reruns skip."""

import csv
import json
import shutil
import zipfile

import pytest
from helpers import FAST

from autograder import batch, cli, course

LAB = "lab01_gradient_descent"


@pytest.fixture
def classroom(tmp_path):
    """Four students: a correct folder, a zipped stub, a broken zip, a notebook."""
    folder = tmp_path / "submissions"
    (folder / "ada").mkdir(parents=True)
    shutil.copy(course.SOLUTIONS / f"{LAB}.py", folder / "ada" / f"{LAB}.py")
    with zipfile.ZipFile(folder / "bob.zip", "w") as archive:
        archive.write(course.LABS / f"{LAB}.py", f"{LAB}.py")
    (folder / "cy.zip").write_bytes(b"not a zip")
    shutil.copy(course.ROOT / "notebooks" / "solutions" / f"{LAB}.ipynb", folder / f"{LAB}.ipynb")
    return folder


def rows(out):
    with open(out / "gradebook.csv") as stream:
        return {row["student"]: row for row in csv.DictReader(stream)}


def test_every_student_gets_a_row_results_and_feedback(classroom, tmp_path):
    out = tmp_path / "out"
    graded = batch.run(classroom, out, jobs=2, limits=FAST, progress=False)
    assert sorted(graded) == ["ada", "bob", "cy", LAB]
    table = rows(out)
    points = sum(test.points for test in course.load_tests(LAB))
    assert float(table["ada"][LAB]) == points and float(table[LAB][LAB]) == points
    assert float(table["bob"]["total"]) == 0
    assert "not a readable zip" in table["cy"]["note"], table["cy"]
    for student in ("ada", "bob"):
        data = json.loads((out / student / "results.json").read_text())
        assert set(data) >= {"score", "max_score", "tests"}
        assert (out / student / "feedback.txt").read_text().strip().splitlines()[-1].startswith("Total: ")


def test_a_rerun_skips_what_is_graded_unless_forced(classroom, tmp_path):
    out = tmp_path / "out"
    batch.run(classroom, out, jobs=1, limits=FAST, progress=False)
    assert batch.run(classroom, out, jobs=1, limits=FAST, progress=False) == []
    assert sorted(batch.run(classroom, out, jobs=1, force=True, limits=FAST, progress=False)) == [
        "ada", "bob", "cy", LAB]


def test_a_student_added_later_is_graded_alone(classroom, tmp_path):
    out = tmp_path / "out"
    batch.run(classroom, out, jobs=1, limits=FAST, progress=False)
    (classroom / "dee").mkdir()
    shutil.copy(course.SOLUTIONS / f"{LAB}.py", classroom / "dee" / f"{LAB}.py")
    assert batch.run(classroom, out, jobs=1, limits=FAST, progress=False) == ["dee"]
    assert set(rows(out)) == {"ada", "bob", "cy", "dee", LAB}


def test_two_submissions_for_one_student_are_refused(tmp_path):
    (tmp_path / "ada").mkdir()
    (tmp_path / "ada.zip").write_bytes(b"")
    with pytest.raises(batch.SubmissionError, match="two submissions"):
        batch.submissions(tmp_path)


def test_the_command_line_runs_a_batch(classroom, tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main(["batch", str(classroom), "--out", str(out), "--jobs", "2", "--timeout", "5"]) == 0
    assert "graded 4 submissions" in capsys.readouterr().out
