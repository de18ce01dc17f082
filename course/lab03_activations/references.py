"""References for lab 3's graded tests, run in the grader, never shipped to students.

The vanishing-gradient network of `gradient_norms_by_depth`, written again
from its docstring. Its random draws need not come in the student's order,
so the graded test compares the typical size of the norms over many seeds,
not one seed's numbers. Arguments and results are plain data.
"""

import numpy as np

ACTIVATIONS = {
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float)),
    "tanh": (np.tanh, lambda z: 1.0 / np.cosh(z) ** 2),
    "linear": (lambda z: z, np.ones_like),
}


def gradient_norms(activation, depth, width, batch, seed):
    """||dL/dW_l|| (Frobenius) for l = 1 .. depth, L = mean((y - t)^2) / 2, He-initialized weights."""
    f, df = ACTIVATIONS[activation]
    rng = np.random.default_rng(seed)
    std = np.sqrt(2.0 / width)
    layers = [rng.normal(0.0, std, size=(width, width)) for _ in range(depth)]
    v = rng.normal(0.0, std, size=width)
    h = rng.normal(size=(batch, width))
    t = rng.normal(size=batch)
    hs, zs = [], []
    for W in layers:
        hs.append(h)
        zs.append(h @ W)
        h = f(zs[-1])
    residual = h @ v - t
    # dL/dy = (y - t) / batch for L = sum((y - t)^2) / (2 batch).
    upstream = (residual / batch)[:, None] * v[None, :]
    norms = []
    for W, h_in, z in zip(layers[::-1], hs[::-1], zs[::-1]):
        dz = upstream * df(z)
        norms.append(float(np.sqrt(np.sum((h_in.T @ dz) ** 2))))
        upstream = dz @ W.T
    return norms[::-1]


def typical_norms(activation, depth, width, batch, seeds):
    """The geometric mean over `seeds` of each layer's gradient norm, shape (depth,)."""
    logs = np.log([gradient_norms(activation, depth, width, batch, seed) for seed in seeds])
    return np.exp(logs.mean(axis=0))
