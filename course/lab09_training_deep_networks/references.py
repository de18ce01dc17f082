"""References for lab 9, run by the grader where no student code runs (never shipped to students).

Second routes to the lab's figures, written apart from the solution: np.polyfit
for the least-squares fits, a deep MLP whose backward pass is checked here
against central differences, and the digits (with their labels) that the
training experiments use.
"""

import functools
import importlib.util
import itertools
from pathlib import Path

import numpy as np

from autograder.textbook import central_differences

ACTIVATIONS = {
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: np.where(z > 0, 1.0, 0.0)),
    "leaky_relu": (lambda z: np.where(z > 0, z, 0.01 * z), lambda z: np.where(z > 0, 1.0, 0.01)),
    "tanh": (np.tanh, lambda z: 1.0 / np.cosh(z) ** 2),
}


@functools.cache
def _all_digits():
    """scikit-learn's bundled digits: (images (1797, 64), labels (1797,)).

    Read straight from the CSV file scikit-learn ships, as load_digits reads
    it: importing scikit-learn would cost the grader a second or more.
    """
    package = importlib.util.find_spec("sklearn")
    path = Path(package.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz"
    if not path.exists():  # another layout: ask scikit-learn itself
        from sklearn.datasets import load_digits

        data = load_digits()
        return data.data, data.target
    table = np.loadtxt(path, delimiter=",")
    return table[:, :-1], table[:, -1].astype(int)


def digits(n=200, seed=0):
    """n digits (pixels / 16, centred) and their labels, as the lab's experiments use them."""
    images, labels = _all_digits()
    rows = np.random.default_rng(seed).permutation(len(labels))[:n]
    X = images[rows] / 16.0
    return X - X.mean(axis=0), labels[rows]


def params(sizes, scale, seed):
    """[(W, b)] for the layer sizes: W ~ N(0, std**2) with std sqrt(2 / fan_in) for "he", else `scale`; b = 0."""
    rng = np.random.default_rng(seed)
    return [(rng.normal(0.0, np.sqrt(2.0 / a) if scale == "he" else scale, (a, b)), np.zeros(b))
            for a, b in itertools.pairwise(sizes)]


def polyfit_errors(x_train, y_train, x_val, y_val, degree, sizes):
    """(train_mse, val_mse) of np.polyfit on the first s points, for each s in sizes."""
    train, val = [], []
    for s in sizes:
        c = np.polyfit(x_train[:s], y_train[:s], degree)
        train.append(np.mean((np.polyval(c, x_train[:s]) - y_train[:s]) ** 2))
        val.append(np.mean((np.polyval(c, x_val) - y_val) ** 2))
    return np.array(train), np.array(val)


def polyfit_coefficients(x, y, degree):
    """np.polyfit's coefficients, lowest power first."""
    return np.polyfit(x, y, degree)[::-1]


def bias_variance(predictions, truth):
    """(bias^2, variance): the squared error of the mean prediction, and the mean spread across the fits."""
    predictions, truth = np.asarray(predictions, dtype=float), np.asarray(truth, dtype=float)
    return (float(np.mean((predictions.mean(axis=0) - truth) ** 2)),
            float(np.mean((predictions - predictions.mean(axis=0)) ** 2)))


def _scores(X, params, activation, residual):
    f = ACTIVATIONS[activation][0]
    h = X
    for layer, (W, b) in enumerate(params[:-1]):
        h = h + f(h @ W + b) if residual and layer else f(h @ W + b)
    return h @ params[-1][0] + params[-1][1]


def _loss(scores, y):
    scores = scores - scores.max(axis=1, keepdims=True)
    return float(np.mean(np.log(np.exp(scores).sum(axis=1)) - scores[np.arange(len(y)), y]))


def scores(X, params, activation, residual):
    """The deep MLP's scores."""
    return _scores(np.asarray(X, dtype=float), params, activation, residual)


def numerical_gradients(X, y, params, activation, residual, h=1e-6):
    """Central differences of the mean softmax cross-entropy, for every weight and bias: [(dW, db)]."""
    params = [(np.array(W, dtype=float), np.array(b, dtype=float)) for W, b in params]
    y = np.asarray(y)

    def loss():
        return _loss(_scores(X, params, activation, residual), y)

    return [(central_differences(loss, W, h), central_differences(loss, b, h)) for W, b in params]


def _gradients(X, y, params, activation, residual):
    """The loss and its gradients by the chain rule, written apart from the lab's solution."""
    f, df = ACTIVATIONS[activation]
    inputs, nets, h = [], [], X
    for layer, (W, b) in enumerate(params[:-1]):
        inputs.append(h)
        nets.append(h @ W + b)
        h = h + f(nets[-1]) if residual and layer else f(nets[-1])
    scores = h @ params[-1][0] + params[-1][1]
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    upstream = p - np.eye(scores.shape[1])[y]
    upstream /= len(y)
    grads = [(h.T @ upstream, upstream.sum(axis=0))]
    upstream = upstream @ params[-1][0].T
    for layer in reversed(range(len(params) - 1)):
        local = upstream * df(nets[layer])
        grads.insert(0, (inputs[layer].T @ local, local.sum(axis=0)))
        upstream = local @ params[layer][0].T + (upstream if residual and layer else 0.0)
    return _loss(scores, y), grads


def check_gradients(seed=0):
    """The largest relative error (per array) between _gradients and numerical_gradients on small networks."""
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(5, 3)), rng.integers(0, 3, 5)
    worst = 0.0
    for activation in ACTIVATIONS:
        for residual in (False, True):
            net = [(W, rng.normal(0.0, 0.5, b.shape)) for W, b in params([3, 4, 4, 4, 3], 0.8, seed)]
            analytic = _gradients(X, y, net, activation, residual)[1]
            numeric = numerical_gradients(X, y, net, activation, residual)
            for pair, other in zip(analytic, numeric):
                for a, b in zip(pair, other):
                    worst = max(worst, float(np.max(np.abs(a - b)) / max(1e-12, np.max(np.abs(a) + np.abs(b)))))
    return worst


def gradients(X, y, params, activation, residual):
    """[(dW, db)] of the mean softmax cross-entropy, by the chain rule."""
    return _gradients(np.asarray(X, dtype=float), np.asarray(y), params, activation, residual)[1]


def train(X, y, params, lr, steps, activation="relu", residual=False, clip=None):
    """Full-batch gradient descent: (losses, global gradient norms before clipping, final params)."""
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    params = [(np.array(W, dtype=float), np.array(b, dtype=float)) for W, b in params]
    losses, norms = [], []
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            loss, grads = _gradients(X, y, params, activation, residual)
            norm = np.sqrt(sum(np.sum(dW ** 2) + np.sum(db ** 2) for dW, db in grads))
            factor = clip / norm if clip is not None and norm > clip else 1.0
            losses.append(loss)
            norms.append(norm)
            params = [(W - lr * factor * dW, b - lr * factor * db) for (W, b), (dW, db) in zip(params, grads)]
    return np.array(losses), np.array(norms), params


def dead_fractions(X, params, activation, residual=False):
    """For each hidden layer, the share of units whose activation has slope 0 on every row of X."""
    f, df = ACTIVATIONS[activation]
    h, out = np.asarray(X, dtype=float), []
    for layer, (W, b) in enumerate(params[:-1]):
        z = h @ W + b
        out.append(float(np.mean(np.all(df(z) == 0, axis=0))))
        h = h + f(z) if residual and layer else f(z)
    return np.array(out)


def nadam_trajectory(w, gradients, lr, beta1=0.9, beta2=0.999, eps=1e-7):
    """Nadam in Dozat's notation (g_hat = g / (1 - b1^t), m_hat = m / (1 - b1^(t+1))), over a list of gradients."""
    w = np.array(w, dtype=float)
    m, v, out = np.zeros_like(w), np.zeros_like(w), []
    for t, g in enumerate(gradients, start=1):
        g = np.asarray(g, dtype=float)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_bar = (1 - beta1) * (g / (1 - beta1 ** t)) + beta1 * (m / (1 - beta1 ** (t + 1)))
        w = w - lr * m_bar / (np.sqrt(v / (1 - beta2 ** t)) + eps)
        out.append(w.copy())
    return np.array(out)


AUGMENTATION = {"n_train": 300, "n_val": 500, "width": 32, "lr": 0.5, "steps": 150}  # the lab's augmentation_study


def digit_images(n, seed=0):
    """n digits as (n, 8, 8) images of pixels / 16 and their labels, drawn by a permutation seeded `seed`."""
    images, labels = _all_digits()
    rows = np.random.default_rng(seed).permutation(len(labels))[:n]
    return images[rows].reshape(n, 8, 8) / 16.0, labels[rows]


def _shifted(images, dx, dy):
    """`images` (n, h, w) moved dx right and dy down, zeros coming in: built by slicing, apart from np.roll."""
    n, h, w = images.shape
    out = np.zeros_like(images)
    out[:, max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = images[:, max(-dy, 0):h - max(dy, 0),
                                                                          max(-dx, 0):w - max(dx, 0)]
    return out


def shifted_copies(images, shifts):
    """`images` (n, h, w) followed by one shifted copy of them per (dx, dy) of `shifts`."""
    images = np.asarray(images, dtype=float)
    return np.concatenate([images] + [_shifted(images, dx, dy) for dx, dy in shifts])


def shifted_accuracy(train_images, train_labels, shifts, seed=0):
    """Accuracy on shifted held-out digits of a 64-32-10 ReLU MLP trained on the images given.

    The held-out digits are the AUGMENTATION["n_val"] that follow the training ones in the seed's
    permutation (see `digit_images`), each moved by every shift of `shifts`.
    """
    setting = AUGMENTATION
    everything, labels = digit_images(setting["n_train"] + setting["n_val"], seed)
    held_out, held_labels = everything[setting["n_train"]:], labels[setting["n_train"]:]
    X = np.asarray(train_images, dtype=float).reshape(len(train_labels), -1)
    _, _, trained = train(X, train_labels, params((64, setting["width"], 10), "he", seed), setting["lr"],
                          setting["steps"])
    shifted = shifted_copies(held_out, shifts)[len(held_out):]
    predicted = _scores(shifted.reshape(len(shifted), -1), trained, "relu", False).argmax(axis=1)
    return float(np.mean(predicted == np.tile(held_labels, len(shifts))))
