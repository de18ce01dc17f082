"""References for lab 2's graded tests, run in the grader, never shipped to students.

Written independently of the solution: a plain forward pass and loss, their
gradients by central differences (no backpropagation at all), and plain
gradient-descent loops built on those. Arguments and results are plain data.
"""

import numpy as np

from autograder.textbook import central_differences, sigmoid


# The 2-2-2 (or any n-m-k) network of Part 1 -----------------------------------

def network_output(x, params):
    """out_o of the two-layer sigmoid network, W of shape (out, in)."""
    out_h = sigmoid(np.asarray(params["W1"]) @ np.asarray(x) + params["b1"])
    return sigmoid(np.asarray(params["W2"]) @ out_h + params["b2"])


def network_error(x, target, params):
    return float(np.sum(0.5 * (np.asarray(target) - network_output(x, params)) ** 2))


def network_gradients(x, target, params):
    """dE/dp for each parameter, by central differences of network_error (a shared bias gives a float)."""
    arrays = {key: np.array(value, dtype=float) for key, value in params.items()}
    return {key: central_differences(lambda: network_error(x, target, arrays), arrays[key], h=1e-5)[()]
            for key in arrays}


# The MLP of Part 3 -----------------------------------------------------------------

def _activation(name, z):
    if name == "sigmoid":
        return sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "linear":
        return z
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def mlp_forward(weights, biases, activations, X):
    """(output, [pre-activations of every layer]), rows as examples, W of shape (out, in)."""
    a, logits = np.asarray(X, dtype=float), []
    for w, b, name in zip(weights, biases, activations):
        logits.append(a @ np.asarray(w).T + b)
        a = _activation(name, logits[-1])
    return a, logits


def mlp_loss(weights, biases, activations, loss, X, Y):
    """The mean over the rows of the per-example loss."""
    a, _ = mlp_forward(weights, biases, activations, X)
    Y = np.asarray(Y)
    if loss == "mse":
        per_example = 0.5 * np.sum((Y - a) ** 2, axis=1)
    elif activations[-1] == "softmax":
        per_example = -np.sum(Y * np.log(a), axis=1)
    else:
        per_example = -np.sum(Y * np.log(a) + (1 - Y) * np.log(1 - a), axis=1)
    return float(np.mean(per_example))


def mlp_gradients(case):
    """[(dW, db), ...] of the case's mean loss, by central differences (h = 1e-5)."""
    weights = [np.array(w, dtype=float) for w in case["weights"]]
    biases = [np.array(b, dtype=float) for b in case["biases"]]

    def loss():
        return mlp_loss(weights, biases, case["activations"], case["loss"], case["X"], case["Y"])

    return [(central_differences(loss, w, h=1e-5), central_differences(loss, b, h=1e-5))
            for w, b in zip(weights, biases)]


def mlp_descent(case, steps, lr):
    """The case after `steps` full-batch gradient-descent steps with mlp_gradients."""
    case = dict(case)
    for _ in range(steps):
        grads = mlp_gradients(case)
        case["weights"] = [np.asarray(w) - lr * dw for w, (dw, _) in zip(case["weights"], grads)]
        case["biases"] = [np.asarray(b) - lr * db for b, (_, db) in zip(case["biases"], grads)]
    return case


def _targets(rng, loss, output, n, k):
    """Targets that suit the loss: any numbers for mse, [0, 1] for sigmoid outputs, distributions for softmax."""
    if loss == "mse":
        return rng.normal(size=(n, k))
    if output == "sigmoid":
        return rng.uniform(size=(n, k))
    return rng.dirichlet(np.ones(k), size=n)


def make_case(seed, sizes, activations, loss, n=None):
    """A network with weights and data drawn from `seed`, no ReLU pre-activation within 1e-3 of its kink."""
    activations = [activations] * (len(sizes) - 1) if isinstance(activations, str) else list(activations)
    for attempt in range(100):
        rng = np.random.default_rng([seed, attempt])
        rows = n if n is not None else int(rng.integers(1, 7))
        weights = [rng.normal(0.0, 1.5 / np.sqrt(fan_in), size=(fan_out, fan_in))
                   for fan_in, fan_out in zip(sizes, sizes[1:])]
        biases = [rng.normal(0.0, 0.5, size=fan_out) for fan_out in sizes[1:]]
        x = rng.normal(size=(rows, sizes[0]))
        _, logits = mlp_forward(weights, biases, activations, x)
        if all(np.abs(z).min() > 1e-3 for z, name in zip(logits, activations) if name == "relu"):
            break
    return {"sizes": list(sizes), "activations": activations, "loss": loss, "weights": weights,
            "biases": biases, "X": x, "Y": _targets(rng, loss, activations[-1], rows, sizes[-1])}


def random_case(seed, hidden, output, loss):
    """A network of random depth (1 to 3 hidden layers) and widths, from `seed`."""
    rng = np.random.default_rng(seed)
    depth = int(rng.integers(1, 4))
    sizes = [int(rng.integers(1, 5))] + [int(rng.integers(1, 6)) for _ in range(depth)]
    sizes.append(int(rng.integers(2, 5)))
    activations = [hidden[i % len(hidden)] for i in range(depth)] + [output]
    return make_case(seed, sizes, activations, loss)
