"""The references' values kept for a batch: computed once, read back by the later gradings, graded alike."""

import json

import pytest
from helpers import FAST, patched, solution_text

from autograder import cli, course, runner
from autograder.operations import batch
from autograder.sandbox import Sandbox

LAB = "lab01_gradient_descent"


def outcomes(result):
    return [(test.number, test.score, test.message) for test in result.tests]


@pytest.fixture
def no_reference_child(monkeypatch):
    """Makes starting a references' child fail the test that tried."""
    def refuse(*args, **kwargs):
        pytest.fail("a reference was computed again although its value was kept")

    monkeypatch.setattr(Sandbox, "reference", refuse)


def test_a_kept_value_is_not_computed_again(tmp_path, request):
    cache = runner.ReferenceCache(tmp_path)
    first = runner.grade_lab(LAB, course.solution_file(LAB), FAST, reference_cache=cache)
    assert list(tmp_path.iterdir()), "the first grading kept no reference value"
    request.getfixturevalue("no_reference_child")
    again = runner.grade_lab(LAB, course.solution_file(LAB), FAST, reference_cache=cache)
    assert outcomes(again) == outcomes(first)
    assert again.score == again.points, "the solution lost points with the kept values"


def test_kept_values_grade_a_wrong_submission_as_computed_ones(tmp_path):
    """Whole-batch training where mini-batches are due fails the tests that compare with references,
    in the same words whether their values were kept or computed."""
    wrong = tmp_path / f"{LAB}.py"
    wrong.write_text(patched(solution_text(LAB), "size = n if batch_size is None else min(batch_size, n)", "size = n"))
    computed = runner.grade_lab(LAB, wrong, FAST)
    assert computed.score < computed.points, "the mistake lost no points: this test shows nothing"
    cache = runner.ReferenceCache(tmp_path / "kept")
    runner.grade_lab(LAB, course.solution_file(LAB), FAST, reference_cache=cache)
    assert outcomes(runner.grade_lab(LAB, wrong, FAST, reference_cache=cache)) == outcomes(computed)


def test_the_command_line_keeps_and_reads_values_in_a_folder(tmp_path, capsys):
    kept = tmp_path / "kept"
    kept.mkdir()
    for run in ("first", "second"):
        assert cli.main(["grade", "solutions", "--labs", LAB, "--quiet", "--json", str(tmp_path / f"{run}.json"),
                         "--reference-cache", str(kept), "--timeout", "2"]) == 0
    first, second = (json.loads((tmp_path / f"{run}.json").read_text()) for run in ("first", "second"))
    assert list(kept.iterdir()), "--reference-cache kept nothing"
    assert first["tests"] == second["tests"]


def test_a_batch_leaves_no_kept_values_behind(tmp_path):
    submissions = tmp_path / "submissions"
    for student in ("ada", "bob"):
        (submissions / student).mkdir(parents=True)
        (submissions / student / f"{LAB}.py").write_bytes((course.solution_file(LAB)).read_bytes())
    out = tmp_path / "out"
    assert batch.run(submissions, out, jobs=1, limits=FAST, progress=False, labs=[LAB]) == ["ada", "bob"]
    assert sorted(path.name for path in out.iterdir()) == ["ada", "bob", "gradebook.csv"]
    scores = {json.loads((out / student / "results.json").read_text())["score"] for student in ("ada", "bob")}
    assert scores == {sum(test.points for test in course.load_tests(LAB))}


def test_a_kept_value_is_recorded_as_a_computed_one(tmp_path):
    cache = runner.ReferenceCache(tmp_path)
    computed, kept = {}, {}
    runner.grade_lab(LAB, course.solution_file(LAB), FAST, reference_cache=cache, record_references=computed)
    runner.grade_lab(LAB, course.solution_file(LAB), FAST, reference_cache=cache, record_references=kept)
    assert computed and kept.keys() == computed.keys(), "a value read back was not recorded"
