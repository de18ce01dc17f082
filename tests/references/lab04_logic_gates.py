"""References for lab 4's graded tests, computed where no student code runs (never shipped to students).

The student's XOR model arrives as its exported config and weights; it is
rebuilt here from Keras's built-in layers and asked for its answers.
"""


import numpy as np

from autograder import keras_models


INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def xor_outputs(config, weights):
    """The rebuilt model's outputs on the four XOR inputs, and its layers in words.

    Returns {"outputs": array, "layers": str}, or {"error": why the model was refused}.
    """
    try:
        model = keras_models.rebuild(config, weights)
    except keras_models.Refused as refused:
        return {"error": str(refused)}
    return {"outputs": keras_models.predict(model, INPUTS), "layers": keras_models.describe(model)}
