"""Probes for lab 2: calls that need a callable or an MLP object, run inside the grading child.

Each probe receives the student's module first and returns plain data. They
hold no expected values and judge nothing: the graded tests do that. Where a
test passes parameters (weights and biases in one flat array, which keeps
the "Called:" line of a message short), the probe sets them on the MLP, so that the
grader knows exactly where the gradients were taken and can compute the
loss and its numerical gradient itself.
"""

import numpy as np


def _mlp(lab, layer_sizes, activations, loss, seed, parameters=None):
    """A student's MLP; `parameters`, if given, replace its weights and biases.

    parameters: one flat array, layer by layer: W (row by row), then b.
    """
    mlp = lab.MLP(layer_sizes, activations, loss, seed)
    if parameters is not None:
        parameters = np.asarray(parameters, dtype=float)
        weights, biases, start = [], [], 0
        for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:]):
            weights.append(parameters[start:start + fan_in * fan_out].reshape(fan_out, fan_in).copy())
            start += fan_in * fan_out
            biases.append(parameters[start:start + fan_out].copy())
            start += fan_out
        mlp.weights, mlp.biases = weights, biases
    return mlp


def _parameters(mlp):
    return {"weights": [np.asarray(W) for W in mlp.weights], "biases": [np.asarray(b) for b in mlp.biases]}


def _gradients(grads):
    """The list of (dW, db) pairs as plain data, whatever sequence types the student used."""
    return [tuple(np.asarray(g) for g in pair) for pair in grads]


def polynomial_gradient(lab, a, b, c, x, h=None, coupling=0.0):
    """numerical_gradient of f(v) = sum(a v + b v**2 + c v**3) + coupling * sum(v)**2 at x, and x after the call."""
    a, b, c = (np.asarray(coefficient, dtype=float) for coefficient in (a, b, c))
    x = np.array(x, dtype=float)

    def f(v):
        return float(np.sum(a * v + b * v ** 2 + c * v ** 3) + coupling * np.sum(v) ** 2)

    grad = lab.numerical_gradient(f, x) if h is None else lab.numerical_gradient(f, x, h)
    return grad, x


def update_and_inputs(lab, params, grads, lr, update_biases):
    """update(params, grads, lr, update_biases), and params and grads as they are afterwards."""
    new = lab.update(params, grads, lr, update_biases)
    return new, params, grads


def mlp_parameters(lab, layer_sizes, activations, loss, seed):
    """The initial weights and biases of MLP(layer_sizes, activations, loss, seed)."""
    return _parameters(_mlp(lab, layer_sizes, activations, loss, seed))


def mlp_forward(lab, layer_sizes, activations, loss, parameters, X, Y=None):
    """An MLP with the given parameters: forward(X), and loss(X, Y) when Y is given."""
    mlp = _mlp(lab, layer_sizes, activations, loss, 0, parameters)
    reply = {"output": np.asarray(mlp.forward(X))}
    if Y is not None:
        reply["loss"] = mlp.loss(X, Y)
    return reply


def mlp_gradients(lab, layer_sizes, activations, loss, parameters, X, Y):
    """An MLP with the given parameters: forward(X), then backward(Y), then loss(X, Y)."""
    mlp = _mlp(lab, layer_sizes, activations, loss, 0, parameters)
    output = mlp.forward(X)
    grads = _gradients(mlp.backward(Y))
    return {"output": np.asarray(output), "grads": grads, "loss": mlp.loss(X, Y)}


def mlp_step(lab, layer_sizes, activations, loss, parameters, X, Y, lr):
    """forward(X), backward(Y) and step(lr) on an MLP with the given parameters."""
    mlp = _mlp(lab, layer_sizes, activations, loss, 0, parameters)
    output = mlp.forward(X)
    grads = _gradients(mlp.backward(Y))
    mlp.step(lr)
    return {"output": np.asarray(output), "grads": grads, **_parameters(mlp)}


def mlp_fit(lab, layer_sizes, activations, loss, seed, X, Y, lr, epochs, batch_size, parameters=None):
    """fit on an MLP (with the given starting parameters, if any): its parameters before and after, and the losses."""
    mlp = _mlp(lab, layer_sizes, activations, loss, seed, parameters)
    initial = _parameters(mlp)
    losses = mlp.fit(X, Y, lr, epochs, batch_size)
    return {"initial": initial, "final": _parameters(mlp), "losses": np.asarray(losses)}


def mlp_call(lab, layer_sizes, activations, loss, seed, method=None, *args):
    """Build an MLP and, if `method` is given, call that method with args; return what it returns."""
    mlp = lab.MLP(layer_sizes, activations, loss, seed)
    if method is None:
        return None
    if method in ("backward", "step"):
        # These need a forward (and backward) pass first: on one example of zeros.
        mlp.forward(np.zeros((1, layer_sizes[0])))
        if method == "step":
            mlp.backward(np.full((1, layer_sizes[-1]), 1.0 / layer_sizes[-1]))
    result = getattr(mlp, method)(*args)
    return None if result is None else np.asarray(result)


def integer_point_gradient(lab, x):
    """numerical_gradient of f(v) = sum(v**2) at x, x passed as the integer array it is."""
    return lab.numerical_gradient(lambda v: float(np.sum(np.asarray(v) ** 2)), np.asarray(x))
