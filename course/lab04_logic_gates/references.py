"""References for lab 4's graded tests, computed where no student code runs (never shipped to students).

The student's XOR model arrives as its exported config and weights; it is
rebuilt here from Keras's built-in layers and asked for its answers. Its
training arrives as data too (each model.fit call's optimizer and loss
configs and arguments), and is repeated here from the weights the seed
draws: a model whose weights were set by hand is not what its training
gives.
"""

import numbers

import numpy as np

from autograder import keras_models

INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
# What the grader will repeat: the solution takes 150 steps over 600 examples; this is 20 times that.
MOST_STEPS, MOST_EXAMPLES = 3000, 12000
PLAIN = (bool, int, float, str, type(None))


def xor_outputs(config, weights):
    """The rebuilt model's outputs on the four XOR inputs, and its layers in words.

    Returns {"outputs": array, "layers": str}, or {"error": why the model was refused}.
    """
    try:
        model = keras_models.rebuild(config, weights)
    except keras_models.Refused as refused:
        return {"error": str(refused)}
    return {"outputs": keras_models.predict(model, INPUTS), "layers": keras_models.describe(model)}


def _seeded(config, seed):
    """The model of `config` as keras.utils.set_random_seed(seed) followed by building it makes it."""
    import keras

    keras.utils.set_random_seed(seed)
    return keras_models.rebuild(config)


def xor_starts(config, seeds):
    """For each seed, the weights the model of `config` starts from after set_random_seed(seed), or {"error"}."""
    try:
        return {"starts": [_seeded(config, seed).get_weights() for seed in seeds]}
    except keras_models.Refused as refused:
        return {"error": str(refused)}


def _keras_object(entry, module, what):
    """A built-in Keras optimizer or loss from its serialized form (a name, for a loss), with plain settings only."""
    import keras

    if module == "keras.losses" and isinstance(entry, str):
        return keras.losses.get(entry)
    if not (isinstance(entry, dict) and entry.get("module") == module and isinstance(entry.get("config"), dict)):
        raise keras_models.Refused(f"the {what} should be one of Keras's own ({module}), got {str(entry)[:200]}")
    cls = getattr(keras.optimizers if module == "keras.optimizers" else keras.losses, str(entry.get("class_name")),
                  None)
    settings = entry["config"]
    if not isinstance(cls, type) or not all(isinstance(value, PLAIN) for value in settings.values()):
        raise keras_models.Refused(f"the grader repeats training with Keras's own {what}s and plain settings "
                                   f"(numbers, no schedule), got {str(entry)[:200]}")
    return cls.from_config(settings)


def _fit_arguments(record):
    """The checked arguments of one recorded fit call."""
    if record.get("unknown"):
        raise keras_models.Refused(f"model.fit was given {record['unknown']}: the grader repeats "
                                   "model.fit(x, y, batch_size=..., epochs=..., shuffle=...) only")
    arguments = dict(record.get("arguments") or {})
    try:
        x, y = np.asarray(arguments.pop("x"), dtype="float32"), np.asarray(arguments.pop("y"), dtype="float32")
    except (KeyError, TypeError, ValueError):
        raise keras_models.Refused("model.fit should be given NumPy arrays x and y") from None
    batch_size, epochs = arguments.get("batch_size") or 32, arguments.get("epochs", 1)
    if not all(isinstance(n, numbers.Integral) and n >= 1 for n in (batch_size, epochs)) or len(x) != len(y):
        raise keras_models.Refused("model.fit should get as many targets as inputs and whole numbers of epochs "
                                   "and examples per batch")
    if epochs * -(-len(x) // batch_size) > MOST_STEPS or epochs * len(x) > MOST_EXAMPLES:
        raise keras_models.Refused(f"the training takes more than {MOST_STEPS} steps or {MOST_EXAMPLES} "
                                   "examples: too long for the grader to repeat (a few seconds suffice)")
    return x, y, {"batch_size": int(batch_size), "epochs": int(epochs), "verbose": 0,
                  "shuffle": bool(arguments.get("shuffle", True))}


def xor_training(config, fits, seed):
    """The student's training repeated by the grader: set_random_seed(seed), build, then each recorded fit.

    Returns {"weights": the weights it ends with, "outputs": the trained
    model's outputs on the four inputs}, or {"error": why it was not repeated}.
    """
    try:
        model = _seeded(config, seed)
        optimizer = None
        for record in fits:
            if optimizer is None or record.get("optimizer") != optimizer:
                optimizer = record.get("optimizer")
                model.compile(optimizer=_keras_object(optimizer, "keras.optimizers", "optimizer"),
                              loss=_keras_object(record.get("loss"), "keras.losses", "loss"))
            x, y, arguments = _fit_arguments(record)
            model.fit(x, y, **arguments)
    except keras_models.Refused as refused:
        return {"error": str(refused)}
    except Exception as error:  # Keras refusing settings that came as data: the student's to fix
        return {"error": f"Keras could not repeat the training ({type(error).__name__}: {str(error)[:300]})"}
    return {"weights": model.get_weights(), "outputs": keras_models.predict(model, INPUTS)}
