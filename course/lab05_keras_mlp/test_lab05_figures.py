"""Lab 5's figure: learning curves of the slides' MLP on the digits, drawn and saved as a PNG.

The figure's claim, that the slides' settings stall near chance while the
recommended ones pass 0.95, is checked on the curves it draws, and the
lesson's figures on the same runs.
"""

import numpy as np
import pytest
from helpers import assert_drawn_png
from matplotlib.figure import Figure

LAB = "lab05_keras_mlp"


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
    assert_drawn_png(paths[0])


@pytest.mark.slow
def test_curves_show_the_slides_settings_stalling_and_the_recommended_ones_learning(lab):
    slides, fixed = lab.SLIDES_SETTINGS, lab.recommended_settings()
    # The slides' code: optimizer='sgd' (learning rate 0.01), nb_epoch=50, batch_size=128, hidden layers 32 and 64.
    assert slides == {"learning_rate": 0.01, "epochs": 50, "batch_size": 128, "hidden_units": (32, 64)}
    figure = lab.plot_learning_curves({"slides": lab.train_on_digits(slides).history,
                                       "fixed": lab.train_on_digits(fixed).history})
    (axes,) = figure.axes
    curves = {line.get_label(): np.asarray(line.get_ydata(), dtype=float) for line in axes.get_lines()}
    slides_test, fixed_test = curves["slides, test"], curves["fixed, test"]
    assert len(slides_test) == 50 and len(fixed_test) == fixed["epochs"]
    # Ten classes: chance is 0.1. The lesson says 0.21 after 50 epochs, seed 0.
    assert slides_test.max() < 0.3, f"the slides' settings reached {slides_test.max():.3f}: no stall to explain"
    assert round(float(slides_test[-1]), 2) == 0.21 and "0.21" in lab.__doc__, slides_test[-1]
    assert fixed_test[-1] >= 0.95, f"the recommended settings reach only {fixed_test[-1]:.3f}"
    assert 0.95 in [line.get_ydata()[0] for line in axes.get_lines() if line.get_label().startswith("_")]
