"""The optimizers on float16, bfloat16 and mixed_float16 models.

In float16, Adam's `epsilon * sqrt(1 - beta_2**t)` and small squared
gradients round to zero, so a weight whose gradient is exactly 0 got
`0 / 0 = NaN`. The reference below is the slides' rule in float64 NumPy
with the weights rounded to the low-precision dtype after every step.
"""

import keras
import ml_dtypes
import numpy as np
import pytest

from custom_layers import AdamOptimizer
from custom_layers import MomentumOptimizer

pytestmark = pytest.mark.all_backends

LOW_PRECISION = {"float16": np.float16, "bfloat16": ml_dtypes.bfloat16}
OPTIMIZERS = {
    "adam": (AdamOptimizer, "adam"),
    "momentum": (MomentumOptimizer, "momentum"),
}


def gradient_sequence(t):
    """Fixed gradients (state-free): exact zeros, tiny values, ordinary ones.

    The tiny ones (1e-4) square to 1e-8, below float16's smallest number.
    """
    rng = np.random.default_rng(t)
    return [np.concatenate([np.zeros(2), [1e-4, -1e-4], rng.normal(size=4)])]


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("dtype", LOW_PRECISION)
def test_zero_gradient_leaves_low_precision_weights_finite_and_still(
    name, dtype
):
    cls, _ = OPTIMIZERS[name]
    initial = np.array([1.0, -2.0, 0.5])
    w = keras.Variable(initial, dtype=dtype)
    optimizer = cls(0.01)
    for _ in range(3):
        optimizer.apply([keras.ops.zeros(3, dtype=dtype)], [w])
    moved = keras.ops.convert_to_numpy(keras.ops.cast(w, "float32"))
    assert np.all(np.isfinite(moved)), (
        f"expected {dtype} weights with zero gradients to stay finite, got "
        f"{moved}"
    )
    np.testing.assert_array_equal(
        moved, initial, err_msg="a zero gradient must not move the weights"
    )


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("dtype", LOW_PRECISION)
def test_low_precision_path_follows_the_rounded_numpy_rule(
    name, dtype, references
):
    cls, reference_name = OPTIMIZERS[name]
    lr, steps = 0.05, 20
    rounding = LOW_PRECISION[dtype]
    initial = np.linspace(-1.5, 1.5, 8).astype(rounding).astype("float64")
    w = keras.Variable(initial, dtype=dtype)
    optimizer = cls(lr)
    rule = references[reference_name]()
    expected = initial
    for t in range(steps):
        (g,) = gradient_sequence(t)
        optimizer.apply([keras.ops.convert_to_tensor(g, dtype=dtype)], [w])
        g = g.astype(rounding).astype("float64")  # what the optimizer sees
        expected = rule(0, expected, g, lr).astype(rounding).astype("float64")
    ours = keras.ops.convert_to_numpy(keras.ops.cast(w, "float64"))
    # One unit in the last place of the largest weight, for the rounding
    # of a float32 step against a float64 one landing on the other side.
    ulp = float(np.spacing(rounding(2.0)))
    np.testing.assert_allclose(
        ours,
        expected,
        atol=2 * ulp,
        rtol=0,
        err_msg=f"expected the slides' rule in float64, rounded to {dtype} "
        "after each step",
    )


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_float16_and_float32_weights_in_one_model_each_follow_the_rule(
    name, references
):
    """One step updates some weights in place and rounds others once."""
    cls, reference_name = OPTIMIZERS[name]
    lr, steps = 0.05, 10
    dtypes = {"float16": np.float16, "float32": np.float32}
    # float16: two units in the last place, as above. float32: Adam's
    # `1 - beta_2**t` in float32 is off by about 1e-5 of itself (as in
    # Keras's Adam), and so is each step: twice that of the longest path.
    tolerances = {
        "float16": {"atol": 2 * float(np.spacing(np.float16(2.0))), "rtol": 0},
        "float32": {"atol": 2e-5 * lr * steps, "rtol": 0},
    }
    initial = np.linspace(-1.5, 1.5, 8).astype(np.float16).astype("float64")
    weights = [keras.Variable(initial, dtype=dtype) for dtype in dtypes]
    optimizer = cls(lr)
    rule = references[reference_name]()
    expected = [initial, initial]
    for t in range(steps):
        (g,) = gradient_sequence(t)
        g = g.astype(np.float16).astype("float64")  # exact in both dtypes
        optimizer.apply(
            [keras.ops.convert_to_tensor(g, dtype=d) for d in dtypes], weights
        )
        expected = [
            rule(index, w, g, lr).astype(rounding).astype("float64")
            for index, (w, rounding) in enumerate(
                zip(expected, dtypes.values())
            )
        ]
    for w, want, dtype in zip(weights, expected, dtypes):
        ours = keras.ops.convert_to_numpy(keras.ops.cast(w, "float64"))
        np.testing.assert_allclose(
            ours,
            want,
            **tolerances[dtype],
            err_msg=f"expected the {dtype} weights of a model that also has "
            f"{'float32' if dtype == 'float16' else 'float16'} weights to "
            "follow the slides' rule, rounded to their dtype after each step",
        )


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_state_of_low_precision_weights_is_float32(name):
    cls, _ = OPTIMIZERS[name]
    w = keras.Variable(np.ones(3), dtype="float16")
    optimizer = cls(0.01)
    optimizer.build([w])
    state = [v for v in optimizer.variables if v.shape == (3,)]
    assert state and all(v.dtype == "float32" for v in state), (
        "expected the optimizer state of float16 weights in float32, got "
        f"{[(v.name, v.dtype) for v in state]}"
    )


def fit_losses(optimizer, data, policy, epochs=2):
    """Train the digits MLP on `data` (x, y) under the dtype `policy`.

    Returns the model and its losses. The weights start from one seed, so
    two calls begin at the same point. Under "mixed_float16", `compile`
    wraps the optimizer in Keras's `LossScaleOptimizer`, as it does for
    its own.
    """
    x, y = data
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    keras.utils.set_random_seed(0)
    try:
        model = keras.Sequential(
            [
                keras.Input((64,)),
                keras.layers.Dense(32, activation="relu"),
                keras.layers.Dense(10),
                keras.layers.Activation("linear", dtype="float32"),
            ]
        )
        model.compile(
            optimizer=optimizer,
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        )
    finally:
        keras.config.set_dtype_policy(previous)
    history = model.fit(x, y, batch_size=64, epochs=epochs, verbose=0)
    return model, history.history["loss"]


@pytest.mark.slow
@pytest.mark.parametrize(
    "make_optimizer, make_keras",
    [
        (
            lambda: AdamOptimizer(1e-3),
            lambda: keras.optimizers.Adam(1e-3),
        ),
        (
            lambda: MomentumOptimizer(0.1),
            lambda: keras.optimizers.SGD(0.01, momentum=0.9),
        ),
    ],
    ids=["adam", "momentum"],
)
@pytest.mark.parametrize("dtype", ["float16", "mixed_float16"])
def test_low_precision_mlp_fit_stays_finite_like_keras(
    make_optimizer, make_keras, dtype, digits
):
    x_train, _, y_train, _ = digits
    _, theirs = fit_losses(make_keras(), (x_train, y_train), dtype)
    assert np.all(np.isfinite(theirs)), f"test setup: Keras gave {theirs}"
    model, ours = fit_losses(make_optimizer(), (x_train, y_train), dtype)
    assert np.all(np.isfinite(ours)) and ours[-1] < ours[0], (
        f"expected finite, falling {dtype} losses as Keras's optimizer gives "
        f"({theirs}), got {ours}"
    )
    if dtype == "mixed_float16":
        assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
        weights = {w.dtype for w in model.trainable_weights}
        assert weights == {"float32"}, f"mixed_float16 weights are {weights}"


# optimizer_test.py's EMA, accumulation and loss-scaling cases on float16
# and bfloat16 weights, with Keras's SGD(lr * (1 - beta), momentum=beta) as
# the independent route. Eighths, lr 0.5 and beta, EMA momentum and scale
# powers of two keep every value exact in both dtypes for four steps, so
# the float32 state here and Keras's low-precision state must agree exactly.
KERAS_ROUTE_CASES = {
    "plain": {},
    "ema": {"use_ema": True, "ema_momentum": 0.5},
    "ema_overwrite": {
        "use_ema": True,
        "ema_momentum": 0.5,
        "ema_overwrite_frequency": 2,
    },
    "accumulation": {"gradient_accumulation_steps": 2},
    "loss_scale": {"loss_scale": True},
}


def low_precision_descent(optimizer, dtype, loss_scale):
    """Four `apply` calls on a (6,) weight in `dtype`; the weight after them."""
    rng = np.random.default_rng(0)
    weight = keras.Variable(rng.integers(-16, 16, 6) / 8, dtype=dtype)
    scale = 1.0
    if loss_scale:
        optimizer = keras.optimizers.LossScaleOptimizer(
            optimizer, initial_scale=4.0
        )
        scale = 4.0
    for _ in range(4):
        g = rng.integers(-8, 8, 6) / 8 * scale
        optimizer.apply([keras.ops.convert_to_tensor(g, dtype=dtype)], [weight])
    return keras.ops.convert_to_numpy(keras.ops.cast(weight, "float32"))


@pytest.mark.parametrize("case", KERAS_ROUTE_CASES)
@pytest.mark.parametrize("dtype", LOW_PRECISION)
def test_low_precision_momentum_equals_keras_sgd(case, dtype):
    kwargs = dict(KERAS_ROUTE_CASES[case])
    loss_scale = kwargs.pop("loss_scale", False)
    if loss_scale and keras.backend.backend() == "jax":
        pytest.skip("LossScaleOptimizer must use stateless_apply with JAX")
    theirs = low_precision_descent(
        keras.optimizers.SGD(0.25, momentum=0.5, **kwargs), dtype, loss_scale
    )
    ours = low_precision_descent(
        MomentumOptimizer(0.5, beta=0.5, **kwargs), dtype, loss_scale
    )
    np.testing.assert_array_equal(
        ours,
        theirs,
        err_msg=f"expected {dtype} weights with {case} to move as Keras's "
        "SGD(0.25, momentum=0.5) moves them",
    )


# Each of our optimizers and Keras's built-in with the same settings. Adam's
# epsilon is 0 because ours adds it to sqrt(v_hat) and Keras's to sqrt(v).
# AMSGrad's beta_2 is 0 because ours keeps the maximum of v_hat and Keras's
# the maximum of v: with beta_2 = 0 the correction 1 - beta_2**t is exactly
# 1 and the two maxima are one and the same.
KERAS_COUNTERPARTS = {
    "adam": (
        lambda: AdamOptimizer(0.05, epsilon=0.0),
        lambda: keras.optimizers.Adam(0.05, epsilon=0.0),
    ),
    "amsgrad": (
        lambda: AdamOptimizer(0.05, beta_2=0.0, epsilon=0.0, amsgrad=True),
        lambda: keras.optimizers.Adam(
            0.05, beta_2=0.0, epsilon=0.0, amsgrad=True
        ),
    ),
    "momentum": (
        lambda: MomentumOptimizer(0.1, beta=0.9),
        lambda: keras.optimizers.SGD(0.1 * (1 - 0.9), momentum=0.9),
    ),
    "nesterov": (
        lambda: MomentumOptimizer(0.1, beta=0.9, nesterov=True),
        lambda: keras.optimizers.SGD(
            0.1 * (1 - 0.9), momentum=0.9, nesterov=True
        ),
    ),
}


def spread_gradient(t, size=16):
    """Step `t`'s gradient: no zeros (epsilon is 0), magnitudes 1e-3 to 10."""
    rng = np.random.default_rng(t)
    return rng.normal(size=size) * np.geomspace(1e-3, 10, size)


@pytest.mark.parametrize("name", KERAS_COUNTERPARTS)
@pytest.mark.parametrize("dtype", LOW_PRECISION)
def test_low_precision_step_is_keras_float32_step_rounded(name, dtype):
    """The step of Keras's optimizer on float32 state, rounded to `dtype`.

    Keras's built-in keeps a float16 weight's state in float16 (its Adam
    gives inf and NaN here), ours in float32, so the independent route is
    Keras's optimizer on a float32 variable reset to zero before every
    `apply`: minus that variable is its step, unrounded. The gradients do
    not depend on the weights, so both states see the same ones.
    """
    ours, theirs = KERAS_COUNTERPARTS[name]
    rounding = LOW_PRECISION[dtype]
    initial = np.random.default_rng(99).normal(size=16).astype(rounding)
    weight = keras.Variable(initial.astype("float32"), dtype=dtype)
    optimizer, reference = ours(), theirs()
    origin = keras.Variable(np.zeros(16, dtype="float32"))
    expected = initial
    for t in range(30):
        g = spread_gradient(t).astype(rounding).astype("float32")
        optimizer.apply([keras.ops.convert_to_tensor(g, dtype=dtype)], [weight])
        origin.assign(np.zeros(16, dtype="float32"))
        reference.apply([keras.ops.convert_to_tensor(g)], [origin])
        step = -keras.ops.convert_to_numpy(origin)
        expected = (expected - step.astype(rounding)).astype(rounding)
    # Equality, seen on TensorFlow, JAX and PyTorch. The float32 steps
    # themselves are not always equal (momentum's formula is Keras's
    # rearranged; PyTorch rounds Adam's powers otherwise): they differ in
    # their last float32 bits, far below a float16 or bfloat16 unit, which
    # rounding the step to the weight's dtype absorbed in all 30 steps.
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(keras.ops.cast(weight, "float32")),
        expected.astype("float32"),
        err_msg=f"expected {name}'s {dtype} weights to move by Keras's "
        f"float32 step, rounded to {dtype}, at every step",
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", KERAS_COUNTERPARTS)
def test_mixed_float16_training_step_matches_keras(name):
    """One `fit` step under "mixed_float16", ours and Keras's loss-scaled."""
    ours, theirs = KERAS_COUNTERPARTS[name]
    rng = np.random.default_rng(0)
    # Normal inputs, unlike the digits' constant pixels: no weight has a
    # zero gradient, which epsilon = 0 would turn into 0 / 0.
    data = (rng.normal(size=(64, 64)), rng.integers(0, 10, 64))
    model, _ = fit_losses(ours(), data, "mixed_float16", epochs=1)
    reference, _ = fit_losses(theirs(), data, "mixed_float16", epochs=1)
    for m in (model, reference):
        assert isinstance(m.optimizer, keras.optimizers.LossScaleOptimizer), (
            f"expected compile to wrap {name} in a LossScaleOptimizer"
        )
    # The float32 weights differ by at most 2 units in the last place of
    # the layer's largest weight (measured: 2 on TensorFlow and JAX, 1 on
    # PyTorch): the same step, its float32 formulas rearranged.
    # After more steps the float16 forward pass amplifies such bits (a
    # weight with a flipped float16 rounding gets another gradient), so
    # one step is compared.
    for ours_w, theirs_w in zip(
        model.trainable_weights, reference.trainable_weights
    ):
        a = keras.ops.convert_to_numpy(ours_w)
        b = keras.ops.convert_to_numpy(theirs_w)
        ulp = np.spacing(np.max(np.abs(b)))
        np.testing.assert_allclose(
            a,
            b,
            rtol=0,
            atol=2 * ulp,
            err_msg=f"expected {name}'s mixed_float16 {ours_w.path} to be "
            "Keras's after one step, within 2 units in the last place of "
            "its largest weight",
        )
