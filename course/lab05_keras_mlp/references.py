"""References for lab 5's graded tests, computed where no student code runs (never shipped to students).

The digits are split here, by the secret key the graded test drew (see
autograder/heldout.py). Only the training split ever reaches the student's
process; the held-out split and its labels stay in this process, which
scores a trained model from its exported config and weights.
"""

import json

import numpy as np

from autograder import heldout, keras_models
from autograder.keras_models import model_summary  # noqa: F401 (a reference the tests call)


def digits_raw():
    """scikit-learn's digits as they come: pixels (1797, 64), integers 0..16, and labels (1797,)."""
    return heldout.bundled_digits()


def _standardized(pixels, train):
    """Every digit, each pixel standardized with the statistics of the training rows."""
    mean, std = pixels[train].mean(axis=0), pixels[train].std(axis=0)
    std[std == 0] = 1.0
    return ((pixels - mean) / std).astype("float32")


def digits_training_split(key):
    """(x_train, one-hot y_train) of `key`'s stratified 80/20 split: the 1,437 digits the student's model may learn from."""
    return heldout.prepared(key, _standardized)[:2]


def digits_accuracy(config, weights, key):
    """Accuracy of the rebuilt model on the 360 digits `key`'s split holds out: {"accuracy": float} or {"error": why}."""
    _, _, x_test, y_test = heldout.prepared(key, _standardized)
    return heldout.score(config, weights, x_test, y_test)


def softmax_regression(inputs, classes):
    """A compiled one-layer softmax model (SGD, learning rate 0.5), as {"config", "weights"}, for train_mlp to train.

    The config carries the compile settings (keras.saving.serialize_keras_object), so the model comes back compiled.
    """
    import keras

    model = keras.Sequential([
        keras.Input(shape=(inputs,)),
        keras.layers.Dense(classes, activation="softmax", kernel_initializer=keras.initializers.GlorotUniform(seed=0)),
    ])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return {"config": json.dumps(keras.saving.serialize_keras_object(model)),
            "weights": [np.asarray(weight) for weight in model.get_weights()]}


def outputs(config, weights, x):
    """The rebuilt model's class probabilities for x: {"outputs": array} or {"error": why}."""
    try:
        model = keras_models.rebuild(config, weights)
    except keras_models.Refused as refused:
        return {"error": str(refused)}
    return {"outputs": keras_models.predict(model, x)}
