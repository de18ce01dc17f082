"""`batch --scheduler`: a class graded on a real Dask cluster (`dask scheduler` and `dask worker` processes)."""

import csv
import io
import json
import os
import shutil
import signal
import tarfile
import threading
import time
from pathlib import Path

import pytest
from environments import START_SECONDS, DaskCluster
from helpers import FAST

from autograder import cli, course, errors
from autograder.operations import batch, cluster
from autograder.sandbox import descendants, process_table
from autograder.submission import open_submission

LAB = "lab01_gradient_descent"
@pytest.fixture
def two_workers(tmp_path):
    running = DaskCluster(tmp_path / "cluster")
    try:
        running.add_workers(2)
        yield running
    finally:
        running.close()


@pytest.fixture
def classroom(tmp_path):
    """Four students: a correct folder, a zipped stub, a broken zip, and a file linked to the solution."""
    folder = tmp_path / "submissions"
    (folder / "ada").mkdir(parents=True)
    shutil.copy(course.solution_file(LAB), folder / "ada" / f"{LAB}.py")
    shutil.make_archive(folder / "bob", "zip", course.LABS, f"{LAB}.py")
    (folder / "cy.zip").write_bytes(b"not a zip")
    (folder / "dee").mkdir()
    (folder / "dee" / f"{LAB}.py").symlink_to(course.solution_file(LAB))
    return folder


def _without_timing(results):
    data = json.loads(results.read_text())
    data.pop("execution_time", None)
    return data


def test_a_class_graded_on_the_cluster_is_the_local_batchs(two_workers, classroom, tmp_path):
    here, there = tmp_path / "here", tmp_path / "there"
    batch.run(classroom, here, limits=FAST, progress=False, labs=[LAB])
    graded = batch.run(classroom, there, limits=FAST, progress=False, labs=[LAB],
                       remote=cluster.on(two_workers.address))
    assert sorted(graded) == ["ada", "bob", "cy", "dee"]
    assert (there / "gradebook.csv").read_text() == (here / "gradebook.csv").read_text(), \
        "the cluster's gradebook should be the local batch's"
    for student in ("ada", "bob", "dee"):
        assert (there / student / "feedback.txt").read_bytes() == (here / student / "feedback.txt").read_bytes(), \
            f"{student}'s feedback should be the same wherever it was graded"
        assert _without_timing(there / student / "results.json") == _without_timing(here / student / "results.json")
    assert (there / "cy" / batch.FAILED).read_text() == (here / "cy" / batch.FAILED).read_text()


def _grading_below(pid):
    """Whether a grading process (`python -m autograder serve`) runs below `pid`."""
    for child in descendants(pid, process_table()):
        try:
            if b"autograder\0serve" in Path(f"/proc/{child}/cmdline").read_bytes():
                return True
        except OSError:
            continue
    return False


def test_a_worker_killed_mid_grading_costs_no_student(two_workers, tmp_path):
    folder = tmp_path / "submissions"
    for student in ("ada", "bob", "cy", "dee", "eve", "fay"):
        (folder / student).mkdir(parents=True)
        shutil.copy(course.solution_file(LAB), folder / student / f"{LAB}.py")
    out = tmp_path / "out"
    graded = []
    grading = threading.Thread(target=lambda: graded.extend(
        batch.run(folder, out, progress=False, labs=[LAB], remote=cluster.on(two_workers.address))))
    grading.start()
    victim = two_workers.workers[0]
    deadline = time.monotonic() + START_SECONDS
    while not _grading_below(victim.pid):
        assert time.monotonic() < deadline and grading.is_alive(), "the first worker never started a grading"
        time.sleep(0.05)
    os.killpg(victim.pid, signal.SIGKILL)
    grading.join()
    assert sorted(graded) == ["ada", "bob", "cy", "dee", "eve", "fay"], "every student is graded, each once"
    with open(out / "gradebook.csv") as stream:
        rows = list(csv.DictReader(stream))
    points = sum(test.points for test in course.load_tests(LAB))
    assert [row["student"] for row in rows] == ["ada", "bob", "cy", "dee", "eve", "fay"]
    assert all(float(row["total"]) == points for row in rows), f"each solution earns {points}: {rows}"


def test_an_unreachable_scheduler_is_one_line_and_status_2(tmp_path, capsys):
    (tmp_path / "submissions" / "ada").mkdir(parents=True)
    status = cli.main(["batch", str(tmp_path / "submissions"), "--out", str(tmp_path / "out"),
                       "--scheduler", "tcp://127.0.0.1:9"])
    error = capsys.readouterr().err.strip().splitlines()
    assert status == errors.CANNOT_GRADE and len(error) == 1, error
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in error[0], error


def test_a_worker_with_another_course_refuses_to_grade(tmp_path):
    with pytest.raises(cluster.OtherCourse, match="another version of the course"):
        cluster.grade_task("0" * 64, "ada", cluster.pack(tmp_path), FAST, (LAB,), False)


@pytest.fixture(params=["filters", "no filters"])
def extraction(request, monkeypatch):
    """Unpacking with tarfile's extraction filters, and as on a Python without them (before 3.11.4)."""
    if request.param == "filters" and not hasattr(tarfile, "tar_filter"):
        pytest.skip("this Python's tarfile has no extraction filters (they came in 3.11.4)")
    if request.param == "no filters":
        monkeypatch.delattr(tarfile, "tar_filter", raising=False)
    return request.param


def test_a_packed_link_stays_a_link(tmp_path, extraction):
    (tmp_path / "ada").mkdir()
    (tmp_path / "ada" / f"{LAB}.py").symlink_to(course.solution_file(LAB))
    unpacked = cluster.unpack("ada", cluster.pack(tmp_path / "ada"), tmp_path / "worker")
    assert (unpacked / f"{LAB}.py").is_symlink(), "a link must reach the worker as a link, so its grader refuses it"


def test_a_member_that_would_land_outside_is_refused(tmp_path, extraction):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        link = tarfile.TarInfo("ada/up")
        link.type, link.linkname = tarfile.SYMTYPE, str(tmp_path)
        archive.addfile(link)
        planted = tarfile.TarInfo("ada/up/planted.py")
        archive.addfile(planted, io.BytesIO(b""))
    with pytest.raises(tarfile.TarError):
        cluster.unpack("ada", buffer.getvalue(), tmp_path / "worker")
    assert not (tmp_path / "planted.py").exists(), "a file was written through a link out of the worker's folder"


def test_a_file_hard_linked_outside_is_refused_on_the_worker_as_here(tmp_path, extraction):
    """Tar keeps only the links inside an archive: the count of the others travels with the task."""
    (tmp_path / "ada").mkdir()
    (tmp_path / "classmate.py").write_text((course.solution_file(LAB)).read_text())
    os.link(tmp_path / "classmate.py", tmp_path / "ada" / f"{LAB}.py")
    os.link(tmp_path / "ada" / f"{LAB}.py", tmp_path / "ada" / "copy.py")  # a link inside: allowed
    unpacked = cluster.unpack("ada", cluster.pack(tmp_path / "ada"), tmp_path / "worker" / "submission")
    with open_submission(tmp_path / "ada", [LAB]) as here, open_submission(unpacked, [LAB]) as there:
        assert "hard link to a file outside" in here[LAB].problem, here[LAB].problem
        assert there[LAB].problem == here[LAB].problem
