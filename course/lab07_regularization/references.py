"""Trusted references for lab 7's graded tests, from Keras's own layer and callback.

Run by the grader, where no student code ever ran; never shipped to
students. Each function is deterministic and takes and returns plain data.
"""

import numpy as np

from autograder.textbook import central_differences


def batch_norm(x, gamma, beta, eps=1e-5):
    """keras.layers.BatchNormalization in training mode, in float64, holding gamma and beta: y for the batch x."""
    import keras

    x = np.asarray(x, dtype=float)
    layer = keras.layers.BatchNormalization(epsilon=eps, dtype="float64")
    layer.build(x.shape)
    layer.gamma.assign(np.asarray(gamma, dtype=float))
    layer.beta.assign(np.asarray(beta, dtype=float))
    return np.asarray(keras.ops.convert_to_numpy(layer(x, training=True)), dtype=float)


def batch_norm_numerical_gradients(x, gamma, beta, dy, eps=1e-5, h=1e-6):
    """Central differences of sum(dy * batch_norm(x, gamma, beta)): (dx, dgamma, dbeta)."""
    arrays = [np.array(a, dtype=float) for a in (x, gamma, beta)]
    dy = np.asarray(dy, dtype=float)

    def loss():
        return np.sum(dy * batch_norm(*arrays, eps=eps))

    return tuple(central_differences(loss, array, h) for array in arrays)


class _Model:
    """What EarlyStopping needs of a model when it restores no weights: a stop_training flag."""

    stop_training = False


def early_stopping(val_losses, patience):
    """(stop_epoch, best_epoch), 0-based, of keras.callbacks.EarlyStopping(monitor="val_loss", patience, min_delta=0).

    The callback itself runs, fed one validation loss per epoch; training
    stops after the epoch at which it sets stop_training, else at the last.
    """
    import keras

    callback = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, min_delta=0)
    model = _Model()
    callback.set_model(model)
    callback.on_train_begin()
    for epoch, loss in enumerate(val_losses):
        callback.on_epoch_end(epoch, {"val_loss": float(loss)})
        if model.stop_training:
            return epoch, int(callback.best_epoch)
    return len(val_losses) - 1, int(callback.best_epoch)


def early_stopping_many(sequences, patiences):
    """early_stopping for every (losses, patience) pair, as a list of tuples."""
    return [early_stopping(losses, patience) for losses, patience in zip(sequences, patiences)]
