"""References for lab 5's graded tests, computed where no student code runs (never shipped to students).

The digits are split here. Only the training split ever reaches the
student's process; the held-out split and its labels stay in this module,
which scores a trained model from its exported config and weights.
"""

import json

import numpy as np

from autograder import keras_models
from autograder.keras_models import model_summary  # noqa: F401 (a reference the tests call)


CLASSES = 10


def digits_raw():
    """scikit-learn's digits as they come: pixels (1797, 64), integers 0..16, and labels (1797,)."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    return digits.data.astype(float), digits.target.astype(np.int64)


def _digits_split():
    """The lab's split (stratified 80/20, seed 0), each pixel standardized with the training split's statistics."""
    from sklearn.model_selection import train_test_split

    pixels, labels = digits_raw()
    x_train, x_test, y_train, y_test = train_test_split(pixels, labels, test_size=0.2, random_state=0,
                                                        stratify=labels)
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    std[std == 0] = 1.0
    return ((x_train - mean) / std).astype("float32"), y_train, ((x_test - mean) / std).astype("float32"), y_test


def digits_training_split():
    """(x_train, one-hot y_train) of the lab's split: the 1,437 digits the student's model may learn from."""
    x_train, y_train, _, _ = _digits_split()
    return x_train, np.eye(CLASSES, dtype="float32")[y_train]


def digits_accuracy(config, weights):
    """Accuracy of the rebuilt model on the 360 held-out digits: {"accuracy": float} or {"error": why}."""
    try:
        model = keras_models.rebuild(config, weights)
    except keras_models.Refused as refused:
        return {"error": str(refused)}
    _, _, x_test, y_test = _digits_split()
    outputs = keras_models.predict(model, x_test)
    if outputs.shape != (len(y_test), CLASSES):
        return {"error": f"the model gives outputs of shape {outputs.shape} for {len(y_test)} digits, "
                         f"not one row of {CLASSES} class probabilities per digit"}
    return {"accuracy": float(np.mean(np.argmax(outputs, axis=1) == y_test))}


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
