"""Keras's layer test harness (`run_layer_test`), ported to DropConnectDense.

The checks follow keras/src/testing/test_case.py: serialization round trip,
weight and seed-generator counts, symbolic and eager calls, masking, a
training step, mixed precision and sparse inputs. Expected outputs come
from NumPy (`x @ W + b` with the layer's own weights) or from a dense input
through the same masks, never from the layer's output alone.
"""

import json
import warnings

import keras
import numpy as np
import pytest
from keras import ops

from custom_layers import DropConnectDense

pytestmark = pytest.mark.all_backends

BACKEND = keras.backend.backend()
MODES = ["batch", "example"]


@pytest.fixture(params=MODES)
def mask(request):
    return request.param


def test_class_serialization_round_trip(mask):
    layer = DropConnectDense(
        5, rate=0.3, activation="relu", mask=mask, seed=4, use_bias=False
    )
    config = json.dumps(layer.get_config(), sort_keys=True)
    revived = DropConnectDense.from_config(layer.get_config())
    assert json.dumps(revived.get_config(), sort_keys=True) == config
    assert set(dir(revived)) == set(dir(layer)), "attributes differ"
    serialized = json.dumps(keras.saving.serialize_keras_object(layer))
    revived = keras.saving.deserialize_keras_object(json.loads(serialized))
    assert json.dumps(revived.get_config(), sort_keys=True) == config


@pytest.mark.parametrize("use_bias, trainable", [(True, 2), (False, 1)])
def test_weight_and_seed_generator_counts(use_bias, trainable):
    layer = DropConnectDense(4, use_bias=use_bias, seed=0)
    layer.build((None, 3))
    assert len(layer.trainable_weights) == trainable
    assert len(layer.non_trainable_weights) == 0
    # The SeedGenerator's state is the one non-trainable variable.
    assert len(layer.non_trainable_variables) == 1
    if BACKEND == "torch":
        assert len(layer.torch_params) == trainable + 1


def test_symbolic_call_gives_the_eager_shape_and_dtype(mask):
    layer = DropConnectDense(4, mask=mask, seed=0)
    symbolic = layer(keras.Input((5, 3)))
    eager = layer(np.ones((2, 5, 3), dtype="float32"), training=True)
    assert tuple(symbolic.shape) == (None, 5, 4)
    assert tuple(eager.shape) == (2, 5, 4)
    assert symbolic.dtype == keras.backend.standardize_dtype(eager.dtype)
    assert layer.compute_output_shape((2, 5, 3)) == (2, 5, 4)


def test_eager_inference_output_is_x_times_w_plus_b(mask):
    x = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
    layer = DropConnectDense(
        2, mask=mask, bias_initializer="random_normal", seed=0
    )
    out = ops.convert_to_numpy(layer(x))
    kernel, bias = (ops.convert_to_numpy(w) for w in layer.weights)
    np.testing.assert_allclose(out, x @ kernel + bias, rtol=1e-5, atol=1e-6)


def test_supports_masking_like_dense():
    assert DropConnectDense(3).supports_masking
    assert keras.layers.Dense(3).supports_masking, "test setup"


@pytest.mark.parametrize("training", [False, True])
def test_keras_mask_passes_through_without_warning(mask, training):
    tokens = np.array([[1, 2, 0, 0, 0], [3, 0, 0, 0, 0]])
    embedding = keras.layers.Embedding(10, 4, mask_zero=True)
    layer = DropConnectDense(3, mask=mask, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Keras warns when a mask is lost.
        out = layer(embedding(tokens), training=training)
    assert tuple(out.shape) == (2, 5, 3)
    kept = getattr(out, "_keras_mask", None)
    assert kept is not None, "expected the Embedding's mask on the output"
    np.testing.assert_array_equal(ops.convert_to_numpy(kept), tokens != 0)


def test_symbolic_mask_reaches_the_next_layer(mask):
    inputs = keras.Input((5,), dtype="int32")
    hidden = DropConnectDense(3, mask=mask, seed=0)(
        keras.layers.Embedding(10, 4, mask_zero=True)(inputs)
    )
    assert tuple(hidden._keras_mask.shape) == (None, 5)


@pytest.mark.slow
def test_training_step_moves_the_weights(mask):
    # run_layer_test's training check: one fit() step, as Keras compiles it.
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 3)).astype("float32")
    y = rng.normal(size=(8, 4)).astype("float32")
    model = keras.Sequential(
        [keras.Input((3,)), DropConnectDense(4, mask=mask, seed=0)]
    )
    # As Keras's harness: "auto", but no torch.compile on torch.
    jit_compile = False if BACKEND == "torch" else "auto"
    model.compile(optimizer="sgd", loss="mse", jit_compile=jit_compile)
    before = [ops.convert_to_numpy(w) for w in model.weights]
    history = model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    after = [ops.convert_to_numpy(w) for w in model.weights]
    assert np.isfinite(history.history["loss"][0])
    assert all(np.any(b != a) for b, a in zip(before, after))


def test_mixed_precision_computes_in_float16_keeps_float32_weights(mask):
    if BACKEND == "torch":
        pytest.skip("Keras's harness skips mixed precision on torch CPU")
    layer = DropConnectDense(4, mask=mask, seed=0, dtype="mixed_float16")
    x = np.ones((2, 3), dtype="float32")
    for training in (False, True):
        out = layer(x, training=training)
        assert keras.backend.standardize_dtype(out.dtype) == "float16"
    assert layer.compute_output_spec(keras.KerasTensor((2, 3))).dtype == (
        "float16"
    )
    assert {w.dtype for w in layer.weights} == {"float32"}


@pytest.mark.skipif(
    BACKEND != "tensorflow", reason="sparse inputs are checked on TensorFlow"
)
@pytest.mark.parametrize("training", [False, True])
def test_sparse_input_acts_as_its_dense_value(mask, training):
    import tensorflow as tf

    dense = np.array([[0, 1, 0, 2], [3, 0, 0, 0], [0, 0, 0, 0]], "float32")
    sparse = tf.sparse.from_dense(dense)
    # Same seed, so the same masks for the sparse and the dense input.
    on_sparse = DropConnectDense(3, mask=mask, seed=7)
    on_dense = DropConnectDense(3, mask=mask, seed=7)
    for layer in (on_sparse, on_dense):
        layer.build((None, 4))
    on_dense.set_weights(on_sparse.get_weights())
    out_sparse = on_sparse(sparse, training=training)
    out_dense = on_dense(dense, training=training)
    np.testing.assert_allclose(
        ops.convert_to_numpy(out_sparse),
        ops.convert_to_numpy(out_dense),
        rtol=1e-6,
        atol=1e-6,
        err_msg=f"mask={mask!r}: a sparse input must act as its dense value",
    )
