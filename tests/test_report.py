"""What the reports show: printed output only on visible tests, and truncated."""

from autograder import report
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
