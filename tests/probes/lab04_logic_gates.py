"""Probes for lab 4: calls that need more than plain data, run inside the grading child.

Each probe receives the student's module first and returns plain data. They
hold no expected values and judge nothing: the graded tests do that.
"""

import numpy as np


def constant(lab, name):
    """The value of a module-level constant of the lab, e.g. AND_GATE."""
    return getattr(lab, name)


def xor_mlp(lab, seed):
    """Train the student's XOR model; return what it is and, for a Keras model, its config and weights."""
    import keras  # here, not at the top: only this probe needs Keras (the student's model does anyway)

    model = lab.train_xor_mlp(seed=seed)
    export = {"type": f"{type(model).__module__}.{type(model).__qualname__}",
              "is_keras_model": isinstance(model, keras.Model)}
    if export["is_keras_model"]:
        export["config"] = model.to_json()
        export["weights"] = [np.asarray(weight) for weight in model.get_weights()]
    return export


def sigmoid_gate_with_warnings(lab, x, w, b):
    """sigmoid_gate(x, w, b) and the warnings it raised, with NumPy set to warn on overflow."""
    import warnings

    with warnings.catch_warnings(record=True) as caught, np.errstate(over="warn", divide="warn", invalid="warn"):
        warnings.simplefilter("always")
        out = lab.sigmoid_gate(x, w, b)
    return out, [f"{warning.category.__name__}: {warning.message}" for warning in caught]
