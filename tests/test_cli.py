"""`python -m autograder`: exit statuses, the report, results.json and what PATH may be."""

import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from helpers import ROOT

from autograder import cli, course, errors

LAB = "lab01_gradient_descent"


def run(*args):
    """Run the command line in a fresh interpreter, as a user would."""
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


# The command line is tested on lab 1 alone: tests/test_graded_solutions.py grades every lab.
def test_grading_the_solutions_gives_full_marks_and_gradescope_json(tmp_path):
    results = tmp_path / "out" / "results.json"
    done = run("grade", "solutions", "--labs", LAB, "--json", str(results))
    assert done.returncode == 0, done.stderr
    data = json.loads(results.read_text())
    assert data["score"] == data["max_score"] > 0, f"full marks expected, got {data['score']} / {data['max_score']}"
    assert data["tests"], "results.json lists the tests"
    for test in data["tests"]:
        assert set(test) >= {"name", "score", "max_score", "output", "visibility"}, test
        assert test["visibility"] in ("visible", "after_due_date")
    total = done.stdout.strip().splitlines()[-1]
    assert total == f"Total: {data['score']:g} / {data['max_score']:g}", total


def test_grading_the_stubs_gives_zero_and_exit_status_zero(tmp_path):
    results = tmp_path / "results.json"
    done = run("grade", f"labs/{LAB}.py", "--json", str(results))
    assert done.returncode == 0, "grading finished, so the exit status is 0 whatever the score"
    data = json.loads(results.read_text())
    assert data["score"] == 0 and all("Not implemented yet" in test["output"] for test in data["tests"])


def test_hidden_tests_are_marked_for_after_the_deadline(tmp_path):
    results = tmp_path / "results.json"
    assert cli.main(["grade", "solutions", "--labs", LAB, "--json", str(results)]) == 0
    hidden = {test.number for test in course.load_tests(LAB) if test.hidden}
    assert hidden, "lab 1 has hidden tests"
    for test in json.loads(results.read_text())["tests"]:
        expected = "after_due_date" if test["number"] in hidden else "visible"
        assert test["visibility"] == expected, f"test {test['number']} should be {expected}"


def test_a_zip_is_graded_like_its_folder(tmp_path, capsys):
    archive = tmp_path / "submission.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(course.solution_file(LAB), f"my work/{LAB}.py")
        zipped.writestr("../escape.py", "print('never written')")
    assert cli.main(["grade", str(archive)]) == 0
    out = capsys.readouterr().out
    points = sum(test.points for test in course.load_tests(LAB))
    assert f"{LAB}: {points:g} / {points:g}" in out, out
    assert not (tmp_path.parent / "escape.py").exists(), "a zip may not write outside its folder"


def test_a_folder_without_a_lab_scores_zero_for_it(tmp_path, capsys):
    assert cli.main(["grade", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"No {LAB}.py or {LAB}.ipynb in the submission." in out, out
    assert out.strip().splitlines()[-1].startswith("Total: 0 / "), "an empty folder scores 0"


@pytest.mark.parametrize("args", [
    ["grade", "no/such/folder"],
    ["grade", "README.md"],
    ["grade", "notes.py"],
])
def test_what_cannot_be_graded_exits_with_status_2(args, tmp_path, capsys):
    (tmp_path / "notes.py").write_text("x = 1\n")
    args = [str(tmp_path / arg) if arg == "notes.py" else arg for arg in args]
    assert cli.main(args) == errors.CANNOT_GRADE
    assert capsys.readouterr().err.startswith("error: "), "the reason goes to stderr"


@pytest.mark.parametrize("name", ["lab3.py", "Lab03_Activations.py", "lab03.ipynb"])
def test_a_misnamed_lab_file_is_told_the_name_it_should_have(name, tmp_path, capsys):
    (tmp_path / name).write_text("x = 1\n")
    assert cli.main(["grade", str(tmp_path / name)]) == errors.CANNOT_GRADE
    error = capsys.readouterr().err
    should = "lab03_activations" + Path(name).suffix
    assert f"{name}: not a lab file of this course; name it after its lab: {should}" in error, (
        f"the error should name the file and the name it should have, {should}: {error!r}")


def test_a_broken_zip_exits_with_status_2(tmp_path):
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"not a zip")
    assert cli.main(["grade", str(broken)]) == errors.CANNOT_GRADE


def test_build_check_passes_on_the_repository():
    assert cli.main(["build", "--check"]) == 0


def test_grading_is_deterministic(tmp_path):
    # A submission with a mistake, so that passes and failures both have to repeat.
    source = (course.solution_file(LAB)).read_text().replace("order = rng.permutation(n)", "order = np.arange(n)")
    (tmp_path / f"{LAB}.py").write_text(source)
    runs = []
    for attempt in range(3):
        results = tmp_path / f"results{attempt}.json"
        assert cli.main(["grade", str(tmp_path / f"{LAB}.py"), "--json", str(results)]) == 0
        data = json.loads(results.read_text())
        data.pop("execution_time")
        runs.append(data)
    assert 0 < runs[0]["score"] < runs[0]["max_score"], "the mistake costs some points, not all"
    assert runs[0] == runs[1] == runs[2], "the same submission must get the same results every time"


def test_results_are_written_after_every_test_so_a_killed_run_keeps_its_scores(tmp_path):
    source = (course.solution_file(LAB)).read_text()
    stuck = source.replace("    trajectory = np.empty(", "    while True:\n        pass\n    trajectory = np.empty(")
    (tmp_path / f"{LAB}.py").write_text(stuck)
    results = tmp_path / "results.json"
    grading = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(tmp_path / f"{LAB}.py"),
                                "--json", str(results), "--timeout", "600"], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # The fifth test loops for its 600 s: stop the grader there, as a global time limit would.
        for _ in range(600):
            if results.exists() and len(json.loads(results.read_text())["tests"]) >= 4:
                break
            time.sleep(0.1)
    finally:
        grading.kill()
        grading.wait()
    data = json.loads(results.read_text())
    assert [test["score"] for test in data["tests"][:4]] == [1.0, 1.0, 1.0, 2.0], data["tests"][:4]
    assert data["score"] == 5.0, "the finished tests' scores are kept"
