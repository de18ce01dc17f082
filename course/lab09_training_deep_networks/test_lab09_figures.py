"""Lab 9's figures: each one's claim, checked on the data it plots."""

import itertools

import numpy as np
import pytest
from helpers import assert_drawn_png

LAB = "lab09_training_deep_networks"


def lines(axes):
    """{label: y data} of the lines drawn on a panel."""
    return {line.get_label(): np.asarray(line.get_ydata(), dtype=float) for line in axes.get_lines()}


@pytest.fixture(scope="module")
def generalization(lab):
    return lab.plot_generalization().axes


@pytest.fixture(scope="module")
def deep(lab):
    return lab.plot_deep_networks().axes


def test_fits_panel_names_under_good_and_overfitting(generalization):
    labels = [label for label in lines(generalization[0]) if label.startswith("degree")]
    assert labels == ["degree 1: underfitting", "degree 3: good fit", "degree 9: overfitting"], labels


def test_learning_curves_gap_closes_for_degree_9_and_line_stays_high(generalization, lab):
    curves = lines(generalization[1])
    train9, val9 = curves["degree 9, training"], curves["degree 9, validation"]
    assert val9[0] > 100 * train9[0], "degree 9 on few points: a huge gap"
    assert val9[-1] < 1.5 * train9[-1], "degree 9 on 300 points: the gap has closed"
    noise = lab.POLY["noise"] ** 2
    assert np.all(curves["degree 1, training"] > 3 * noise) and np.all(curves["degree 1, validation"] > 3 * noise)


def test_bias_falls_and_variance_rises_with_the_degree(generalization):
    curves = lines(generalization[2])
    bias, variance, total = curves["bias$^2$"], curves["variance"], curves["bias$^2$ + variance"]
    assert bias[1] > 10 * bias[9] and variance[9] > variance[1]
    assert 0 < np.argmin(total) < len(total) - 1, "the total error is lowest at a middle degree"


def test_learning_rate_panel_and_search(lab):
    rates, search = lab.plot_learning_rates_and_search().axes
    curves = lines(rates)
    assert curves["lr 0.003"][-1] > 0.95 * curves["lr 0.003"][0], "too small: the loss barely moves"
    assert curves["lr 1"][-1] < curves["lr 1"][0] / 100, "a good rate: a hundredfold drop"
    assert np.nanmax(curves["lr 10"]) > curves["lr 10"][0] and curves["lr 10"][-1] > 0.5 * curves["lr 10"][0], (
        "too large: the loss bounces up and ends near its start")
    grid, random = search.collections[:2]
    grid_lrs, random_lrs = grid.get_offsets()[:, 0], random.get_offsets()[:, 0]
    assert len(set(grid_lrs)) == 3 and len(set(random_lrs)) == 9
    best = 10 ** -1.3
    assert np.min(np.abs(np.log10(random_lrs / best))) < np.min(np.abs(np.log10(grid_lrs / best)))


def test_residual_gradients_and_losses(deep):
    per_layer, losses = lines(deep[0]), lines(deep[1])
    assert per_layer["residual"][0] >= 10 * per_layer["plain"][0]
    assert losses["plain"][-1] > 0.98 * losses["plain"][0], "the plain net stalls"
    assert losses["residual"][-1] < 0.1, "the residual net trains"


def test_clipping_keeps_exploding_gradients_finite(deep):
    norms = lines(deep[2])
    unclipped = norms["not clipped"]
    clipped = next(values for label, values in norms.items() if label.startswith("global norm"))
    assert np.isnan(unclipped).any() or np.nanmax(unclipped) > 1e6
    assert np.all(np.isfinite(clipped)) and clipped.max() < 1e3


def test_dying_relu_bars(deep):
    bars = {label.get_text(): patch.get_width()
            for label, patch in zip(deep[3].get_yticklabels(), deep[3].patches)}
    assert bars["relu, std 1, lr 2"] > 25
    assert bars["relu, He, lr 2"] <= 5 and bars["relu, std 1, lr 0.1"] <= 5 and bars["leaky relu, std 1, lr 1"] == 0


def test_width_and_depth(lab):
    shallow, deep = lab.plot_width_and_depth().axes
    errors = [float(label.rsplit(" ", 1)[1]) for label in lines(shallow) if "units" in label]
    assert all(later < earlier / 3 for earlier, later in itertools.pairwise(errors)), errors
    for label, y in lines(deep).items():
        slopes = np.round(np.diff(y), 9)
        pieces = 1 + int(np.sum(slopes[1:] != slopes[:-1]))
        assert label.endswith(f": {pieces} pieces"), (label, pieces)


def test_augmentation_helps_on_shifted_digits(lab):
    axes = lab.plot_augmentation().axes[0]
    plain, augmented = ([patch.get_height() for patch in container] for container in axes.containers)
    assert plain[0] > 0.85, "trained as they are: most unshifted digits right"
    assert plain[1] < 0.6 and augmented[1] > plain[1] + 0.2, "shifted copies in training: far better on shifted digits"


def test_save_figures_writes_five_pngs(lab, tmp_path):
    paths = lab.save_figures(tmp_path / "figures")
    assert [path.name for path in paths] == ["generalization.png", "learning_rates_and_search.png",
                                             "deep_networks.png", "width_and_depth.png", "augmentation.png"]
    for path in paths:
        assert_drawn_png(path)
