"""AdamOptimizer against the slides' Adam in NumPy and against Keras's Adam."""

import keras
import numpy as np
import pytest

from custom_layers import AdamOptimizer

STEPS = 100
LR = 0.01


def max_error(actual, expected):
    """Largest absolute difference over a list of arrays."""
    return max(float(np.max(np.abs(a - e))) for a, e in zip(actual, expected))


def shrinking_gradients(weights, t):
    """Gradients whose size falls 100-fold over 100 steps (state-free).

    Adam's `v_hat` then decays over time, which is when AMSGrad's running
    maximum departs from plain Adam.
    """
    rng = np.random.default_rng(t)
    return [rng.normal(size=w.shape) * 10.0 ** (-t / 50) for w in weights]


@pytest.mark.parametrize(
    "hyper",
    [
        {},
        {"beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-3},
        {"beta_1": 0.0, "beta_2": 0.0},
    ],
    ids=["defaults", "other-betas", "zero-betas"],
)
def test_matches_numpy_reference(problem, descend, references, hyper):
    numpy_descent, keras_descent = descend
    ours = keras_descent(
        AdamOptimizer(LR, **hyper), problem.initial, problem.gradient, STEPS
    )[-1]
    expected = numpy_descent(
        references["adam"](**hyper),
        problem.initial,
        problem.gradient,
        STEPS,
        lambda t: LR,
    )
    error = max_error(ours, expected)
    assert error < 1e-6, (
        f"expected the slides' Adam after {STEPS} steps, got a max deviation "
        f"of {error:.3g}"
    )


def test_first_step_moves_each_weight_by_lr_against_its_gradient_sign():
    gradient = np.array([0.3, -2.0, 5e-2, -7.0])
    w = keras.Variable(np.zeros(4), dtype="float64")
    AdamOptimizer(LR).apply([gradient], [w])
    moved = keras.ops.convert_to_numpy(w)
    np.testing.assert_allclose(
        moved,
        -LR * np.sign(gradient),
        rtol=1e-5,
        err_msg="m_hat = g and v_hat = g**2 at step 1, so the step is "
        "lr * sign(g) up to epsilon",
    )


def test_epsilon_is_added_outside_the_square_root():
    # At step 1, m_hat = g and sqrt(v_hat) = |g| exactly, so a large epsilon
    # shows where it sits: lr * g / (|g| + eps). Keras's "epsilon hat" would
    # give lr * g / (|g| + eps / sqrt(1 - beta_2)) instead.
    eps = 0.5
    gradient = np.array([1.0, -0.25])
    w = keras.Variable(np.zeros(2), dtype="float64")
    AdamOptimizer(LR, epsilon=eps).apply([gradient], [w])
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(w),
        -LR * gradient / (np.abs(gradient) + eps),
        rtol=1e-6,
        err_msg="expected the step lr * g / (|g| + epsilon)",
    )


def test_tracks_keras_adam_when_epsilon_is_tiny(problem, descend):
    _, keras_descent = descend
    # Keras's Adam rounds the betas to float32 even for float64 variables,
    # so use betas that float32 holds exactly.
    hyper = {"beta_1": 0.875, "beta_2": 1 - 2**-10, "epsilon": 1e-12}
    ours, theirs = (
        keras_descent(optimizer, problem.initial, problem.gradient, STEPS)[-1]
        for optimizer in (
            AdamOptimizer(LR, **hyper),
            keras.optimizers.Adam(LR, **hyper),
        )
    )
    error = max_error(ours, theirs)
    assert error < 1e-6, (
        f"expected to track keras.optimizers.Adam with {hyper}, got a "
        f"max deviation of {error:.3g}"
    )


def test_amsgrad_matches_numpy_reference(descend, references, problem):
    numpy_descent, keras_descent = descend
    ours = keras_descent(
        AdamOptimizer(LR, amsgrad=True),
        problem.initial,
        shrinking_gradients,
        STEPS,
    )[-1]
    expected = numpy_descent(
        references["adam"](amsgrad=True),
        problem.initial,
        shrinking_gradients,
        STEPS,
        lambda t: LR,
    )
    error = max_error(ours, expected)
    assert error < 1e-6, (
        "expected AMSGrad on the bias-corrected v_hat, got a max deviation "
        f"of {error:.3g}"
    )


def test_amsgrad_departs_from_adam_when_gradients_shrink(descend, problem):
    _, keras_descent = descend
    plain, amsgrad = (
        keras_descent(
            AdamOptimizer(LR, amsgrad=flag),
            problem.initial,
            shrinking_gradients,
            STEPS,
        )[-1]
        for flag in (False, True)
    )
    assert max_error(plain, amsgrad) > 1e-3, (
        "expected amsgrad=True to take smaller steps once gradients shrink, "
        "got the same weights as plain Adam"
    )


def test_amsgrad_v_hat_never_decreases():
    w = keras.Variable(np.zeros(5), dtype="float64")
    optimizer = AdamOptimizer(LR, amsgrad=True)
    history = []
    for t in range(STEPS):
        optimizer.apply(shrinking_gradients([np.zeros(5)], t), [w])
        (v_hat_max,) = [
            v for v in optimizer.variables if "velocity_hat" in v.name
        ]
        history.append(keras.ops.convert_to_numpy(v_hat_max))
    decreases = np.diff(np.array(history), axis=0) < 0
    assert not decreases.any(), (
        "expected the AMSGrad maximum of v_hat to be non-decreasing, it "
        f"decreased at {int(decreases.sum())} (step, weight) pairs"
    )
