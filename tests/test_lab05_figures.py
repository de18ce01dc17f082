"""Lab 5's figure: learning curves of the slides' MLP on the digits, drawn and saved as a PNG."""

import numpy as np
import pytest
from helpers import load_solution
from matplotlib.figure import Figure

LAB = "lab05_keras_mlp"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def lab():
    return load_solution(LAB)


def test_learning_curves_draw_a_training_and_a_test_curve_per_run(lab):
    epochs = np.arange(5)
    histories = {"slow": {"accuracy": 0.1 + 0.01 * epochs, "val_accuracy": 0.1 + 0.02 * epochs},
                 "fast": {"accuracy": 0.5 + 0.1 * epochs, "val_accuracy": 0.5 + 0.09 * epochs}}
    figure = lab.plot_learning_curves(histories)
    assert isinstance(figure, Figure)
    (axes,) = figure.axes
    labels = [line.get_label() for line in axes.get_lines()]
    assert {"slow, training", "slow, test", "fast, training", "fast, test"} <= set(labels), labels


def test_save_figures_trains_both_settings_and_writes_a_png(lab, tmp_path, monkeypatch):
    # Two epochs each: the drawing and saving are under test here; tests/test_figures.py runs the full 50.
    slides, fixed = lab.SLIDES_SETTINGS, lab.recommended_settings()
    monkeypatch.setattr(lab, "SLIDES_SETTINGS", dict(slides, epochs=2))
    monkeypatch.setattr(lab, "recommended_settings", lambda: dict(fixed, epochs=2))
    paths = lab.save_figures(tmp_path / "figures")
    assert [path.name for path in paths] == ["learning_curves.png"]
    data = paths[0].read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 5000, "not a drawn PNG"
