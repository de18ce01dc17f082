"""Probes for lab 8: the student's CNN, run in the grading child.

Each probe receives the student's module first and returns plain data. They
hold no expected values, no reference layer and no metric: Keras's own
Conv2D and MaxPooling2D, and the score of the trained CNN, are computed in
references.py, where no student code runs.
"""

import numpy as np


def build_cnn(lab, **kwargs):
    """lab.build_cnn(**kwargs), exported with its compile settings: {"config": model.to_json()}.

    The grader describes it from the model rebuilt where no student code runs.
    """
    return {"config": lab.build_cnn(**kwargs).to_json()}


def trained_cnn(lab, x_train, y_train, epochs, batch_size):
    """lab.build_cnn() fit on the training images given (plain model.fit, seed 0); the model's config and weights.

    Only the training split comes here; the model is scored elsewhere.
    """
    import keras  # only these probes need Keras

    model = lab.build_cnn(input_shape=tuple(x_train.shape[1:]), num_classes=y_train.shape[1])
    keras.utils.set_random_seed(0)
    # A whole epoch per call into TensorFlow: the same steps in the same order, bit for bit, a fifth faster.
    model.steps_per_execution = -(-len(x_train) // batch_size)
    model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, verbose=0)
    return {"config": model.to_json(), "weights": [np.asarray(weight) for weight in model.get_weights()]}


def cnn_initial_weights(lab, seeds):
    """The initial weights of lab.build_cnn(seed=seed) for each seed, one model after the other."""
    return [[np.asarray(weight) for weight in lab.build_cnn(seed=seed).get_weights()] for seed in seeds]
