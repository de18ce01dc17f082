"""The graded-test API: expectations fail with messages in words."""

from types import SimpleNamespace

import numpy as np
import pytest

from autograder import keras_models
from autograder.graded import (
    Failure, ReferenceCalls, StudentError, expect_close, expect_equal, expect_raises, expect_true, graded, model_summary,
)
from autograder.runner import describe_call


def failure_of(check, *args, **kwargs):
    with pytest.raises(Failure) as caught:
        check(*args, **kwargs)
    return str(caught.value)


def test_close_values_pass():
    expect_close(1.0 + 1e-9, 1.0, rtol=1e-8)
    expect_close([1.0, np.nan], [1.0, np.nan])


def test_a_wrong_number_says_expected_got_and_hint():
    text = failure_of(expect_close, 0.7, 0.689974481, rtol=1e-8, hint="use the sigmoid")
    assert "Expected: 0.689974481 (tolerance: relative 1e-08)" in text
    assert "Got:      0.7" in text and "Hint:     use the sigmoid" in text


def test_an_exact_comparison_says_so():
    assert "Expected: 3.0 (exactly)" in failure_of(expect_close, 3.5, 3.0, rtol=0)


def test_a_wrong_shape_is_named_before_any_value():
    text = failure_of(expect_close, np.zeros((3, 1)), np.zeros(3))
    assert "an array of shape (3,)" in text and "shape (3, 1)" in text


def test_the_first_differing_entry_is_pointed_at():
    text = failure_of(expect_close, [1.0, 2.0, 5.0], [1.0, 2.0, 3.0])
    assert "first difference at index (2,): 5.0 instead of 3.0" in text


@pytest.mark.parametrize(("got", "says"), [
    (None, "forget to return"), ("0.5", "a str"), ([1.0, 2.0], "shape (2,)"), (float("nan"), "nan"),
])
def test_results_of_the_wrong_kind_are_explained(got, says):
    assert says in failure_of(expect_close, got, 0.5)


def test_expect_equal_compares_type_and_value():
    expect_equal((4,), (4,))
    assert "Expected: (4,)" in failure_of(expect_equal, [4], (4,))
    assert "Got:      array" in failure_of(expect_equal, np.array([1, 2]), np.array([1, 3]))


def test_expect_true_reports_its_words():
    text = failure_of(expect_true, False, "the loss to fall", "it rose", hint="check the sign")
    assert "Expected: the loss to fall" in text and "Got:      it rose" in text


def remote_raising(kind, message, mro=None):
    info = {"type": kind, "mro": mro or [kind, "Exception", "BaseException"], "message": message,
            "traceback": ""}

    def function(*args, **kwargs):
        raise StudentError("f(1)", info)

    function.last_called = "f(1)"
    return function


def test_expect_raises_accepts_the_error_naming_the_argument():
    expect_raises(ValueError, remote_raising("ValueError", "lr must be >= 0"), mentions="lr")


def test_expect_raises_accepts_a_subclass():
    expect_raises(ValueError, remote_raising("MyError", "bad lr", ["MyError", "ValueError", "Exception"]),
                  mentions="lr")


def test_expect_raises_wants_the_argument_named():
    assert "names 'steps'" in failure_of(expect_raises, ValueError, remote_raising("ValueError", "bad"),
                                         mentions="steps")


def test_expect_raises_rejects_another_error():
    assert "Got:      TypeError: nope" in failure_of(expect_raises, ValueError, remote_raising("TypeError", "nope"))


def test_expect_raises_rejects_a_normal_return():
    function = remote_raising("ValueError", "")
    quiet = lambda: 3  # noqa: E731
    quiet.last_called = function.last_called
    assert "no error; it returned 3" in failure_of(expect_raises, ValueError, quiet)


def test_expect_raises_lets_not_implemented_through():
    with pytest.raises(StudentError, match="Not implemented yet"):
        expect_raises(ValueError, remote_raising("NotImplementedError", "write this part"))


@pytest.mark.parametrize("bad", [{"points": 0}, {"points": 1, "timeout": -1}])
def test_graded_rejects_bad_settings(bad):
    with pytest.raises(ValueError):
        graded(**bad)


def test_graded_needs_a_docstring():
    def nameless(lab):
        pass

    with pytest.raises(ValueError, match="docstring"):
        graded(points=1)(nameless)


def test_calls_are_described_as_code_with_big_arrays_abbreviated():
    text = describe_call("f", (0.8, np.array([1.0, 2.0]), np.zeros((10, 3))), {"loss": "mse"})
    assert text == "f(0.8, np.array([1.0, 2.0]), <array of shape (10, 3)>, loss='mse')"


@pytest.mark.parametrize("export", ["not a dict", {"weights": []}, {"config": 42}],
                         ids=["a string", "no config", "a config that is no text"])
def test_a_model_export_of_the_wrong_shape_fails_in_words(export):
    # A probe patched by student code may return anything; the summary refuses it, the grader does not crash.
    summarize = ReferenceCalls(lambda name, args, kwargs: getattr(keras_models, name)(*args, **kwargs))
    lab = SimpleNamespace(references=summarize)
    with pytest.raises(Failure, match="a model made of Keras's own layers") as failure:
        model_summary(lab, export, called="build_cnn()")
    assert "to_json" in str(failure.value), str(failure.value)
