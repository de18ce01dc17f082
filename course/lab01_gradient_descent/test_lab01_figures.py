"""Lab 1's figure: batch, mini-batch and stochastic descent on two moons, each claim checked on its data."""

import numpy as np
import pytest
from helpers import assert_drawn_png, load_solution
from matplotlib.figure import Figure

LAB = "lab01_gradient_descent"
EPOCHS = 30


@pytest.fixture(scope="module")
def curves():
    """{label: mean cross-entropy per epoch} as drawn, and the figure's one axes."""
    figure = load_solution(LAB).plot_training_curves(epochs=EPOCHS)
    assert isinstance(figure, Figure)
    (axes,) = figure.axes
    lines = axes.get_lines()
    for line in lines:
        assert list(line.get_xdata()) == list(range(1, EPOCHS + 1)), "one point per epoch, from epoch 1"
    return {line.get_label(): np.asarray(line.get_ydata()) for line in lines}, axes


def test_the_figure_draws_the_three_kinds_of_descent(curves):
    drawn, axes = curves
    assert list(drawn) == ["batch", "mini-batch of 16", "stochastic"]
    assert (axes.get_xlabel(), axes.get_ylabel()) == ("epoch", "mean cross-entropy")


def test_every_curve_starts_below_the_loss_of_zero_weights(curves):
    # Zero weights give out = 1/2 for every example: a cross-entropy of ln 2.
    for label, losses in curves[0].items():
        assert 0 < losses[0] < np.log(2), f"{label}: the first epoch should already lower the loss below ln 2"


def test_smaller_batches_fall_faster_per_epoch(curves):
    # More steps per epoch: 200 for stochastic, 13 for mini-batches of 16, 1 for batch descent.
    drawn = curves[0]
    first = [drawn[label][0] for label in ("stochastic", "mini-batch of 16", "batch")]
    assert first[0] < first[1] < first[2], f"after one epoch: stochastic, mini-batch, batch = {first}"
    assert drawn["batch"][-1] > drawn["mini-batch of 16"][-1], "batch descent is still behind after 30 epochs"


def test_batch_descent_falls_every_epoch_and_stochastic_is_noisier(curves):
    drawn = curves[0]
    assert np.all(np.diff(drawn["batch"]) < 0), "one exact gradient step per epoch lowers this convex loss"
    rises = int(np.sum(np.diff(drawn["stochastic"]) > 0))
    assert rises >= 1, "single-example steps should make the loss rise at some epochs"


def test_save_figures_writes_the_training_curves(tmp_path):
    paths = load_solution(LAB).save_figures(tmp_path / "figures")
    assert [path.name for path in paths] == ["training_curves.png"]
    assert_drawn_png(paths[0])
