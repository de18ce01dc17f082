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
