"""A graded test can forbid functions and classes; using one costs the test, with the reason.

And a NumPy exercise cannot reach the numerical libraries beyond NumPy at all: delegating to
any of them costs the test, with the library named.
"""

import importlib.util

import pytest
from helpers import FAST, patched, solution_text

from autograder import course, runner
from autograder.course import GradedTest
from autograder.graded import expect_close, graded
from autograder.sandbox import Limits

LAB = "lab99_forbidden"
REASON = "add the neighbours yourself"


def make_test(name, forbid, expected=(1.0, 3.0, 5.0, 3.0)):
    @graded(points=1, forbid=forbid)
    def check(lab):
        "pairwise sums"
        expect_close(getattr(lab, name)([1.0, 2.0, 3.0]), expected)

    return GradedTest(LAB, "99.1", "pairwise sums", 1.0, False, None, forbid, check)


STUDENT = """
import string
import numpy as np
from numpy import convolve

def by_attribute(x):
    return np.convolve(x, [1.0, 1.0])

def by_name(x):
    return convolve(x, [1.0, 1.0])

def caught(x):
    try:
        return np.convolve(x, [1.0, 1.0])
    except Exception:
        x = np.asarray(x)
        return np.concatenate([x[:1], x[1:] + x[:-1], x[-1:]])

def by_hand(x):
    x = np.asarray(x)
    return np.concatenate([x[:1], x[1:] + x[:-1], x[-1:]])

def with_a_class(x):
    string.Template("$a").substitute(a=1)
    return by_hand(x)
"""


@pytest.fixture
def student(tmp_path):
    path = tmp_path / f"{LAB}.py"
    path.write_text(STUDENT)
    return path


@pytest.mark.parametrize(("function", "forbidden"), [
    ("by_attribute", "numpy.convolve"),
    ("by_name", "numpy.convolve"),
    ("caught", "numpy.convolve"),
    ("with_a_class", "string.Template"),
])
def test_using_a_forbidden_name_fails_with_the_reason(student, function, forbidden):
    result = runner.grade_lab(LAB, student, FAST, tests=[make_test(function, {forbidden: REASON})])
    (test,) = result.tests
    assert not test.passed, f"{function} uses {forbidden} and must not pass"
    assert f"Your code used {forbidden}, which this exercise does not allow: {REASON}" in test.message, test.message


def test_code_that_does_the_work_itself_passes(student):
    result = runner.grade_lab(LAB, student, FAST, tests=[make_test("by_hand", {"numpy.convolve": REASON})])
    assert result.score == 1, result.tests[0].message


def test_forbidden_names_are_restored_after_the_test(student):
    tests = [make_test("by_hand", {"numpy.convolve": REASON}), make_test("by_attribute", {})]
    result = runner.grade_lab(LAB, student, FAST, tests=tests)
    assert [test.passed for test in result.tests] == [True, True], [test.message for test in result.tests]


# A NumPy exercise's child cannot import the numerical libraries beyond NumPy, however it asks.

SOFTMAX_LAB = "lab03_activations"
SOFTMAX_BY_HAND = ("    e = np.exp(z - np.max(z, axis=axis, keepdims=True))\n"
                   "    out = e / np.sum(e, axis=axis, keepdims=True)\n")
# Each a softmax that gives the right values by delegating; the library it reaches first.
DELEGATIONS = {
    "tensorflow": "    import tensorflow as tf\n    out = tf.nn.softmax(z, axis=axis).numpy()\n",
    "scipy": "    from scipy.special import softmax as library_softmax\n    out = library_softmax(z, axis=axis)\n",
    "torch": "    import torch\n    out = torch.softmax(torch.from_numpy(z), dim=axis).numpy()\n",
    "jax": "    import importlib\n    out = np.asarray(importlib.import_module('jax.nn').softmax(z, axis=axis))\n",
    "keras": "    out = np.asarray(__import__('keras').ops.softmax(z, axis=axis))\n",
    # Through a module of its own that imports the library.
    "sklearn": ("    import sys\n    open('helper.py', 'w').write('from sklearn.utils.extmath import softmax')\n"
                "    sys.path.insert(0, '.')\n    import helper\n    out = helper.softmax(z.reshape(1, -1))[0]\n"),
}


@pytest.mark.parametrize("library", list(DELEGATIONS))
def test_a_numpy_exercise_cannot_delegate_to_another_library(library, tmp_path, warm_sandbox):
    if importlib.util.find_spec(library) is None:
        pytest.skip(f"{library} is not installed")
    path = tmp_path / f"{SOFTMAX_LAB}.py"
    path.write_text(patched(solution_text(SOFTMAX_LAB), SOFTMAX_BY_HAND, DELEGATIONS[library]))
    tests = [test for test in course.load_tests(SOFTMAX_LAB) if test.id == "softmax_vector"]
    result = runner.grade_lab(SOFTMAX_LAB, path, Limits(), tests=tests, sandbox=warm_sandbox)
    (test,) = result.tests
    assert not test.passed, f"a softmax that delegates to {library} must lose the test's points"
    said = (f"your code imported {library}, which is not available in this exercise: "
            "it is to be written with NumPy alone")
    assert said in test.message, test.message


def test_a_numpy_lab_that_imports_a_library_at_its_top_says_which(tmp_path, warm_sandbox):
    path = tmp_path / f"{SOFTMAX_LAB}.py"
    path.write_text("import tensorflow\n" + solution_text(SOFTMAX_LAB))
    tests = [test for test in course.load_tests(SOFTMAX_LAB) if test.id == "softmax_vector"]
    result = runner.grade_lab(SOFTMAX_LAB, path, Limits(), tests=tests, sandbox=warm_sandbox)
    assert result.score == 0
    assert "your code imported tensorflow" in result.error, result.error


# A Keras lab's exercise, in the Keras worker: the library functions that would do it are refused by name.

ONE_HOT_BY_HAND = "    return np.eye(num_classes, dtype=np.float32)[labels]\n"
DROPCONNECT_BY_HAND = """            noise = keras.random.uniform(shape, seed=self.seed_generator)
            # uniform[0, 1) >= rate holds with probability exactly 1 - rate.
            keep = ops.greater_equal(noise, self.rate)
            kernel = ops.where(keep, ops.divide(kernel, 1.0 - self.rate), 0.0)
"""
KERAS_DELEGATIONS = {  # (lab, test, by hand, delegating, what the message names)
    "jax": ("lab05_keras_mlp", "one_hot_rows", ONE_HOT_BY_HAND,
            "    import jax\n    return np.asarray(jax.nn.one_hot(labels, num_classes), dtype=np.float32)\n",
            "Your code used jax.nn.one_hot"),
    "sklearn": ("lab05_keras_mlp", "one_hot_rows", ONE_HOT_BY_HAND,
                "    from sklearn.preprocessing import label_binarize\n"
                "    return label_binarize(labels, classes=list(range(num_classes))).astype(np.float32)\n",
                "Your code used sklearn.preprocessing.label_binarize"),
    "torch": ("lab05_keras_mlp", "one_hot_rows", ONE_HOT_BY_HAND,
              "    import torch\n"
              "    hot = torch.nn.functional.one_hot(torch.from_numpy(labels), num_classes)\n"
              "    return hot.numpy().astype(np.float32)\n",
              "your code imported torch, which is not available in this exercise"),
    "keras backend": ("lab07_regularization", "dropconnect_dense_drops_weights", DROPCONNECT_BY_HAND,
                      "            from keras.src.backend import random as backend_random\n"
                      "            kernel = backend_random.dropout(kernel, self.rate, seed=self.seed_generator)\n",
                      "Your code used keras.src.backend.random.dropout"),
}


@pytest.mark.parametrize("library", list(KERAS_DELEGATIONS))
def test_a_keras_exercise_cannot_delegate_to_a_library_function(library, tmp_path, warm_sandbox):
    lab, test_id, by_hand, delegating, said = KERAS_DELEGATIONS[library]
    if importlib.util.find_spec(library.split()[0]) is None:
        pytest.skip(f"{library} is not installed")
    path = tmp_path / f"{lab}.py"
    path.write_text(patched(solution_text(lab), by_hand, delegating))
    tests = [test for test in course.load_tests(lab) if test.id == test_id]
    result = runner.grade_lab(lab, path, Limits(), tests=tests, sandbox=warm_sandbox)
    (test,) = result.tests
    assert not test.passed, f"{test_id} done by {library} must lose the test's points"
    assert said in test.message, test.message
