"""Grading a class: one submission per student, results written as they come, reruns skip."""

import csv
import json
import os
import shutil
import signal
import threading
import zipfile

import pytest
from helpers import FAST, solution_text

from autograder import cli, course, errors
from autograder.operations import batch

LAB = "lab01_gradient_descent"


@pytest.fixture
def classroom(tmp_path):
    """Four students: a correct folder, a zipped stub, a broken zip, a notebook."""
    folder = tmp_path / "submissions"
    (folder / "ada").mkdir(parents=True)
    shutil.copy(course.solution_file(LAB), folder / "ada" / f"{LAB}.py")
    with zipfile.ZipFile(folder / "bob.zip", "w") as archive:
        archive.write(course.LABS / f"{LAB}.py", f"{LAB}.py")
    (folder / "cy.zip").write_bytes(b"not a zip")
    shutil.copy(course.notebook_file(LAB, solution=True), folder / f"{LAB}.ipynb")
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
    shutil.copy(course.solution_file(LAB), classroom / "dee" / f"{LAB}.py")
    assert batch.run(classroom, out, jobs=1, limits=FAST, progress=False) == ["dee"]
    assert set(rows(out)) == {"ada", "bob", "cy", "dee", LAB}


def test_a_grading_process_killed_mid_grading_costs_that_student_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # where the killed process's sandbox is left
    slow, fine = tmp_path / "slow", tmp_path / "fine"
    for folder, text in ((slow, "import time\ntime.sleep(60)\n" + solution_text(LAB)), (fine, solution_text(LAB))):
        folder.mkdir()
        (folder / f"{LAB}.py").write_text(text)
    for scratch in ("first", "second"):
        (tmp_path / scratch).mkdir()
    grader = batch.Grader(FAST, (LAB,), unconfined=False)
    try:
        killed = grader.grade(slow, tmp_path / "first",
                              started=lambda process: threading.Timer(4, os.kill, (process.pid, signal.SIGKILL)).start())
        graded = grader.grade(fine, tmp_path / "second")
    finally:
        grader.close()
    assert killed["returncode"] == -signal.SIGKILL and killed["results"] is None, killed
    assert graded["returncode"] == 0, f"the next student gets a new grading process: {graded}"
    points = sum(test.points for test in course.load_tests(LAB))
    assert json.loads(graded["results"])["score"] == points


def test_two_submissions_for_one_student_are_refused(tmp_path):
    (tmp_path / "ada").mkdir()
    (tmp_path / "ada.zip").write_bytes(b"")
    with pytest.raises(batch.SubmissionError, match="two submissions"):
        batch.submissions(tmp_path)


def test_the_command_line_runs_a_batch(classroom, tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main(["batch", str(classroom), "--out", str(out), "--jobs", "2", "--timeout", "5"]) == 0
    assert "graded 4 submissions" in capsys.readouterr().out


def test_a_rerun_on_the_command_line_says_it_skipped_who_was_graded(classroom, tmp_path, capsys):
    command = ["batch", str(classroom), "--out", str(tmp_path / "out"), "--jobs", "2", "--timeout", "5"]
    cli.main(command)
    capsys.readouterr()
    assert cli.main(command) == 0
    said = capsys.readouterr().out
    assert "graded 0 submissions, skipped 4 already graded" in said, (
        f"a rerun grades no one and should say it skipped the 4 students already graded: {said!r}")


def test_a_missing_folder_is_one_line_and_status_2(tmp_path, capsys):
    assert cli.main(["batch", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")]) == errors.CANNOT_GRADE
    error = capsys.readouterr().err.strip()
    assert error.startswith("error:") and "nowhere" in error and len(error.splitlines()) == 1, error


def hand_in_file(name, text):
    """eve's submission: a folder holding one file `name` with `text`."""
    def hand_in(folder):
        (folder / "eve").mkdir()
        (folder / "eve" / name).write_text(text)
    return hand_in


@pytest.mark.parametrize(("hand_in", "says"), [
    (lambda folder: (folder / "eve").mkdir(), "No lab01_gradient_descent.py"),
    (hand_in_file(f"{LAB}.py", "import nothing_here\n"), "could not be imported"),
    (hand_in_file(f"{LAB}.py", ""), f"{LAB}.py has no code"),
    (hand_in_file(f"{LAB}.py", "# TODO: the exercises\n\n"), f"{LAB}.py has no code"),
    (hand_in_file("lab1.py", solution_text(LAB)), f"Found lab1.py: name it {LAB}.py"),
    (hand_in_file("Lab01_Gradient_Descent.py", solution_text(LAB)),
     f"Found Lab01_Gradient_Descent.py: name it {LAB}.py"),
], ids=["an empty submission", "an unimportable submission", "an empty lab file", "a lab file of comments only",
        "a file named lab1.py", "a file named in capitals"])
def test_each_failure_gets_a_note_in_the_gradebook_saying_why(tmp_path, hand_in, says):
    folder = tmp_path / "submissions"
    folder.mkdir()
    hand_in(folder)
    batch.run(folder, tmp_path / "out", jobs=1, limits=FAST, progress=False, labs=[LAB])
    row = rows(tmp_path / "out")["eve"]
    assert says in row["note"], f"the gradebook's note should say {says!r}, but it is {row['note']!r}"


def test_a_misnamed_file_in_a_zip_is_named_with_the_name_it_should_have(tmp_path):
    folder = tmp_path / "submissions"
    folder.mkdir()
    with zipfile.ZipFile(folder / "eve.zip", "w") as archive:
        archive.writestr("work/lab01.ipynb", "{}")
    batch.run(folder, tmp_path / "out", jobs=1, limits=FAST, progress=False, labs=[LAB])
    note = rows(tmp_path / "out")["eve"]["note"]
    assert f"Found work/lab01.ipynb: name it {LAB}.ipynb" in note, (
        f"the note should name the misnamed notebook in the zip and the name it should have: {note!r}")


def test_a_notebook_named_after_its_student_is_graded_as_the_assignments_lab(tmp_path):
    folder = tmp_path / "submissions"
    folder.mkdir()
    shutil.copy(course.notebook_file(LAB, solution=True), folder / "fay.ipynb")
    batch.run(folder, tmp_path / "out", jobs=1, limits=FAST, progress=False, labs=[LAB])
    points = sum(test.points for test in course.load_tests(LAB))
    assert float(rows(tmp_path / "out")["fay"][LAB]) == points


def test_a_one_lab_assignment_is_scored_out_of_that_lab(classroom, tmp_path):
    batch.run(classroom, tmp_path / "out", jobs=2, limits=FAST, progress=False, labs=[LAB])
    table = rows(tmp_path / "out")
    points = sum(test.points for test in course.load_tests(LAB))
    assert set(table["ada"]) == {"student", LAB, "total", "max", "note"}, "only the assignment's labs are columns"
    assert float(table["ada"]["max"]) == points and float(table["ada"]["total"]) == points
