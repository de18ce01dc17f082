"""Lab 4's decision-boundary figure shows what it says: each panel answers its gate, with the boundaries claimed.

The figure's data are read back from matplotlib: the filled contour bands
(which band holds each of the four inputs), the 0.5 contour (the decision
boundary, as polylines) and the scattered inputs with their targets.
"""

import numpy as np
import pytest
from matplotlib.figure import Figure

LAB = "lab04_logic_gates"
INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
AND, OR, XOR = np.array([0.0, 0.0, 0.0, 1.0]), np.array([0.0, 1.0, 1.0, 1.0]), np.array([0.0, 1.0, 1.0, 0.0])
RESOLUTION = 41
STEP = 2.0 / (RESOLUTION - 1)  # the grid's spacing over [-0.5, 1.5]


@pytest.fixture(scope="module")
def panels(lab):
    figure = lab.plot_decision_boundaries(resolution=RESOLUTION)
    assert isinstance(figure, Figure)
    return figure.axes


def answers_at_inputs(axes):
    """1.0 where the filled band holding each input lies at or above 0.5, else 0.0."""
    filled = axes.collections[0]
    answers = []
    for point in INPUTS:
        bands = [index for index, path in enumerate(filled.get_paths()) if path.contains_point(point)]
        assert len(bands) == 1, f"input {point} lies in bands {bands} of {axes.get_title()!r}"
        answers.append(float(filled.levels[bands[0]] >= 0.5))
    return np.array(answers)


def boundaries(axes):
    """The 0.5 contour's polylines, each an array of (x1, x2) points."""
    return [np.asarray(segment) for segment in axes.collections[1].allsegs[0] if len(segment)]


def marked_targets(axes):
    """The target drawn at each of the four inputs (its scatter collection's legend label)."""
    targets = np.full(len(INPUTS), np.nan)
    for collection in axes.collections[2:]:
        target = float(collection.get_label().removeprefix("target "))
        for point in collection.get_offsets():
            targets[np.flatnonzero((INPUTS == point).all(axis=1))] = target
    return targets


def test_boundaries_without_keras_have_three_panels(panels):
    titles = [axes.get_title() for axes in panels]
    assert len(titles) == 3 and "AND" in titles[0] and "OR" in titles[1] and "XOR" in titles[2], titles


@pytest.mark.parametrize(("panel", "gate"), [(0, AND), (1, OR), (2, XOR)], ids=["AND", "OR", "XOR"])
def test_each_panel_answers_its_gate_and_marks_its_targets(panels, panel, gate):
    axes = panels[panel]
    np.testing.assert_array_equal(answers_at_inputs(axes), gate, err_msg=f"{axes.get_title()!r} answers wrong")
    np.testing.assert_array_equal(marked_targets(axes), gate, err_msg=f"{axes.get_title()!r} marks wrong targets")


@pytest.mark.parametrize(("panel", "offsets"), [(0, [1.5]), (1, [0.5]), (2, [0.5, 1.5])], ids=["AND", "OR", "XOR"])
def test_step_boundaries_are_the_gates_lines(panels, panel, offsets):
    # AND_GATE and OR_GATE are x1 + x2 - 1.5 and x1 + x2 - 0.5; the XOR network's band lies between the two.
    lines = boundaries(panels[panel])
    assert len(lines) == len(offsets), f"{len(lines)} boundaries, expected {len(offsets)}"
    found = sorted(float(np.mean(line.sum(axis=1))) for line in lines)
    for line in lines:
        # Every point of a straight boundary x1 + x2 = c is within a grid step of it.
        assert np.ptp(line.sum(axis=1)) <= 2 * STEP, "the boundary is not a straight line x1 + x2 = c"
    np.testing.assert_allclose(found, offsets, atol=STEP)


@pytest.mark.slow
def test_trained_mlp_panel_answers_xor_with_a_curved_boundary(lab):
    (*_, axes) = lab.plot_decision_boundaries(mlp=lab.train_xor_mlp(seed=0), resolution=RESOLUTION).axes
    assert "MLP" in axes.get_title()
    np.testing.assert_array_equal(answers_at_inputs(axes), XOR)
    lines = boundaries(axes)
    assert lines, "no decision boundary drawn"
    # Not straight: a line fitted through any boundary's points misses some of them by several grid steps.
    misses = []
    for line in lines:
        # The smallest singular value of the centred points: their rms distance from the best line.
        singular = np.linalg.svd(line - line.mean(axis=0), compute_uv=False)
        misses.append(singular[-1] / np.sqrt(len(line)))
    assert max(misses) > STEP, f"the boundaries look straight (rms distance from a line {max(misses):.3f})"
