"""TensorFlow's own log lines never reach the grader's terminal, a test's output or a notebook; the student's prints do."""

import json
import re
import subprocess
import sys

import nbformat
import pytest
from helpers import ROOT, patched, solution_text

from autograder.authoring import notebooks

LAB = "lab05_keras_mlp"
OWN_LINE = "my own line: building the MLP"
# What TensorFlow, XLA and absl print by themselves: glog-style lines ("I0000 00:00:... port.cc:153] oneDNN
# custom operations are on"), absl's line before InitializeLog, cuDNN factories, CPU-feature advice.
LIBRARY_LINE = re.compile(r"^[IWEF]\d{4} \d\d:\d\d:\d\d|absl::InitializeLog|oneDNN|cuDNN|cuda|cpu_feature_guard|"
                          r"rebuild TensorFlow|^WARNING:absl", re.MULTILINE | re.IGNORECASE)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A Keras lab whose build_mlp prints a line of its own, graded on its model test: (process, results.json)."""
    folder = tmp_path_factory.mktemp("logs")
    student = folder / f"{LAB}.py"
    student.write_text(patched(solution_text(LAB), '    """The slides\' MLP:',
                               f'    print("{OWN_LINE}")\n    """The slides\' MLP:'))
    results = folder / "results.json"
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", str(student), "--test", "mlp_layers",
                           "--json", str(results)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done, json.loads(results.read_text())


def test_the_graders_terminal_shows_no_library_log_line(graded):
    done, _ = graded
    found = LIBRARY_LINE.findall(done.stdout + done.stderr)
    assert not found, f"TensorFlow's log lines reached the grader's terminal: {found}\n{done.stdout}{done.stderr}"


def test_a_tests_output_keeps_the_students_print_and_no_library_log_line(graded):
    _, results = graded
    (test,) = results["tests"]
    assert OWN_LINE in test["output"], f"what the student's code printed should be in the test's output: {test}"
    assert not LIBRARY_LINE.search(test["output"]), f"TensorFlow's log lines reached the student: {test['output']}"


def test_a_notebook_run_by_the_course_shows_no_library_log_line(monkeypatch):
    # Under pytest, ipykernel does not pass on what libraries write to the kernel's stderr: as `build` runs it here.
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        f"import tensorflow as tf\nprint({OWN_LINE!r}, float(tf.constant(1.0) + 1))")])
    outputs = [output.get("text", "") for output in notebooks.execute(notebook, timeout=300).cells[0].outputs]
    assert OWN_LINE in "".join(outputs), f"the cell's own print should be in its output: {outputs}"
    assert not LIBRARY_LINE.search("".join(outputs)), f"TensorFlow's log lines reached the notebook: {outputs}"
