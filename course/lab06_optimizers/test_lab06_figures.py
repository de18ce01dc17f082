"""Lab 6's figures: each claim of the lesson's "What to look for", checked on the data the figure draws."""

import numpy as np
import pytest
from helpers import assert_drawn_png
from matplotlib.figure import Figure

LAB = "lab06_optimizers"
# One worker draws each figure once for all the tests that read it.
pytestmark = pytest.mark.xdist_group(LAB + " figures")


@pytest.fixture(scope="module")
def valley(lab):
    """{rule: the (steps + 1, 2) path drawn over the valley's contours}."""
    figure = lab.plot_valley_paths()
    assert isinstance(figure, Figure)
    (axes,) = figure.axes
    return {line.get_label().split(" (lr")[0]: np.column_stack(line.get_data())
            for line in axes.get_lines() if " (lr" in line.get_label()}


@pytest.fixture(scope="module")
def digits(lab):
    """{rule: (training losses, validation losses)} as drawn, one pair of lines per rule."""
    (axes,) = lab.plot_digits_losses().axes
    lines = axes.get_lines()
    curves = {}
    for train, val in zip(lines[::2], lines[1::2]):
        assert (train.get_linestyle(), val.get_linestyle()) == ("-", "--")
        assert train.get_color() == val.get_color(), "a rule's two curves share its colour"
        curves[train.get_label().split(" (lr")[0]] = (train.get_ydata(), val.get_ydata())
    return curves


def test_valley_figure_draws_every_compared_rule_from_the_same_start(lab, valley):
    assert list(valley) == list(lab.COMPARED)
    for rule, path in valley.items():
        assert path.shape == (61, 2), rule
        np.testing.assert_array_equal(path[0], lab.VALLEY_START)


def test_plain_descent_zigzags_across_the_valley_and_crawls_along_it(valley):
    path = valley["sgd"]
    # Across (curvature 40, lr 0.045): each step multiplies w2 by 1 - 1.8 = -0.8, a new side every step.
    assert np.all(np.sign(path[1:, 1]) == -np.sign(path[:-1, 1]))
    # Along (curvature 1): each step multiplies w1 by 0.955, so 60 steps leave it 4 * 0.955**60 = 0.25 away.
    np.testing.assert_allclose(path[-1, 0], -4 * 0.955 ** 60, rtol=1e-9)


def test_momentum_swings_across_and_ends_far_closer_to_the_minimum_than_plain_descent(valley):
    momentum, sgd = valley["momentum"], valley["sgd"]
    assert np.any(momentum[:, 1] < 0) and np.any(momentum[:, 0] > 0), "momentum overshoots the floor and the minimum"
    assert np.linalg.norm(momentum[-1]) < np.linalg.norm(sgd[-1]) / 5


def test_rmsprop_and_adam_head_down_the_floor_faster_from_the_start(lab, valley):
    first = {rule: abs(path[1, 0] - path[0, 0]) for rule, path in valley.items()}
    # Plain descent's first step along the floor is lr * 1 * 4 = 0.18; RMSprop's is lr / sqrt(1 - rho) = 0.316,
    # Adam's lr = 0.2, whatever the gradient's size.
    assert first["rmsprop"] > first["sgd"] and first["adam"] > first["sgd"], first
    np.testing.assert_allclose(first["rmsprop"], lab.COMPARED["rmsprop"][0] / np.sqrt(0.1), rtol=1e-6)
    np.testing.assert_allclose(first["adam"], lab.COMPARED["adam"][0], rtol=1e-6)


def test_adam_overshoots_as_momentum_does_and_rmsprop_does_not(valley):
    assert valley["adam"][:, 0].max() > 0.1, "Adam's momentum carries it past the minimum along the floor"
    assert valley["rmsprop"][:, 0].max() <= 0, "RMSprop, without momentum, approaches from one side"
    for rule in ("rmsprop", "adam"):
        assert np.linalg.norm(valley[rule][-1]) < np.linalg.norm(valley["sgd"][-1]), rule


def test_digits_training_losses_fall_at_every_epoch(lab, digits):
    assert list(digits) == list(lab.COMPARED)
    for rule, (train, _) in digits.items():
        assert len(train) == 15, rule
        assert np.all(np.diff(train) < 0), f"{rule}'s training loss rose at some epoch: {np.round(train, 4)}"


def test_momentum_rmsprop_and_adam_end_lower_than_plain_descent(digits):
    sgd_train, sgd_val = digits["sgd"]
    for rule in ("momentum", "rmsprop", "adam"):
        train, val = digits[rule]
        assert train[-1] < sgd_train[-1] and val[-1] < sgd_val[-1], rule


def test_validation_loss_levels_off_while_training_loss_keeps_falling(digits):
    for rule, (train, val) in digits.items():
        assert val[-1] - train[-1] > val[0] - train[0], f"{rule}: the gap between the curves should widen"
        # Over the last five epochs the training loss falls by a larger share than the validation loss.
        assert train[-1] / train[-6] < val[-1] / val[-6], rule


def test_save_figures_writes_both_pngs(lab, tmp_path, monkeypatch):
    # Two epochs on the digits: the drawing and saving are under test here, the curves above.
    monkeypatch.setattr(lab, "plot_digits_losses", lambda plot=lab.plot_digits_losses: plot(epochs=2))
    paths = lab.save_figures(tmp_path / "figures")
    assert [path.name for path in paths] == ["valley_paths.png", "digits_losses.png"]
    for path in paths:
        assert_drawn_png(path)
