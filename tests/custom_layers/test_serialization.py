"""Configs, `.keras` files and resumed training for the three components."""

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
