"""The Gradescope archive installs nothing of the solutions and grades like Gradescope would run it.

Every archive here is exported with the defaults an instructor gets; the
solutions must earn full marks through `run_autograder` inside Gradescope's
default container (`environments.GradescopeBox`).
"""

import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest
from environments import PYTHON, GradescopeBox

from autograder import cli, course, errors
from autograder.operations import gradescope

LAB = "lab01_gradient_descent"


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return gradescope.export(tmp_path_factory.mktemp("export") / "autograder.zip")


def in_archive(path):
    """The archive's name for the course's `path` (the archive keeps the course's layout)."""
    return path.relative_to(course.ROOT).as_posix()


def test_the_archive_has_gradescopes_entry_points(archive):
    with zipfile.ZipFile(archive) as zipped:
        names = set(zipped.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in zipped.infolist()}
    assert {"setup.sh", "run_autograder", "requirements.txt", "autograder/cli.py"} <= names
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111, "both scripts are executable"
    labs = course.lab_names()
    assert {in_archive(course.graded_file(lab)) for lab in labs} <= names, "the archive grades every lab"
    assert {in_archive(course.probes_file(lab)) for lab in labs} <= names, "the archive runs every lab's probes"
    kept = [in_archive(path) for lab in labs for path in (course.solution_file(lab), course.mutants_file(lab))]
    assert not names & set(kept) and not any(name.startswith("notebooks/") for name in names), (
        "no solution, mutant or notebook ships")
    with zipfile.ZipFile(archive) as zipped:
        stubs = [zipped.read(name).decode() for name in names if name.startswith("labs/")]
    assert stubs and not any("BEGIN SOLUTION" in stub for stub in stubs), "labs/ ships as the student versions"


def test_the_archive_holds_out_the_digits_this_installation_does(archive):
    # Without its secret, each Gradescope run would make a secret of its own: another split, maybe another grade.
    with zipfile.ZipFile(archive) as zipped:
        carried = zipped.read(course.HELDOUT_SECRET.name)
    assert carried == course.heldout_secret(), "the archive should carry this installation's held-out secret"


def test_the_archive_is_the_same_every_time(archive, tmp_path):
    again = gradescope.export(tmp_path / "again.zip")
    assert again.read_bytes() == archive.read_bytes()


def run_autograder(archive, root, labs, box=None):
    """Unpack `archive` as Gradescope does under `root`, hand in the solutions of `labs`, grade; the results."""
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(root / "source")
    (root / "submission" / "nested").mkdir(parents=True)
    for lab in labs:
        shutil.copy(course.solution_file(lab), root / "submission" / "nested" / f"{lab}.py")
    command = ["bash", str(root / "source" / "run_autograder")]
    environment = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": PYTHON}
    done = subprocess.run(box.command(command) if box else command, env=environment,
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads((root / "results" / "results.json").read_text())


def lost(results):
    """The tests that did not earn full marks, each with the start of its message."""
    return [f"{test['number']} {test['name']}: {test.get('output', '')[:300]}"
            for test in results["tests"] if test["score"] != test["max_score"]]


def test_run_autograder_grades_a_submission_laid_out_like_gradescope(archive, tmp_path):
    results = run_autograder(archive, tmp_path / "autograder", [LAB])
    lab_tests = [test for test in results["tests"] if test["number"].startswith("1.")]
    assert lab_tests and all(test["score"] == test["max_score"] for test in lab_tests), "lab 1 earns full marks"
    others = [test for test in results["tests"] if not test["number"].startswith("1.")]
    assert all(test["score"] == 0 for test in others), "labs not handed in score 0"


@pytest.fixture
def box():
    try:
        with GradescopeBox() as made:
            yield made
    except GradescopeBox.Unavailable as reason:
        pytest.skip(f"Gradescope's container cannot be mimicked here: {reason}")


@pytest.mark.parametrize("labs", [None, ["lab05_keras_mlp"], ["lab08_convolution"]],
                         ids=["whole course", "lab 5 alone", "lab 8 alone"])
def test_the_solutions_earn_full_marks_in_gradescopes_default_container(labs, box, tmp_path):
    # 768 MiB with swap, half a CPU, no CAP_SYS_ADMIN, cgroups read-only: the box most courses grade in.
    archive = gradescope.export(tmp_path / "autograder.zip", labs=labs)
    results = run_autograder(archive, tmp_path / "autograder", labs or course.lab_names(), box)
    assert results["tests"] and not lost(results), (
        "the solutions lost points in Gradescope's default container:\n" + "\n".join(lost(results)))
    assert box.oom_kills == 0, f"the kernel killed {box.oom_kills} processes of the container for memory"


@pytest.mark.parametrize(("kwargs", "problem"), [
    ({"out": "autograder.tar"}, "zip"),
    ({"out": "a.zip", "memory_mb": 0}, "positive"),
    ({"out": "missing/dir/a.zip"}, "no folder .*missing/dir"),
], ids=["not a zip", "no memory", "a missing folder"])
def test_bad_arguments_are_refused(kwargs, problem, tmp_path):
    kwargs["out"] = tmp_path / kwargs["out"]
    with pytest.raises(gradescope.ExportError, match=problem):
        gradescope.export(**kwargs)


def test_an_export_to_a_missing_folder_is_one_line_and_status_2_and_makes_no_folder(tmp_path, capsys):
    out = tmp_path / "missing" / "dir" / "x.zip"
    assert cli.main(["export", "gradescope", str(out)]) == errors.CANNOT_GRADE, "a missing folder should exit with status 2"
    error = capsys.readouterr().err.strip()
    assert error.startswith("error: out:") and str(out.parent) in error and len(error.splitlines()) == 1, (
        f"one line should name the argument and the missing folder: {error!r}")
    assert not (tmp_path / "missing").exists(), "the export should not create folders the instructor did not ask for"


def test_a_one_lab_assignment_holds_only_that_labs_tests(tmp_path):
    archive = gradescope.export(tmp_path / "lab1.zip", labs=[LAB])
    with zipfile.ZipFile(archive) as zipped:
        names = set(zipped.namelist())
        run = zipped.read("run_autograder").decode()
    graded = [lab for lab in course.lab_names() if in_archive(course.graded_file(lab)) in names]
    assert graded == [LAB], graded
    assert f"--labs {LAB}" in run, "run_autograder grades the assignment's labs only"
