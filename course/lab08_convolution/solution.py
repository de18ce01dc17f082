"""Lab 8: convolution and pooling.

A dense layer connects every input to every unit. For an image that is
wasteful, because what matters is local (an edge, a stroke, a corner) and the
same pattern matters wherever it appears. A convolutional layer builds both
ideas in: each output value looks only at a small window of the input (local
connectivity), and every window is weighed with the same small kernel
(weight sharing). Sliding the kernel over the image gives a feature map that
lights up wherever the pattern occurs.

What a Keras `Conv2D` computes is, strictly speaking, a cross-correlation:

    out[i, j, c] = sum over (a, b, k) of x[i*s + a, j*s + b, k] * kernel[a, b, k, c]

The kernel is laid on the image as it is. The convolution of the
mathematicians flips the kernel first (kernel[kh-1-a, kw-1-b]); for learned
kernels it makes no difference, the network learns the flipped kernel
instead, but it does when you compare numbers with Keras.

Sizes, along each axis, for an input of size n, kernel size k and stride s:
- padding "valid" (no padding): out = floor((n - k) / s) + 1.
- padding "same": out = ceil(n / s). The input is padded with zeros, in
  total pad = max((out - 1) * s + k - n, 0), pad // 2 before and the rest
  after. When pad is odd (an even kernel, or a stride that does not divide
  evenly) the extra zero goes at the bottom and the right: that is
  TensorFlow's, and so Keras's, convention.

A max-pooling layer keeps the largest value of each window: with 2x2 windows
and stride 2 it halves the height and width, keeps the strongest responses and
makes the network a little tolerant to small shifts. It has no weights.

What to look for:
- A feature map is large where the image looks like the kernel.
- Count parameters: a Conv2D layer has kh * kw * C_in * C_out weights plus
  C_out biases, however large the image. A dense layer on the same image would
  need (H * W * C_in) * units.
- On the 8x8 digits a small CNN (about 10,000 weights) reaches about 0.98
  test accuracy in 10 epochs, better than lab 5's MLP.

Shapes: an image is (H, W) with one channel or (H, W, C) with C channels
(channels last, as in Keras, without the batch axis). A kernel is (kh, kw)
for a one-channel image, or (kh, kw, C_in, C_out), the layout of a Keras
`Conv2D` layer's kernel.
"""

import numbers

import numpy as np
from matplotlib.figure import Figure

from labkit import save_pngs

PADDINGS = ("valid", "same")


# %% [markdown]
# ## Checking the arguments
# Bad input should fail early, with a `ValueError` that names the argument.
# These checks come from `labkit`, which every lab shares; call them where
# the exercises say so.

# %%
def _as_image(x, name="x"):
    """x as a float array of shape (H, W, C); also whether it came as (H, W)."""
    try:
        array = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of numbers, got {x!r}") from None
    if array.ndim not in (2, 3) or 0 in array.shape:
        raise ValueError(f"{name} must be a non-empty image of shape (H, W) or (H, W, C), got shape {array.shape}")
    return (array[:, :, None], True) if array.ndim == 2 else (array, False)


def _as_kernel(kernel, channels, flat_image):
    """kernel as a float array of shape (kh, kw, C_in, C_out) that matches the image."""
    try:
        array = np.asarray(kernel, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"kernel must be an array of numbers, got {kernel!r}") from None
    if flat_image and array.ndim == 2:
        array = array[:, :, None, None]
    if array.ndim != 4 or 0 in array.shape or array.shape[2] != channels:
        wanted = "(kh, kw)" if flat_image else f"(kh, kw, {channels}, C_out)"
        raise ValueError(f"kernel must have shape {wanted} for an image with {channels} channel(s), "
                         f"got shape {array.shape}")
    return array


def _pair(value, name):
    """An int >= 1, or a pair of them, as a pair (rows, columns)."""
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 1
                                 for v in pair):
        raise ValueError(f"{name} must be an integer >= 1 or a pair of them, got {value!r}")
    return int(pair[0]), int(pair[1])


# %% [markdown]
# ## 1. Output size and padding
# Work one axis at a time. "valid" keeps only the windows that fit inside
# the input; "same" pads with zeros so that the output has ceil(n / s)
# entries, the extra zero (if the padding is odd) after, not before.

# %%
def output_size_and_padding(n, k, s, padding):
    """Output length and zero padding along one axis, as Keras computes them.

    Inputs:
    - n: the input's length along the axis; k: the window's (kernel's) length;
      s: the stride; all integers >= 1.
    - padding: "valid" or "same".
    Returns:
    - (out, before, after): the output length and the zeros added before the
      first and after the last entry.
    """
    # BEGIN SOLUTION: "valid": floor((n - k) / s) + 1, no padding; "same": ceil(n / s), padding split with the extra zero after
    if padding not in PADDINGS:
        raise ValueError(f"padding must be one of {PADDINGS}, got {padding!r}")
    if padding == "valid":
        if k > n:
            raise ValueError(f"the kernel ({k}) is larger than the input ({n}) with padding 'valid'")
        return (n - k) // s + 1, 0, 0
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return out, total // 2, total - total // 2
    # END SOLUTION


# %% [markdown]
# ## 2. Convolution (cross-correlation, as Keras computes it)
# Loop over the kh * kw positions of the kernel rather than over the output
# pixels: kernel entry (a, b) multiplies the padded image shifted by (a, b)
# and sampled every s pixels, a slice `x[a : a + s*(out-1) + 1 : s]`, and the
# sum over input channels is a matrix product with kernel[a, b], shape
# (C_in, C_out). Do not flip the kernel. NumPy only: Keras's, TensorFlow's
# and SciPy's convolutions are what you are compared with, so the graded
# tests refuse them (`np.lib.stride_tricks.sliding_window_view` is fine).

# %%
def conv2d(x, kernel, stride=1, padding="valid"):
    """2-D cross-correlation of one image with a bank of kernels, without bias.

    Agrees with `keras.layers.Conv2D(C_out, (kh, kw), strides=stride,
    padding=padding, use_bias=False)` whose kernel is set to `kernel`.

    Inputs:
    - x: an image, shape (H, W) or (H, W, C_in).
    - kernel: shape (kh, kw) for an (H, W) image; (kh, kw, C_in, C_out) for
      an (H, W, C_in) image.
    - stride: an integer >= 1, or a pair (rows, columns).
    - padding: "valid" or "same" (see `output_size_and_padding`).
    Returns:
    - out: shape (H_out, W_out) for an (H, W) image and a (kh, kw) kernel,
      otherwise (H_out, W_out, C_out).
    """
    # BEGIN SOLUTION: check with _as_image, _as_kernel and _pair; pad; then add up kernel[a, b] times each shifted, strided slice
    x, flat = _as_image(x)
    # Only an (H, W) image with a (kh, kw) kernel gives one (H_out, W_out) map; a 4-D kernel gives C_out maps.
    flat_kernel = flat and np.ndim(kernel) == 2
    kernel = _as_kernel(kernel, x.shape[2], flat)
    (kh, kw), (sh, sw) = kernel.shape[:2], _pair(stride, "stride")
    out_h, top, bottom = output_size_and_padding(x.shape[0], kh, sh, padding)
    out_w, left, right = output_size_and_padding(x.shape[1], kw, sw, padding)
    x = np.pad(x, ((top, bottom), (left, right), (0, 0)))
    out = np.zeros((out_h, out_w, kernel.shape[3]))
    for a in range(kh):
        for b in range(kw):
            # Kernel entry (a, b) meets pixel (i*s + a, j*s + b) for output (i, j): one strided slice holds them all.
            window = x[a:a + sh * (out_h - 1) + 1:sh, b:b + sw * (out_w - 1) + 1:sw]
            out += window @ kernel[a, b]
    return out[:, :, 0] if flat_kernel else out
    # END SOLUTION


# %% [markdown]
# ## 3. Max pooling
# The slides' example: the 4x4 input [[1,0,2,3],[4,6,6,8],[3,1,1,0],[1,2,2,4]]
# pooled with 2x2 windows and stride 2 gives [[6,8],[3,4]]. Each channel is
# pooled on its own; windows that do not fit are dropped ("valid").

# %%
def max_pool2d(x, pool_size=2, stride=2):
    """Max pooling with windows that fit inside the image ("valid", as Keras's default).

    Agrees with `keras.layers.MaxPooling2D(pool_size, strides=stride)`.

    Inputs:
    - x: an image, shape (H, W) or (H, W, C).
    - pool_size: the window, an integer >= 1 or a pair (rows, columns).
    - stride: the step between windows, an integer >= 1 or a pair.
    Returns:
    - shape (H_out, W_out) or (H_out, W_out, C), H_out = floor((H - ph) / sh) + 1.
    """
    # BEGIN SOLUTION: check with _as_image and _pair; the maximum over the ph * pw shifted, strided slices
    x, flat = _as_image(x)
    (ph, pw), (sh, sw) = _pair(pool_size, "pool_size"), _pair(stride, "stride")
    if ph > x.shape[0] or pw > x.shape[1]:
        raise ValueError(f"pool_size {(ph, pw)} is larger than the image {x.shape[:2]}")
    out_h, _, _ = output_size_and_padding(x.shape[0], ph, sh, "valid")
    out_w, _, _ = output_size_and_padding(x.shape[1], pw, sw, "valid")
    out = np.full((out_h, out_w, x.shape[2]), -np.inf)
    for a in range(ph):
        for b in range(pw):
            out = np.maximum(out, x[a:a + sh * (out_h - 1) + 1:sh, b:b + sw * (out_w - 1) + 1:sw])
    return out[:, :, 0] if flat else out
    # END SOLUTION


# %% [markdown]
# ## 4. A small CNN for the digits
# Conv2D layers find local patterns, MaxPooling2D shrinks the maps, Dropout
# fights overfitting, Dense layers classify. On 8x8 images keep it small:
# a 3x3 convolution with "same" padding, one 2x2 pooling (8x8 -> 4x4), a
# second convolution, then Flatten, Dropout and a softmax Dense layer.

# %%
def load_digit_images(test_size=0.2, seed=0):
    """scikit-learn's 8x8 digits as images for a CNN, split and scaled to [0, 1].

    Inputs:
    - test_size: the fraction of the 1,797 images kept for testing.
    - seed: the seed of the (stratified) split.
    Returns:
    - ((x_train, y_train), (x_test, y_test)): images of shape (n, 8, 8, 1),
      float32 in [0, 1], and one-hot labels of shape (n, 10).
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    # Pixels are integers 0..16: dividing by 16 needs no statistics, so nothing leaks from the test set.
    images = (digits.images / 16.0).astype("float32")[..., None]
    labels = np.eye(10, dtype="float32")[digits.target]
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=test_size, random_state=seed, stratify=digits.target)
    return (x_train, y_train), (x_test, y_test)


def build_cnn(input_shape=(8, 8, 1), num_classes=10, seed=0):
    """A compiled CNN for small images: Conv2D, MaxPooling2D, Dropout and Dense layers.

    Inputs:
    - input_shape: (H, W, C) of one image.
    - num_classes: the number of classes, >= 2.
    - seed: seeds the initial weights and the dropout masks.
    Returns:
    - a `keras.Sequential` compiled with Adam, categorical cross-entropy and
      accuracy; its output is a softmax over `num_classes`.
    """
    import keras  # here, not at the top: the NumPy half of the lab loads and grades in a blink

    # BEGIN SOLUTION: Input, Conv2D(relu, "same"), MaxPooling2D, Conv2D, Flatten, Dropout, Dense(softmax); compile with Adam
    if not (isinstance(input_shape, (tuple, list)) and len(input_shape) == 3
            and all(isinstance(n, numbers.Integral) and n >= 1 for n in input_shape)):
        raise ValueError(f"input_shape must be (H, W, C) with positive integers, got {input_shape!r}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, numbers.Integral) or num_classes < 2:
        raise ValueError(f"num_classes must be an integer >= 2, got {num_classes!r}")
    model = keras.Sequential([
        keras.Input(shape=tuple(input_shape)),
        keras.layers.Conv2D(16, 3, padding="same", activation="relu",
                            kernel_initializer=keras.initializers.HeUniform(seed=seed)),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(32, 3, padding="same", activation="relu",
                            kernel_initializer=keras.initializers.HeUniform(seed=seed + 1)),
        keras.layers.Flatten(),
        keras.layers.Dropout(0.3, seed=seed),
        keras.layers.Dense(num_classes, activation="softmax",
                           kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 2)),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.005),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model
    # END SOLUTION


# %% [markdown]
# ## 5. What a kernel sees
# A kernel that subtracts the left column from the right one responds to
# vertical edges: positive where a stroke begins (the pixel values rise from
# left to right), negative where it ends, near 0 on flat ground. Max pooling
# keeps the strongest responses at half the resolution.

# %%
EDGE_KERNEL = np.array([[-1.0, 0.0, 1.0],
                        [-2.0, 0.0, 2.0],
                        [-1.0, 0.0, 1.0]])  # Sobel: a vertical-edge detector


def plot_feature_map(index=0):
    """A digit, the vertical-edge kernel, its feature map ("same") and the pooled map.

    Inputs:
    - index: which of scikit-learn's digits to show.
    Returns:
    - a matplotlib Figure.
    """
    from sklearn.datasets import load_digits

    digit = load_digits().images[index] / 16.0
    feature_map = conv2d(digit, EDGE_KERNEL, padding="same")
    panels = (("digit", digit, "gray_r"), ("kernel\n(Sobel: vertical edges)", EDGE_KERNEL, "coolwarm"),
              ("feature map\nconv2d(digit, kernel, padding='same')", feature_map, "coolwarm"),
              ("max_pool2d(feature map)", max_pool2d(feature_map), "coolwarm"))
    figure = Figure(figsize=(13, 3.6), layout="constrained")
    for axes, (title, image, colours) in zip(figure.subplots(1, 4), panels):
        limit = np.abs(image).max() or 1.0
        low = 0.0 if colours == "gray_r" else -limit
        shown = axes.imshow(image, cmap=colours, vmin=low, vmax=limit)
        axes.set(title=title, xticks=[], yticks=[])
        figure.colorbar(shown, ax=axes, fraction=0.046)
    return figure


def save_figures(folder):
    """Write this lab's figures as PNG files into `folder`; return their paths."""
    return save_pngs(folder, {"feature_map": plot_feature_map})
