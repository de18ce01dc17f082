"""Ctrl-C: grading stops at once, keeps what it graded, and leaves nothing behind."""

import csv
import json
import os
import shlex
import signal
import subprocess
import sys
import time

import pytest
from helpers import ROOT, solution_text

from autograder import course

LAB = "lab01_gradient_descent"


def slow_submission(folder):
    """Lab 1 whose training function sleeps: the first tests pass quickly, then grading waits."""
    text = solution_text(LAB).replace('def train_neuron(', 'def train_neuron(*args, **kwargs):\n'
                                      '    import time\n    time.sleep(30)\n\n\ndef _unused_train_neuron(', 1)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{LAB}.py").write_text(text)
    return folder / f"{LAB}.py"


def start(command, tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir(exist_ok=True)
    return subprocess.Popen(command, cwd=ROOT, env={**os.environ, "TMPDIR": str(scratch)}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=_as_from_a_terminal), scratch


def _as_from_a_terminal():
    """SIGINT as a command started from a terminal has it, even where pytest runs as a background job,
    which inherits it ignored or blocked (and a Python started so never installs its handler)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def wait_for_line(stream, fragment, seconds=300):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = stream.readline()
        if fragment in line:
            return line
    pytest.fail(f"never printed {fragment!r}")


@pytest.mark.slow
def test_ctrl_c_stops_grading_keeps_what_was_graded_and_leaves_no_scratch(tmp_path):
    path = slow_submission(tmp_path / "work")
    results = tmp_path / "results.json"
    process, scratch = start([sys.executable, "-m", "autograder", "grade", str(path), "--json", str(results)], tmp_path)
    wait_for_line(process.stdout, " pass ")  # tests finish and print as they go
    time.sleep(0.5)
    os.killpg(process.pid, signal.SIGINT)
    stopped = time.monotonic()
    process.wait(timeout=30)
    assert time.monotonic() - stopped < 5, "grading should stop at once"
    assert process.returncode == 130, process.stderr.read()
    kept = json.loads(results.read_text())
    assert any(test["score"] > 0 for test in kept["tests"]), "what was graded before Ctrl-C is kept"
    assert not list(scratch.iterdir()), f"scratch left behind: {list(scratch.iterdir())}"


@pytest.mark.slow
def test_ctrl_c_in_a_batch_leaves_a_consistent_gradebook_and_a_rerun_resumes(tmp_path):
    submissions = tmp_path / "submissions"
    course.copy_solutions(submissions / "ada", labs=[LAB])
    slow_submission(submissions / "bob")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "autograder", "batch", str(submissions), "--out", str(out), "--jobs", "1",
               "--labs", LAB]
    process, scratch = start(command, tmp_path)
    deadline = time.monotonic() + 300
    while not (out / "ada" / "results.json").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(2)  # bob is being graded now
    os.killpg(process.pid, signal.SIGINT)
    process.wait(timeout=60)
    with open(out / "gradebook.csv") as stream:
        rows = {row["student"]: row for row in csv.DictReader(stream)}
    assert rows["ada"]["total"] not in ("", "0"), rows["ada"]
    assert not (out / "bob" / "results.json").exists() and rows["bob"]["note"] == "not graded yet", rows["bob"]
    assert not list(scratch.iterdir()) and not [path for path in out.iterdir() if path.name.startswith(".")]
    done = subprocess.run([*command, "--timeout", "1"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert "graded 1 submissions" in done.stdout, done.stdout + done.stderr


@pytest.mark.slow
def test_ctrl_c_on_a_batch_is_one_line_naming_the_command_that_resumes(tmp_path):
    submissions = tmp_path / "submissions"
    slow_submission(submissions / "bob")
    out = tmp_path / "out"
    resume = ["-m", "autograder", "batch", str(submissions), "--out", str(out), "--jobs", "1", "--labs", LAB]
    process, _ = start([sys.executable, *resume, "--force"], tmp_path)
    deadline = time.monotonic() + 300
    while not [path for path in out.glob(".bob-*")] and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(2)  # bob is being graded now
    os.killpg(process.pid, signal.SIGINT)
    process.wait(timeout=60)
    errors = process.stderr.read()
    assert process.returncode == 130, f"an interrupted batch should exit with status 130, not {process.returncode}"
    assert "Traceback" not in errors, f"Ctrl-C should print one line, not a traceback:\n{errors}"
    said = [line for line in errors.splitlines() if "interrupted" in line]
    assert len(said) == 1 and said[0].endswith(shlex.join(["python", *resume])), (
        f"one line should say how to resume: the same command, without --force (which would grade bob "
        f"again):\n{errors}")
