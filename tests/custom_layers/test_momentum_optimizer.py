"""MomentumOptimizer against Keras SGD and a NumPy reference."""

import keras
import numpy as np
import pytest

from custom_layers import MomentumOptimizer

STEPS = 100


def max_error(actual, expected):
    """Largest absolute difference over a list of arrays."""
    return max(float(np.max(np.abs(a - e))) for a, e in zip(actual, expected))


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
@pytest.mark.parametrize("nesterov", [False, True])
def test_equals_keras_sgd_with_rescaled_learning_rate(
    problem, descend, beta, nesterov
):
    _, keras_descent = descend
    lr = 0.05
    ours = keras_descent(
        MomentumOptimizer(lr, beta=beta, nesterov=nesterov),
        problem.initial,
        problem.gradient,
        STEPS,
    )
    sgd = keras_descent(
        keras.optimizers.SGD(lr * (1 - beta), momentum=beta, nesterov=nesterov),
        problem.initial,
        problem.gradient,
        STEPS,
    )
    error = max(max_error(a, b) for a, b in zip(ours, sgd))
    assert error < 1e-6, (
        f"expected SGD(lr*(1-beta), momentum=beta, nesterov={nesterov}) "
        f"over {STEPS} steps, got a max deviation of {error:.3g}"
    )


@pytest.mark.parametrize("nesterov", [False, True])
def test_matches_numpy_reference(problem, descend, references, nesterov):
    numpy_descent, keras_descent = descend
    lr, beta = 0.05, 0.9
    ours = keras_descent(
        MomentumOptimizer(lr, beta=beta, nesterov=nesterov),
        problem.initial,
        problem.gradient,
        STEPS,
    )[-1]
    expected = numpy_descent(
        references["momentum"](beta, nesterov),
        problem.initial,
        problem.gradient,
        STEPS,
        lambda t: lr,
    )
    error = max_error(ours, expected)
    assert error < 1e-6, (
        f"expected the slides' rule (nesterov={nesterov}) after {STEPS} "
        f"steps, got a max deviation of {error:.3g}"
    )


def test_nesterov_differs_from_plain_momentum(problem, descend):
    _, keras_descent = descend
    plain, ahead = (
        keras_descent(
            MomentumOptimizer(0.05, nesterov=flag),
            problem.initial,
            problem.gradient,
            10,
        )[-1]
        for flag in (False, True)
    )
    assert max_error(plain, ahead) > 1e-3, (
        "expected nesterov=True to change the trajectory, got the same "
        "weights as plain momentum"
    )


def test_first_step_moves_by_lr_times_one_minus_beta_times_gradient():
    lr, beta = 0.5, 0.75
    gradient = np.array([1.0, -2.0, 4.0])
    w = keras.Variable(np.zeros(3))
    MomentumOptimizer(lr, beta=beta).apply([gradient], [w])
    expected = -lr * (1 - beta) * gradient
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(w),
        expected,
        rtol=1e-12,
        err_msg="the velocity starts at 0, so step 1 is lr*(1-beta)*g",
    )
