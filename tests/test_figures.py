"""Every lab that draws figures saves them as non-empty PNG files, and importing draws nothing."""

import pytest
from helpers import assert_drawn_png, load_solution

from autograder import course

WITH_FIGURES = [lab for lab, path in course.solution_files().items() if "\ndef save_figures(" in path.read_text()]


@pytest.mark.slow
@pytest.mark.parametrize("lab", WITH_FIGURES)
def test_figures_are_saved_as_png(lab, tmp_path):
    paths = load_solution(lab).save_figures(tmp_path / "figures")
    assert paths, f"{lab}.save_figures returned no paths"
    for path in paths:
        assert_drawn_png(path)


@pytest.mark.parametrize("lab", WITH_FIGURES)
def test_importing_a_lab_draws_nothing(lab, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    load_solution(lab)
    assert not list(tmp_path.iterdir()), f"importing {lab} wrote files"
