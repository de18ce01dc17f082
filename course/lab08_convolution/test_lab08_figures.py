"""Lab 8's figure shows what it says: a digit, the Sobel kernel, its feature map and the pooled map, saved as a PNG.

The panels' data are read back from matplotlib and checked against routes
independent of the lab's conv2d: SciPy's zero-padded cross-correlation and
a block maximum.
"""

import numpy as np
import pytest
from helpers import assert_drawn_png
from matplotlib.figure import Figure
from scipy import ndimage
from sklearn.datasets import load_digits

LAB = "lab08_convolution"
INDEX = 3


@pytest.fixture(scope="module")
def shown(lab):
    """The four panels' images, as arrays."""
    figure = lab.plot_feature_map(index=INDEX)
    assert isinstance(figure, Figure)
    return [np.asarray(axes.get_images()[0].get_array()) for axes in figure.axes if axes.get_images()]


def test_feature_map_figure_shows_digit_kernel_map_and_pooled_map(shown):
    # An 8x8 digit, the 3x3 kernel, the 8x8 'same' feature map, the 4x4 pooled map.
    assert [image.shape for image in shown] == [(8, 8), (3, 3), (8, 8), (4, 4)]


def test_panels_hold_the_digit_the_sobel_kernel_its_response_and_the_pooled_response(shown):
    digit, kernel, feature_map, pooled = shown
    np.testing.assert_allclose(digit, load_digits().images[INDEX] / 16.0)
    np.testing.assert_array_equal(kernel, [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    # 'same' with a 3x3 kernel is one zero on each side: SciPy's correlate with mode="constant".
    np.testing.assert_allclose(feature_map, ndimage.correlate(digit, kernel, mode="constant", cval=0.0), atol=1e-12)
    np.testing.assert_allclose(pooled, feature_map.reshape(4, 2, 4, 2).max(axis=(1, 3)))


def test_feature_map_is_positive_where_a_stroke_begins_and_negative_where_it_ends(shown):
    digit, _, feature_map, _ = shown
    padded = np.pad(digit, 1)
    rise = padded[1:-1, 2:] - padded[1:-1, :-2]  # right neighbour minus left neighbour, row by row
    strongest, weakest = np.unravel_index(feature_map.argmax(), (8, 8)), np.unravel_index(feature_map.argmin(), (8, 8))
    assert feature_map[strongest] > 0 > feature_map[weakest]
    assert rise[strongest] > 0, "the strongest response is not where the pixels rise from left to right"
    assert rise[weakest] < 0, "the most negative response is not where the pixels fall from left to right"
    flat = (padded[:-2, :-2] == padded[:-2, 2:]) & (padded[1:-1, :-2] == padded[1:-1, 2:]) & (
        padded[2:, :-2] == padded[2:, 2:])
    np.testing.assert_allclose(feature_map[flat], 0.0, atol=1e-12, err_msg="a response where nothing changes")


def test_save_figures_writes_the_feature_map(lab, tmp_path):
    paths = lab.save_figures(tmp_path / "figures")
    assert [path.name for path in paths] == ["feature_map.png"]
    assert_drawn_png(paths[0])
