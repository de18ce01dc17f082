"""Lab 7's figure: each claim of the lesson's "What to look for", checked on the learning curves it draws."""

import numpy as np
import pytest
from helpers import assert_drawn_png
from matplotlib.figure import Figure

LAB = "lab07_regularization"
# The study trains four MLPs for 300 epochs: one worker draws it once for all the tests that read it.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group(LAB + " figures")]
L2 = "L2 (lam 3e-3)"


@pytest.fixture(scope="module")
def figure(lab):
    figure = lab.plot_regularization_study()
    assert isinstance(figure, Figure)
    return figure


@pytest.fixture(scope="module")
def curves(lab, figure):
    """{method: (training loss, validation loss, validation accuracy)} as drawn in the three panels."""
    panels = figure.axes
    assert len(panels) == 3
    drawn = [{line.get_label(): line.get_ydata() for line in axes.get_lines()} for axes in panels]
    return {name: tuple(np.asarray(panel[name]) for panel in drawn) for name in lab.METHODS}


def test_every_method_has_a_curve_per_epoch_in_each_panel(lab, curves):
    assert list(curves) == list(lab.METHODS)
    for name, panel_curves in curves.items():
        assert [len(curve) for curve in panel_curves] == [lab.STUDY["epochs"]] * 3, name


def test_without_regularization_validation_bottoms_out_early_then_creeps_up(curves):
    train, val, _ = curves["none"]
    best = int(np.argmin(val))
    assert 30 <= best <= 80, f"the lesson says around epoch 50, the curve's best is at {best}"
    assert val[-1] > val[best] * 1.03, "the validation loss rises after its best epoch"
    assert train[-1] < train[best] / 5, "while the training loss keeps falling"


def test_early_stopping_marks_stop_patience_epochs_after_the_best(lab, figure, curves):
    _, val, _ = curves["none"]
    best = int(np.argmin(val))
    stop_lines = {float(line.get_xdata()[0]) for axes in figure.axes for line in axes.get_lines()
                  if line.get_linestyle() == ":"}
    assert stop_lines == {best + lab.PATIENCE}
    (star,) = [line for line in figure.axes[1].get_lines() if line.get_label().startswith("early stopping")]
    assert (float(star.get_xdata()[0]), float(star.get_ydata()[0])) == (best, val[best])


def test_l2_holds_the_training_loss_up_and_reaches_the_lowest_validation_loss(curves):
    assert curves[L2][0][-1] > 10 * curves["none"][0][-1]
    lowest = {name: curve[1].min() for name, curve in curves.items()}
    assert min(lowest, key=lowest.get) == L2, lowest


def test_dropout_and_dropconnect_end_more_accurate_yet_their_validation_loss_climbs(curves):
    _, _, accuracy = curves["none"]
    for name in ("dropout 0.2", "DropConnect 0.2"):
        _, val, val_accuracy = curves[name]
        assert val_accuracy[-1] > accuracy[-1], name
        assert val[-1] > val.min() * 1.1, f"{name}'s validation loss climbs too"


def test_save_figures_writes_the_study(lab, tmp_path, monkeypatch):
    # Ten epochs: the drawing and saving are under test here, the curves above.
    monkeypatch.setitem(lab.STUDY, "epochs", 10)
    paths = lab.save_figures(tmp_path / "figures")
    assert [path.name for path in paths] == ["regularization_study.png"]
    assert_drawn_png(paths[0])
