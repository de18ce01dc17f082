"""Probes for lab 9: calls that need a callable or many fits, run inside the grading child.

Each probe receives the student's module first and returns plain data. They
hold no expected values and judge nothing: the graded tests do that.
"""

import numpy as np


def _recorder(centre):
    """objective(**params) = sum of (log10 value - centre)**2 over the names, recording every call."""
    calls = []

    def objective(**params):
        calls.append(dict(params))
        return float(sum((np.log10(value) - centre[name]) ** 2 for name, value in params.items()))

    return objective, calls


def grid_search_recorded(lab, grid, centre):
    """lab.grid_search on a bowl centred at 10**centre: (best_params, trials, the calls the objective saw)."""
    objective, calls = _recorder(centre)
    best, trials = lab.grid_search(objective, grid)
    return best, [(dict(params), float(error)) for params, error in trials], calls


def random_search_recorded(lab, space, n_trials, seed, centre):
    """lab.random_search on the same bowl: (best_params, trials, calls)."""
    objective, calls = _recorder(centre)
    best, trials = lab.random_search(objective, {name: tuple(bounds) for name, bounds in space.items()},
                                     n_trials, seed)
    return best, [(dict(params), float(error)) for params, error in trials], calls


def polynomial_predictions(lab, x_sets, y_sets, degree, x_eval):
    """For each training set (a row of x_sets, y_sets), lab.fit_polynomial's polynomial at x_eval: shape (k, len(x_eval))."""
    features = lab.polynomial_features(np.asarray(x_eval, dtype=float), degree)
    return np.array([features @ np.asarray(lab.fit_polynomial(x, y, degree)) for x, y in zip(x_sets, y_sets)])


def scores(lab, X, params, activation_name, residual):
    """The scores of lab.deep_mlp_forward (its cache stays in the child)."""
    return lab.deep_mlp_forward(X, [tuple(pair) for pair in params], activation_name, residual)[0]


def train(lab, X, y, params, lr, steps, activation_name="relu", residual=False, clip=None):
    """lab.train_deep_mlp under np.errstate(ignore) (a diverging run is part of the lesson): its three results."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return lab.train_deep_mlp(X, y, [tuple(pair) for pair in params], lr, steps, activation_name, residual, clip)


def dead_after_training(lab, X, y, params, lr, steps, activation_name="relu"):
    """lab.dead_unit_fraction of the network lab.train_deep_mlp trained, and the losses."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        trained, losses, _ = lab.train_deep_mlp(X, y, [tuple(pair) for pair in params], lr, steps, activation_name)
        return lab.dead_unit_fraction(X, trained, activation_name), losses


def nadam_run(lab, w, gradients, lr):
    """lab.nadam_step over the gradients in turn, from m = v = 0: the weights after each step."""
    w = np.asarray(w, dtype=float)
    m, v, out = np.zeros_like(w), np.zeros_like(w), []
    for t, g in enumerate(gradients, start=1):
        w, m, v = lab.nadam_step(w, np.asarray(g, dtype=float), m, v, t, lr=lr)
        out.append(np.asarray(w, dtype=float))
    return out


def stochastic_depth_runs(lab, h, W, b, survival, calls, seed):
    """`calls` training outputs of lab.stochastic_depth_block, all with one Generator default_rng(seed)."""
    generator = np.random.default_rng(seed)
    return [lab.stochastic_depth_block(h, W, b, survival, True, generator) for _ in range(calls)]


def train_then_inputs(lab, X, y, params, lr, steps):
    """lab.train_deep_mlp on a list of (W, b) arrays; then that list as it stands, to see whether training changed it."""
    passed = [(np.array(W, dtype=float), np.array(b, dtype=float)) for W, b in params]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        lab.train_deep_mlp(X, y, passed, lr, steps)
    return [(np.asarray(W), np.asarray(b)) for W, b in passed]


def stochastic_depth_seeded_runs(lab, h, W, b, survival, seeds):
    """One training output of lab.stochastic_depth_block per int seed, the seed passed as rng."""
    return [lab.stochastic_depth_block(h, W, b, survival, True, int(seed)) for seed in seeds]
