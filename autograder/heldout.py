"""Held-out digits that a student's code can neither see nor rebuild.

A test that judges how well a model generalises takes its secret key
(`course.heldout_key`, keyed by this installation's secret) in the grader,
where no student code runs, and passes it only to its references. They
split scikit-learn's bundled digits with it (`split`), send the student's
process the training part, and score the trained model on the rest
(`score`). The test's child cannot read the
digits' file (the test withholds `DATA_PACKAGE`), so it cannot take the
complement of what it was sent, and the split of a key it never saw is not
the public `train_test_split(random_state=0)` one.

Shared by the references of labs 5 and 8, in whose children the grader
stages it (as `autograder.heldout`); it holds no answer and no data.
"""

import importlib.util
import math
from pathlib import Path

import numpy as np

from autograder import keras_models

DATA_PACKAGE = "sklearn.datasets.data"  # the folder of scikit-learn's bundled data sets
CLASSES = 10


def bundled_digits():
    """scikit-learn's 1,797 digits: (pixels (1797, 64), integers 0..16; labels (1797,)).

    Read straight from the CSV file scikit-learn ships, as load_digits reads
    it: importing scikit-learn would cost the references a second or more.
    """
    spec = importlib.util.find_spec(DATA_PACKAGE)
    table = np.loadtxt(Path(spec.submodule_search_locations[0]) / "digits.csv.gz", delimiter=",")
    return table[:, :-1], table[:, -1].astype(np.int64)


def split(labels, key, test_fraction=0.2):
    """(training rows, held-out rows) of a stratified split drawn by `key`, each in increasing order.

    ceil(test_fraction * n) rows are held out, as train_test_split keeps;
    each class gives its share, the rows left over by rounding going to
    the classes with the largest fractions (ties to the lower class).
    """
    labels = np.asarray(labels)
    classes, counts = np.unique(labels, return_counts=True)
    wanted = math.ceil(test_fraction * len(labels))
    shares = counts * wanted / len(labels)
    taken = np.floor(shares).astype(int)
    taken[np.argsort(taken - shares, kind="stable")[:wanted - taken.sum()]] += 1
    order = np.random.default_rng(key).permutation(len(labels))
    held = np.concatenate([order[labels[order] == c][:k] for c, k in zip(classes, taken)])
    test = np.zeros(len(labels), dtype=bool)
    test[held] = True
    return np.flatnonzero(~test), np.flatnonzero(test)


def prepared(key, prepare):
    """`key`'s split, each digit as prepare(pixels, training rows) makes it: x_train, one-hot y_train, x_test, y_test."""
    pixels, labels = bundled_digits()
    train, test = split(labels, key)
    x = prepare(pixels, train)
    return x[train], np.eye(CLASSES, dtype="float32")[labels[train]], x[test], labels[test]


def score(config, weights, x, labels):
    """Accuracy on (x, labels) of the model rebuilt from its config and weights: {"accuracy"} or {"error": why}."""
    try:
        model = keras_models.rebuild(config, weights)
    except keras_models.Refused as refused:
        return {"error": str(refused)}
    outputs = keras_models.predict(model, x)
    if outputs.shape != (len(labels), CLASSES):
        return {"error": f"the model gives outputs of shape {outputs.shape} for {len(labels)} digits, "
                         f"not one row of {CLASSES} class probabilities per digit"}
    return {"accuracy": float(np.mean(np.argmax(outputs, axis=1) == labels))}
