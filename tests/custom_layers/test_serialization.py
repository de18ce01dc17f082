"""Configs, `.keras` files and resumed training for the three components."""

import contextlib
import inspect

import keras
import numpy as np
import pytest

from custom_layers import AdamOptimizer
from custom_layers import DropConnectDense
from custom_layers import MomentumOptimizer


def inverse_time_decay():
    """The slides' lr0 / (1 + decay * epoch) with 8 steps per epoch."""
    return keras.optimizers.schedules.InverseTimeDecay(
        0.01, decay_steps=8, decay_rate=0.5, staircase=True
    )


COMPONENTS = {
    "momentum": lambda: MomentumOptimizer(
        0.2, beta=0.8, nesterov=True, clipnorm=1.0
    ),
    "adam": lambda: AdamOptimizer(
        inverse_time_decay(),
        beta_1=0.8,
        epsilon=1e-6,
        amsgrad=True,
        weight_decay=1e-4,
    ),
    "dropconnect": lambda: DropConnectDense(
        5,
        rate=0.3,
        activation="relu",
        mask="example",
        seed=7,
        kernel_regularizer=keras.regularizers.L2(1e-3),
        activity_regularizer=keras.regularizers.L1(1e-4),
        kernel_constraint=keras.constraints.NonNeg(),
    ),
}


@pytest.mark.parametrize("name", COMPONENTS)
def test_is_registered_under_custom_layers(name):
    obj = COMPONENTS[name]()
    registered = keras.saving.get_registered_name(type(obj))
    expected = f"custom_layers>{type(obj).__name__}"
    assert registered == expected, (
        f"expected registration as {expected!r}, got {registered!r}"
    )


@pytest.mark.parametrize("name", COMPONENTS)
def test_serialized_config_round_trips(name):
    obj = COMPONENTS[name]()
    restored = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(obj)
    )
    assert type(restored) is type(obj), (
        f"expected a {type(obj).__name__} back, got {type(restored).__name__}"
    )
    assert restored.get_config() == obj.get_config(), (
        "expected the same config after a round trip, got "
        f"{restored.get_config()} instead of {obj.get_config()}"
    )


@pytest.mark.parametrize("name", COMPONENTS)
def test_config_names_every_constructor_argument(name):
    obj = COMPONENTS[name]()
    arguments = set(inspect.signature(type(obj).__init__).parameters) - {
        "self",
        "kwargs",
    }
    missing = arguments - set(obj.get_config())
    assert not missing, (
        f"expected get_config() to hold every constructor argument, "
        f"missing {sorted(missing)}"
    )


@pytest.fixture(params=["momentum", "adam"])
def compiled_model(request, digits):
    """A digits MLP with a DropConnectDense layer, trained for 2 epochs."""
    x_train, _, y_train, _ = digits
    model = keras.Sequential(
        [
            keras.Input((64,)),
            DropConnectDense(32, rate=0.3, activation="relu", mask="batch"),
            DropConnectDense(
                10, rate=0.2, activation="softmax", mask="example", seed=3
            ),
        ]
    )
    model.compile(
        optimizer=COMPONENTS[request.param](),
        loss="sparse_categorical_crossentropy",
    )
    data = (x_train[:256], y_train[:256])
    model.fit(*data, batch_size=32, epochs=2, shuffle=False, verbose=0)
    return model, data


def state(model):
    """All weights, seed states and optimizer variables, as NumPy arrays."""
    return [
        keras.ops.convert_to_numpy(v)
        for v in model.variables + model.optimizer.variables
    ]


def assert_same_state(actual, expected, what):
    """Assert two `state()` lists are identical, naming `what` on failure."""
    assert len(actual) == len(expected), (
        f"{what}: expected {len(expected)} variables, got {len(actual)}"
    )
    for i, (a, e) in enumerate(zip(actual, expected)):
        np.testing.assert_array_equal(
            a, e, err_msg=f"{what}: variable {i} differs"
        )


def test_loads_with_identical_predictions_and_state(compiled_model, tmp_path):
    model, (x, _) = compiled_model
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded.optimizer) is type(model.optimizer), (
        f"expected a {type(model.optimizer).__name__} back, got "
        f"{type(loaded.optimizer).__name__}"
    )
    np.testing.assert_array_equal(
        loaded.predict(x, verbose=0),
        model.predict(x, verbose=0),
        err_msg="expected identical predictions after loading",
    )
    assert_same_state(state(loaded), state(model), "after loading")


def test_training_resumes_as_if_never_interrupted(compiled_model, tmp_path):
    model, data = compiled_model
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    for m in (model, loaded):
        m.fit(*data, batch_size=32, epochs=1, shuffle=False, verbose=0)
    assert_same_state(
        state(loaded), state(model), "after one more epoch from the file"
    )


# Each of our optimizers in every form a saved file may hold.
OPTIMIZER_FORMS = {
    "momentum": lambda: MomentumOptimizer(0.1, beta=0.8),
    "nesterov": lambda: MomentumOptimizer(0.1, beta=0.8, nesterov=True),
    "adam": lambda: AdamOptimizer(0.01),
    "amsgrad": lambda: AdamOptimizer(0.01, amsgrad=True),
}
SAVED_STEPS = 3


@contextlib.contextmanager
def global_dtype_policy(policy):
    """Keras's global dtype policy set to `policy` inside the block."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def trained_dense_model(optimizer, policy):
    """A two-layer regression model under `policy`, `SAVED_STEPS` steps in.

    Returns the model and one more batch. Under "mixed_float16", `compile`
    wraps the optimizer in a `LossScaleOptimizer`; under "float16" the
    weights are float16 and our optimizers' state float32.
    """
    rng = np.random.default_rng(0)
    batches = [
        (rng.normal(size=(16, 8)), rng.normal(size=(16, 2)))
        for _ in range(SAVED_STEPS + 1)
    ]
    with global_dtype_policy(policy):
        model = keras.Sequential(
            [
                keras.Input((8,)),
                keras.layers.Dense(4, activation="tanh"),
                keras.layers.Dense(2),
                keras.layers.Activation("linear", dtype="float32"),
            ]
        )
        model.compile(optimizer=optimizer, loss="mse")
    for x, y in batches[:SAVED_STEPS]:
        model.train_on_batch(x, y)
    return model, batches[SAVED_STEPS]


def own_optimizer(model):
    """The model's optimizer of ours, inside a LossScaleOptimizer or not."""
    return getattr(model.optimizer, "inner_optimizer", model.optimizer)


@pytest.mark.all_backends
@pytest.mark.parametrize("policy", ["float32", "mixed_float16", "float16"])
@pytest.mark.parametrize("name", OPTIMIZER_FORMS)
def test_saved_optimizer_state_loads_and_steps_on_alike(name, policy, tmp_path):
    model, batch = trained_dense_model(OPTIMIZER_FORMS[name](), policy)
    saved = keras.ops.convert_to_numpy(own_optimizer(model).iterations)
    assert saved == SAVED_STEPS, (
        f"test setup: {SAVED_STEPS} steps taken, iterations {saved}"
    )
    path = tmp_path / "model.keras"
    model.save(path)
    # `compile` wraps the optimizer in a LossScaleOptimizer when the global
    # policy is "mixed_float16", also when `load_model` compiles: loaded
    # under another, Keras's optimizers and ours start from zero state.
    with global_dtype_policy(policy):
        loaded = keras.saving.load_model(path)
    assert type(loaded.optimizer) is type(model.optimizer), (
        f"expected a {type(model.optimizer).__name__} back, got "
        f"{type(loaded.optimizer).__name__}"
    )
    assert type(own_optimizer(loaded)) is type(own_optimizer(model)), (
        f"expected a {type(own_optimizer(model)).__name__} back, got "
        f"{type(own_optimizer(loaded)).__name__}"
    )
    # `state` holds every optimizer variable: iterations, learning rate,
    # the momentums, velocities and AMSGrad maxima, and the loss scale's.
    assert_same_state(
        state(loaded), state(model), f"{name} under {policy} after loading"
    )
    for m in (model, loaded):
        m.train_on_batch(*batch)
    assert_same_state(
        state(loaded),
        state(model),
        f"{name} under {policy}: one step after loading, against one step "
        "of the model that was never saved",
    )


@pytest.mark.all_backends
@pytest.mark.parametrize(
    "make_optimizer",
    [
        OPTIMIZER_FORMS["momentum"],
        lambda: keras.optimizers.SGD(0.02, momentum=0.8),
    ],
    ids=["ours", "keras_sgd"],
)
def test_mixed_float16_file_loaded_under_float32_starts_from_zero_state(
    make_optimizer, tmp_path
):
    """What the README says of such files, for ours as for Keras's SGD."""
    model, _ = trained_dense_model(make_optimizer(), "mixed_float16")
    path = tmp_path / "model.keras"
    model.save(path)
    with pytest.warns(UserWarning, match="optimizer"):
        loaded = keras.saving.load_model(path)
    wrapped = isinstance(loaded.optimizer, keras.optimizers.LossScaleOptimizer)
    assert not wrapped, "expected compile not to wrap outside mixed_float16"
    iterations = keras.ops.convert_to_numpy(loaded.optimizer.iterations)
    assert iterations == 0, (
        "expected a mixed_float16 file loaded under the float32 policy to "
        f"leave the optimizer's state at zero, got {iterations} iterations"
    )
