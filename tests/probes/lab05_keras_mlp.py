"""Probes for lab 5: the student's Keras models, described as plain data, in the grading child.

Each probe receives the student's module first and returns plain data. They
hold no data they are judged on, no expected values and no metric: the
graded tests and tests/references do that. A probe named like a lab function
(`build_mlp`, `compile_mlp`, `train_mlp`) calls that function and describes
what it made, so that a failure message's "Called:" line names the
student's call; a trained model comes back as its config and weights.
"""

import json

import keras
import numpy as np

PLAIN = (bool, int, float, str, type(None))


def _plain_config(thing):
    """The plain entries of a Keras object's get_config()."""
    return {key: value for key, value in thing.get_config().items() if isinstance(value, PLAIN)}


def _initializer(layer, name):
    initializer = getattr(layer, name, None)
    if initializer is None:
        return None
    return {"class": type(initializer).__name__, "config": _plain_config(initializer)}


def _describe_layer(layer):
    activation = getattr(layer, "activation", None)
    return {
        "class": type(layer).__name__,
        "units": getattr(layer, "units", None),
        "activation": getattr(activation, "__name__", None if activation is None else type(activation).__name__),
        "rate": float(layer.rate) if hasattr(layer, "rate") else None,
        "kernel_initializer": _initializer(layer, "kernel_initializer"),
        "bias_initializer": _initializer(layer, "bias_initializer"),
    }


def build_mlp(lab, **kwargs):
    """lab.build_mlp(**kwargs), described: its type, shapes and layers."""
    model = lab.build_mlp(**kwargs)
    return {
        "type": type(model).__name__,
        "input_shape": tuple(model.input_shape),
        "output_shape": tuple(model.output_shape),
        "layers": [_describe_layer(layer) for layer in model.layers],
    }


def build_mlp_weights(lab, **kwargs):
    """[kernel, bias] of each Dense layer of lab.build_mlp(**kwargs), as built."""
    model = lab.build_mlp(**kwargs)
    return [[np.asarray(weight, dtype=float) for weight in layer.get_weights()]
            for layer in model.layers if isinstance(layer, keras.layers.Dense)]


def build_mlp_outputs(lab, x, **kwargs):
    """What lab.build_mlp(**kwargs) outputs for x at inference (dropout off)."""
    model = lab.build_mlp(**kwargs)
    return np.asarray(model(np.asarray(x, dtype="float32"), training=False), dtype=float)


def _name(entry):
    """A loss's or metric's name, from its entry in get_compile_config()."""
    if isinstance(entry, dict):
        return entry.get("class_name") or entry.get("config", {}).get("name")
    return entry if isinstance(entry, str) else getattr(entry, "__name__", type(entry).__name__)


def compile_mlp(lab, **kwargs):
    """lab.compile_mlp(lab.build_mlp(), **kwargs), described: optimizer, loss and metrics."""
    model = lab.build_mlp()
    lab.compile_mlp(model, **kwargs)
    optimizer = model.optimizer
    if optimizer is None or not getattr(model, "compiled", False):
        return {"compiled": False}
    config = model.get_compile_config()
    loss = config.get("loss")
    loss_config = loss.get("config", {}) if isinstance(loss, dict) else {}
    return {
        "compiled": True,
        "optimizer": type(optimizer).__name__,
        "learning_rate": float(np.asarray(optimizer.learning_rate)),
        "momentum": float(getattr(optimizer, "momentum", 0.0) or 0.0),
        "nesterov": bool(getattr(optimizer, "nesterov", False)),
        "loss": _name(loss),
        "from_logits": bool(loss_config.get("from_logits", False)),
        "metrics": [_name(metric) for metric in config.get("metrics") or []],
    }


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
    model.fit(x_train, y_train, epochs=settings["epochs"], batch_size=settings["batch_size"], verbose=0)
    return _export(model)
