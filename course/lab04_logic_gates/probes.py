"""Probes for lab 4: calls that need more than plain data, run inside the grading child.

Each probe receives the student's module first and returns plain data. They
hold no expected values and judge nothing: the graded tests do that.
"""

import numpy as np


def constant(lab, name):
    """The value of a module-level constant of the lab, e.g. AND_GATE."""
    return getattr(lab, name)


# What a recorded model.fit call may be given: the grader repeats the call with exactly these.
FIT_ARGUMENTS = ("x", "y", "batch_size", "epochs", "shuffle", "verbose")


class _StopBeforeTraining(BaseException):
    """Ends train_xor_mlp at its first fit when only the starting weights are wanted (not an Exception)."""


def _recording_fit(keras, fits, stop):
    """A stand-in for keras.Model.fit that records each call (weights before it, compile settings, arguments)."""
    fit = keras.Model.fit

    def recording(self, *args, **kwargs):
        arguments = dict(zip(FIT_ARGUMENTS, args), **kwargs)
        compile_config = (self.get_compile_config() or {}) if getattr(self, "compiled", False) else {}
        fits.append((self, {
            "start": [np.asarray(weight) for weight in self.get_weights()],
            "optimizer": keras.saving.serialize_keras_object(self.optimizer) if self.optimizer is not None else None,
            "loss": compile_config.get("loss"),
            "arguments": {key: (np.asarray(value) if key in ("x", "y") else value) for key, value in arguments.items()
                          if key in FIT_ARGUMENTS},
            "unknown": sorted(key for key in arguments if key not in FIT_ARGUMENTS),
        }))
        if stop:
            raise _StopBeforeTraining
        return fit(self, *args, **kwargs)

    return fit, recording


def xor_mlp(lab, seed):
    """Train the student's XOR model; return what it is and, for a Keras model, its config and weights.

    "fits" lists the model.fit calls made on the returned model, in order,
    with what the grader needs to repeat them: the weights at the call's
    start, the optimizer's and the loss's configs, the arguments.
    """
    import keras  # here, not at the top: only this probe needs Keras (the student's model does anyway)

    fits = []
    fit, keras.Model.fit = _recording_fit(keras, fits, stop=False)
    try:
        model = lab.train_xor_mlp(seed=seed)
    finally:
        keras.Model.fit = fit
    export = {"type": f"{type(model).__module__}.{type(model).__qualname__}",
              "is_keras_model": isinstance(model, keras.Model)}
    if export["is_keras_model"]:
        export["config"] = model.to_json()
        export["weights"] = [np.asarray(weight) for weight in model.get_weights()]
        export["fits"] = [record for fitted, record in fits if fitted is model]
    return export


def xor_mlp_starts(lab, seeds):
    """For each seed, train_xor_mlp(seed) stopped at its first model.fit: the model's config and weights then.

    Returns one {"config", "start"} per seed, or {"error": what happened instead}.
    """
    import keras

    starts = []
    for seed in seeds:
        fits = []
        fit, keras.Model.fit = _recording_fit(keras, fits, stop=True)
        try:
            lab.train_xor_mlp(seed=seed)
        except _StopBeforeTraining:
            model, record = fits[0]
            starts.append({"config": model.to_json(), "start": record["start"]})
        else:
            starts.append({"error": "train_xor_mlp returned without calling model.fit"})
        finally:
            keras.Model.fit = fit
    return starts


def sigmoid_gate_with_warnings(lab, x, w, b):
    """sigmoid_gate(x, w, b) and the warnings it raised, with NumPy set to warn on overflow."""
    import warnings

    with warnings.catch_warnings(record=True) as caught, np.errstate(over="warn", divide="warn", invalid="warn"):
        warnings.simplefilter("always")
        out = lab.sigmoid_gate(x, w, b)
    return out, [f"{warning.category.__name__}: {warning.message}" for warning in caught]
