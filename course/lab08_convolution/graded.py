"""Graded tests for lab 8: convolution and pooling.

Three independent routes give the expected values: closed forms worked out
by hand (the slides' max-pooling example, a kernel on a ramp image), a plain
NumPy reference (one output pixel at a time, nothing shared with the lab's
shifted-slice method) and Keras's own Conv2D and MaxPooling2D layers with
the same weights. The last two are computed in the trusted reference
process (references.py), never in the student's.

Every test of conv2d and max_pool2d forbids delegating: Keras's convolution
and pooling, TensorFlow's and SciPy's are unusable there.
`numpy.lib.stride_tricks.sliding_window_view` is allowed: it only lays out
the windows as views, and the padding, the stride, the output size and the
weighted sum, what this lab teaches, are still the student's. The CNN is
trained on the training digits only and scored on held-out ones, in the
reference process: a split drawn by a secret key per grading, from digits
the test's child cannot read (autograder/heldout.py).
"""

import numpy as np

from autograder import course, heldout
from autograder.graded import (
    expect_close,
    expect_equal,
    expect_raises,
    expect_true,
    fail,
    graded,
    model_summary,
)

WRITE_IT = "write the sliding window yourself with NumPy: Keras's result is what yours is compared with"
CONV_FORBID = dict.fromkeys((
    "keras.layers.Conv2D", "keras.ops.conv", "tensorflow.nn.convolution", "tensorflow.nn.conv2d",
    "scipy.signal.correlate2d", "scipy.signal.convolve2d", "scipy.signal.correlate", "scipy.signal.convolve",
    "scipy.signal.fftconvolve", "scipy.ndimage.correlate", "scipy.ndimage.convolve",
), WRITE_IT)
POOL_FORBID = dict.fromkeys((
    "keras.layers.MaxPooling2D", "keras.ops.max_pool", "tensorflow.nn.max_pool2d", "tensorflow.nn.max_pool",
    "scipy.ndimage.maximum_filter",
), WRITE_IT)
SLIDES_POOL_INPUT = [[1, 0, 2, 3], [4, 6, 6, 8], [3, 1, 1, 0], [1, 2, 2, 4]]
SLIDES_POOL_OUTPUT = [[6, 8], [3, 4]]
CNN_EPOCHS, CNN_BATCH = 10, 64
CNN_TARGET = 0.95  # on a secret split: the solution's CNN scores 0.969 to 0.994 over 20 keys


def random_case(seed, image, kernel):
    rng = np.random.default_rng(seed)
    return rng.normal(size=image), rng.normal(size=kernel)


# Output size and padding ---------------------------------------------------------

# (n, k, s, padding) -> (out, before, after), worked out by hand from the formulas.
SIZES = [
    ((7, 3, 1, "valid"), (5, 0, 0)),
    ((7, 3, 2, "valid"), (3, 0, 0)),
    ((8, 3, 3, "valid"), (2, 0, 0)),
    ((7, 3, 1, "same"), (7, 1, 1)),
    ((8, 2, 1, "same"), (8, 0, 1)),
    ((7, 3, 2, "same"), (4, 1, 1)),
    ((8, 3, 2, "same"), (4, 0, 1)),
    ((5, 4, 2, "same"), (3, 1, 2)),
    ((6, 1, 3, "same"), (2, 0, 0)),
]


@graded(points=2)
def sizes_and_padding(lab):
    "output_size_and_padding gives Keras's output length and zero padding (valid and same, odd and even kernels)"
    for (n, k, s, padding), expected in SIZES:
        got = lab.output_size_and_padding(n, k, s, padding)
        hint = ("'valid': floor((n - k) / s) + 1 outputs, no padding" if padding == "valid" else
                "'same': ceil(n / s) outputs; pad max((out - 1) * s + k - n, 0) zeros in all, "
                "pad // 2 before and the rest (one more when odd) after")
        if not (isinstance(got, (tuple, list)) and len(got) == 3):
            fail("a tuple (out, before, after)", repr(got), hint=hint)
        expect_equal(tuple(int(v) for v in got), expected, hint=hint)


# conv2d against hand-worked values and the NumPy reference --------------------------

@graded(points=2, forbid=CONV_FORBID)
def conv2d_is_cross_correlation(lab):
    "conv2d slides the kernel without flipping it: [[1, 2], [3, 4]] on a 4x4 ramp gives 40i + 10j + 34"
    # x[i, j] = 4i + j, so out[i, j] = 1 x[i,j] + 2 x[i,j+1] + 3 x[i+1,j] + 4 x[i+1,j+1] = 40i + 10j + 34.
    x, kernel = np.arange(16.0).reshape(4, 4), np.array([[1.0, 2.0], [3.0, 4.0]])
    expected = 40 * np.arange(3)[:, None] + 10 * np.arange(3)[None, :] + 34.0
    expect_close(lab.conv2d(x, kernel), expected, rtol=1e-12,
                 hint="out[i, j] = sum over a, b of x[i + a, j + b] * kernel[a, b]: Keras does not flip the "
                      "kernel (with a flipped kernel, true convolution, out[0, 0] would be 16)")


@graded(points=2, forbid=CONV_FORBID)
def conv2d_channels(lab):
    "conv2d with several input and output channels: each output channel sums over all the input channels"
    x, kernel = random_case(1, (5, 6, 2), (3, 2, 2, 3))
    expect_close(lab.conv2d(x, kernel), lab.references.conv2d_loops(x, kernel), rtol=1e-9, atol=1e-12,
                 hint="out[i, j, c] = sum over (a, b, k) of x[i + a, j + b, k] * kernel[a, b, k, c]; "
                      "the output has shape (H - kh + 1, W - kw + 1, C_out)")


@graded(points=2, forbid=CONV_FORBID)
def conv2d_stride(lab):
    "conv2d with stride 2 (and (2, 3)) keeps every second window: floor((n - k) / s) + 1 outputs"
    x, kernel = random_case(2, (7, 8, 2), (3, 3, 2, 2))
    expect_close(lab.conv2d(x, kernel, stride=2), lab.references.conv2d_loops(x, kernel, 2), rtol=1e-9, atol=1e-12,
                 hint="the window of output (i, j) starts at (i * s, j * s); a 7-pixel axis, kernel 3, "
                      "stride 2 gives 3 outputs")
    expect_close(lab.conv2d(x, kernel, stride=(2, 3)), lab.references.conv2d_loops(x, kernel, (2, 3)), rtol=1e-9,
                 atol=1e-12, hint="a pair (sh, sw) gives the rows' and the columns' strides")


@graded(points=2, forbid=CONV_FORBID)
def conv2d_same_odd_kernel(lab):
    "conv2d with padding 'same' and a 3x3 kernel keeps the image's size (one zero on each side)"
    x, kernel = random_case(3, (6, 5, 1), (3, 3, 1, 2))
    expect_close(lab.conv2d(x, kernel, padding="same"), lab.references.conv2d_loops(x, kernel, padding="same"),
                 rtol=1e-9, atol=1e-12,
                 hint="pad the image with zeros before sliding: (k - 1) // 2 on each side for odd k")
    image = x[:, :, 0]
    expect_close(lab.conv2d(image, kernel[:, :, 0, 0], padding="same"),
                 lab.references.conv2d_loops(x, kernel[:, :, :, :1], padding="same")[:, :, 0], rtol=1e-9, atol=1e-12,
                 hint="an (H, W) image with a (kh, kw) kernel gives an (H_out, W_out) output")


@graded(points=2, forbid=CONV_FORBID)
def conv2d_same_even_kernel_and_stride(lab):
    "conv2d with padding 'same', even kernels and strides puts the odd zero at the bottom and right, as Keras does"
    for seed, image, kernel, stride in ((4, (7, 7, 2), (2, 2, 2, 1), 1), (5, (7, 8, 1), (4, 3, 1, 2), 2),
                                        (6, (9, 6, 2), (3, 3, 2, 2), (2, 3))):
        x, k = random_case(seed, image, kernel)
        expect_close(lab.conv2d(x, k, stride=stride, padding="same"),
                     lab.references.conv2d_loops(x, k, stride, "same"), rtol=1e-9, atol=1e-12,
                     hint="'same' gives ceil(n / s) outputs; pad max((out - 1) * s + k - n, 0) zeros in all, "
                          "the smaller half before (top, left), the larger after (bottom, right)")


@graded(points=1, forbid=CONV_FORBID)
def conv2d_flat_image_many_maps(lab):
    "conv2d of an (H, W) image with a (kh, kw, 1, C_out) kernel gives all C_out maps: shape (H_out, W_out, C_out)"
    x, kernel = random_case(8, (6, 5, 1), (3, 2, 1, 3))
    expect_close(lab.conv2d(x[:, :, 0], kernel), lab.references.conv2d_loops(x, kernel), rtol=1e-9, atol=1e-12,
                 called="conv2d(x, kernel) with x of shape (6, 5) and kernel of shape (3, 2, 1, 3)",
                 hint="only an (H, W) image with a (kh, kw) kernel gives one (H_out, W_out) map; a kernel with "
                      "C_out output channels gives C_out maps, even for a one-channel image")


@graded(points=1)
def conv2d_rejects_bad_arguments(lab):
    "conv2d rejects an unknown padding, a stride of 0 and a kernel whose channels do not match, with ValueError"
    x, kernel = random_case(7, (5, 5, 2), (3, 3, 2, 1))
    expect_raises(ValueError, lab.conv2d, x, kernel, padding="full", mentions="padding",
                  hint="padding is 'valid' or 'same'")
    expect_raises(ValueError, lab.conv2d, x, kernel, stride=0, mentions="stride")
    expect_raises(ValueError, lab.conv2d, x, kernel[:, :, :1], mentions="kernel",
                  hint="an (H, W, C_in) image needs a (kh, kw, C_in, C_out) kernel")


# max pooling -------------------------------------------------------------------------

@graded(points=2, forbid=POOL_FORBID)
def max_pool_slides_example(lab):
    "max_pool2d gives the slides' example: [[1,0,2,3],[4,6,6,8],[3,1,1,0],[1,2,2,4]] -> [[6,8],[3,4]]"
    expect_close(lab.max_pool2d(np.array(SLIDES_POOL_INPUT, dtype=float)), SLIDES_POOL_OUTPUT, rtol=0,
                 hint="the maximum of each 2x2 block; windows start every 2 pixels")


@graded(points=2, forbid=POOL_FORBID)
def max_pool_windows_and_strides(lab):
    "max_pool2d pools each channel on its own, with overlapping (3, stride 2) and sliding (2, stride 1) windows"
    rng = np.random.default_rng(20)
    x = rng.normal(size=(7, 6, 3))
    for pool, stride in ((3, 2), (2, 1), ((2, 3), (1, 2))):
        expect_close(lab.max_pool2d(x, pool_size=pool, stride=stride),
                     lab.references.max_pool2d_loops(x, pool, stride), rtol=0,
                     hint="floor((n - p) / s) + 1 windows per axis, window (i, j) starting at (i * s, j * s); "
                          "the maximum is taken per channel")


@graded(points=1)
def max_pool_rejects_bad_arguments(lab):
    "max_pool2d rejects a pool_size or a stride of 0 with ValueError"
    x = np.ones((4, 4))
    expect_raises(ValueError, lab.max_pool2d, x, pool_size=0, mentions="pool_size")
    expect_raises(ValueError, lab.max_pool2d, x, stride=0, mentions="stride")


# conv2d and max_pool2d against Keras ------------------------------------------------

KERAS_CONV_CASES = [
    # image, kernel, stride, padding
    ((9, 9, 3), (3, 3, 3, 4), 1, "valid"),
    ((9, 8, 2), (2, 2, 2, 3), 1, "same"),
    ((10, 7, 3), (4, 3, 3, 2), 2, "same"),
    ((11, 11, 1), (3, 3, 1, 2), (2, 3), "same"),
    ((8, 8, 2), (5, 5, 2, 2), 3, "valid"),
]


@graded(points=3, forbid=CONV_FORBID)
def conv2d_matches_keras(lab):
    "conv2d agrees with keras.layers.Conv2D (same weights, no bias) on random images, strides and paddings"
    for seed, (image, kernel, stride, padding) in enumerate(KERAS_CONV_CASES, start=10):
        x, k = random_case(seed, image, kernel)
        got = lab.conv2d(x, k, stride=stride, padding=padding)
        called = lab.last_called
        expected = lab.references.keras_conv2d(x, k, stride, padding)
        # Keras computes in float32.
        expect_close(got, expected, rtol=1e-4, atol=1e-4, called=called,
                     hint=f"Keras's Conv2D(filters={kernel[3]}, kernel_size={kernel[:2]}, strides={stride!r}, "
                          f"padding={padding!r}) gave the expected values: a cross-correlation, kernel not flipped")


@graded(points=2, forbid=POOL_FORBID)
def max_pool_matches_keras(lab):
    "max_pool2d agrees with keras.layers.MaxPooling2D on random images"
    rng = np.random.default_rng(21)
    for shape, pool, stride in (((8, 8, 2), 2, 2), ((9, 7, 1), 3, 2), ((6, 9, 4), (2, 3), (2, 3))):
        x = rng.normal(size=shape)
        got = lab.max_pool2d(x, pool_size=pool, stride=stride)
        called = lab.last_called
        expect_close(got, lab.references.keras_max_pool2d(x, pool, stride), rtol=1e-6, atol=1e-6, called=called,
                     hint=f"Keras's MaxPooling2D(pool_size={pool!r}, strides={stride!r}) gave the expected "
                          "values ('valid': windows that do not fit are dropped)")


# the CNN ------------------------------------------------------------------------------

@graded(points=2)
def cnn_layers(lab):
    "build_cnn() has Conv2D, MaxPooling2D, Dropout and Dense layers, takes (8, 8, 1) images and is compiled"
    called = "build_cnn()"
    summary = model_summary(lab, lab.probes.build_cnn(), called=called)
    classes = [layer["class"] for layer in summary["layers"]]
    for kind in ("Conv2D", "MaxPooling2D", "Dropout", "Dense"):
        expect_true(kind in classes, f"a {kind} layer", f"the layers {classes}", called=called,
                    hint="the lab asks for Conv2D, MaxPooling2D, Dropout and Dense layers")
    expect_equal(summary["input_shape"], (None, 8, 8, 1), called=called,
                 hint="start with keras.Input(shape=input_shape)")
    expect_equal(summary["output_shape"], (None, 10), called=called, hint="the last layer is Dense(num_classes)")
    expect_equal(summary["output_activation"], "softmax", called=called,
                 hint="the output gives class probabilities: Dense(num_classes, activation='softmax')")
    expect_true(summary["compile"]["compiled"], "a compiled model", "a model that was never compiled", called=called,
                hint="build_cnn returns the model compiled (optimizer, categorical cross-entropy, accuracy)")


@graded(points=1)
def cnn_shapes(lab):
    "build_cnn follows its arguments: 12x12 images with 3 channels, 4 classes"
    called = "build_cnn(input_shape=(12, 12, 3), num_classes=4)"
    summary = model_summary(lab, lab.probes.build_cnn(input_shape=(12, 12, 3), num_classes=4), called=called)
    expect_equal(summary["input_shape"], (None, 12, 12, 3), called=called)
    expect_equal(summary["output_shape"], (None, 4), called=called)


@graded(points=1)
def cnn_rejects_bad_arguments(lab):
    "build_cnn rejects a single class with ValueError"
    expect_raises(ValueError, lab.probes.build_cnn, num_classes=1, mentions="num_classes")


@graded(points=1)
def cnn_seeded(lab):
    "build_cnn is reproducible: the same seed gives the same initial weights, another seed others"
    first, again, other = lab.probes.cnn_initial_weights([1, 1, 2])
    called = "build_cnn(seed=1), build_cnn(seed=1), then build_cnn(seed=2)"
    hint = "pass the seed to every layer's kernel initializer (e.g. HeUniform(seed=seed)), a different one each"
    expect_true(len(first) == len(again) and all(np.array_equal(a, b) for a, b in zip(first, again)),
                "the same initial weights twice with seed=1", "different weights", called=called, hint=hint)
    kernels = [(a, b) for a, b in zip(first, other) if np.ndim(a) > 1]
    expect_true(all(not np.array_equal(a, b) for a, b in kernels), "other kernels, layer by layer, with seed=2",
                "a layer whose kernel is the same as with seed=1", called=called, hint=hint)


@graded(points=4, timeout=120, withhold=[heldout.DATA_PACKAGE])
def cnn_learns_digits(lab):
    "build_cnn() reaches 0.95 test accuracy on a secret split of the 8x8 digits, trained for 10 epochs in batches of 64"
    key = course.heldout_key("lab08_convolution.cnn_learns_digits")  # which digits are held out: never known to the student's process
    x_train, y_train = lab.references.digit_images_training_split(key)
    export = lab.probes.trained_cnn(x_train, y_train, CNN_EPOCHS, CNN_BATCH)
    called = (f"build_cnn(), then fit on 1,437 digits for {CNN_EPOCHS} epochs (batch {CNN_BATCH}), "
              "then accuracy on 360 others")
    score = lab.references.cnn_accuracy(export["config"], export["weights"], key)
    if "error" in score:
        fail("a CNN made of Keras's built-in layers", score["error"], called=called,
             hint="Conv2D, MaxPooling2D, Flatten, Dropout and Dense layers from keras.layers")
    expect_true(score["accuracy"] >= CNN_TARGET, f"test accuracy >= {CNN_TARGET}", f"{score['accuracy']:.4f}",
                called=called,
                hint="16 3x3 filters with 'same' padding and ReLU, 2x2 max pooling, 32 more filters, Flatten, "
                     "Dropout(0.3), Dense(softmax), trained with Adam (learning rate 0.005), reach about 0.98")
