"""Student versions are generated from the solutions, and kept up to date."""

import importlib.util

import pytest

from autograder import build, course


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


def test_labs_are_up_to_date_with_the_solutions():
    stale = build.build(check=True)
    assert not stale, f"labs/ is out of date for {stale}: run `python -m autograder build`"


def test_build_writes_the_student_versions(tmp_path):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "lab09_x.py").write_text("def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n")
    assert build.build(solutions=tmp_path / "solutions", labs=tmp_path / "labs") == ["lab09_x.py"]
    assert build.build(solutions=tmp_path / "solutions", labs=tmp_path / "labs") == [], "a second build changes nothing"


@pytest.mark.parametrize("lab", course.lab_names())
def test_student_version_keeps_no_solution_marker(lab):
    text = (course.LABS / f"{lab}.py").read_text()
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text and "# STUB:" not in text


@pytest.mark.parametrize("lab", course.lab_names())
def test_student_version_imports(lab):
    spec = importlib.util.spec_from_file_location(f"student_{lab}", course.LABS / f"{lab}.py")
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
