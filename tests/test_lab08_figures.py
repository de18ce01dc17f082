"""Lab 8's figure: a digit, an edge kernel, its feature map and the pooled map, saved as a PNG."""

import pytest
from helpers import load_solution
from matplotlib.figure import Figure

LAB = "lab08_convolution"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def lab():
    return load_solution(LAB)


def test_feature_map_figure_shows_digit_kernel_map_and_pooled_map(lab):
    figure = lab.plot_feature_map(index=3)
    assert isinstance(figure, Figure)
    shapes = [axes.get_images()[0].get_array().shape for axes in figure.axes if axes.get_images()]
    # An 8x8 digit, the 3x3 kernel, the 8x8 'same' feature map, the 4x4 pooled map.
    assert shapes == [(8, 8), (3, 3), (8, 8), (4, 4)], shapes


def test_save_figures_writes_the_feature_map(lab, tmp_path):
    paths = lab.save_figures(tmp_path / "figures")
    assert [path.name for path in paths] == ["feature_map.png"]
    data = paths[0].read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 5000, "not a drawn PNG"
