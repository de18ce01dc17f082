"""DropConnectDense: masks, scaling, inference, gradients and seeding.

Most tests read the masks through the public API: with an all-ones kernel,
no bias and the identity matrix as the batch, training output row `b` is row
`b` of the masked kernel `mask / (1 - rate)` (in "example" mode, of example
`b`'s own mask).
"""

import keras
import numpy as np
import pytest
from keras import ops

from custom_layers import DropConnectDense

MODES = ["batch", "example"]


def probe_layer(units, rate, mask, seed=None):
    """A DropConnectDense whose training output on I shows the mask."""
    return DropConnectDense(
        units,
        rate=rate,
        mask=mask,
        seed=seed,
        use_bias=False,
        kernel_initializer="ones",
    )


def observed_kernel(layer, input_dim):
    """The masked kernel of one training call, read with identity inputs."""
    eye = np.eye(input_dim, dtype="float32")
    return ops.convert_to_numpy(layer(eye, training=True))


def dense_twin(layer, **kwargs):
    """A keras Dense with `layer`'s units, activation and current weights."""
    dense = keras.layers.Dense(
        layer.units,
        activation=layer.activation,
        use_bias=layer.use_bias,
        **kwargs,
    )
    dense.build((None, layer.kernel.shape[0]))
    dense.set_weights(layer.get_weights())
    return dense


@pytest.fixture
def inputs():
    """A small float32 batch."""
    return np.random.default_rng(0).normal(size=(16, 12)).astype("float32")


@pytest.mark.parametrize("mask", MODES)
@pytest.mark.parametrize("training", [False, True])
def test_rate_zero_is_exactly_dense(inputs, mask, training):
    layer = DropConnectDense(7, rate=0.0, activation="tanh", mask=mask)
    layer.build(inputs.shape)
    expected = dense_twin(layer)(inputs)
    np.testing.assert_array_equal(
        ops.convert_to_numpy(layer(inputs, training=training)),
        ops.convert_to_numpy(expected),
        err_msg="expected rate=0 to be Dense, bit for bit",
    )


@pytest.mark.parametrize("mask", MODES)
def test_inference_is_dense_with_the_full_weights(inputs, mask):
    layer = DropConnectDense(7, rate=0.5, activation="relu", mask=mask)
    layer.build(inputs.shape)
    expected = ops.convert_to_numpy(dense_twin(layer)(inputs))
    for output in (layer(inputs), layer(inputs, training=False)):
        np.testing.assert_array_equal(
            ops.convert_to_numpy(output),
            expected,
            err_msg="expected inference to equal Dense with the same weights",
        )


def test_predict_is_deterministic(inputs):
    model = keras.Sequential(
        [keras.Input((12,)), DropConnectDense(7, rate=0.5)]
    )
    first, second = (
        model.predict(inputs, verbose=0),
        model.predict(inputs, verbose=0),
    )
    np.testing.assert_array_equal(
        first, second, err_msg="expected two predict() calls to agree"
    )


@pytest.mark.parametrize("mask", MODES)
@pytest.mark.parametrize("rate", [0.2, 0.5, 0.8])
def test_dropped_share_is_within_binomial_band(mask, rate):
    input_dim, units = 80, 60
    kernel = observed_kernel(probe_layer(units, rate, mask), input_dim)
    n = kernel.size
    dropped = float(np.mean(kernel == 0))
    band = 4 * np.sqrt(rate * (1 - rate) / n)  # 4 binomial std errors
    assert abs(dropped - rate) < band, (
        f"expected a dropped share of {rate} +- {band:.4f} over {n} weights, "
        f"got {dropped:.4f}"
    )


@pytest.mark.parametrize("mask", MODES)
def test_kept_weights_are_scaled_by_one_over_keep_probability(mask):
    rate = 0.25
    kernel = observed_kernel(probe_layer(30, rate, mask), 20)
    kept = np.unique(kernel[kernel != 0])
    np.testing.assert_allclose(
        kept,
        [1 / (1 - rate)],
        rtol=1e-6,
        err_msg="expected every kept weight of 1 to become 1 / (1 - rate)",
    )


def test_batch_mode_mean_output_approaches_dense():
    rate, passes = 0.5, 400
    rng = np.random.default_rng(1)
    x = rng.normal(size=(1, 10)).astype("float32")
    layer = DropConnectDense(6, rate=rate, mask="batch", seed=3)
    layer.build(x.shape)
    w, b = layer.get_weights()
    mean = np.mean(
        [ops.convert_to_numpy(layer(x, training=True)) for _ in range(passes)],
        axis=0,
    )
    # Each kept weight is scaled by 1/(1-rate): its variance is
    # w**2 * rate / (1 - rate), so the mean of `passes` draws has this s.e.
    std_error = np.sqrt((x**2 @ w**2) * rate / (1 - rate) / passes)
    deviation = np.abs(mean - (x @ w + b))
    assert np.all(deviation < 5 * std_error), (
        f"expected the mean of {passes} training outputs within 5 s.e. of "
        f"x @ W + b, got deviations {deviation} for s.e. {std_error}"
    )


def test_example_mode_mean_output_approaches_dense():
    rate, copies = 0.5, 2000
    rng = np.random.default_rng(2)
    x = rng.normal(size=(1, 10)).astype("float32")
    layer = DropConnectDense(6, rate=rate, mask="example", seed=3)
    layer.build(x.shape)
    w, b = layer.get_weights()
    outputs = layer(np.repeat(x, copies, axis=0), training=True)
    mean = ops.convert_to_numpy(ops.mean(outputs, axis=0))
    std_error = np.sqrt((x**2 @ w**2) * rate / (1 - rate) / copies)
    deviation = np.abs(mean - (x @ w + b))
    assert np.all(deviation < 5 * std_error), (
        f"expected the mean over {copies} examples within 5 s.e. of "
        f"x @ W + b, got deviations {deviation} for s.e. {std_error}"
    )


@pytest.mark.parametrize("mask", MODES)
def test_gradients_flow_only_through_kept_weights(mask):
    input_dim, units, rate, seed = 12, 9, 0.5, 11
    # Same seed, same first mask: read it from a twin layer.
    kernel = observed_kernel(probe_layer(units, rate, mask, seed), input_dim)
    layer = probe_layer(units, rate, mask, seed)
    model = keras.Sequential([keras.Input((input_dim,)), layer])
    # loss = mean over examples of sum(y); with identity inputs its gradient
    # w.r.t. the kernel is mask / (1 - rate) / input_dim, so SGD with
    # learning rate input_dim moves kept weights by -1/(1-rate), others not.
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=float(input_dim)),
        loss=lambda y_true, y_pred: ops.sum(y_pred, axis=-1),
    )
    model.train_on_batch(
        np.eye(input_dim, dtype="float32"),
        np.zeros((input_dim, units), dtype="float32"),
    )
    change = ops.convert_to_numpy(layer.kernel) - 1.0
    np.testing.assert_allclose(
        change,
        -kernel,
        atol=1e-6,
        err_msg="expected kept weights to move by -1/(1-rate) and dropped "
        "weights not at all",
    )


@pytest.mark.parametrize("mask", MODES)
def test_same_seed_same_masks_new_step_new_mask(mask):
    first, twin = probe_layer(20, 0.5, mask, 5), probe_layer(20, 0.5, mask, 5)
    a1, a2 = observed_kernel(first, 16), observed_kernel(first, 16)
    b1, b2 = observed_kernel(twin, 16), observed_kernel(twin, 16)
    np.testing.assert_array_equal(
        a1, b1, err_msg="expected equal seeds to give equal first masks"
    )
    np.testing.assert_array_equal(
        a2, b2, err_msg="expected equal seeds to give equal second masks"
    )
    assert np.any(a1 != a2), "expected a new mask on the next training step"


def test_different_seeds_give_different_masks():
    a = observed_kernel(probe_layer(20, 0.5, "batch", seed=1), 16)
    b = observed_kernel(probe_layer(20, 0.5, "batch", seed=2), 16)
    assert np.any(a != b), "expected different seeds to give different masks"


@pytest.mark.parametrize(
    "mask, distinct", [("batch", False), ("example", True)]
)
def test_masks_per_example_only_in_example_mode(mask, distinct):
    layer = probe_layer(20, 0.5, mask)
    rows = ops.convert_to_numpy(
        layer(np.ones((8, 16), "float32"), training=True)
    )
    n_distinct = len({row.tobytes() for row in rows})
    expected = 8 if distinct else 1
    assert n_distinct == expected, (
        f"mask={mask!r}: expected {expected} distinct outputs for 8 "
        f"identical examples, got {n_distinct}"
    )


def test_example_mode_shares_an_example_mask_along_inner_axes():
    layer = probe_layer(5, 0.5, "example")
    x = np.ones((4, 3, 16), "float32")
    y = ops.convert_to_numpy(layer(x, training=True))
    assert y.shape == (4, 3, 5), f"expected shape (4, 3, 5), got {y.shape}"
    assert np.all(y == y[:, :1]), (
        "expected the positions of one example to share its mask"
    )
    assert np.any(y[0] != y[1]), "expected examples to have their own masks"


def test_dense_arguments_act_as_in_dense():
    # With rate 0 the layer must train exactly like Dense given the same
    # initializers, regularizers and constraints.
    rng = np.random.default_rng(3)
    x = rng.normal(size=(32, 6)).astype("float32")
    y = rng.normal(size=(32, 4)).astype("float32")

    def shared():
        """The Dense arguments, as fresh objects for each layer."""
        return {
            "kernel_initializer": keras.initializers.RandomNormal(seed=4),
            "bias_initializer": "ones",
            "kernel_regularizer": keras.regularizers.L2(0.1),
            "bias_regularizer": keras.regularizers.L1(0.2),
            "activity_regularizer": keras.regularizers.L2(0.01),
            "kernel_constraint": keras.constraints.NonNeg(),
            "bias_constraint": keras.constraints.MaxNorm(1.0),
        }

    weights = []
    for layer in (
        DropConnectDense(4, rate=0.0, activation="relu", **shared()),
        keras.layers.Dense(4, activation="relu", **shared()),
    ):
        model = keras.Sequential([keras.Input((6,)), layer])
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        model.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
        weights.append(model.get_weights())
    for ours, dense in zip(*weights):
        np.testing.assert_allclose(
            ours,
            dense,
            rtol=1e-6,
            atol=1e-7,
            err_msg="expected the same training as Dense with the same "
            "initializers, regularizers and constraints",
        )
    assert np.all(weights[0][0] >= 0), "expected NonNeg to hold the kernel"
