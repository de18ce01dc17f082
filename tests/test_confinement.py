"""Student code sees an allowlist of files, writes only its work folder, and reaches no other process.

These run in whatever environment the suite runs in (root with namespaces on
CI); tests/test_walls.py runs the key claims in the other environments.
"""

import json
import os
import shutil
import subprocess
import sys
import sysconfig

import pytest
from helpers import FAST

from autograder import course, errors, runner
from autograder.course import GradedTest
from autograder.graded import graded
from autograder.sandbox import confine

pytestmark = pytest.mark.skipif(not confine.environment().confined, reason="no wall can be raised on this machine")

LAB = "lab99_snoop"
STUDENT = """
import os
import subprocess
import sys

def attempt(action, path):
    try:
        if action == "read":
            with open(path) as stream:
                stream.read(1)
        elif action == "list":
            os.listdir(path)
        elif action == "write":
            with open(os.path.join(path, "planted.txt"), "w") as stream:
                stream.write("x")
        elif action == "signal":
            os.kill(int(path), 0)
        return "allowed"
    except OSError as error:
        return type(error).__name__

def who():
    return os.geteuid()

def sockets():
    import socket
    said = {}
    for kind, make in (("udp", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM)),
                       ("unix", lambda: socket.socket(socket.AF_UNIX)), ("pair", socket.socketpair)):
        try:
            make()
            said[kind] = "allowed"
        except OSError as error:
            said[kind] = type(error).__name__
    read, write = os.pipe()
    os.write(write, b"ok")
    said["pipe"] = os.read(read, 2).decode()
    return said
"""


@pytest.fixture
def ask(tmp_path):
    """ask(function, *args) -> what the student's function returned, run confined."""
    student = tmp_path / f"{LAB}.py"
    student.write_text(STUDENT)

    def run(function, *args, limits=FAST):
        seen = []

        @graded(points=1)
        def call(lab):
            "call"
            seen.append(getattr(lab, function)(*args))

        result = runner.grade_lab(LAB, student, limits, tests=[GradedTest(LAB, "99.1", "call", 1.0, False, None, {}, call)])
        assert result.tests[0].passed, result.tests[0].message
        return seen[0]

    return run


@pytest.mark.skipif(os.geteuid() != 0, reason="only a root grader gives student code a user of its own")
def test_student_code_does_not_run_as_root(ask):
    assert ask("who") != 0


@pytest.mark.parametrize("path", [course.ROOT / "README.md", course.ROOT / ".git", course.ROOT.parent])
def test_the_project_and_its_neighbours_cannot_be_read(ask, path):
    assert ask("attempt", "list" if path.is_dir() else "read", str(path)) != "allowed"


def test_the_graded_tests_cannot_be_read(ask):
    assert ask("attempt", "read", str(course.graded_file("lab01_gradient_descent"))) != "allowed"


def test_the_solutions_cannot_be_read(ask):
    assert ask("attempt", "read", str(course.solution_file("lab01_gradient_descent"))) != "allowed"


def test_a_root_only_file_cannot_be_read(ask, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("expected values")
    secret.chmod(0o600)
    assert ask("attempt", "read", str(secret)) != "allowed"


def test_the_results_folder_is_hidden(ask, tmp_path):
    results = tmp_path / "results"
    results.mkdir()
    (results / "results.json").write_text("{}")
    results.chmod(0o755)
    (results / "results.json").chmod(0o644)
    assert ask("attempt", "read", str(results / "results.json")) != "allowed"


@pytest.mark.parametrize("folder", ["/tmp", "/var/tmp", "/dev/shm"])
def test_world_writable_folders_are_not_writable(ask, folder):
    assert ask("attempt", "write", folder) != "allowed"


def test_no_socket_can_be_made_but_pipes_work(ask):
    # The seccomp filter: no network, no Unix socket, no pair's unmetered buffers, whatever namespaces
    # this machine allows; pipes stay, for subprocess and multiprocessing.
    said = ask("sockets")
    refused = {"udp": "PermissionError", "unix": "PermissionError", "pair": "PermissionError", "pipe": "ok"}
    assert said == refused, f"student code's sockets said {said}"


def test_its_own_work_folder_is_writable(ask):
    assert ask("attempt", "write", ".") == "allowed"


def test_the_grader_cannot_be_signalled(ask):
    assert ask("attempt", "signal", str(os.getpid())) != "allowed"


def test_a_python_that_lives_in_tmp_still_grades(tmp_path):
    # /tmp is private in the sandbox: a virtual environment below it must be bound in on top, not hidden.
    # It has the running interpreter's packages: a base's through --system-site-packages, and a venv's own
    # (which that option skips) through its site-packages folder, made a link to them. A .pth naming them
    # would not do: the sandbox shows a Python only its prefixes and site folders, not what a .pth adds.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    own = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True).stdout.strip()
    shutil.rmtree(own)
    os.symlink(sysconfig.get_paths()["purelib"], own)
    done = subprocess.run([str(python), "-m", "autograder", "grade", "--quiet",
                           "solutions", "--labs", "lab01_gradient_descent"], cwd=course.ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    total = sum(test.points for test in course.load_tests("lab01_gradient_descent"))
    assert f"Total: {total:g} / {total:g}" in done.stdout, done.stdout


@pytest.mark.skipif(os.geteuid() != 0, reason="hiding a library file from the sandbox user needs root")
def test_a_library_the_sandbox_cannot_read_stops_the_grading_with_one_line(tmp_path):
    # numpy's first file, made unreadable to all but root in a private mount namespace (as under a
    # closed home folder): the grader's fault, said once, never blamed on the student.
    import numpy

    hidden = tmp_path / "__init__.py"
    hidden.write_bytes(open(numpy.__file__, "rb").read())
    hidden.chmod(0o600)
    results = tmp_path / "results.json"
    grade = [sys.executable, "-m", "autograder", "grade", "solutions", "--labs", "lab02_backpropagation",
             "--json", str(results)]
    done = subprocess.run(["unshare", "--mount", "sh", "-c", 'mount --make-rprivate / && mount --bind "$0" "$1" '
                           '&& shift && exec "$@"', str(hidden), numpy.__file__, *grade],
                          cwd=course.ROOT, capture_output=True, text=True, timeout=600)
    said = done.stderr.strip().splitlines()
    assert done.returncode == errors.CANNOT_GRADE and len(said) == 1, f"exit status 2 and one line, not {done.returncode}:\n{done.stderr}"
    assert numpy.__file__ in said[0] and "chmod" in said[0], f"the line should name the file and the fix: {said}"
    assert "PermissionError" not in done.stdout, f"no test should blame the student:\n{done.stdout[-2000:]}"
    written = json.loads(results.read_text())
    assert not written["tests"] and numpy.__file__ in written["output"], (
        f"results.json should say the same, with no test: {written}")


def test_numeric_libraries_get_one_thread_unless_the_grader_says_otherwise(monkeypatch):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    sandbox = runner.open_sandbox(FAST, ["lab01_gradient_descent"])
    try:
        env = sandbox.environment()
    finally:
        sandbox.close()
    assert env["OPENBLAS_NUM_THREADS"] == "1", "a grading is one core's work: OpenBLAS should not start threads"
    assert env["TF_NUM_INTRAOP_THREADS"] == "1" and env["TF_NUM_INTEROP_THREADS"] == "1"
    assert env["OMP_NUM_THREADS"] == "3", "the grader's own setting should reach the workers"
