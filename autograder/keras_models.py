"""A student's Keras model, rebuilt from its exported config and weights with Keras's built-in layers only.

Shared by the references of the Keras labs (4, 5 and 8), in whose children
the grader stages it (as `autograder.keras_models`); it holds no answer and
no held-out data, so the student bundle has it too, and there `model_summary`
runs when no golden value was recorded for a student's model. A probe
exports what the student made as plain data, `{"config": model.to_json(),
"weights": model.get_weights()}`; `rebuild` turns it back into a model in
the trusted process. Nothing of the student's code comes along: the config
names Keras classes, which are looked up in Keras (safe mode, no custom
objects), and a config that names anything else, or is too large to build
cheaply, is refused with a message meant for the student.
"""

import json

import numpy as np

LARGEST_SIZE = 4096  # units, filters, kernel sizes and input dimensions a course model may declare
MOST_LAYERS = 64
MOST_PARAMETERS = 5_000_000
REFUSED_LAYERS = {"Lambda", "TFSMLayer"}  # built-in, but they run code or load files named in the config
PLAIN = (bool, int, float, str, type(None))  # the config entries a summary keeps


class Refused(ValueError):
    """An exported model the trusted process will not rebuild; the message is for the student."""


def _check_sizes(node, key=None):
    """Refuse an integer above LARGEST_SIZE anywhere in the config (seeds excepted), before anything is built."""
    if isinstance(node, dict):
        for name, value in node.items():
            _check_sizes(value, name)
    elif isinstance(node, list):
        for value in node:
            _check_sizes(value, key)
    elif isinstance(node, int) and not isinstance(node, bool) and key != "seed" and node > LARGEST_SIZE:
        raise Refused(f"the model declares {key} = {node}; the course's models stay below {LARGEST_SIZE}")


def _check_modules(node):
    """Every serialized object the config names must be Keras's own."""
    if isinstance(node, dict):
        module = node.get("module")
        if "class_name" in node and module is not None and not (module == "keras" or module.startswith("keras.")):
            raise Refused(f"the model uses {module}.{node['class_name']}: build it from Keras's own layers, "
                          "activations and initializers only")
        if node.get("class_name") in REFUSED_LAYERS:
            raise Refused(f"the model uses a {node['class_name']} layer: build it from Keras's own layers only")
        for value in node.values():
            _check_modules(value)
    elif isinstance(node, list):
        for value in node:
            _check_modules(value)


def rebuild(config, weights=None):
    """The model described by `config` (a to_json() string), with `weights` set when given.

    Raises Refused, with a message for the student, when the config is not
    a Keras model made of built-in parts, or the weights do not fit it.
    """
    if not isinstance(config, str):
        raise Refused(f"the model's config should be the JSON text of model.to_json(), got a {type(config).__name__}")
    try:
        tree = json.loads(config)
    except ValueError:
        raise Refused("the model's config is not valid JSON (model.to_json() gives it)") from None
    if not isinstance(tree, dict) or tree.get("class_name") not in ("Sequential", "Functional"):
        raise Refused("the model should be a keras.Sequential or a functional keras.Model")
    _check_sizes(tree)
    _check_modules(tree)
    import keras  # only once the config is worth building: refusing needs no Keras

    try:
        model = keras.saving.deserialize_keras_object(tree, custom_objects=None, safe_mode=True)
    except Exception as error:  # whatever Keras says about a config it cannot rebuild, in words
        raise Refused(f"Keras could not rebuild the model from its config ({type(error).__name__}: {error})") from None
    if not isinstance(model, keras.Model) or len(model.layers) > MOST_LAYERS:
        raise Refused(f"the config should describe a keras.Model of at most {MOST_LAYERS} layers")
    outside = [type(layer).__name__ for layer in model.layers if not type(layer).__module__.startswith("keras.")]
    if outside:
        raise Refused(f"the model uses layers that are not Keras's own: {outside}")
    if model.count_params() > MOST_PARAMETERS:
        raise Refused(f"the model has {model.count_params()} weights; the course's models stay below "
                      f"{MOST_PARAMETERS}")
    if weights is not None:
        try:
            model.set_weights([np.asarray(weight, dtype="float32") for weight in weights])
        except Exception as error:
            raise Refused(f"the model's weights do not fit its layers ({type(error).__name__}: {error})") from None
    return model


def predict(model, x):
    """The model's outputs for x at inference (dropout off), as float64."""
    import keras

    return np.asarray(keras.ops.convert_to_numpy(model(np.asarray(x, dtype="float32"), training=False)), dtype=float)



def _plain_config(thing):
    """The plain entries of a Keras object's get_config()."""
    return {key: value for key, value in thing.get_config().items() if isinstance(value, PLAIN)}


def _initializer(layer, name):
    initializer = getattr(layer, name, None)
    if initializer is None:
        return None
    return {"class": type(initializer).__name__, "config": _plain_config(initializer)}


def _activation_name(layer):
    activation = getattr(layer, "activation", None)
    return getattr(activation, "__name__", None if activation is None else type(activation).__name__)


def _layer(layer):
    return {
        "class": type(layer).__name__,
        "units": getattr(layer, "units", None),
        "activation": _activation_name(layer),
        "rate": float(layer.rate) if hasattr(layer, "rate") else None,
        "kernel_initializer": _initializer(layer, "kernel_initializer"),
        "bias_initializer": _initializer(layer, "bias_initializer"),
    }


def _entry_name(entry):
    """A loss's or metric's name, from its entry in get_compile_config()."""
    if isinstance(entry, dict):
        return entry.get("class_name") or entry.get("config", {}).get("name")
    return entry if isinstance(entry, str) else getattr(entry, "__name__", type(entry).__name__)


def _compile_settings(model):
    """How the model was compiled: optimizer, learning rate, loss and metrics ({"compiled": False} if not)."""
    if not getattr(model, "compiled", False) or model.optimizer is None:
        return {"compiled": False}
    config = model.get_compile_config() or {}
    loss = config.get("loss")
    loss_config = loss.get("config", {}) if isinstance(loss, dict) else {}
    optimizer = model.optimizer
    return {
        "compiled": True,
        "optimizer": type(optimizer).__name__,
        "learning_rate": float(np.asarray(optimizer.learning_rate)),
        "momentum": float(getattr(optimizer, "momentum", 0.0) or 0.0),
        "nesterov": bool(getattr(optimizer, "nesterov", False)),
        "loss": _entry_name(loss),
        "from_logits": bool(loss_config.get("from_logits", False)),
        "metrics": [_entry_name(metric) for metric in config.get("metrics") or []],
    }


def model_summary(config):
    """What the graded tests check of a student's model, read off the model rebuilt here from `config`.

    Returns {"type", "input_shape", "output_shape", "output_activation",
    "parameters", "layers": [{"class", "units", "activation", "rate",
    "kernel_initializer", "bias_initializer"}], "compile": {...}}, or
    {"error": why} for a config this process will not rebuild.
    """
    try:
        model = rebuild(config)
    except Refused as refused:
        return {"error": str(refused)}
    return {
        "type": type(model).__name__,
        "input_shape": tuple(model.input_shape),
        "output_shape": tuple(model.output_shape),
        "output_activation": _activation_name(model.layers[-1]) if model.layers else None,
        "parameters": int(model.count_params()),
        "layers": [_layer(layer) for layer in model.layers],
        "compile": _compile_settings(model),
    }


def describe(model):
    """'Dense(8, tanh), Dense(1, sigmoid)': the layers, for a failure message."""
    parts = []
    for layer in model.layers:
        activation = getattr(getattr(layer, "activation", None), "__name__", None)
        details = [str(value) for value in (getattr(layer, "units", None), getattr(layer, "filters", None),
                                            activation) if value is not None]
        parts.append(f"{type(layer).__name__}({', '.join(details)})")
    return ", ".join(parts)
