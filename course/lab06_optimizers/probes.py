"""Probes for lab 6: trajectories of the student's rules and optimizers, run inside the grading child.

Each probe receives the student's module first, calls only the student's
code and returns its raw results as plain data. They hold no expected
values, run no reference and judge nothing: the graded tests do that, with
references computed by the grader (references.py).

The fixed problem is a quadratic bowl over one or more variables,
f = sum over variables of sum(c * w**2) / 2, whose gradient is c * w. A
trajectory is the list of points visited, starting point included.
"""

import numpy as np

from labkit.keras_config import plain_config


def rule_path(lab, rule, curvatures, w0, lr, steps, **hyper):
    """The points lab.<rule>_step visits on the bowl, its state started at zero.

    rule: "sgd", "momentum", "nesterov", "adagrad", "rmsprop" or "adam"; adam
    gets t = 1, 2, ... Returns an array of shape (steps + 1, *np.shape(w0)).
    """
    curvatures, w = np.asarray(curvatures, dtype=float), np.asarray(w0, dtype=float)
    state = [np.zeros_like(w)] * {"sgd": 0, "adam": 2}.get(rule, 1)
    path = [w]
    for t in range(1, steps + 1):
        g = curvatures * w
        if rule == "sgd":
            w = lab.sgd_step(w, g, lr, **hyper)
        elif rule == "adam":
            w, *state = lab.adam_step(w, g, *state, t, lr, **hyper)
        else:
            w, *state = getattr(lab, f"{rule}_step")(w, g, *state, lr, **hyper)
        path.append(np.asarray(w, dtype=float))
    return np.array(path)


def inputs_after(lab, w, g, state):
    """{rule: (w, g, state) as they are after one call of lab.<rule>_step on fresh copies of them}.

    Adam gets copies of state as both m and v, at t = 1; the state returned is its m.
    """
    after = {}
    for rule in ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"):
        given = [np.array(value, dtype=float) for value in (w, g, state, state)]
        if rule == "sgd":
            lab.sgd_step(*given[:2], 0.1)
        elif rule == "adam":
            lab.adam_step(*given, 1, 0.1)
        else:
            getattr(lab, f"{rule}_step")(*given[:3], 0.1)
        after[rule] = tuple(given[:3])
    return after


def _keras_path(optimizer, curvatures, w0, steps):
    """Apply `steps` updates of `optimizer` on the bowl; one float32 Keras variable per entry of w0.

    Returns a list with one array of shape (steps + 1, *shape) per variable.
    """
    import keras

    curvatures = [np.asarray(c, dtype="float32") for c in curvatures]
    variables = [keras.Variable(np.asarray(w, dtype="float32"), name=f"w{i}") for i, w in enumerate(w0)]
    paths = [[np.asarray(w0[i], dtype=float)] for i in range(len(w0))]
    for _ in range(steps):
        values = [keras.ops.convert_to_numpy(variable) for variable in variables]
        gradients = [keras.ops.convert_to_tensor(c * value) for c, value in zip(curvatures, values)]
        optimizer.apply_gradients(zip(gradients, variables))
        for path, variable in zip(paths, variables):
            path.append(np.asarray(keras.ops.convert_to_numpy(variable), dtype=float))
    return [np.array(path) for path in paths]


def optimizer_path(lab, name, config, curvatures, w0, steps):
    """Trajectories of the student's optimizer lab.<name>(**config) on the bowl (see _keras_path)."""
    return _keras_path(getattr(lab, name)(**config), curvatures, w0, steps)


def config_round_trip(lab, name, config, curvatures, w0, steps):
    """lab.<name>(**config).get_config(), and the trajectories of the optimizer rebuilt from it.

    Returns (the config with its values as plain data, trajectories as in
    optimizer_path of cls.from_config(config)).
    """
    cls = getattr(lab, name)
    saved = cls(**config).get_config()
    return plain_config(saved), _keras_path(cls.from_config(dict(saved)), curvatures, w0, steps)
