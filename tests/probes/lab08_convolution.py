"""Probes for lab 8: Keras's own layers as the reference, and the student's CNN, run in the grading child.

Each probe receives the student's module first and returns plain data. They
hold no expected values and judge nothing: the graded tests do that. The
Keras probes compute what `keras.layers.Conv2D` and `MaxPooling2D` give for
the same input and weights, the independent route the student's NumPy code
is compared with.
"""

import numpy as np


def keras_conv2d(lab, x, kernel, stride, padding):
    """keras.layers.Conv2D (no bias) with its kernel set to `kernel`, on the one image x of shape (H, W, C_in)."""
    import keras  # only these probes need Keras

    x, kernel = np.asarray(x, dtype="float32"), np.asarray(kernel, dtype="float32")
    layer = keras.layers.Conv2D(kernel.shape[3], kernel.shape[:2], strides=stride, padding=padding, use_bias=False)
    layer.build((1, *x.shape))
    layer.set_weights([kernel])
    return np.asarray(layer(x[None]), dtype=float)[0]


def keras_max_pool2d(lab, x, pool_size, stride):
    """keras.layers.MaxPooling2D on the one image x of shape (H, W, C)."""
    import keras  # only these probes need Keras

    layer = keras.layers.MaxPooling2D(pool_size, strides=stride)
    return np.asarray(layer(np.asarray(x, dtype="float32")[None]), dtype=float)[0]


def build_cnn(lab, **kwargs):
    """lab.build_cnn(**kwargs), described as data: its layers, shapes, output activation, whether compiled."""
    import keras  # only these probes need Keras

    model = lab.build_cnn(**kwargs)
    last = model.layers[-1]
    return {
        "layers": [type(layer).__name__ for layer in model.layers],
        "input_shape": tuple(model.input_shape),
        "output_shape": tuple(model.output_shape),
        "output_activation": getattr(getattr(last, "activation", None), "__name__", None),
        "compiled": bool(getattr(model, "compiled", False)),
        "parameters": int(model.count_params()),
    }


def cnn_digits_accuracy(lab, epochs, batch_size):
    """Test accuracy of lab.build_cnn() trained on the 8x8 digits, with this probe's own data split.

    The data never pass through the student's code: pixels / 16 (no
    statistics, so nothing leaks), a stratified 80/20 split with seed 0.
    """
    import keras  # only these probes need Keras

    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    images = (digits.images / 16.0).astype("float32")[..., None]
    x_train, x_test, y_train, y_test = train_test_split(
        images, digits.target, test_size=0.2, random_state=0, stratify=digits.target)
    model = lab.build_cnn(input_shape=(8, 8, 1), num_classes=10)
    keras.utils.set_random_seed(0)
    model.fit(x_train, np.eye(10, dtype="float32")[y_train], epochs=epochs, batch_size=batch_size, verbose=0)
    predicted = np.argmax(np.asarray(model.predict(x_test, verbose=0)), axis=1)
    return float(np.mean(predicted == y_test))
