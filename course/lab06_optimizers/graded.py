"""Graded tests for lab 6: from gradient descent to Adam.

Expected values come from the update rules worked out by hand here, a few
steps on tiny problems (each number's arithmetic is written next to it),
from closed forms (gradient descent on a quadratic, the first step of
AdaGrad, RMSprop and Adam), and from Keras's own optimizers, run by the
grader through `lab.references` (references.py), never in
the student's process: keras.optimizers.SGD, which the slides' momentum
equals with a learning rate lr * (1 - beta), and keras.optimizers.Adam,
which the slides' Adam equals once its epsilon is moved as the reference
explains. Nothing comes from the solution.

The student's Keras optimizers are run on a fixed bowl with two variables,
f = sum(c * w**2) / 2 over a 2x2 matrix and a vector of 3, and compared
with those references. They may not delegate to Keras's or the course's
optimizers: those are forbidden during their tests.
"""

import numpy as np

from autograder.graded import RemoteError, expect_close, expect_equal, expect_raises, expect_true, graded

# The bowl for the Keras optimizers: f = sum(c * w**2) / 2 over two variables,
# with gradient c * w. Curvatures from 0.01 to 4: the 0.01 entries have tiny
# gradients (0.02, 0.003), where Adam's epsilon matters.
BOWL_C = [np.array([[1.0, 4.0], [0.5, 2.0]]), np.array([3.0, 0.01, 0.01])]
BOWL_W0 = [np.array([[1.0, -2.0], [0.5, 1.5]]), np.array([-1.0, 2.0, 0.3])]
BOWL_ARGS = ([c.tolist() for c in BOWL_C], [w.tolist() for w in BOWL_W0])  # as the probes take them
BOWL = "the bowl f = sum(c * w**2) / 2 over two float32 variables (a 2x2 matrix and a vector of 3)"
# Keras runs in float32: over 15 steps its rounding grows to about 1e-6 here.
KERAS_RTOL, KERAS_ATOL = 1e-4, 1e-5

FORBID = {
    "keras.optimizers.SGD": "write the update yourself in update_step, with keras.ops, not by delegating to SGD",
    "keras.optimizers.Adam": "write Adam's update yourself in update_step, with keras.ops",
    "keras.optimizers.RMSprop": "write the update yourself in update_step, with keras.ops",
    "custom_layers.MomentumOptimizer": "the course's finished optimizer is not yours to hand in: write your own",
    "custom_layers.AdamOptimizer": "the course's finished optimizer is not yours to hand in: write your own",
}


def expect_paths(got, expected, called, hint):
    """Each variable's trajectory (a list of arrays) matches, to float32's accuracy."""
    expect_equal(len(got), len(expected), called=called, hint="one trajectory per variable")
    for index, (path, wanted) in enumerate(zip(got, expected)):
        # Row k: the variable's entries after k steps.
        wanted = np.asarray(wanted)
        rows = wanted.reshape(len(wanted), -1)
        expect_close(np.reshape(path, rows.shape) if np.size(path) == rows.size else path, rows, rtol=KERAS_RTOL,
                     atol=KERAS_ATOL, called=f"{called}; variable {index}, one row per step, flattened", hint=hint)


def returned_tuple(returned, size, hint):
    """The rule's return value as a tuple of `size` items, or a failure that says what came back."""
    expect_true(isinstance(returned, (tuple, list)) and len(returned) == size,
                f"a tuple of {size} values", repr(returned)[:200], hint=hint)
    return tuple(returned)


def expect_step(got, expected, names, hint):
    """Compare one step's returned tuple, item by item (w first, then the state)."""
    got = returned_tuple(got, len(expected), "return the new parameters and the new state, in the docstring's order")
    for value, wanted, name in zip(got, expected, names):
        expect_close(value, wanted, rtol=1e-7, atol=1e-12, hint=f"{name}: {hint}")


# gradient descent ---------------------------------------------------------------

@graded(points=1)
def sgd_step_by_hand(lab):
    "sgd_step takes one step against the gradient: [1, -2] - 0.1 * [0.5, 1] = [0.95, -2.1]"
    expect_close(lab.sgd_step([1.0, -2.0], [0.5, 1.0], 0.1), [0.95, -2.1], rtol=1e-12, hint="w - lr * g")
    expect_close(lab.sgd_step(3.0, 2.0, 0.25), 2.5, rtol=1e-12, hint="a number works too: 3 - 0.25 * 2")


@graded(points=1)
def sgd_quadratic_closed_form(lab):
    "sgd_step on f(w) = sum(c * w**2) / 2 multiplies each w by (1 - lr c) at every step"
    c, w0, lr = np.array([1.0, 3.0]), np.array([2.0, -1.0]), 0.2
    path = lab.probes.rule_path("sgd", c, w0, lr, 5)
    expect_close(path, w0 * (1 - lr * c) ** np.arange(6)[:, None], rtol=1e-12,
                 called="5 calls w = sgd_step(w, c * w, 0.2) from w = [2, -1] with c = [1, 3]",
                 hint="the gradient of c w^2 / 2 is c w, so each step gives w - lr c w = (1 - lr c) w")


@graded(points=1)
def sgd_rejects_bad_arguments(lab):
    "sgd_step rejects a negative learning rate and a gradient whose shape is not w's, with ValueError"
    expect_raises(ValueError, lab.sgd_step, [1.0, 2.0], [0.1, 0.1], -0.1, mentions="lr",
                  hint="check lr with _check_step, which names it")
    expect_raises(ValueError, lab.sgd_step, [1.0, 2.0], [0.1, 0.1, 0.1], 0.1, mentions="g",
                  hint="g must have the shape of w")


# momentum ----------------------------------------------------------------------------

@graded(points=2)
def momentum_by_hand(lab):
    "momentum_step on f(w) = w^2 / 2 from w = 1 (lr 0.1, beta 0.9) gives the slides' form: w = 0.99, 0.9711, 0.944379"
    hint = "the slides' form: v = beta * v + (1 - beta) * g, then w = w - lr * v (not Keras's v = beta * v + g)"
    names = ("w", "velocity")
    # v = 0.9 * 0 + 0.1 * 1 = 0.1; w = 1 - 0.1 * 0.1 = 0.99
    expect_step(lab.momentum_step(1.0, 1.0, 0.0, 0.1, beta=0.9), (0.99, 0.1), names, hint)
    # v = 0.9 * 0.1 + 0.1 * 0.99 = 0.189; w = 0.99 - 0.1 * 0.189 = 0.9711
    expect_step(lab.momentum_step(0.99, 0.99, 0.1, 0.1, beta=0.9), (0.9711, 0.189), names, hint)
    # v = 0.9 * 0.189 + 0.1 * 0.9711 = 0.26721; w = 0.9711 - 0.1 * 0.26721 = 0.944379
    expect_step(lab.momentum_step(np.array([0.9711]), np.array([0.9711]), np.array([0.189]), 0.1),
                ([0.944379], [0.26721]), names, hint + "; beta defaults to 0.9")


@graded(points=1)
def momentum_beta_zero_is_sgd(lab):
    "momentum_step with beta = 0 forgets the old velocity: it is gradient descent"
    w, g, old = np.array([1.0, 2.0]), np.array([0.5, -1.0]), np.array([3.0, 3.0])
    expect_step(lab.momentum_step(w, g, old, 0.1, beta=0.0), (w - 0.1 * g, g), ("w", "velocity"),
                "with beta = 0 the velocity is the gradient itself")


@graded(points=1)
def momentum_rejects_bad_arguments(lab):
    "momentum_step rejects beta outside [0, 1) and a velocity whose shape is not w's, with ValueError"
    expect_raises(ValueError, lab.momentum_step, [1.0], [1.0], [0.0], 0.1, beta=1.0, mentions="beta",
                  hint="beta = 1 would never forget a gradient; check it with check_fraction")
    expect_raises(ValueError, lab.momentum_step, [1.0, 2.0], [1.0, 1.0], [0.0], 0.1, mentions="velocity",
                  hint="the velocity has the shape of w")


@graded(points=2)
def nesterov_by_hand(lab):
    "nesterov_step on f(w) = w^2 / 2 from w = 1 (lr 0.1, beta 0.9) looks ahead: w = 0.981, then 0.954261"
    hint = "update v as momentum does, then step along beta * v + (1 - beta) * g, the look-ahead velocity"
    names = ("w", "velocity")
    # v = 0.1; w = 1 - 0.1 * (0.9 * 0.1 + 0.1 * 1) = 0.981
    expect_step(lab.nesterov_step(1.0, 1.0, 0.0, 0.1, beta=0.9), (0.981, 0.1), names, hint)
    # v = 0.9 * 0.1 + 0.1 * 0.981 = 0.1881; w = 0.981 - 0.1 * (0.9 * 0.1881 + 0.1 * 0.981) = 0.954261
    expect_step(lab.nesterov_step(0.981, 0.981, 0.1, 0.1, beta=0.9), (0.954261, 0.1881), names, hint)


# AdaGrad, RMSprop, Adam -------------------------------------------------------------

@graded(points=2)
def adagrad_by_hand(lab):
    "adagrad_step: the cache sums g**2, each step divides by its root: w = [0.9, -0.9], then [0.82929, -0.94472]"
    hint = "cache = cache + g**2, then w = w - lr * g / (sqrt(cache) + eps), eps outside the root"
    names = ("w", "cache")
    # cache = [0.25, 4]; w = [1 - 0.1 * 0.5 / 0.5, -1 + 0.1 * 2 / 2] (+ eps in the denominators)
    expect_step(lab.adagrad_step([1.0, -1.0], [0.5, -2.0], [0.0, 0.0], 0.1),
                ([1 - 0.05 / (0.5 + 1e-7), -1 + 0.2 / (2 + 1e-7)], [0.25, 4.0]), names, hint)
    # cache = [0.25 + 0.25, 4 + 1] = [0.5, 5]; w = [0.9 - 0.1 * 0.5 / sqrt(0.5), -0.9 - 0.1 * 1 / sqrt(5)]
    expect_step(lab.adagrad_step([0.9, -0.9], [0.5, 1.0], [0.25, 4.0], 0.1, eps=1e-7),
                ([0.9 - 0.05 / (np.sqrt(0.5) + 1e-7), -0.9 - 0.1 / (np.sqrt(5.0) + 1e-7)], [0.5, 5.0]), names, hint)


@graded(points=2)
def rmsprop_by_hand(lab):
    "rmsprop_step: the cache is a moving average of g**2 (rho 0.9): w = [0.96838, -0.96838], then [0.94706, -0.98474]"
    hint = "cache = rho * cache + (1 - rho) * g**2, then w = w - lr * g / (sqrt(cache) + eps)"
    names = ("w", "cache")
    # cache = 0.1 * [0.25, 4] = [0.025, 0.4]; w = [1 - 0.01 * 0.5 / sqrt(0.025), -1 + 0.01 * 2 / sqrt(0.4)]
    expect_step(lab.rmsprop_step([1.0, -1.0], [0.5, -2.0], [0.0, 0.0], 0.01),
                ([1 - 0.005 / (np.sqrt(0.025) + 1e-7), -1 + 0.02 / (np.sqrt(0.4) + 1e-7)], [0.025, 0.4]), names,
                hint + "; rho defaults to 0.9")
    # cache = [0.9 * 0.025 + 0.1 * 0.25, 0.9 * 0.4 + 0.1 * 1] = [0.0475, 0.46]
    expect_step(lab.rmsprop_step([0.97, -0.97], [0.5, 1.0], [0.025, 0.4], 0.01, rho=0.9, eps=1e-7),
                ([0.97 - 0.005 / (np.sqrt(0.0475) + 1e-7), -0.97 - 0.01 / (np.sqrt(0.46) + 1e-7)], [0.0475, 0.46]),
                names, hint)


@graded(points=1)
def rmsprop_first_step(lab):
    "rmsprop_step's first step is lr / sqrt(1 - rho) against the gradient's sign, whatever the gradient's size"
    g = np.array([1e-3, -0.5, 20.0, -3e3])
    w, cache = returned_tuple(lab.rmsprop_step(np.zeros(4), g, np.zeros(4), 0.01, rho=0.99, eps=0.0), 2,
                              "return (w_new, cache_new)")
    expect_close(w, -0.01 / np.sqrt(1 - 0.99) * np.sign(g), rtol=1e-9,
                 hint="from cache 0, cache = (1 - rho) g**2, so g / sqrt(cache) = sign(g) / sqrt(1 - rho)")
    expect_close(cache, 0.01 * g ** 2, rtol=1e-12, hint="cache = rho * 0 + (1 - rho) * g**2")


@graded(points=2)
def adam_first_step(lab):
    "adam_step's first step moves each weight by lr against its gradient's sign, whatever the gradient's size"
    g = np.array([1e-3, -0.5, 20.0, -3e3])
    w, m, v = returned_tuple(lab.adam_step(np.zeros(4), g, np.zeros(4), np.zeros(4), 1, lr=0.01), 3,
                             "return (w_new, m_new, v_new)")
    # m_hat = g and v_hat = g**2 at t = 1, so the step is lr * g / (|g| + eps).
    expect_close(w, -0.01 * g / (np.abs(g) + 1e-7), rtol=1e-9,
                 hint="divide m by 1 - beta1**t and v by 1 - beta2**t (the bias correction): then m_hat = g "
                      "and v_hat = g**2 at the first step")
    expect_close(m, 0.1 * g, rtol=1e-12, hint="return m itself, before the correction: m = 0.9 * 0 + 0.1 * g")
    expect_close(v, 0.001 * g ** 2, rtol=1e-12, hint="return v itself, before the correction: v = 0.001 * g**2")


@graded(points=2)
def adam_two_steps_by_hand(lab):
    "adam_step, two steps by hand (lr 0.1): w = [-0.1, 1.1], then [-0.19322, 1.19322]"
    hint = ("m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g**2; m_hat = m / (1 - b1**t); "
            "v_hat = v / (1 - b2**t); w = w - lr * m_hat / (sqrt(v_hat) + eps)")
    names = ("w", "m", "v")
    # t = 1: m = [0.1, -0.4], v = [0.001, 0.016], m_hat = [1, -4], v_hat = [1, 16]
    expect_step(lab.adam_step([0.0, 1.0], [1.0, -4.0], [0.0, 0.0], [0.0, 0.0], 1, lr=0.1),
                ([-0.1 / (1 + 1e-7), 1 + 0.4 / (4 + 1e-7)], [0.1, -0.4], [0.001, 0.016]), names, hint)
    # t = 2: m = [0.09 + 0.05, -0.36 - 0.2] = [0.14, -0.56]; v = [0.000999 + 0.00025, 0.015984 + 0.004]
    m, v = np.array([0.14, -0.56]), np.array([0.001249, 0.019984])
    m_hat, v_hat = m / (1 - 0.9 ** 2), v / (1 - 0.999 ** 2)
    expect_step(lab.adam_step([-0.1, 1.1], [0.5, -2.0], [0.1, -0.4], [0.001, 0.016], 2, lr=0.1),
                (np.array([-0.1, 1.1]) - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-7), m, v), names,
                hint + " (at t = 2, 1 - b1**2 = 0.19)")


@graded(points=1)
def adam_other_betas(lab):
    "adam_step uses the beta1 and beta2 it is given: two steps with beta1 = 0.5, beta2 = 0.75 (lr 0.1)"
    hint = "use the arguments beta1 and beta2 in the averages and in the correction, not 0.9 and 0.999"
    names = ("w", "m", "v")
    # t = 1, g = 2: m = 0.5 * 2 = 1, v = 0.25 * 4 = 1; m_hat = 1 / 0.5 = 2, v_hat = 1 / 0.25 = 4
    expect_step(lab.adam_step(0.0, 2.0, 0.0, 0.0, 1, lr=0.1, beta1=0.5, beta2=0.75),
                (-0.1 * 2 / (2 + 1e-7), 1.0, 1.0), names, hint)
    # t = 2, g = 3: m = 0.5 + 1.5 = 2, v = 0.75 + 2.25 = 3; m_hat = 2 / 0.75, v_hat = 3 / 0.4375
    expect_step(lab.adam_step(1.0, 3.0, 1.0, 1.0, 2, lr=0.1, beta1=0.5, beta2=0.75),
                (1 - 0.1 * (2 / 0.75) / (np.sqrt(3 / 0.4375) + 1e-7), 2.0, 3.0), names,
                hint + " (at t = 2: 1 - 0.5**2 = 0.75 and 1 - 0.75**2 = 0.4375)")


@graded(points=1)
def adagrad_and_rmsprop_use_eps(lab):
    "adagrad_step and rmsprop_step add the eps they are given: with eps = 1 and g = 1 AdaGrad's first step is lr / 2"
    names = ("w", "cache")
    # cache = 1; w = 1 - 0.1 * 1 / (sqrt(1) + 1)
    expect_step(lab.adagrad_step(1.0, 1.0, 0.0, 0.1, eps=1.0), (0.95, 1.0), names,
                "divide by sqrt(cache) + eps with the eps argument, not a fixed 1e-7")
    # cache = 0.1; w = 1 - 0.1 * 1 / (sqrt(0.1) + 1)
    expect_step(lab.rmsprop_step(1.0, 1.0, 0.0, 0.1, eps=1.0), (1 - 0.1 / (np.sqrt(0.1) + 1), 0.1), names,
                "divide by sqrt(cache) + eps with the eps argument, not a fixed 1e-7")


@graded(points=1)
def rules_leave_inputs_untouched(lab):
    "every update rule returns new arrays and leaves the caller's w, g and state as they were"
    w, g, state = np.array([1.0, -2.0]), np.array([0.5, 1.0]), np.array([0.2, 0.3])
    for rule, after in lab.probes.inputs_after(w, g, state).items():
        for name, value, given in zip(("w", "g", "state"), after, (w, g, state)):
            expect_close(value, given, rtol=0, called=f"{rule}_step on arrays w, g and its state; then {name}",
                         hint="compute new arrays (velocity = beta * velocity + ..., not velocity *= beta): the "
                              "caller may still need the old ones")


@graded(points=1)
def adam_epsilon_outside_root(lab):
    "adam_step adds eps outside the square root: with eps = 0.01 and g = 0.01 the first step is lr / 2"
    w, _, _ = returned_tuple(lab.adam_step(0.0, 0.01, 0.0, 0.0, 1, lr=1.0, eps=0.01), 3, "return (w_new, m_new, v_new)")
    # m_hat = 0.01, v_hat = 1e-4: 0.01 / (sqrt(1e-4) + 0.01) = 0.5; inside the root it would be 0.0995.
    expect_close(w, -0.5, rtol=1e-9, hint="w - lr * m_hat / (sqrt(v_hat) + eps), not / sqrt(v_hat + eps)")


@graded(points=1)
def adam_rejects_bad_arguments(lab):
    "adam_step rejects a step number t < 1, beta2 = 1 and an m whose shape is not w's, with ValueError"
    zeros = [0.0, 0.0]
    expect_raises(ValueError, lab.adam_step, zeros, [1.0, 1.0], zeros, zeros, 0, mentions="t",
                  hint="t counts the steps from 1: at t = 0, 1 - beta1**t is 0")
    expect_raises(ValueError, lab.adam_step, zeros, [1.0, 1.0], zeros, zeros, 1, beta2=1.0, mentions="beta2",
                  hint="the decay rates must lie in [0, 1)")
    expect_raises(ValueError, lab.adam_step, zeros, [1.0, 1.0], [0.0], zeros, 1, mentions="m",
                  hint="m has the shape of w")


@graded(points=1)
def inverse_time_decay_values(lab):
    "inverse_time_decay(0.1, 0.5, epoch) is 0.1 / (1 + 0.5 epoch): 0.1, 0.0667, 0.05, 0.04, and 0.08 at epoch 0.5; bad arguments raise ValueError"
    epochs = np.arange(4.0)
    expect_close(lab.inverse_time_decay(0.1, 0.5, epochs), 0.1 / (1 + 0.5 * epochs), rtol=1e-12,
                 hint="lr0 / (1 + decay_rate * epoch), elementwise for an array of epochs")
    expect_close(lab.inverse_time_decay(0.3, 0.0, 7), 0.3, rtol=1e-12, hint="decay_rate 0 keeps lr0")
    expect_close(lab.inverse_time_decay(0.1, 0.5, 0.5), 0.08, rtol=1e-12,
                 hint="epochs need not be whole: 0.1 / (1 + 0.5 * 0.5), no rounding of the epoch")
    expect_raises(ValueError, lab.inverse_time_decay, -0.1, 0.5, 1, mentions="lr0")
    expect_raises(ValueError, lab.inverse_time_decay, 0.1, -0.5, 1, mentions="decay_rate")
    expect_raises(ValueError, lab.inverse_time_decay, 0.1, 0.5, -1, mentions="epoch")


# the Keras routes ---------------------------------------------------------------------

@graded(points=3, timeout=120)
def rules_agree_with_keras(lab):
    "momentum_step and nesterov_step equal Keras's SGD with learning rate lr * (1 - beta); adam_step equals Keras's Adam with its epsilon moved"
    c, w0, steps = np.array([0.5, 2.0, 8.0]), np.array([1.0, -1.0, 0.5]), 15
    for rule, nesterov in (("momentum", False), ("nesterov", True)):
        expected = lab.references.momentum_path([c.tolist()], [w0.tolist()], 0.1, 0.8, steps, nesterov=nesterov)[0]
        expect_close(lab.probes.rule_path(rule, c, w0, 0.1, steps, beta=0.8), expected, rtol=KERAS_RTOL,
                     atol=KERAS_ATOL,
                     called=f"{steps} calls of {rule}_step(w, c * w, velocity, 0.1, beta=0.8) from w = {w0.tolist()}, "
                            f"c = {c.tolist()}; expected: keras.optimizers.SGD(learning_rate=0.02, momentum=0.8, "
                            f"nesterov={nesterov}) on the same problem",
                     hint="Keras's velocity is -lr / (1 - beta) times the slides' one: the steps agree only in the "
                          "slides' form, v = beta v + (1 - beta) g")
    expected = lab.references.adam_path([c.tolist()], [w0.tolist()], 0.05, 0.9, 0.999, 1e-3, steps)[0]
    expect_close(lab.probes.rule_path("adam", c, w0, 0.05, steps, eps=1e-3), expected, rtol=KERAS_RTOL,
                 atol=KERAS_ATOL,
                 called=f"{steps} calls of adam_step(w, c * w, m, v, t, lr=0.05, eps=1e-3), t = 1, 2, ...; expected: "
                        "keras.optimizers.Adam(learning_rate=0.05) with its epsilon set to 1e-3 * sqrt(1 - 0.999**t) "
                        "at step t, which puts it where the slides put eps",
                 hint="the slides' Adam: bias-corrected m_hat and v_hat, eps outside the square root")


def own_rule_note(lab, rule, expected, **hyper):
    """A line saying whether the student's own NumPy rule follows the reference on the bowl."""
    try:
        own = [lab.probes.rule_path(rule, c, w, steps=len(expected[0]) - 1, **hyper) for c, w in zip(*BOWL_ARGS)]
    except RemoteError:  # not written yet, or broken: say nothing more
        return ""
    if all(np.allclose(path, wanted, rtol=KERAS_RTOL, atol=KERAS_ATOL) for path, wanted in zip(own, expected)):
        return f"\nNote:     your {rule}_step follows the reference on this problem: compare your update_step with it."
    return f"\nNote:     your {rule}_step does not follow the reference either: start with it."


def expect_optimizer_paths(lab, got, expected, called, hint, rule, **hyper):
    """expect_paths, adding to a failure whether the student's NumPy rule agrees with the reference."""
    try:
        expect_paths(got, expected, called, hint)
    except AssertionError as failure:
        failure.args = (failure.args[0] + own_rule_note(lab, rule, expected, **hyper),)
        raise


MOMENTUM = {"learning_rate": 0.1, "beta": 0.8}
ADAM = {"learning_rate": 0.05, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-3}


def momentum_reference(lab, steps):
    """The slides' momentum with the MOMENTUM settings on the bowl, from Keras's SGD."""
    return lab.references.momentum_path(*BOWL_ARGS, MOMENTUM["learning_rate"], MOMENTUM["beta"], steps)


def adam_reference(lab, steps):
    """The slides' Adam with the ADAM settings on the bowl, from Keras's Adam."""
    return lab.references.adam_path(*BOWL_ARGS, ADAM["learning_rate"], ADAM["beta_1"], ADAM["beta_2"], ADAM["epsilon"],
                               steps)


def arguments(config):
    """'learning_rate=0.1, beta=0.8' from a config."""
    return ", ".join(f"{key}={value}" for key, value in config.items())


@graded(points=3, timeout=120, forbid=FORBID)
def momentum_optimizer_trajectory(lab):
    "MomentumOptimizer(learning_rate=0.1, beta=0.8): 15 steps of apply_gradients on a two-variable bowl follow the slides' momentum"
    got = lab.probes.optimizer_path("MomentumOptimizer", MOMENTUM, *BOWL_ARGS, 15)
    expect_optimizer_paths(lab, got, momentum_reference(lab, 15),
                           f"MomentumOptimizer({arguments(MOMENTUM)}), 15 x apply_gradients on {BOWL}",
                           "velocity = beta * velocity + (1 - beta) * gradient, one velocity per variable; "
                           "variable -= learning_rate * velocity", "momentum", lr=0.1, beta=0.8)


@graded(points=3, timeout=120, forbid=FORBID)
def adam_optimizer_trajectory(lab):
    "AdamOptimizer(learning_rate=0.05, beta_1=0.8, beta_2=0.99, epsilon=1e-3): 15 steps on a two-variable bowl follow the slides' Adam"
    got = lab.probes.optimizer_path("AdamOptimizer", ADAM, *BOWL_ARGS, 15)
    expect_optimizer_paths(lab, got, adam_reference(lab, 15), f"AdamOptimizer({arguments(ADAM)}), 15 x apply_gradients "
                           f"on {BOWL}",
                           "t = self.iterations + 1; correct m and v by 1 - beta**t; epsilon outside the square "
                           "root; use the beta_1, beta_2 and epsilon you were given",
                           "adam", lr=0.05, beta1=0.8, beta2=0.99, eps=1e-3)


def expect_config_round_trip(lab, name, config, expected):
    """name(**config).get_config() holds each hyperparameter; from_config rebuilds an optimizer that steps alike."""
    called = f"{name}({arguments(config)}).get_config()"
    saved, path = lab.probes.config_round_trip(name, config, *BOWL_ARGS, 3)
    for key, value in config.items():
        expect_true(key in saved, f"a config with the key {key!r}", f"the keys {sorted(saved)}", called=called,
                    hint="start from super().get_config() and add your hyperparameters under their argument names")
        expect_close(saved[key], value, rtol=1e-6, called=called, hint=f"config[{key!r}] is the {key} given")
    expect_paths(path, expected, f"{name}.from_config({called}), 3 x apply_gradients on {BOWL}",
                 "the rebuilt optimizer must take the same steps as the original")


@graded(points=1, timeout=120, forbid=FORBID)
def momentum_optimizer_config(lab):
    "MomentumOptimizer lists learning_rate and beta in get_config, and from_config rebuilds an optimizer that steps alike"
    expect_config_round_trip(lab, "MomentumOptimizer", MOMENTUM, momentum_reference(lab, 3))


@graded(points=1, timeout=120, forbid=FORBID)
def adam_optimizer_config(lab):
    "AdamOptimizer lists learning_rate, beta_1, beta_2 and epsilon in get_config, and from_config rebuilds an optimizer that steps alike"
    expect_config_round_trip(lab, "AdamOptimizer", ADAM, adam_reference(lab, 3))


@graded(points=1, timeout=120, forbid=FORBID)
def momentum_optimizer_rejects_bad_arguments(lab):
    "MomentumOptimizer rejects beta = 1 and a negative learning rate with ValueError naming them"
    expect_raises(ValueError, lab.probes.optimizer_path, "MomentumOptimizer", {"beta": 1.0}, *BOWL_ARGS, 1,
                  mentions="beta", hint="check beta in __init__ (check_real, in [0, 1)), before calling super().__init__")
    expect_raises(ValueError, lab.probes.optimizer_path, "MomentumOptimizer", {"learning_rate": -0.1}, *BOWL_ARGS, 1,
                  mentions="learning_rate", hint="check learning_rate in __init__ (check_learning_rate): Keras's "
                                                 "base class accepts a negative one, which climbs the loss")


@graded(points=1, timeout=120, forbid=FORBID)
def adam_optimizer_rejects_bad_arguments(lab):
    "AdamOptimizer rejects beta_1 = 1, beta_2 = 1, a negative epsilon and a negative learning rate with ValueError naming them"
    for config, argument in (({"beta_1": 1.0}, "beta_1"), ({"beta_2": 1.0}, "beta_2"), ({"epsilon": -1e-7}, "epsilon"),
                             ({"learning_rate": -0.1}, "learning_rate")):
        expect_raises(ValueError, lab.probes.optimizer_path, "AdamOptimizer", config, *BOWL_ARGS, 1,
                      mentions=argument, hint=f"check {argument} in __init__, before calling super().__init__")
