"""Probes for lab 7: calls that need a Generator, a cache or a Keras layer, run inside the grading child.

Each probe receives the student's module first, calls only the student's
code and returns its raw results as plain data. They hold no expected
values, run no reference and judge nothing: the graded tests do that, with
references computed by the grader (references.py).
"""

import numpy as np

from labkit.keras_config import plain_config


def with_generator(lab, name, seed, calls, *args, **kwargs):
    """`calls` successive lab.<name>(*args, rng=g, **kwargs), all with one Generator g = default_rng(seed)."""
    generator = np.random.default_rng(seed)
    return [getattr(lab, name)(*args, rng=generator, **kwargs) for _ in range(calls)]


def inputs_after(lab, name, *args):
    """The arguments of lab.<name>(*args) as they are after the call, each array given as a fresh copy."""
    given = [np.array(arg, dtype=float) if isinstance(arg, np.ndarray) else arg for arg in args]
    getattr(lab, name)(*given)
    return given


def batch_norm_round_trip(lab, x, gamma, beta, dy, eps=1e-5):
    """batch_norm_forward, then batch_norm_backward with its cache: (y, dx, dgamma, dbeta)."""
    y, cache = lab.batch_norm_forward(x, gamma, beta, eps=eps)
    dx, dgamma, dbeta = lab.batch_norm_backward(dy, cache)
    return y, dx, dgamma, dbeta


def early_stopping_many(lab, sequences, patiences):
    """lab.early_stopping_epoch(losses, patience) for every pair, as a list of tuples."""
    return [tuple(lab.early_stopping_epoch(losses, patience)) for losses, patience in zip(sequences, patiences)]


def _layer(lab, kernel, bias, **arguments):
    """A built lab.DropConnectDense(**arguments) holding the given kernel and bias."""
    kernel = np.asarray(kernel, dtype="float32")
    layer = lab.DropConnectDense(**arguments)
    layer.build((None, kernel.shape[0]))
    layer.set_weights([kernel, np.asarray(bias, dtype="float32")])
    return layer


def _outputs(layer, inputs, calls, training):
    import keras

    inputs = np.asarray(inputs, dtype="float32")
    return [np.asarray(keras.ops.convert_to_numpy(layer(inputs, training=training)), dtype=float)
            for _ in range(calls)]


def dropconnect_dense(lab, kernel, bias, inputs, training_calls, inference_calls=2, **arguments):
    """Outputs of one DropConnectDense(**arguments) holding kernel and bias, on the same inputs.

    Returns {"training": [output of each successive training call],
    "inference": [output of each inference call, made after them]}.
    """
    import keras

    keras.utils.set_random_seed(0)
    layer = _layer(lab, kernel, bias, **arguments)
    training = _outputs(layer, inputs, training_calls, True)
    return {"training": training, "inference": _outputs(layer, inputs, inference_calls, False)}


def dropconnect_dense_first_masks(lab, kernel, bias, inputs, seeds, **arguments):
    """The first training output of a fresh DropConnectDense(seed=s, **arguments) for each s in seeds."""
    import keras

    keras.utils.set_random_seed(0)
    return [_outputs(_layer(lab, kernel, bias, seed=seed, **arguments), inputs, 1, True)[0] for seed in seeds]


def dropconnect_dense_config(lab, **arguments):
    """The config of DropConnectDense(**arguments), and that of the layer from_config rebuilds from it."""
    cls = lab.DropConnectDense
    config = cls(**arguments).get_config()
    rebuilt = cls.from_config(dict(config)).get_config()
    return plain_config(config), plain_config(rebuilt)
