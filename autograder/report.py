"""Show grading results: a table for people, results.json for Gradescope.

Whatever student code could have shaped is passed through `render.clean`
here, at the one place where results become text.
"""

import json
import os
import re
import tempfile
import textwrap
from pathlib import Path

from autograder import course
from autograder.render import MESSAGE_CHARS, OUTPUT_CHARS, UNSAFE, clean

# What spreadsheets take for the start of a formula (OWASP, CSV injection); tab and CR are among the controls.
FORMULA_START = ("=", "+", "-", "@")
CONTROLS = re.compile(f"[\t\n\r]|{UNSAFE.pattern}")


def as_data(text):
    """`text` as a gradebook cell or a student's name is shown: never acted on by a terminal or a spreadsheet.

    Control characters become Python's visible escapes (none reaches the screen, and two names that
    differ by one still look different), and
    text that would start a formula is quoted with a leading `'`, as spreadsheets expect.
    """
    text = CONTROLS.sub(lambda match: ascii(match.group())[1:-1], text)
    return "'" + text if text.startswith(FORMULA_START) else text


def _points(value):
    return f"{value:g}"


def _in_number_order(tests):
    """A lab's test results as they are shown: by number (3.2 before 3.10, hidden ones last), however they ran."""
    return sorted(tests, key=lambda test: course.number_key(test.number))


def table(lab_results, hidden_details=True, only_failures=False):
    """A plain-text report: one block per lab, one line per test, then the total.

    Args:
        lab_results: `runner.LabResult`s.
        hidden_details: also explain failures of hidden tests.
        only_failures: leave out the tests that passed (they were shown as they finished).
    """
    lines = []
    for lab in lab_results:
        lines.append(f"{lab.lab}: {_points(lab.score)} / {_points(lab.points)}")
        if lab.note:
            lines.append(textwrap.indent(clean(lab.note, MESSAGE_CHARS), " " * 8))
        for test in _in_number_order(lab.tests):
            if only_failures and test.passed:
                continue
            mark = "pass" if test.passed else "FAIL"
            tag = " (hidden)" if test.hidden else ""
            lines.append(f"  {mark}  {_points(test.score):>4} / {_points(test.points):<4} {test.number} {test.name}{tag}")
            if not test.passed and test.message and (hidden_details or not test.hidden):
                lines.append(textwrap.indent(clean(test.message, MESSAGE_CHARS), " " * 8))
        if lab.error:
            lines.append(textwrap.indent(clean(lab.error, MESSAGE_CHARS), " " * 8))
        lines.append("")
    score = sum(lab.score for lab in lab_results)
    points = sum(lab.points for lab in lab_results)
    lines.append(f"Total: {_points(score)} / {_points(points)}")
    return "\n".join(lines)


def summary(lab_results):
    """Each lab's score and the total, a line each."""
    lines = [f"{lab.lab}: {_points(lab.score)} / {_points(lab.points)}" for lab in lab_results]
    score = sum(lab.score for lab in lab_results)
    points = sum(lab.points for lab in lab_results)
    return "\n".join(lines + [f"Total: {_points(score)} / {_points(points)}"])


def cannot_grade(why):
    """A results.json for a submission the grader could not grade at all, saying why."""
    return {"score": 0.0, "output": f"The autograder could not grade this submission: {clean(why, MESSAGE_CHARS)}",
            "output_format": "text", "visibility": "visible", "tests": []}


def _test_output(test):
    """The test's message, and for a visible test what the student's code printed, truncated."""
    text = clean(test.message, MESSAGE_CHARS)
    if test.output and not test.hidden:
        text += f"\n\nYour code printed:\n{clean(test.output, OUTPUT_CHARS)}"
    return text.strip()


def gradescope(lab_results, seconds=None):
    """Gradescope's results.json, as a dict.

    Hidden tests are reported with visibility "after_due_date".
    """
    tests = [
        {
            "name": f"{test.number} {test.name}",
            "number": test.number,
            "score": test.score,
            "max_score": test.points,
            "status": "passed" if test.passed else "failed",
            "output": _test_output(test),
            "visibility": "after_due_date" if test.hidden else "visible",
            "extra_data": {"lab": lab.lab, "id": test.id},
        }
        for lab in lab_results
        for test in _in_number_order(lab.tests)
    ]
    results = {
        "score": sum(lab.score for lab in lab_results),
        "max_score": sum(lab.points for lab in lab_results),
        "output": "\n".join(f"{lab.lab}: {clean(text, MESSAGE_CHARS)}" for lab in lab_results
                             for text in (lab.note, lab.error) if text),
        "output_format": "text",  # Gradescope would read tracebacks' <module> and & as HTML otherwise
        "visibility": "visible",
        "tests": tests,
    }
    if seconds is not None:
        results["execution_time"] = round(seconds, 3)
    return results


def write_atomic(path, text):
    """Write a text file atomically: readers see the old file or the new one, never half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w") as stream:
        stream.write(text)
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)


def write_json(path, data):
    """Write JSON atomically."""
    write_atomic(path, json.dumps(data, indent=2))
