"""A submission is files, never links: what the grader refuses to read, and that it grades its own copies.

The grader reads a submission as root, outside any wall, so a lab file that
is a symbolic link to the course's solutions (or to a classmate's file) would
be graded as the student's work. These tests hand the solution in by every
such route and check that it earns nothing and that the feedback names the
entry; the reading happens in the grader, so they hold in every sandbox mode.
"""

import os
import shutil
import stat
import zipfile

import pytest
from helpers import FAST, solution_text

from autograder import cli, course, errors, submission
from autograder.operations import batch
from autograder.submission import SubmissionError, open_submission

LAB = "lab01_gradient_descent"
FILE = f"{LAB}.py"


@pytest.fixture
def elsewhere(tmp_path):
    """The solution, as a file outside the submission (a classmate's, the course's)."""
    path = tmp_path / "elsewhere" / FILE
    path.parent.mkdir()
    shutil.copy(course.solution_file(LAB), path)
    return path


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "submission"
    path.mkdir()
    return path


def grade(path, tmp_path, capsys):
    """Grade `path` for lab 1 alone through the command line: (exit status, feedback.txt, stderr)."""
    feedback = tmp_path / "feedback.txt"
    status = cli.main(["grade", str(path), "--labs", LAB, "--feedback", str(feedback), "--quiet"])
    return status, feedback.read_text() if feedback.exists() else "", capsys.readouterr().err


def symlink(target, path):
    os.symlink(target, path)


def hard_link(target, path):
    os.link(target, path)


def named_pipe(target, path):
    os.mkfifo(path)


def device(target, path):
    os.mknod(path, stat.S_IFCHR | 0o644, os.makedev(1, 3))  # what /dev/null is


@pytest.mark.parametrize(("make", "says"), [
    (symlink, "is a symbolic link"),
    (hard_link, "is a hard link to a file outside the submission"),
    (named_pipe, "is a named pipe"),
    pytest.param(device, "is a device", marks=pytest.mark.skipif(os.geteuid() != 0, reason="mknod needs root")),
], ids=["a symbolic link", "a hard link", "a named pipe", "a device"])
def test_a_lab_file_that_is_not_the_submissions_own_scores_zero_naming_it(make, says, elsewhere, folder, tmp_path,
                                                                          capsys):
    (folder / "work").mkdir()
    make(elsewhere, folder / "work" / FILE)
    status, feedback, _ = grade(folder, tmp_path, capsys)
    assert status == errors.OK, "the lab is refused, not the grading: the exit status is 0"
    assert f"{LAB}: 0 / " in feedback, f"the lab should score 0:\n{feedback}"
    assert f"work/{FILE} {says}" in feedback, f"the feedback should name the entry and say what it is:\n{feedback}"


def test_a_copy_of_its_own_beside_a_link_does_not_save_the_link(elsewhere, folder, tmp_path, capsys):
    shutil.copy(course.LABS / FILE, folder / FILE)
    (folder / "deeper").mkdir()
    symlink(elsewhere, folder / "deeper" / FILE)
    _, feedback, _ = grade(folder, tmp_path, capsys)
    assert f"deeper/{FILE} is a symbolic link" in feedback, f"any link named as the lab refuses it:\n{feedback}"


def test_a_hard_link_inside_the_submission_is_graded(folder, tmp_path, capsys):
    shutil.copy(course.solution_file(LAB), folder / FILE)
    (folder / "backup").mkdir()
    hard_link(folder / FILE, folder / "backup" / FILE)
    status, feedback, _ = grade(folder, tmp_path, capsys)
    points = sum(test.points for test in course.load_tests(LAB))
    assert status == errors.OK and f"{LAB}: {points:g} / {points:g}" in feedback, (
        f"both links are in the submission, so the file is its own and earns full marks:\n{feedback}")


def test_a_linked_folder_is_not_entered(elsewhere, folder, tmp_path, capsys):
    symlink(elsewhere.parent, folder / "work")
    _, feedback, _ = grade(folder, tmp_path, capsys)
    assert f"No {FILE} or {LAB}.ipynb in the submission." in feedback, (
        f"a lab file reached through a linked folder should not be found:\n{feedback}")


@pytest.mark.parametrize("name", [FILE, f"{LAB}.ipynb"])
def test_a_single_lab_file_that_is_a_link_scores_zero_naming_it(name, elsewhere, tmp_path, capsys):
    link = tmp_path / name
    symlink(elsewhere, link)
    status, feedback, _ = grade(link, tmp_path, capsys)
    assert status == errors.OK and f"{name} is a symbolic link" in feedback, feedback


@pytest.mark.parametrize(("kind", "words"), [
    (stat.S_IFLNK, "a symbolic link"),  # what `zip --symlinks` stores
    (stat.S_IFIFO, "a named pipe"),
    (stat.S_IFCHR, "a device"),
], ids=["a link", "a pipe", "a device"])
def test_a_zip_member_that_is_not_a_file_scores_zero_naming_it(kind, words, tmp_path, capsys):
    archive = tmp_path / "submission.zip"
    member = zipfile.ZipInfo(f"my work/{FILE}")
    member.external_attr = (kind | 0o777) << 16
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr(member, solution_text(LAB) if kind != stat.S_IFLNK else str(course.solution_file(LAB)))
    status, feedback, _ = grade(archive, tmp_path, capsys)
    assert status == errors.OK and f"my work/{FILE} is {words}" in feedback, feedback


@pytest.mark.parametrize("make", [symlink, hard_link], ids=["a symbolic link", "a hard link"])
def test_a_zip_that_is_not_a_file_of_its_own_is_not_opened(make, tmp_path, capsys):
    archive = tmp_path / "elsewhere.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(course.solution_file(LAB), FILE)
    make(archive, tmp_path / "submission.zip")
    status, _, error = grade(tmp_path / "submission.zip", tmp_path, capsys)
    assert status == errors.CANNOT_GRADE and "submission.zip is a" in error, f"one line naming the zip, not {error!r}"


def test_the_grader_grades_a_copy_it_made(folder):
    shutil.copy(course.solution_file(LAB), folder / FILE)
    with open_submission(folder, [LAB]) as files:
        module = files[LAB].module
        (folder / FILE).write_text("changed after the grader read it\n")
        assert folder not in module.parents and module.read_text() == (course.solution_file(LAB)).read_text(), (
            "the module graded should be the grader's own copy of what was handed in")


def test_a_link_put_in_a_files_path_after_listing_is_not_followed(elsewhere, folder):
    # What the folder's listing cannot see: a folder on the way swapped for a link just before the read.
    symlink(elsewhere.parent, folder / "work")
    with pytest.raises(SubmissionError, match="work is a symbolic link"):
        submission._open_own(folder, submission.PurePosixPath("work", FILE))


@pytest.mark.parametrize("make", [symlink, hard_link, named_pipe], ids=["a symbolic link", "a hard link",
                                                                         "a named pipe"])
def test_a_class_folder_entry_that_is_not_its_own_is_refused_naming_it(make, elsewhere, tmp_path):
    classroom = tmp_path / "submissions"
    classroom.mkdir()
    make(elsewhere, classroom / "eve.py")
    with pytest.raises(SubmissionError, match="eve.py is a"):
        batch.submissions(classroom)


def test_a_class_folder_entry_that_links_to_a_classmates_folder_is_refused(tmp_path):
    classroom = tmp_path / "submissions"
    (classroom / "ada").mkdir(parents=True)
    shutil.copy(course.solution_file(LAB), classroom / "ada" / FILE)
    symlink(classroom / "ada", classroom / "eve")
    with pytest.raises(SubmissionError, match="eve is a symbolic link"):
        batch.run(classroom, tmp_path / "out", jobs=1, limits=FAST, progress=False, labs=[LAB])
    assert not (tmp_path / "out" / "eve").exists(), "nothing is graded for a refused class folder"
