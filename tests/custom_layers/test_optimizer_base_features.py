"""The Keras base-class features keep working with the course's optimizers.

Each feature is checked against an independent route: the NumPy reference
rule with the feature written out, or the plain optimizer fed gradients that
NumPy already transformed (clipped, averaged).
"""

import keras
import numpy as np
import pytest

from custom_layers import AdamOptimizer
from custom_layers import MomentumOptimizer

STEPS = 25
LR = 0.05


@pytest.fixture(
    params=[
        ("momentum", MomentumOptimizer, {}),
        ("momentum", MomentumOptimizer, {"nesterov": True}),
        ("adam", AdamOptimizer, {}),
        ("adam", AdamOptimizer, {"amsgrad": True}),
    ],
    ids=["momentum", "nesterov", "adam", "amsgrad"],
)
def case(request, references):
    """(make_optimizer(learning_rate, **base_kwargs), make_reference())."""
    name, cls, hyper = request.param
    return (
        lambda learning_rate=LR, **kwargs: cls(
            learning_rate, **hyper, **kwargs
        ),
        lambda: references[name](**hyper),
    )


def max_error(actual, expected):
    """Largest absolute difference over a list of arrays."""
    return max(float(np.max(np.abs(a - e))) for a, e in zip(actual, expected))


def large_gradients(problem):
    """The problem's gradients times 50, so that clipping is active."""
    return lambda weights, t: [50 * g for g in problem.gradient(weights, t)]


def clip_each_norm(grads, limit):
    """NumPy clipnorm: rescale each gradient to a norm of at most `limit`."""
    return [g * min(1.0, limit / np.linalg.norm(g)) for g in grads]


def clip_values(grads, limit):
    """NumPy clipvalue: clip each component to [-limit, limit]."""
    return [np.clip(g, -limit, limit) for g in grads]


def clip_global_norm(grads, limit):
    """NumPy global_clipnorm: rescale all gradients by one common factor."""
    norm = np.sqrt(sum(np.sum(g**2) for g in grads))
    return [g * min(1.0, limit / norm) for g in grads]


@pytest.mark.parametrize(
    "kwargs, clip",
    [
        ({"clipnorm": 1.0}, lambda grads: clip_each_norm(grads, 1.0)),
        ({"clipvalue": 0.5}, lambda grads: clip_values(grads, 0.5)),
        ({"global_clipnorm": 1.0}, lambda grads: clip_global_norm(grads, 1.0)),
    ],
    ids=["clipnorm", "clipvalue", "global_clipnorm"],
)
def test_clipping_equals_plain_optimizer_on_numpy_clipped_gradients(
    case, problem, descend, kwargs, clip
):
    make_optimizer, _ = case
    _, keras_descent = descend
    gradient = large_gradients(problem)
    clipped = keras_descent(
        make_optimizer(**kwargs), problem.initial, gradient, STEPS
    )[-1]
    expected = keras_descent(
        make_optimizer(),
        problem.initial,
        lambda weights, t: clip(gradient(weights, t)),
        STEPS,
    )[-1]
    first = gradient(problem.initial, 0)
    assert max_error(clip(first), first) > 1e-3, "test setup: clipping idle"
    error = max_error(clipped, expected)
    assert error < 1e-6, (
        f"expected {kwargs} to act as NumPy clipping of the gradients, got a "
        f"max deviation of {error:.3g}"
    )


def test_inverse_time_decay_follows_the_slides_rule(case, problem, descend):
    make_optimizer, make_reference = case
    numpy_descent, keras_descent = descend
    steps_per_epoch, decay = 8, 0.5
    schedule = keras.optimizers.schedules.InverseTimeDecay(
        LR, decay_steps=steps_per_epoch, decay_rate=decay, staircase=True
    )
    ours = keras_descent(
        make_optimizer(schedule), problem.initial, problem.gradient, STEPS
    )
    # The slides: lr0 / (1 + decay * epoch), epoch = completed epochs.
    expected = numpy_descent(
        make_reference(),
        problem.initial,
        problem.gradient,
        STEPS,
        lambda t: LR / (1 + decay * (t // steps_per_epoch)),
    )
    error = max_error(ours[-1], expected)
    assert error < 1e-6, (
        "expected the NumPy rule with lr0 / (1 + decay * epoch), got a max "
        f"deviation of {error:.3g}"
    )


def test_weight_decay_shrinks_weights_before_each_step(case, problem, descend):
    make_optimizer, make_reference = case
    numpy_descent, keras_descent = descend
    weight_decay = 0.2
    ours = keras_descent(
        make_optimizer(weight_decay=weight_decay),
        problem.initial,
        problem.gradient,
        STEPS,
    )[-1]
    rule = make_reference()

    def decayed_rule(index, w, g, lr):
        # Keras's decoupled decay: w <- w * (1 - lr * wd), then the rule
        # with the gradient taken before the decay.
        return rule(index, w * (1 - lr * weight_decay), g, lr)

    expected = numpy_descent(
        decayed_rule, problem.initial, problem.gradient, STEPS, lambda t: LR
    )
    error = max_error(ours, expected)
    assert error < 1e-6, (
        "expected decoupled weight decay w *= 1 - lr * wd before each step, "
        f"got a max deviation of {error:.3g}"
    )


def test_gradient_accumulation_steps_averages_gradients(case, descend):
    make_optimizer, _ = case
    _, keras_descent = descend
    accumulate = 3
    rng = np.random.default_rng(7)
    initial = [rng.normal(size=(4, 2))]
    grads = rng.normal(size=(STEPS * accumulate, 4, 2))
    ours = keras_descent(
        make_optimizer(gradient_accumulation_steps=accumulate),
        initial,
        lambda weights, t: [grads[t]],
        STEPS * accumulate,
    )
    averaged = grads.reshape(STEPS, accumulate, 4, 2).mean(axis=1)
    expected = keras_descent(
        make_optimizer(), initial, lambda weights, t: [averaged[t]], STEPS
    )
    updates = [ours[k * accumulate + accumulate - 1] for k in range(STEPS)]
    error = max(max_error(a, b) for a, b in zip(updates, expected))
    assert error < 1e-6, (
        f"expected one step on the mean of every {accumulate} gradients, got "
        f"a max deviation of {error:.3g}"
    )
    moves = [
        max_error(ours[t], ours[t - 1])
        for t in range(1, STEPS * accumulate)
        if (t + 1) % accumulate  # Calls that only accumulate.
    ]
    assert max(moves) == 0.0, (
        "expected the weights to stay put between accumulated updates, "
        f"they moved by up to {max(moves):.3g}"
    )


def test_use_ema_overwrites_weights_with_their_moving_average(
    case, problem, descend
):
    make_optimizer, _ = case
    _, keras_descent = descend
    momentum = 0.8
    ours = keras_descent(
        make_optimizer(
            use_ema=True, ema_momentum=momentum, ema_overwrite_frequency=STEPS
        ),
        problem.initial,
        problem.gradient,
        STEPS,
    )
    plain = keras_descent(
        make_optimizer(), problem.initial, problem.gradient, STEPS
    )
    drift = max(max_error(a, b) for a, b in zip(ours[:-1], plain[:-1]))
    assert drift < 1e-12, (
        "expected the EMA to leave the weights alone until the overwrite, "
        f"they drifted by {drift:.3g}"
    )
    # Keras starts the average at the weights after the first step.
    average = plain[0]
    for weights in plain[1:]:
        average = [
            momentum * a + (1 - momentum) * w for a, w in zip(average, weights)
        ]
    error = max_error(ours[-1], average)
    assert error < 1e-6, (
        f"expected step {STEPS} to overwrite the weights with their NumPy "
        f"moving average, got a max deviation of {error:.3g}"
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "kwargs",
    [
        {"clipnorm": 1.0},
        {"clipvalue": 0.5},
        {"global_clipnorm": 1.0},
        {"weight_decay": 1e-3},
        {"gradient_accumulation_steps": 2},
        {"use_ema": True, "ema_overwrite_frequency": 3},
        {"loss_scale_factor": 128.0},
    ],
    ids=lambda kwargs: next(iter(kwargs)),
)
def test_trains_a_compiled_model_with_feature(case, kwargs):
    make_optimizer, _ = case
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 5)).astype("float32")
    y = (x @ rng.normal(size=(5, 1))).astype("float32")
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(1)])
    model.compile(optimizer=make_optimizer(**kwargs), loss="mse")
    history = model.fit(x, y, batch_size=16, epochs=4, verbose=0)
    losses = history.history["loss"]
    assert np.all(np.isfinite(losses)) and losses[-1] < losses[0], (
        f"expected fit() with {kwargs} to lower the loss, got {losses}"
    )
