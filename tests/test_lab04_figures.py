"""Lab 4 draws its decision boundaries with matplotlib's object-oriented API and saves them as PNG."""

from helpers import load_solution
from matplotlib.figure import Figure

LAB = "lab04_logic_gates"


def test_boundaries_without_keras_have_three_panels():
    figure = load_solution(LAB).plot_decision_boundaries(resolution=21)
    assert isinstance(figure, Figure)
    titles = [axes.get_title() for axes in figure.axes]
    assert len(titles) == 3 and "AND" in titles[0] and "OR" in titles[1] and "XOR" in titles[2], titles
