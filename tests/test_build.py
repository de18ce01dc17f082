"""Student versions are generated from the solutions, and kept up to date."""

import importlib.util

import pytest

from autograder import course
from autograder.authoring import build, notebooks


def test_region_becomes_raise_with_its_hint():
    source = "def f(x):\n    # BEGIN SOLUTION: square it\n    return x * x\n    # END SOLUTION\n"
    student = build.student_version(source)
    assert "return x * x" not in student, "the solution must not reach the student version"
    assert "    raise NotImplementedError('square it')\n" in student, student


def test_region_without_hint_gets_a_default_one():
    source = "def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n"
    assert f"raise NotImplementedError({build.DEFAULT_HINT!r})" in build.student_version(source)


def test_stub_lines_replace_a_region_verbatim():
    source = "# BEGIN SOLUTION\n# STUB: GATE = None  # a (w, b) pair\nGATE = (1, 2)\n# END SOLUTION\n"
    student = build.student_version(source)
    assert "GATE = None  # a (w, b) pair\n" in student and "GATE = (1, 2)" not in student, student


def test_code_outside_regions_is_kept_as_written():
    source = '"""Lesson."""\n\nimport numpy as np\n\n\ndef f():\n    # BEGIN SOLUTION\n    pass\n    # END SOLUTION\n'
    student = build.student_version(source)
    assert student.startswith(build.HEADER) and student.endswith("    raise NotImplementedError('write this part')\n")
    assert '"""Lesson."""\n\nimport numpy as np\n\n\ndef f():\n' in student


@pytest.mark.parametrize(("source", "problem"), [
    ("# BEGIN SOLUTION\nx = 1\n", "never closed"),
    ("x = 1\n# END SOLUTION\n", "without BEGIN"),
    ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION\n", "inside the region"),
])
def test_unbalanced_markers_are_reported_with_their_line(source, problem):
    with pytest.raises(build.BuildError, match=problem):
        build.student_version(source, "lab99_x.py")


@pytest.mark.parametrize(("source", "line", "problem"), [
    ("# %%\ndef f():\n    # BEGIN SOLUTION\n    x = 1\n# %%\n    # END SOLUTION\n", 3, "not closed before the next cell"),
    ("# %%\nx = 1\n# STUB: x = None\n", 3, "outside a solution region"),
    ("# %% [markdown]\n# BEGIN SOLUTION\n# END SOLUTION\n", 2, "Markdown cell"),
])
def test_a_region_must_open_and_close_in_one_code_cell(source, line, problem):
    with pytest.raises(build.BuildError, match=problem) as raised:
        build.parse(source, "lab99_x.py")
    assert f"lab99_x.py, line {line}:" in str(raised.value) and "\n" not in str(raised.value), raised.value


def test_parse_gives_each_cell_in_both_versions():
    source = '"""Lesson."""\n\n# %% [markdown]\n# ## Part 1\n\n# %%\ndef f():\n    # BEGIN SOLUTION: one\n    return 1\n    # END SOLUTION\n'
    cells = build.parse(source)
    assert [(cell.kind, cell.line, cell.is_exercise) for cell in cells] == [
        ("code", 1, False), ("markdown", 3, False), ("code", 6, True)]
    assert cells[2].solution.startswith("# %%\ndef f():") and "return 1" in cells[2].solution
    assert cells[2].student == "# %%\ndef f():\n    raise NotImplementedError('one')\n"
    assert build.student_version(source) == build.HEADER + "".join(cell.student for cell in cells)


FROM_MOMENTUM = "    # FROM custom_layers.optimizers.MomentumOptimizer.get_config\n"


def test_a_from_region_is_written_from_its_method_without_the_extras():
    source = f"def get_config(self):\n    # BEGIN SOLUTION: add beta\n{FROM_MOMENTUM}    stale = 1\n    # END SOLUTION\n"
    generated = build.generate_regions(source)
    assert generated == ("def get_config(self):\n    # BEGIN SOLUTION: add beta\n" + FROM_MOMENTUM
                         + "    config = super().get_config()\n    config[\"beta\"] = self.beta\n    return config\n"
                         "    # END SOLUTION\n"), generated
    assert build.generate_regions(generated) == generated, "a second pass changes nothing"
    assert "raise NotImplementedError('add beta')" in build.student_version(generated)


def test_a_from_region_naming_no_method_is_refused():
    source = "    # BEGIN SOLUTION\n    # FROM custom_layers.optimizers.MomentumOptimizer.nothing\n    # END SOLUTION\n"
    with pytest.raises(build.BuildError, match="no method MomentumOptimizer.nothing"):
        build.generate_regions(source)


def test_the_solutions_generated_regions_are_up_to_date():
    assert build.generate_solutions(check=True) == [], "run `python -m autograder build`"


def test_labs_and_notebooks_are_up_to_date_with_the_solutions():
    stale = notebooks.out_of_date()
    assert not stale, f"out of date: {stale}; run `python -m autograder build`"


def test_a_folder_without_solutions_is_a_student_bundle(tmp_path):
    assert not course.has_solutions(tmp_path), "an empty course folder holds no solutions"
    assert course.has_solutions(), "the course's own folder holds the solutions"


def test_build_writes_the_student_versions(tmp_path):
    solution = course.solution_file("lab09_x", tmp_path / "course")
    solution.parent.mkdir(parents=True)
    solution.write_text("def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n")
    made = build.build(source=tmp_path / "course", labs=tmp_path / "labs")
    assert made == ["labs/lab09_x.py"], made
    assert build.build(source=tmp_path / "course", labs=tmp_path / "labs") == [], "a second build changes nothing"


@pytest.mark.parametrize("lab", course.lab_names())
def test_student_version_keeps_no_solution_marker(lab):
    text = (course.LABS / f"{lab}.py").read_text()
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text and "# STUB:" not in text


@pytest.mark.parametrize("lab", course.lab_names())
def test_student_version_imports(lab):
    spec = importlib.util.spec_from_file_location(f"student_{lab}", course.LABS / f"{lab}.py")
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
