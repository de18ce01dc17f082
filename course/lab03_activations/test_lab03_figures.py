"""Lab 3 draws its figures with matplotlib's object-oriented API and saves them as PNG files."""

from helpers import load_solution
from matplotlib.figure import Figure

LAB = "lab03_activations"


def test_plots_are_figures_with_one_panel_per_activation():
    lab = load_solution(LAB)
    activations = lab.plot_activations()
    assert isinstance(activations, Figure)
    assert sorted(ax.get_title() for ax in activations.axes) == sorted(lab.ACTIVATIONS)
    norms = lab.plot_gradient_norms(depth=5, width=8)
    assert isinstance(norms, Figure)
    (axes,) = norms.axes
    assert axes.get_yscale() == "log"
    assert [line.get_label() for line in axes.get_lines()] == ["sigmoid", "tanh", "relu"]


def panels():
    """{name: (x, f(x), f'(x))} as drawn in the activations figure."""
    figure = load_solution(LAB).plot_activations()
    drawn = {}
    for axes in figure.axes:
        lines = {line.get_label(): line for line in axes.get_lines()}
        drawn[axes.get_title()] = (lines["f(x)"].get_xdata(), lines["f(x)"].get_ydata(), lines["f'(x)"].get_ydata())
    return drawn


def test_activation_panels_show_the_ranges_the_lesson_gives():
    drawn = panels()
    x, f, df = drawn["sigmoid"]
    assert abs(df.max() - 0.25) < 1e-6 and abs(x[df.argmax()]) < 1e-9, "sigmoid' peaks at 1/4, at 0"
    assert df[0] < 0.02 and df[-1] < 0.02, "large |x| saturates the sigmoid: its slope is tiny there"
    x, f, _ = drawn["softplus"]
    assert f.min() > 0 and f.max() > 1, "softplus takes values in (0, inf), not (0, 1)"
    x, f, _ = drawn["leaky_relu"]
    assert f.min() < 0 and f.max() > 1, "leaky_relu is unbounded both ways, not (-1, 1)"
    x, f, _ = drawn["elu"]
    assert -1 < f.min() < -0.9, "elu (alpha = 1) goes below 0, towards -alpha"
    assert not drawn["step"][2].any(), "the step's derivative is 0 everywhere"


def test_gradient_norms_figure_shows_the_sigmoid_vanishing_and_relu_not():
    (axes,) = load_solution(LAB).plot_gradient_norms().axes
    norms = {line.get_label(): line.get_ydata() for line in axes.get_lines()}
    assert norms["sigmoid"][0] < 1e-4 * norms["sigmoid"][-1], "20 sigmoid layers: the first layer gets almost nothing"
    assert norms["relu"][0] > 1e-2 * norms["relu"][-1], "with relu and He initialization the gradient survives"
