"""What the reports show: printed output only on visible tests, and truncated; names and cells only as data."""

import csv
import io
import json

import pytest

from autograder import course, report
from autograder.operations import batch
from autograder.runner import LabResult, TestResult


def lab_with(hidden):
    test = TestResult("1.1", "a test", 1.0, 0.0, hidden, message="Expected: 1", output="#" * 10_000)
    return LabResult("lab01_gradient_descent", [test])


def test_visible_tests_show_printed_output_truncated():
    (test,) = report.gradescope([lab_with(hidden=False)])["tests"]
    assert "Your code printed:" in test["output"]
    assert test["output"].count("#") == report.OUTPUT_CHARS, "printed output is cut to OUTPUT_CHARS characters"


def test_hidden_tests_show_no_printed_output():
    (test,) = report.gradescope([lab_with(hidden=True)])["tests"]
    assert test["output"] == "Expected: 1" and test["visibility"] == "after_due_date"


def test_the_table_totals_the_points():
    assert report.table([lab_with(hidden=False)]).splitlines()[-1] == "Total: 0 / 1"


@pytest.fixture
def lab3_as_graded():
    """Lab 3's results in the order `grade_lab` gives them (as written: its hidden test among the visible ones)."""
    lab = "lab03_activations"
    return LabResult(lab, [TestResult.unscored(test) for test in course.load_tests(lab)])


def by_number(lab_result):
    """3.1, 3.2, ... 3.N for the N visible tests, then 3.h1: the order a student reads them in."""
    visible = sum(not test.hidden for test in lab_result.tests)
    return [f"3.{k}" for k in range(1, visible + 1)] + ["3.h1"]


def numbers_in(text):
    return [line.split()[4] for line in text.splitlines() if line.startswith(("  pass", "  FAIL"))]


def test_the_table_shows_tests_in_number_order(lab3_as_graded):
    shown = numbers_in(report.table([lab3_as_graded]))
    assert shown == by_number(lab3_as_graded), (
        f"tests should be shown by number, 3.2 before 3.10 and the hidden test last: {shown}")


def test_results_json_lists_tests_in_number_order(lab3_as_graded):
    listed = [test["number"] for test in report.gradescope([lab3_as_graded])["tests"]]
    assert listed == by_number(lab3_as_graded), (
        f"results.json should list tests by number, the hidden test last: {listed}")


@pytest.mark.parametrize("name", ["=1+2*3", "+1", "-1+2", "@SUM(1+1)", "\t=1", "\r=1"])
def test_text_that_would_start_a_formula_is_quoted(name):
    shown = report.as_data(name)
    assert shown.startswith(("'", "\\")) and not shown.startswith(report.FORMULA_START), (
        f"{name!r} shown as {shown!r} would still start a spreadsheet formula")


@pytest.mark.parametrize("name", ["\x1b[31mada", "ada\nbob", "ada\x07", "ad\u202ea", "ada\x9b"])
def test_control_characters_never_reach_a_name_shown(name):
    shown = report.as_data(name)
    assert not report.CONTROLS.search(shown), f"{name!r} shown as {shown!r} keeps a control character"
    assert shown != report.as_data(name.replace(report.CONTROLS.search(name).group(), "")), (
        "two names that differ by a control character should not look alike")


def test_ordinary_names_are_shown_as_they_are():
    assert report.as_data("Ada Lovelace (ada_l)") == "Ada Lovelace (ada_l)"


def test_gradebook_text_cells_are_data_and_numbers_stay_numbers(tmp_path):
    lab = "lab01_gradient_descent"
    (tmp_path / "=1+2*3").mkdir()
    results = {"score": 2.5, "max_score": 5, "output": "@SUM(1+1)\x1b[2J",
               "tests": [{"score": 2.5, "extra_data": {"lab": lab}}]}
    (tmp_path / "=1+2*3" / "results.json").write_text(json.dumps(results))
    (tmp_path / "-cmd").mkdir()
    (tmp_path / "-cmd" / batch.FAILED).write_text("+HYPERLINK(1)\n")
    rows = list(csv.reader(io.StringIO(batch.gradebook(tmp_path, ["=1+2*3", "-cmd"], [lab]))))
    assert rows[1] == ["'=1+2*3", "2.5", "2.5", "5", "'@SUM(1+1)\\x1b[2J"], rows[1]
    assert rows[2] == ["'-cmd", "", "0", "", "'+HYPERLINK(1)"], rows[2]
