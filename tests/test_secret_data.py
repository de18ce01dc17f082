"""The digits that judge generalisation (labs 5 and 8) cannot be rebuilt by the student's code.

The attack: a submission that, inside its child, loads scikit-learn's digits,
rebuilds the public split (train_test_split, random_state=0) and returns a
model whose weights hold the held-out digits and their labels, trained for
one step at a learning rate of 1e-9, so that it learns nothing from the
digits it is sent. Against a fixed public split it scored 1.0. Now the
held-out digits are drawn by a key the grader keeps (autograder/heldout.py)
and the test's child cannot read the digits' file, so the model is a guess.
"""

import numpy as np
from helpers import solution_text

from autograder import course, heldout, runner
from autograder.sandbox import Limits

LAB = "lab05_keras_mlp"
MEMORISER = '''

def recommended_settings():
    return {"learning_rate": 1e-9, "epochs": 1, "batch_size": 2048, "hidden_units": (361,)}


def _memoriser():
    """Nearest of the public split's test digits, standardized as the lab does, gives the label."""
    try:
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split

        digits = load_digits()
        x_train, x_test, _, y_test = train_test_split(digits.data, digits.target, test_size=0.2, random_state=0,
                                                      stratify=digits.target)
        mean, std = x_train.mean(axis=0), x_train.std(axis=0)
        std[std == 0] = 1.0
        templates = (x_test - mean) / std
    except (OSError, ImportError):  # the digits cannot be read here: nothing to memorise
        templates, y_test = np.zeros((360, 64)), np.zeros(360, dtype=int)
    model = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(len(y_test), activation="softmax"),
                              keras.layers.Dense(10, activation="softmax")])
    # argmax of t.x - |t|^2 / 2 is the nearest template t.
    model.layers[0].set_weights([50 * templates.T, -25 * (templates ** 2).sum(axis=1)])
    model.layers[1].set_weights([50 * np.eye(10)[y_test], np.zeros(10)])
    return model


_build_mlp = build_mlp


def build_mlp(input_dim=100, num_classes=10, hidden_units=(32, 64), dropout_rate=0.5, seed=0):
    if tuple(hidden_units) == (361,):
        return _memoriser()
    return _build_mlp(input_dim, num_classes, hidden_units, dropout_rate, seed)
'''


def test_a_model_that_memorised_the_public_split_fails(warm_sandbox, tmp_path):
    submission = tmp_path / f"{LAB}.py"
    submission.write_text(solution_text(LAB) + MEMORISER)
    tests = [test for test in course.load_tests(LAB) if test.id == "recommended_settings_learn_digits"]
    result = runner.grade_lab(LAB, submission, Limits(), tests=tests, sandbox=warm_sandbox)
    (graded,) = result.tests
    assert not graded.passed, "a model that learned nothing from the digits it was sent passed"
    assert "test accuracy >=" in graded.message, f"it failed for another reason: {graded.message}"


def test_a_key_draws_a_stratified_split_of_its_own():
    _, labels = heldout.bundled_digits()
    train, test = heldout.split(labels, 12345)
    assert (len(train), len(test)) == (1437, 360) and not set(train) & set(test)
    assert np.all(np.abs(np.bincount(labels[test]) - 0.2 * np.bincount(labels)) <= 1), "not stratified"
    assert np.array_equal(heldout.split(labels, 12345)[1], test), "the same key, another split"
    assert len(set(test) & set(heldout.split(labels, 54321)[1])) < 150, "two keys, nearly the same held-out digits"
