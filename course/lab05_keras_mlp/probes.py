"""Probes for lab 5: the student's Keras models, exported as plain data, in the grading child.

Each probe receives the student's module first and returns plain data. They
hold no data they are judged on, no expected values and no metric, and
describe nothing: a model comes back as its config (and weights), which
the references (references.py) rebuild from Keras's own layers and describe or score
where no student code runs. A probe named like a lab function (`build_mlp`,
`compile_mlp`, `train_mlp`) calls that function, so that a failure
message's "Called:" line names the student's call.
"""

import json

import keras
import numpy as np


def build_mlp(lab, **kwargs):
    """lab.build_mlp(**kwargs), exported: {"config": model.to_json()} (the grader describes it)."""
    return {"config": lab.build_mlp(**kwargs).to_json()}


def build_mlp_weights(lab, **kwargs):
    """[kernel, bias] of each Dense layer of lab.build_mlp(**kwargs), as built."""
    model = lab.build_mlp(**kwargs)
    return [[np.asarray(weight, dtype=float) for weight in layer.get_weights()]
            for layer in model.layers if isinstance(layer, keras.layers.Dense)]


def build_mlp_outputs(lab, x, **kwargs):
    """What lab.build_mlp(**kwargs) outputs for x at inference (dropout off)."""
    model = lab.build_mlp(**kwargs)
    return np.asarray(model(np.asarray(x, dtype="float32"), training=False), dtype=float)


def compile_mlp(lab, **kwargs):
    """lab.compile_mlp(lab.build_mlp(), **kwargs), exported with its compile settings (model.to_json())."""
    model = lab.build_mlp()
    lab.compile_mlp(model, **kwargs)
    return {"config": model.to_json()}


def _export(model):
    """A Keras model as plain data: its to_json() config and its weights."""
    return {"config": model.to_json(), "weights": [np.asarray(weight) for weight in model.get_weights()]}


def train_mlp(lab, given, x_train, y_train, x_test, y_test, epochs, batch_size):
    """lab.train_mlp on the model `given` (compiled, as {"config", "weights"}, made by the grader) and the data given.

    Returns the type of the result, its history (lists of floats), the
    optimizer's step count, and the trained model, exported.
    """
    model = keras.saving.deserialize_keras_object(json.loads(given["config"]))
    model.set_weights(given["weights"])
    history = lab.train_mlp(model, ((x_train, y_train), (x_test, y_test)), epochs, batch_size)
    curves = getattr(history, "history", None)
    return {
        "is_history": isinstance(history, keras.callbacks.History),
        "type": type(history).__name__,
        "history": {key: [float(value) for value in values] for key, values in curves.items()}
        if isinstance(curves, dict) else None,
        "steps": int(np.asarray(model.optimizer.iterations)),
        "model": _export(model),
    }


def trained_on_digits(lab, settings, x_train, y_train):
    """lab.build_mlp + lab.compile_mlp with `settings`, fit on the training digits given; the model, exported.

    Only the training split comes here; the model is scored elsewhere.
    Training is plain model.fit without validation, to keep it quick.
    """
    model = lab.build_mlp(input_dim=x_train.shape[1], num_classes=y_train.shape[1],
                          hidden_units=tuple(settings["hidden_units"]))
    lab.compile_mlp(model, learning_rate=settings["learning_rate"])
    keras.utils.set_random_seed(0)
    # A whole epoch per call into TensorFlow: the same steps in the same order, bit for bit, a fifth faster.
    model.steps_per_execution = -(-len(x_train) // settings["batch_size"])
    model.fit(x_train, y_train, epochs=settings["epochs"], batch_size=settings["batch_size"], verbose=0)
    return _export(model)



def trained_weights(lab, given, x_train, y_train, x_test, y_test, epochs, batch_size, seeds):
    """For each seed, the weights of the model `given` after lab.train_mlp(model, data, epochs, batch_size, seed=seed).

    One model is trained again from the given weights for every seed, so that Keras builds its training step once.
    """
    model = keras.saving.deserialize_keras_object(json.loads(given["config"]))
    trained = []
    for seed in seeds:
        model.set_weights(given["weights"])
        lab.train_mlp(model, ((x_train, y_train), (x_test, y_test)), epochs, batch_size, seed=seed)
        trained.append([np.asarray(weight) for weight in model.get_weights()])
    return trained
