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


def test_error_curves_end_at_the_lessons_figures():
    (axes,) = load_solution(LAB).plot_error_curves().axes
    fixed, updated = (line.get_ydata() for line in axes.get_lines())
    # Section 3's figures after 10,000 updates (the slides' 0.0000351085 is the fixed run's after 9,999).
    assert abs(fixed[-1] / 3.51019e-05 - 1) < 1e-5 and abs(fixed[-2] / 3.51085e-05 - 1) < 1e-5
    assert abs(updated[-1] / 4.3553e-06 - 1) < 1e-4


def test_gradient_check_draws_the_v_and_the_default_step_clears_the_bar():
    (axes,) = load_solution(LAB).plot_gradient_check().axes
    line = axes.get_lines()[0]
    steps, errors = line.get_xdata(), line.get_ydata()
    best = int(errors.argmin())
    assert 1e-8 < steps[best] < 1e-2, "the sweet spot lies between rounding error and the h**2 error"
    assert errors[0] > 100 * errors[best] and errors[-1] > 100 * errors[best], "both ends of the V rise"
    default = errors[abs(steps - 1e-5).argmin()]
    assert default < 1e-7, f"h = 1e-5 should clear the course's bar for a correct gradient, got {default:.3g}"
