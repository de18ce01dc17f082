"""Probes for lab 4: calls that need more than plain data, run inside the grading child.

Each probe receives the student's module first and returns plain data. They
hold no expected values and judge nothing: the graded tests do that.
"""

import numpy as np


def constant(lab, name):
    """The value of a module-level constant of the lab, e.g. AND_GATE."""
    return getattr(lab, name)


def xor_mlp(lab, seed):
    """Train the student's XOR model; return what it is and what it answers on the four inputs."""
    import keras  # here, not at the top: only this probe needs Keras (the student's model does anyway)

    model = lab.train_xor_mlp(seed=seed)
    summary = {"type": f"{type(model).__module__}.{type(model).__qualname__}",
               "is_keras_model": isinstance(model, keras.Model)}
    if summary["is_keras_model"]:
        inputs = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
        summary["outputs"] = np.asarray(keras.ops.convert_to_numpy(model(inputs, training=False)), dtype=float)
        summary["layers"] = [
            f"{type(layer).__name__}({getattr(layer, 'units', '')}"
            f"{', ' + layer.activation.__name__ if hasattr(layer, 'activation') else ''})"
            for layer in model.layers
        ]
    return summary
