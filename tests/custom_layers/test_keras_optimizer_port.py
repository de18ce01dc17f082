"""Keras's own optimizer test cases, ported to the course's optimizers.

The cases follow what keras/src/optimizers/{optimizer,adam,sgd,
loss_scale_optimizer}_test.py check. Their expected values come from the
formulas written out here in NumPy, or from Keras's SGD with the settings
equivalent to `MomentumOptimizer` (`SGD(lr * (1 - beta), momentum=beta)`),
never from the optimizers under test.
"""

import json
import pickle

import keras
import numpy as np
import pytest
from keras import ops

from custom_layers import AdamOptimizer
from custom_layers import MomentumOptimizer

pytestmark = pytest.mark.all_backends

BACKEND = keras.backend.backend()
# float32 steps: Adam's 1 - beta_2**t = 1e-3 keeps only ~4 exact digits of
# 0.999 in float32, as in Keras's Adam (its own tests use 1e-4).
RTOL = 1e-5

# name -> factory(learning_rate, **base_kwargs). With beta = 0 the momentum
# rule is plain gradient descent, which makes Keras's SGD cases portable.
OPTIMIZERS = {
    "momentum": lambda lr, **kw: MomentumOptimizer(lr, beta=0.5, **kw),
    "nesterov": lambda lr, **kw: MomentumOptimizer(
        lr, beta=0.5, nesterov=True, **kw
    ),
    "adam": lambda lr, **kw: AdamOptimizer(lr, **kw),
    "amsgrad": lambda lr, **kw: AdamOptimizer(lr, amsgrad=True, **kw),
}


def first_step(name, lr, g):
    """The first step of optimizer `name` from zero state, in NumPy."""
    g = np.asarray(g, dtype="float64")
    if name == "momentum":  # v = (1 - beta) g
        return lr * 0.5 * g
    if name == "nesterov":  # beta v + (1 - beta) g with v = (1 - beta) g
        return lr * (0.5 * 0.5 * g + 0.5 * g)
    # Adam: m_hat = g, v_hat = g**2.
    return lr * g / (np.abs(g) + 1e-7)


def numpy_of(x):
    return ops.convert_to_numpy(x)


def assert_close(actual, expected, message=""):
    """Equal up to float32 rounding (see RTOL)."""
    np.testing.assert_allclose(
        numpy_of(actual), expected, rtol=RTOL, atol=1e-5, err_msg=message
    )


def tensor(x):
    """A float32 backend tensor, as Keras's tests build their gradients."""
    return ops.convert_to_tensor(np.asarray(x, dtype="float32"))


@pytest.fixture(params=list(OPTIMIZERS))
def name(request):
    return request.param


# optimizer_test.py / adam_test.py / sgd_test.py: config and serialization.


@pytest.mark.parametrize(
    "optimizer",
    [
        lambda: AdamOptimizer(
            learning_rate=0.5,
            beta_1=0.5,
            beta_2=0.67,
            epsilon=1e-5,
            amsgrad=True,
            clipnorm=2.0,
        ),
        lambda: MomentumOptimizer(
            learning_rate=0.5, beta=0.25, nesterov=True, global_clipnorm=1.0
        ),
    ],
    ids=["adam", "momentum"],
)
def test_class_serialization_round_trip(optimizer):
    optimizer = optimizer()
    config = json.dumps(optimizer.get_config(), sort_keys=True)
    revived = type(optimizer).from_config(optimizer.get_config())
    assert json.dumps(revived.get_config(), sort_keys=True) == config
    assert set(dir(revived)) == set(dir(optimizer)), "attributes differ"
    serialized = json.dumps(keras.saving.serialize_keras_object(optimizer))
    revived = keras.saving.deserialize_keras_object(json.loads(serialized))
    assert type(revived) is type(optimizer)
    assert json.dumps(revived.get_config(), sort_keys=True) == config


def test_pickle_round_trip(name):
    optimizer = OPTIMIZERS[name](0.1)
    revived = pickle.loads(pickle.dumps(optimizer))
    assert revived.get_config() == optimizer.get_config()


def test_iterations_counter(name):
    v = keras.Variable([[1.0, 2.0], [3.0, 4.0]])
    optimizer = OPTIMIZERS[name](1.0)
    for expected in (1, 2):
        optimizer.apply_gradients([(ops.ones((2, 2)), v)])
        assert int(numpy_of(optimizer.iterations)) == expected


def test_single_step(name):
    # adam_test / sgd_test: one step on [1, 6, 7, 2] from [1, 2, 3, 4].
    grads = np.array([1.0, 6.0, 7.0, 2.0])
    v = keras.Variable([1.0, 2.0, 3.0, 4.0])
    OPTIMIZERS[name](0.5).apply_gradients([(tensor(grads), v)])
    expected = np.array([1.0, 2.0, 3.0, 4.0]) - first_step(name, 0.5, grads)
    assert_close(v, expected)


def test_weight_decay_and_its_exclusions(name):
    # adam_test: zero gradients, so only the decay w *= 1 - lr * wd acts;
    # var1 goes through three optimizers, the excluded ones through none.
    zero = ops.zeros(())
    var1, var2, var3 = (
        keras.Variable(2.0),
        keras.Variable(2.0, name="exclude"),
        keras.Variable(2.0),
    )
    make = OPTIMIZERS[name]
    make(1.0, weight_decay=0.004).apply_gradients([(zero, var1)])
    optimizer_2 = make(1.0, weight_decay=0.004)
    optimizer_2.exclude_from_weight_decay(var_names=["exclude"])
    optimizer_2.apply_gradients([(zero, var1), (zero, var2)])
    optimizer_3 = make(1.0, weight_decay=0.004)
    optimizer_3.exclude_from_weight_decay(var_list=[var3])
    optimizer_3.apply_gradients([(zero, var1), (zero, var3)])
    np.testing.assert_allclose(numpy_of(var1), 2.0 * 0.996**3, rtol=1e-6)
    assert float(numpy_of(var2)) == 2.0 and float(numpy_of(var3)) == 2.0


def test_correctness_with_golden(name, references):
    # adam_test / sgd_test: one step on 0.01s, then five on 0.1 ... 1.0,
    # checked after every step against the NumPy rule.
    first = np.full(10, 0.01)
    grads = np.arange(1, 11) / 10
    hyper = {
        "momentum": ("momentum", {"beta": 0.5}),
        "nesterov": ("momentum", {"beta": 0.5, "nesterov": True}),
        "adam": ("adam", {}),
        "amsgrad": ("adam", {"amsgrad": True}),
    }
    reference_name, kwargs = hyper[name]
    rule = references[reference_name](**kwargs)
    lr = 0.001
    x = keras.Variable(np.ones(10, dtype="float32"))
    optimizer = OPTIMIZERS[name](lr)
    expected = np.ones(10)
    for step, g in enumerate([first] + [grads] * 5, start=1):
        optimizer.apply_gradients([(tensor(g), x)])
        expected = rule(0, expected, g, lr)
        assert_close(x, expected, f"step {step}")


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_golden_path_equals_keras_sgd(nesterov):
    # sgd_test's golden case, with Keras's SGD as the independent route.
    lr, beta = 0.1, 0.9
    ours = keras.Variable(np.ones(10, dtype="float32"))
    theirs = keras.Variable(np.ones(10, dtype="float32"))
    optimizer = MomentumOptimizer(lr, beta=beta, nesterov=nesterov)
    sgd = keras.optimizers.SGD(lr * (1 - beta), momentum=beta, nesterov=nesterov)
    for g in [np.full(10, 0.01)] + [np.arange(1, 11) / 10] * 5:
        optimizer.apply_gradients([(tensor(g), ours)])
        sgd.apply_gradients([(tensor(g), theirs)])
        np.testing.assert_allclose(
            numpy_of(ours), numpy_of(theirs), rtol=1e-6, atol=1e-6
        )


# optimizer_test.py: gradients that are missing, clipped, scaled, constrained.


def numpy_path(name, w, grads, lr):
    """Keras's semantics in NumPy: `None` skips a variable, its state kept;
    Adam's t counts the optimizer's steps, not the variable's."""
    beta_1, beta_2, eps, beta = 0.9, 0.999, 1e-7, 0.5
    m = v = v_hat_max = np.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        if g is None:
            continue
        if name in ("momentum", "nesterov"):
            m = beta * m + (1 - beta) * g
            step = beta * m + (1 - beta) * g if name == "nesterov" else m
            w = w - lr * step
            continue
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g**2
        v_hat = v / (1 - beta_2**t)
        if name == "amsgrad":
            v_hat_max = v_hat = np.maximum(v_hat_max, v_hat)
        w = w - lr * m / (1 - beta_1**t) / (np.sqrt(v_hat) + eps)
    return w


def test_empty_gradients_are_filtered_and_their_state_kept(name):
    make = OPTIMIZERS[name]
    v = keras.Variable([[3.0, 4.0], [5.0, 6.0]])
    with pytest.raises(ValueError, match="No gradients provided"):
        make(1.0).apply_gradients([(None, v)])
    # Steps 1 and 3 update both variables, step 2 only v2 (v's gradient is
    # None): v's state must wait for step 3 unchanged, as in Keras.
    start = np.array([[3.0, 4.0], [5.0, 6.0]])
    v, v2 = keras.Variable(start), keras.Variable(start)
    g = [np.array([[1.0, -1.0], [2.0, 0.5]]), np.array([[0.5, 2.0], [-1.0, 1.0]])]
    optimizer = make(0.1)
    optimizer.apply_gradients([(tensor(g[0]), v), (tensor(g[0]), v2)])
    with pytest.warns(UserWarning):
        optimizer.apply_gradients([(None, v), (tensor(g[1]), v2)])
    assert_close(v, numpy_path(name, start, [g[0]], 0.1), "v moved at step 2")
    optimizer.apply_gradients([(tensor(g[0]), v), (tensor(g[1]), v2)])
    assert_close(v, numpy_path(name, start, [g[0], None, g[0]], 0.1))
    assert_close(v2, numpy_path(name, start, [g[0], g[1], g[1]], 0.1))


@pytest.mark.parametrize(
    "kwargs, clipped",
    [
        ({"clipnorm": 1.0}, [2**0.5 / 2, 2**0.5 / 2]),
        ({"clipvalue": 1.0}, [1.0, 1.0]),
        ({"global_clipnorm": 1.0}, [2**0.5 / 2, 2**0.5 / 2]),
    ],
    ids=["clipnorm", "clipvalue", "global_clipnorm"],
)
def test_clipping_of_a_large_gradient(kwargs, clipped):
    # adam_test / sgd_test: [100, 100] clipped; the first momentum step
    # (lr * (1 - beta) * g, lr = 2, beta = 0.5) shows the clipped gradient.
    v = keras.Variable([0.0, 0.0])
    OPTIMIZERS["momentum"](2.0, **kwargs).apply_gradients(
        [(tensor([100.0, 100.0]), v)]
    )
    np.testing.assert_allclose(-numpy_of(v), clipped, rtol=1e-6)


def test_static_loss_scaling(name):
    # optimizer_test: gradients of a loss scaled by 1024 are unscaled first.
    g = np.array([[1.0, 2.0], [3.0, 4.0]])
    v = keras.Variable([[1.0, 2.0], [3.0, 4.0]])
    optimizer = OPTIMIZERS[name](1.0, loss_scale_factor=1024.0)
    optimizer.apply_gradients([(tensor(g * 1024.0), v)])
    assert float(numpy_of(optimizer.scale_loss(1.0))) == 1024.0
    assert_close(v, g - first_step(name, 1.0, g))


def test_constraints_are_applied(name):
    v = keras.Variable(np.random.default_rng(0).random((2, 2)) - 1.0)
    v.constraint = keras.constraints.NonNeg()
    OPTIMIZERS[name](1e-4).apply_gradients([(ops.zeros((2, 2)), v)])
    assert float(np.min(numpy_of(v))) == 0.0


def test_overwrite_with_gradient(name):
    # optimizer_test: a variable flagged overwrite_with_gradient takes its
    # gradient as its value; the others are updated normally.
    v = keras.Variable([[1.0, 2.0], [3.0, 4.0]])
    v.overwrite_with_gradient = True
    v2 = keras.Variable([[1.0, 2.0], [3.0, 4.0]])
    g = np.ones((2, 2))
    OPTIMIZERS[name](1.0).apply_gradients(
        [(tensor(g), v), (tensor(g), v2)]
    )
    np.testing.assert_array_equal(numpy_of(v), g)
    assert_close(v2, [[1.0, 2.0], [3.0, 4.0]] - first_step(name, 1.0, g))


def test_set_weights_copies_the_state(name):
    x = keras.Variable([[1.0, 2.0], [3.0, 4.0]])
    g = tensor([[1.0, 2.0], [3.0, 4.0]])
    optimizer_1 = OPTIMIZERS[name](0.1)
    optimizer_1.apply_gradients([(g, x)])
    optimizer_2 = OPTIMIZERS[name](0.1)
    with pytest.raises(ValueError, match="You are calling"):
        optimizer_2.set_weights(optimizer_1.variables)
    optimizer_2.build([x])
    optimizer_2.set_weights(optimizer_1.variables)
    for mine, theirs in zip(optimizer_2.variables, optimizer_1.variables):
        np.testing.assert_array_equal(numpy_of(mine), numpy_of(theirs))


def test_callable_learning_rate(name):
    v = keras.Variable([0.0, 0.0])
    g = np.array([2.0, -1.0])
    OPTIMIZERS[name](lambda: 0.25).apply_gradients([(tensor(g), v)])
    assert_close(
        v, -first_step(name, 0.25, g)
    )


def test_gradient_accumulation(name):
    # optimizer_test: nothing moves until every 3rd call, which steps on
    # the mean of the 3 gradients and counts one iteration.
    v = keras.Variable([[1.0, 2.0], [3.0, 4.0]])
    optimizer = OPTIMIZERS[name](1.0, gradient_accumulation_steps=3)
    grads = [np.full((2, 2), 1.0), np.full((2, 2), 2.0), np.full((2, 2), 6.0)]
    for g in grads[:2]:
        optimizer.apply_gradients([(tensor(g), v)])
        np.testing.assert_array_equal(numpy_of(v), [[1.0, 2.0], [3.0, 4.0]])
        assert int(numpy_of(optimizer.iterations)) == 0
    optimizer.apply_gradients([(tensor(grads[2]), v)])
    assert int(numpy_of(optimizer.iterations)) == 1
    assert_close(
        v, [[1.0, 2.0], [3.0, 4.0]] - first_step(name, 1.0, np.full((2, 2), 3.0))
    )


# adam_test.py: exponential moving average of the weights.


def test_ema_tracks_weights_and_finalizes(name):
    optimizer = OPTIMIZERS[name](1.0, use_ema=True, ema_momentum=0.9)
    var = keras.Variable([1.0, 2.0])
    g = tensor([0.1, 0.2])
    optimizer.apply_gradients([(g, var)])
    v1 = numpy_of(var)
    (average,) = optimizer._model_variables_moving_average
    np.testing.assert_allclose(numpy_of(average), v1, rtol=1e-6)
    optimizer.apply_gradients([(g, var)])
    v2 = numpy_of(var)
    expected = 0.9 * v1 + 0.1 * v2
    np.testing.assert_allclose(numpy_of(average), expected, rtol=1e-6)
    optimizer.finalize_variable_values([var])
    np.testing.assert_allclose(numpy_of(var), expected, rtol=1e-6)


def test_ema_overwrite_frequency(name):
    make = OPTIMIZERS[name]
    optimizer = make(
        1.0, use_ema=True, ema_momentum=0.9, ema_overwrite_frequency=2
    )
    plain = make(1.0)
    var, var_plain = keras.Variable([1.0, 2.0]), keras.Variable([1.0, 2.0])
    g = tensor([0.1, 0.2])
    optimizer.apply_gradients([(g, var)])
    plain.apply_gradients([(g, var_plain)])
    v1 = numpy_of(var_plain)
    np.testing.assert_allclose(numpy_of(var), v1, rtol=1e-6)
    optimizer.apply_gradients([(g, var)])
    plain.apply_gradients([(g, var_plain)])
    np.testing.assert_allclose(
        numpy_of(var), 0.9 * v1 + 0.1 * numpy_of(var_plain), rtol=1e-6
    )


@pytest.mark.slow
def test_ema_with_model_fit(name):
    model = keras.Sequential(
        [keras.layers.Dense(10, kernel_initializer="ones", use_bias=False)]
    )
    model.compile(
        optimizer=OPTIMIZERS[name](1e-3, use_ema=True, ema_momentum=0.9),
        loss="mse",
    )
    model.fit(ops.ones((1, 5)), ops.zeros((1, 10)), verbose=0)
    (average,) = model.optimizer._model_variables_moving_average
    np.testing.assert_allclose(
        numpy_of(model.trainable_variables[0]), numpy_of(average), rtol=1e-6
    )


# loss_scale_optimizer_test.py: the optimizers inside LossScaleOptimizer.


# As in Keras's own tests: with JAX, LossScaleOptimizer needs
# stateless_apply; TensorFlow has no stateless_apply.
stateful_only = pytest.mark.skipif(
    BACKEND == "jax", reason="LossScaleOptimizer must use stateless_apply with JAX"
)


def loss_scaled(name, **kwargs):
    return keras.optimizers.LossScaleOptimizer(
        OPTIMIZERS[name](0.5), **kwargs
    )


@stateful_only
def test_loss_scale_finite_step(name):
    g = np.array([1.0, 6.0, 7.0, 2.0])
    v = keras.Variable([1.0, 2.0, 3.0, 4.0])
    optimizer = loss_scaled(name)
    optimizer.build([v])
    scale = float(numpy_of(optimizer.dynamic_scale))
    optimizer.apply([tensor(g * scale)], [v])
    assert_close(v, [1.0, 2.0, 3.0, 4.0] - first_step(name, 0.5, g))


@stateful_only
def test_loss_scale_infinite_step_skips_and_halves_the_scale(name):
    v = keras.Variable([1.0, 2.0, 3.0, 4.0])
    optimizer = loss_scaled(name, initial_scale=128.0)
    optimizer.build([v])
    optimizer.apply([tensor([np.inf, 6.0, 7.0, 2.0])], [v])
    np.testing.assert_array_equal(numpy_of(v), [1.0, 2.0, 3.0, 4.0])
    assert float(numpy_of(optimizer.dynamic_scale)) == 64.0
    inner_state = [
        numpy_of(s)
        for s in optimizer.inner_optimizer.variables
        if s.shape == (4,)  # the state vectors
    ]
    assert inner_state and all(np.all(s == 0) for s in inner_state), (
        "the inner optimizer's state moved on an infinite gradient"
    )
    assert int(numpy_of(optimizer.inner_optimizer.iterations)) == 0


@stateful_only
def test_loss_scale_upscaling_after_growth_steps(name):
    v = keras.Variable([1.0, 2.0, 3.0, 4.0])
    optimizer = loss_scaled(
        name, initial_scale=2.0, dynamic_growth_steps=2
    )
    for expected in (2.0, 4.0, 4.0, 8.0):
        optimizer.apply([tensor([1.0, 6.0, 7.0, 2.0])], [v])
        assert float(numpy_of(optimizer.dynamic_scale)) == expected


@pytest.mark.skipif(
    BACKEND == "tensorflow", reason="TensorFlow has no stateless_apply"
)
def test_loss_scale_stateless_finite_step(name):
    g = np.array([1.0, 6.0, 7.0, 2.0])
    v = keras.Variable([1.0, 2.0, 3.0, 4.0])
    optimizer = loss_scaled(name)
    optimizer.build([v])
    scale = float(numpy_of(optimizer.dynamic_scale))
    new_vars, _ = optimizer.stateless_apply(
        [s.value for s in optimizer.variables], [tensor(g * scale)], [v.value]
    )
    assert_close(new_vars[0], [1.0, 2.0, 3.0, 4.0] - first_step(name, 0.5, g))


def test_loss_scale_serialization_round_trip(name):
    optimizer = loss_scaled(name, initial_scale=8.0)
    config = keras.saving.serialize_keras_object(optimizer)
    revived = keras.saving.deserialize_keras_object(json.loads(json.dumps(config)))
    assert type(revived.inner_optimizer) is type(optimizer.inner_optimizer)
    assert revived.get_config() == optimizer.get_config()


# Sparse gradients and compiled training steps.


@pytest.mark.skipif(BACKEND != "tensorflow", reason="IndexedSlices are TF's")
def test_indexed_slices_gradient_acts_as_its_dense_value(name):
    import tensorflow as tf

    rows = np.arange(12.0).reshape(4, 3) / 10
    sparse = tf.IndexedSlices(
        tf.constant(rows[[0, 2]]), tf.constant([0, 2]), tf.constant([4, 3])
    )
    dense = np.zeros((4, 3))
    dense[[0, 2]] = rows[[0, 2]]
    a, b = keras.Variable(np.ones((4, 3))), keras.Variable(np.ones((4, 3)))
    first, second = OPTIMIZERS[name](0.1), OPTIMIZERS[name](0.1)
    for _ in range(3):
        first.apply_gradients([(sparse, a)])
        second.apply_gradients([(tf.constant(dense), b)])
    np.testing.assert_allclose(numpy_of(a), numpy_of(b), rtol=1e-6)


@pytest.mark.slow
@pytest.mark.skipif(BACKEND != "tensorflow", reason="IndexedSlices are TF's")
def test_clipnorm_with_embedding_gradients(name):
    # adam_test's Keras issue 18985: an Embedding's gradient is an
    # IndexedSlices, which clipnorm must accept.
    model = keras.Sequential(
        [
            keras.layers.Embedding(10, 4),
            keras.layers.Flatten(),
            keras.layers.Dense(2),
        ]
    )
    model.compile(optimizer=OPTIMIZERS[name](0.01, clipnorm=100), loss="mse")
    history = model.fit(ops.ones((8, 5)), ops.zeros((8, 2)), verbose=0)
    assert np.isfinite(history.history["loss"][0])


@pytest.mark.slow
@pytest.mark.skipif(
    BACKEND == "torch",
    reason="torch's jit_compile is torch.compile, which Keras's own tests "
    "leave out",
)
def test_jit_compiled_training_equals_eager_training(name):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 4)).astype("float32")
    y = rng.normal(size=(32, 2)).astype("float32")
    weights = []
    for jit_compile in (False, True):
        keras.utils.set_random_seed(3)
        model = keras.Sequential(
            [keras.Input((4,)), keras.layers.Dense(8, "tanh"), keras.layers.Dense(2)]
        )
        model.compile(
            optimizer=OPTIMIZERS[name](0.05), loss="mse", jit_compile=jit_compile
        )
        model.fit(x, y, batch_size=8, epochs=2, verbose=0)
        weights.append([numpy_of(w) for w in model.weights])
    for eager, compiled in zip(*weights):
        np.testing.assert_allclose(compiled, eager, rtol=1e-4, atol=1e-5)
