"""Plausible mistakes in lab 8, one per mutant: (what the student got wrong, old text, new text)."""

MUTANTS = [
    # Convolution.
    ("true convolution: the kernel flipped",
     "out += window @ kernel[a, b]", "out += window @ kernel[kh - 1 - a, kw - 1 - b]"),
    ("only the first input channel used",
     "out += window @ kernel[a, b]", "out += window[:, :, :1] @ kernel[a, b, :1]"),
    ("'valid' output one too small", "return (n - k) // s + 1, 0, 0", "return (n - k) // s, 0, 0"),
    ("'valid' output size ignores the stride", "return (n - k) // s + 1, 0, 0", "return n - k + 1, 0, 0"),
    ("'same' output of n whatever the stride", "out = -(-n // s)", "out = n"),
    ("'same' puts the odd zero before (top, left) instead of after",
     "return out, total // 2, total - total // 2", "return out, total - total // 2, total // 2"),
    ("'same' pads k // 2 on both sides",
     "    total = max((out - 1) * s + k - n, 0)\n    return out, total // 2, total - total // 2",
     "    return out, k // 2, k // 2"),
    ("padding ignored: always 'valid'",
     "    out_h, top, bottom = output_size_and_padding(x.shape[0], kh, sh, padding)\n"
     "    out_w, left, right = output_size_and_padding(x.shape[1], kw, sw, padding)",
     '    out_h, top, bottom = output_size_and_padding(x.shape[0], kh, sh, "valid")\n'
     '    out_w, left, right = output_size_and_padding(x.shape[1], kw, sw, "valid")'),
    ("stride ignored: windows every pixel",
     "window = x[a:a + sh * (out_h - 1) + 1:sh, b:b + sw * (out_w - 1) + 1:sw]",
     "window = x[a:a + out_h, b:b + out_w]"),
    ("rows' and columns' strides swapped",
     '(kh, kw), (sh, sw) = kernel.shape[:2], _pair(stride, "stride")',
     '(kh, kw), (sw, sh) = kernel.shape[:2], _pair(stride, "stride")'),
    ("an unknown padding silently treated as 'same'",
     '    if padding not in PADDINGS:\n        raise ValueError(f"padding must be one of {PADDINGS}, got {padding!r}")\n',
     ""),
    # Pooling.
    ("max pooling with stride 1 whatever the stride",
     '(ph, pw), (sh, sw) = _pair(pool_size, "pool_size"), _pair(stride, "stride")',
     '(ph, pw), (sh, sw) = _pair(pool_size, "pool_size"), (1, 1)'),
    ("max pooling with the stride taken to be the pool size",
     '(ph, pw), (sh, sw) = _pair(pool_size, "pool_size"), _pair(stride, "stride")',
     '(ph, pw), (sh, sw) = _pair(pool_size, "pool_size"), _pair(pool_size, "stride")'),
    ("average pooling instead of max pooling",
     "out = np.maximum(out, x[a:a + sh * (out_h - 1) + 1:sh, b:b + sw * (out_w - 1) + 1:sw])",
     "out = np.where(np.isinf(out), 0.0, out)"
     " + x[a:a + sh * (out_h - 1) + 1:sh, b:b + sw * (out_w - 1) + 1:sw] / (ph * pw)"),
    # The CNN.
    ("no softmax at the CNN's output",
     'keras.layers.Dense(num_classes, activation="softmax",', 'keras.layers.Dense(num_classes, activation=None,'),
    ("no pooling layer in the CNN", "        keras.layers.MaxPooling2D(2),\n", ""),
    ("the CNN ignores input_shape", "keras.Input(shape=tuple(input_shape))", "keras.Input(shape=(8, 8, 1))"),
    ("the CNN trained with plain SGD at 0.01: too slow for 10 epochs",
     "keras.optimizers.Adam(learning_rate=0.005)", "keras.optimizers.SGD(learning_rate=0.01)"),
]
