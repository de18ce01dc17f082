"""Every lab that draws figures saves them as non-empty PNG files, and importing draws nothing."""

import pytest
from helpers import load_solution

from autograder import course

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WITH_FIGURES = [path.stem for path in sorted(course.lab_files(course.SOLUTIONS))
                if "\ndef save_figures(" in path.read_text()]


@pytest.mark.slow
@pytest.mark.parametrize("lab", WITH_FIGURES)
def test_figures_are_saved_as_png(lab, tmp_path):
    paths = load_solution(lab).save_figures(tmp_path / "figures")
    assert paths, f"{lab}.save_figures returned no paths"
    for path in paths:
        data = path.read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 5000, f"{path.name} is not a drawn PNG"


@pytest.mark.parametrize("lab", WITH_FIGURES)
def test_importing_a_lab_draws_nothing(lab, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    load_solution(lab)
    assert not list(tmp_path.iterdir()), f"importing {lab} wrote files"
