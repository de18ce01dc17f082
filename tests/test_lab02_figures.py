"""Lab 2 draws its figures with matplotlib's object-oriented API and saves them as PNG files."""

from helpers import load_solution
from matplotlib.figure import Figure

LAB = "lab02_backpropagation"


def test_error_curves_show_both_bias_conventions_on_a_log_scale():
    figure = load_solution(LAB).plot_error_curves(steps=20)
    assert isinstance(figure, Figure)
    (axes,) = figure.axes
    assert axes.get_yscale() == "log"
    lines = axes.get_lines()
    assert [line.get_label().split(":")[0] for line in lines] == ["biases fixed", "biases updated"]
    for line in lines:
        errors = line.get_ydata()
        assert len(errors) == 21 and errors[0] > errors[-1] > 0, "the error should fall over training"


def test_gradient_check_plots_one_point_per_step():
    figure = load_solution(LAB).plot_gradient_check(h_values=[1e-8, 1e-5, 1e-2])
    assert isinstance(figure, Figure)
    (axes,) = figure.axes
    assert axes.get_xscale() == axes.get_yscale() == "log"
    assert list(axes.get_lines()[0].get_xdata()) == [1e-8, 1e-5, 1e-2]
