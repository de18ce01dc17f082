"""labkit: the argument checks and figure saving every lab shares, each with one meaning."""

import ast
import math

import numpy as np
import pytest
from matplotlib.figure import Figure

import labkit
from autograder import course

NOT_NUMBERS = {"True": True, "a string": "0.1", "None": None, "a list": [0.1]}
NOT_FINITE = {"inf": math.inf, "nan": math.nan, "numpy inf": np.float64("inf")}


@pytest.mark.parametrize("check", [labkit.check_nonnegative, labkit.check_positive, labkit.check_fraction])
@pytest.mark.parametrize("value", [*NOT_NUMBERS.values(), *NOT_FINITE.values()],
                         ids=[*NOT_NUMBERS, *NOT_FINITE])
def test_a_real_check_refuses_what_is_not_a_finite_number(check, value):
    with pytest.raises(ValueError, match=r"^lr must be"):
        check(value, "lr")


@pytest.mark.parametrize(("check", "refused", "accepted"), [
    (labkit.check_nonnegative, [-1e-12], [0, 0.0, 3, 1e300]),
    (labkit.check_positive, [0, -1.0], [1e-300, 2]),
    (labkit.check_fraction, [-1e-12, 1, 1.0], [0, 0.5, np.float32(0.999)]),
], ids=["nonnegative", "positive", "fraction"])
def test_a_real_check_draws_its_line_where_its_name_says(check, refused, accepted):
    for value in refused:
        with pytest.raises(ValueError):
            check(value, "x")
    for value in accepted:
        assert check(value, "x") == float(value) and type(check(value, "x")) is float, value


@pytest.mark.parametrize("value", [True, 2.0, "3", -1], ids=["True", "a float", "a string", "below the minimum"])
def test_a_count_is_an_integer_at_least_its_minimum(value):
    with pytest.raises(ValueError, match=r"^steps must be an integer >= 0"):
        labkit.check_count(value, "steps", minimum=0)


def test_a_count_comes_back_as_a_python_int():
    assert labkit.check_count(np.int64(3), "epochs") == 3 and type(labkit.check_count(np.int64(3), "epochs")) is int


@pytest.mark.parametrize("value", [0, 1, "yes", None])
def test_a_flag_is_true_or_false_only(value):
    with pytest.raises(ValueError, match="must be True or False"):
        labkit.check_flag(value, "update_biases")


def test_as_float_array_never_returns_the_callers_array():
    given = np.arange(3.0)
    got = labkit.as_float_array(given, "x")
    got[0] = 99.0
    assert given[0] == 0.0, "changing the result changed the caller's array"


@pytest.mark.parametrize(("value", "finite", "says"), [
    ("abc", True, "must be a number or an array of numbers"),
    ([1.0, math.inf], True, "must be finite"),
    ([[1.0], [2.0, 3.0]], False, "must be a number or an array of numbers"),
])
def test_as_float_array_names_the_argument(value, finite, says):
    with pytest.raises(ValueError, match=f"^w {says}"):
        labkit.as_float_array(value, "w", finite=finite)


def test_as_float_array_lets_infinity_through_when_asked():
    assert np.isinf(labkit.as_float_array([1.0, -math.inf], "x", finite=False)[1])


def _figure(marker):
    figure = Figure(figsize=(2, 2))
    figure.add_subplot().plot([0, 1], [0, marker])
    return figure


def test_save_pngs_draws_each_figure_in_order_into_a_new_folder(tmp_path):
    drawn = []

    def plot(marker):
        def draw():
            drawn.append(marker)
            return _figure(marker)
        return draw

    paths = labkit.save_pngs(tmp_path / "new" / "folder", {"first": plot(1), "second": plot(2)})
    assert [path.name for path in paths] == ["first.png", "second.png"]
    assert drawn == [1, 2], "each figure is drawn once, in the order given"
    assert all(path.read_bytes().startswith(b"\x89PNG") for path in paths)


@pytest.mark.parametrize("lab", course.lab_names())
def test_no_lab_writes_its_own_copy_of_labkit(lab):
    tree = ast.parse(course.solution_file(lab).read_text())
    shared = set(labkit.__all__)
    own = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)
           and (node.name.lstrip("_") in shared or node.name in ("_check_rate", "_check_decay", "_check_alpha"))]
    assert not own, f"{lab} defines {own}, which labkit holds: import them from labkit"


@pytest.mark.parametrize("plots", [[("a", _figure)], {"a": _figure(1)}], ids=["a list", "a Figure, not a function"])
def test_save_pngs_names_a_bad_plots_argument(plots, tmp_path):
    with pytest.raises(ValueError, match="^plots must be a dict"):
        labkit.save_pngs(tmp_path, plots)
