"""References for lab 8's graded tests, computed where no student code runs (never shipped to students).

Two independent routes to every convolution and pooling: plain NumPy, one
output pixel at a time (nothing shared with the lab's shifted-slice method),
and Keras's own Conv2D and MaxPooling2D layers. The digits are split here,
by the secret key the graded test drew (see autograder/heldout.py): only
the training split reaches the student's process; the held-out split and
its labels stay in this process, which scores the trained CNN from its
exported config and weights.
"""

import math

import numpy as np

from autograder import heldout
from autograder.keras_models import model_summary  # noqa: F401 (a reference the tests call)



def _pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def _same_padding(n, k, s):
    """TensorFlow's "same": ceil(n / s) outputs; the odd zero goes after."""
    total = max((math.ceil(n / s) - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def conv2d_loops(x, kernel, stride=1, padding="valid"):
    """Cross-correlation, one output pixel at a time. x (H, W, C_in), kernel (kh, kw, C_in, C_out)."""
    x, kernel, stride = np.asarray(x, dtype=float), np.asarray(kernel, dtype=float), _pair(stride)
    kh, kw = kernel.shape[:2]
    if padding == "same":
        x = np.pad(x, (_same_padding(x.shape[0], kh, stride[0]), _same_padding(x.shape[1], kw, stride[1]), (0, 0)))
    out_h, out_w = (x.shape[0] - kh) // stride[0] + 1, (x.shape[1] - kw) // stride[1] + 1
    out = np.empty((out_h, out_w, kernel.shape[3]))
    for i in range(out_h):
        for j in range(out_w):
            window = x[i * stride[0]:i * stride[0] + kh, j * stride[1]:j * stride[1] + kw]
            out[i, j] = np.tensordot(window, kernel, axes=3)
    return out


def max_pool2d_loops(x, pool_size, stride):
    """Max over each window that fits, one output pixel at a time. x (H, W, C)."""
    x, pool, stride = np.asarray(x, dtype=float), _pair(pool_size), _pair(stride)
    out_h, out_w = (x.shape[0] - pool[0]) // stride[0] + 1, (x.shape[1] - pool[1]) // stride[1] + 1
    out = np.empty((out_h, out_w, x.shape[2]))
    for i in range(out_h):
        for j in range(out_w):
            out[i, j] = x[i * stride[0]:i * stride[0] + pool[0], j * stride[1]:j * stride[1] + pool[1]].max(axis=(0, 1))
    return out


def keras_conv2d(x, kernel, stride, padding):
    """keras.layers.Conv2D (no bias) with its kernel set to `kernel`, on the one image x of shape (H, W, C_in)."""
    import keras

    x, kernel = np.asarray(x, dtype="float32"), np.asarray(kernel, dtype="float32")
    layer = keras.layers.Conv2D(kernel.shape[3], kernel.shape[:2], strides=stride, padding=padding, use_bias=False)
    layer.build((1, *x.shape))
    layer.set_weights([kernel])
    return np.asarray(layer(x[None]), dtype=float)[0]


def keras_max_pool2d(x, pool_size, stride):
    """keras.layers.MaxPooling2D on the one image x of shape (H, W, C)."""
    import keras

    layer = keras.layers.MaxPooling2D(pool_size, strides=stride)
    return np.asarray(layer(np.asarray(x, dtype="float32")[None]), dtype=float)[0]


def _images(pixels, train):
    """Every digit as an (8, 8, 1) image of pixels / 16: no statistics, so nothing comes from the held-out rows."""
    return (pixels / 16.0).astype("float32").reshape(-1, 8, 8, 1)


def digit_images_training_split(key):
    """(x_train (1437, 8, 8, 1), one-hot y_train) of `key`'s split: the digits the student's CNN may learn from."""
    return heldout.prepared(key, _images)[:2]


def cnn_accuracy(config, weights, key):
    """Accuracy of the rebuilt CNN on the 360 digits `key`'s split holds out: {"accuracy": float} or {"error": why}."""
    _, _, x_test, y_test = heldout.prepared(key, _images)
    return heldout.score(config, weights, x_test, y_test)
