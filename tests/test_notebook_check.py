"""`check(...)` grades an exercise from inside its notebook, on the code the kernel ran."""

import re
from types import SimpleNamespace

import nbformat
import pytest

from autograder import check, course, notebook_code
from autograder.authoring import notebooks

LAB = "lab01_gradient_descent"


def numbers(lab, *selectors):
    return [test.number for test in check.select(lab, selectors, quiet=True)]


def test_a_test_is_selected_by_its_number_or_its_name():
    assert numbers(LAB, "1.3") == ["1.3"]
    assert numbers(LAB, "sigmoid_symmetry") == ["1.3"]


def test_a_function_selects_the_tests_that_call_it():
    assert numbers(LAB, "sigmoid") == ["1.1", "1.2", "1.3", "1.4"]
    called = numbers(LAB, "squared_error")
    assert called and not set(called) & set(numbers(LAB, "squared_error_gradients")), \
        "squared_error must not pick the tests of squared_error_gradients"


def test_a_test_that_calls_another_function_is_not_picked_for_a_mere_mention():
    # "sigmoid, 20 layers: ..." calls gradient_norms_by_depth, not sigmoid
    vanishing = [t.number for t in course.load_tests("lab03_activations") if t.function.__name__ == "sigmoid_gradient_vanishes"]
    assert vanishing[0] not in numbers("lab03_activations", "sigmoid")
    assert vanishing[0] in numbers("lab03_activations", "gradient_norms_by_depth")


def test_hidden_tests_are_never_selected():
    hidden = [test for test in course.load_tests(LAB) if test.hidden]
    assert hidden, "lab 1 has hidden tests"
    chosen = numbers(LAB)
    assert chosen and not {test.number for test in hidden} & set(chosen)
    assert numbers(LAB, hidden[0].function.__name__) == [], "a hidden test cannot be named either"


def test_a_selector_that_names_nothing_says_so(capsys):
    assert check.select(LAB, ["no_such_function"]) == []
    assert "names no visible test" in capsys.readouterr().out


def test_check_grades_nothing_during_nbgraders_autograde(monkeypatch, capsys):
    # There the test cells grade the notebook; a check cell grading it again would double the time.
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    monkeypatch.setattr(check, "_current", lambda lab: pytest.fail("check() looked for code to grade"))
    assert check.check(lab=LAB) is None
    assert "Checked by the graded test cells" in capsys.readouterr().out


def result(cell_id, count, source, success=True):
    info = SimpleNamespace(cell_id=cell_id, raw_cell=source, silent=False, store_history=True)
    return SimpleNamespace(info=info, execution_count=count, success=success)


def test_the_code_is_each_cell_at_its_first_place_as_last_run_successfully():
    recorder = check._Recorder(shell=None)
    recorder.post_run_cell(result("setup", 1, "from autograder.check import check, watch\nwatch('lab')"))
    recorder.post_run_cell(result("a", 2, "def f():\n    return 1"))
    recorder.post_run_cell(result("b", 3, "y = f()"))
    recorder.post_run_cell(result("a", 4, "def f():\n    return 2"))
    recorder.post_run_cell(result("a", 5, "def f(:", success=False))
    recorder.post_run_cell(result("c", 6, "check('f')\n%time x = 1"))
    code = recorder.code(LAB)
    assert "return 2" in code and "return 1" not in code and "def f(:" not in code, code
    assert code.index("return 2") < code.index("y = f()"), "a re-run cell keeps its first place"
    assert "watch(" not in code and "# check('f')" in code and "# %time" in code, code
    assert "# In[4]:" in code, "cells are numbered as the kernel numbered them"


def test_messages_name_kernel_cells_as_ipython_does():
    code = notebook_code.kernel_code([(7, "x = 1\ny = 1 / 0")], f"{LAB}.ipynb")
    message = notebook_code.name_cells(f'File "{LAB}.py", line 4, in <module>', LAB, code)
    assert message == "Cell In[7], line 2, in <module>", message


def student_notebook(lab=LAB):
    return nbformat.read(course.notebook_file(lab), as_version=4)


@pytest.mark.parametrize("lab", course.lab_names())
def test_each_check_cell_follows_its_exercise_and_names_what_it_defines(lab):
    cells = student_notebook(lab).cells
    first_code = next(cell for cell in cells if cell.cell_type == "code")
    assert first_code.id == "setup" and f'watch("{lab}")' in first_code.source
    checks = [index for index, cell in enumerate(cells) if cell.id.startswith("check-") and cell.id != "check-all"]
    assert checks, "every lab checks its exercises"
    for index in [*checks, len(cells) - 1]:  # nbgrader test cells worth no points: validate runs them
        assert cells[index].metadata["nbgrader"]["grade"] and cells[index].metadata["nbgrader"]["points"] == 0
    for index in checks:
        exercise = cells[index - 1]
        assert exercise.metadata["nbgrader"]["solution"], f"{cells[index].id} follows no exercise"
        for name in re.findall(r'"([^"]+)"', cells[index].source):
            assert re.search(rf"^(def|class) {name}\b|^{name}\s*=", exercise.source, re.MULTILINE), name
            assert numbers(lab, name), f"check({name!r}) selects no test"
    assert cells[-1].id == "check-all", "the notebook ends by checking the whole lab"


def run_notebook(notebook):
    from nbclient import NotebookClient

    # Jupyter starts a kernel in the notebook's folder: notebooks/labs, two levels below autograder/.
    NotebookClient(notebook, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(course.notebook_file(LAB).parent)}}).execute()
    return notebook


def printed(cell):
    return "".join(output.get("text", "") for output in cell.outputs if output.output_type == "stream")


def errors(notebook):
    return [f"{cell.id}: {output.ename}: {output.evalue}" for cell in notebook.cells if cell.cell_type == "code"
            for output in cell.outputs if output.output_type == "error"]


@pytest.mark.slow
def test_a_filled_exercise_passes_its_check_in_a_real_kernel():
    notebook = student_notebook()
    solution = {cell.id: cell.source for cell in nbformat.read(course.notebook_file(LAB, solution=True),
                                                                as_version=4).cells}
    sigmoid = next(cell for cell in notebook.cells if "def sigmoid(" in cell.source)
    sigmoid.source = solution[sigmoid.id]
    cells = {cell.id: cell for cell in run_notebook(notebook).cells}
    assert not errors(notebook), errors(notebook)
    after_sigmoid = printed(cells["check-" + sigmoid.id.split("-")[1]])
    points = sum(t.points for t in course.load_tests(LAB) if not t.hidden and t.number in numbers(LAB, "sigmoid"))
    assert f"{LAB}: {points:g} / {points:g}" in after_sigmoid and "FAIL" not in after_sigmoid, after_sigmoid
    after_descent = printed(next(cell for cell in notebook.cells if cell.source == 'check("gradient_descent")'))
    assert "FAIL" in after_descent and "Not implemented yet" in after_descent, after_descent
    assert "Cell In[" in after_descent, "messages name the cells as the kernel ran them"


@pytest.mark.parametrize("lab", course.lab_names())
def test_the_code_cells_of_a_fresh_student_notebook_run_without_a_traceback(lab, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a figures cell writes into the working folder
    namespace = {"__name__": "__main__"}  # as in a kernel: the figures cell runs too
    for cell in student_notebook(lab).cells:
        if cell.cell_type == "code" and notebook_code.CHECK_TAG not in cell.metadata["tags"]:
            exec(compile(cell.source, cell.id, "exec"), namespace)


@pytest.mark.slow
def test_run_all_on_a_fresh_student_notebook_ends_with_checks():
    lab = "lab04_logic_gates"  # module-level # STUB constants, a figures cell that needs them, Keras
    notebook = run_notebook(student_notebook(lab))
    assert not errors(notebook), errors(notebook)
    last = printed(notebook.cells[-1])
    assert "Not implemented yet" in last and f"{lab}: 0 /" in last, last[-2000:]


def test_test_cells_leave_the_kernels_code_as_it_was():
    # Each test cell autograde runs would otherwise be a new state of the code, graded again.
    recorder = check._Recorder(shell=None)
    recorder.post_run_cell(result("a", 1, "def f():\n    return 1"))
    before = recorder.code(LAB)
    recorder.post_run_cell(result("t", 2, '# This cell was missing.\n### BEGIN HIDDEN TESTS\nassert_passes("f_works")\n'
                                          "### END HIDDEN TESTS"))
    recorder.post_run_cell(result("c", 3, 'check("f")'))
    assert recorder.code(LAB) == before


@pytest.fixture
def fake_grading(monkeypatch):
    """check's grading with runner.grade_lab replaced: the test numbers of each call; tests failing listed in `fail`."""
    from autograder import runner

    calls, fail, code = [], set(), ["x = 1"]

    def grade_lab(lab, path, limits, tests, sandbox):
        calls.append([test.number for test in tests])
        return runner.LabResult(lab, [runner.TestResult(test.number, test.name, test.points,
                                                        0.0 if test.number in fail else test.points, test.hidden)
                                      for test in tests])

    monkeypatch.setattr(runner, "grade_lab", grade_lab)
    monkeypatch.setitem(check._state, "sandbox", object())
    monkeypatch.setattr(check, "_graded", {"key": None, "error": "", "tests": {}})
    monkeypatch.setattr(check, "_current", lambda lab: (LAB, code[0]))
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    return SimpleNamespace(calls=calls, fail=fail, code=code)


def test_each_test_is_graded_once_per_state_of_the_code(fake_grading):
    tests = course.load_tests(LAB)
    first, second = tests[0], tests[1]
    check.assert_passes(first.function.__name__, lab=LAB)
    check.assert_passes(first.function.__name__, second.function.__name__, lab=LAB)
    check.check(lab=LAB)
    fake_grading.code[0] = "x = 2"
    check.assert_passes(first.function.__name__, lab=LAB)
    rest = [test.number for test in tests if not test.hidden and test not in (first, second)]
    assert fake_grading.calls == [[first.number], [second.number], rest, [first.number]]


def test_check_fails_nbgraders_validate_naming_what_fails(fake_grading, monkeypatch, capsys):
    fake_grading.fail.add(numbers(LAB, "sigmoid")[0])
    check.check("sigmoid", lab=LAB)  # in Jupyter: a report, no exception, so that Run All goes on
    assert "FAIL" in capsys.readouterr().out
    check.check("gradient_descent", lab=LAB)
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    check.check("gradient_descent", lab=LAB)  # passing: validate passes the cell
    with pytest.raises(AssertionError, match="Not passing yet: sigmoid"):
        check.check("sigmoid", lab=LAB)


def test_the_figures_are_not_drawn_while_nbgrader_runs_the_notebook(monkeypatch, capsys):
    # Drawing them took longer than grading the lab in autograde, and no test looks at them.
    figures = next(cell for cell in student_notebook().cells if cell.id == "figures")
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    namespace = {"__name__": "__main__", "save_figures": lambda folder: pytest.fail("the figures were drawn")}
    exec(compile(figures.source, "figures", "exec"), namespace)
    assert "No figures while nbgrader runs the notebook" in capsys.readouterr().out
