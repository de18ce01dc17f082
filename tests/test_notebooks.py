"""Notebooks are generated from the lab sources, run, and can be handed in."""

import json
import shutil
import subprocess
import sys

import nbformat
import pytest
from helpers import FAST, ROOT

from autograder import course, notebook_code, runner
from autograder.authoring import build, notebooks
from autograder.submission import open_submission

LABS = course.lab_names()
LAB = "lab01_gradient_descent"


def read(kind, lab):
    return nbformat.read(course.notebook_file(lab, solution=kind == "solutions"), as_version=4)


def test_notebooks_are_up_to_date_with_the_sources():
    stale = notebooks.build_notebooks(check=True)
    assert not stale, f"out of date: {stale}; run `python -m autograder build`"


def test_a_notebook_without_its_generated_mark_is_out_of_date(tmp_path):
    shutil.copytree(course.NOTEBOOKS, tmp_path / "notebooks")
    target = course.notebook_file(LAB, folder=tmp_path / "notebooks")
    notebook = nbformat.read(target, as_version=4)
    assert LAB in notebooks.generated_from(notebook), "the notebook names the solution it was generated from"
    del notebook.metadata["autograder"]
    nbformat.write(notebook, target)
    stale = notebooks.build_notebooks(check=True, run=False, folder=tmp_path / "notebooks")
    assert stale == [build.shown(target, tmp_path / "notebooks")], f"only the unmarked notebook should be out of date: {stale}"


@pytest.mark.parametrize("lab", LABS)
def test_student_notebook_has_no_outputs_and_no_solution(lab):
    notebook = read("labs", lab)
    for cell in notebook.cells:
        assert cell.cell_type != "code" or (not cell.outputs and cell.execution_count is None), cell.id
        assert "BEGIN SOLUTION" not in cell.source, f"a solution region reached the student notebook ({cell.id})"


@pytest.mark.parametrize("lab", LABS)
def test_both_notebooks_mark_the_same_cells_for_nbgrader(lab):
    solution, student = read("solutions", lab), {cell.id: cell for cell in read("labs", lab).cells}
    for cell in solution.cells:
        assert student[cell.id].metadata == cell.metadata, f"{cell.id} is marked differently in the two notebooks"
    marked = [(cell, student[cell.id]) for cell in solution.cells if cell.metadata["nbgrader"]["solution"]]
    assert marked, "some cells are the student's to write"
    for ours, theirs in marked:
        assert ours.source != theirs.source, f"{theirs.id} is a solution cell left as the solution"
    for cell in student.values():
        if cell.cell_type == "markdown" or notebook_code.CHECK_TAG in cell.metadata["tags"]:
            # a check cell has no nbgrader metadata (autograde would reject it), only Jupyter's lock
            assert cell.metadata.get("nbgrader", {}).get("locked", True) and cell.metadata["editable"] is False, cell.id


def test_the_lesson_opens_the_notebook():
    first = read("labs", LAB).cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# Lab 1: gradient descent")


@pytest.mark.slow
@pytest.mark.parametrize("lab", LABS)
def test_solution_notebook_runs_top_to_bottom(lab):
    notebook = notebooks.execute(read("solutions", lab), timeout=300)
    errors = [output for cell in notebook.cells if cell.cell_type == "code"
              for output in cell.outputs if output.output_type == "error"]
    assert not errors, f"{lab} raised: {errors[0]['ename']}: {errors[0]['evalue']}"
    if "save_figures" in "".join(cell.source for cell in notebook.cells):
        images = [output for output in notebook.cells[-1].outputs if "image/png" in output.get("data", {})]
        assert images, "the last cell shows the lab's figures"


def grade_notebook(tmp_path, notebook, lab=LAB):
    path = tmp_path / f"{lab}.ipynb"
    nbformat.write(notebook, path)
    with open_submission(path) as files:
        return runner.grade_lab(lab, files[lab], FAST)


def test_a_solution_notebook_is_graded_like_the_solution_file(tmp_path):
    result = grade_notebook(tmp_path, read("solutions", LAB))
    assert result.score == result.points, [test.message for test in result.tests if not test.passed]


def test_magics_and_shell_escapes_are_dropped(tmp_path):
    notebook = read("solutions", LAB)
    notebook.cells.insert(1, nbformat.v4.new_code_cell("%matplotlib inline\n!pip install nothing\nx = 1"))
    notebook.cells.insert(2, nbformat.v4.new_code_cell("%%bash\necho hello"))
    result = grade_notebook(tmp_path, notebook)
    assert result.score == result.points, result.error or [test.message for test in result.tests if not test.passed]


def test_messages_name_the_cell(tmp_path):
    result = grade_notebook(tmp_path, read("labs", LAB))
    message = result.tests[0].message
    assert f'File "{LAB}.ipynb", cell ' in message and ".py" not in message, message


def test_a_cell_that_does_not_parse_is_named(tmp_path):
    notebook = read("solutions", LAB)
    notebook.cells.append(nbformat.v4.new_code_cell("x = 1\ndef broken(:\n    pass"))
    result = grade_notebook(tmp_path, notebook)
    assert result.score == 0 and f"{LAB}.ipynb, cell {len(notebook.cells)}, line 2" in result.error, result.error


def test_a_file_that_is_not_a_notebook_scores_zero_with_a_reason(tmp_path):
    path = tmp_path / f"{LAB}.ipynb"
    path.write_text(json.dumps({"cells": "nonsense"}))
    with open_submission(path) as files:
        result = runner.grade_lab(LAB, files[LAB], FAST)
    assert result.score == 0 and "could not be read as a notebook" in result.error, result.error


def test_check_cells_are_not_graded_even_without_their_tags(tmp_path):
    notebook = read("solutions", LAB)
    notebook.cells.insert(1, nbformat.v4.new_code_cell(notebooks.SETUP.format(lab=LAB)))
    notebook.cells.append(nbformat.v4.new_code_cell('check("sigmoid")'))
    result = grade_notebook(tmp_path, notebook)
    assert result.score == result.points, result.error or [test.message for test in result.tests if not test.passed]


def test_extracted_code_keeps_cells_apart_and_comments_magics():
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Title"),
        nbformat.v4.new_code_cell("!ls\nx = 1"),
        nbformat.v4.new_code_cell("%%time\ny = 2"),
    ])
    code = notebook_code.extract_code_from(notebook, "lab99_x.ipynb")
    assert "# In[2]:\n# !ls\nx = 1\n" in code and "# In[3]:\n# %%time\n# y = 2\n" in code, code


def test_the_grader_does_not_import_nbformat_to_grade_a_py_file():
    # nbformat's JSON schema loads grammars that cost seconds of CPU per student in every `grade`.
    code = ("import sys, autograder.cli; "
            "print(sorted({name.split('.')[0] for name in sys.modules} & {'nbformat', 'jsonschema'}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", f"importing autograder.cli imported {done.stdout.strip()}"
