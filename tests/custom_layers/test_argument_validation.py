"""Bad hyperparameters fail early, with an error that names the argument."""

import keras
import pytest

from custom_layers import AdamOptimizer
from custom_layers import DropConnectDense
from custom_layers import MomentumOptimizer

BAD_VALUES = [
    (MomentumOptimizer, {"learning_rate": -0.1}, "learning_rate"),
    (MomentumOptimizer, {"beta": 1.0}, "beta"),
    (MomentumOptimizer, {"beta": -0.1}, "beta"),
    (MomentumOptimizer, {"beta": float("nan")}, "beta"),
    (AdamOptimizer, {"learning_rate": -1e-3}, "learning_rate"),
    (AdamOptimizer, {"beta_1": 1.0}, "beta_1"),
    (AdamOptimizer, {"beta_2": 1.5}, "beta_2"),
    (AdamOptimizer, {"beta_2": -0.5}, "beta_2"),
    (AdamOptimizer, {"epsilon": -1e-8}, "epsilon"),
    (DropConnectDense, {"units": 4, "rate": 1.0}, "rate"),
    (DropConnectDense, {"units": 4, "rate": -0.1}, "rate"),
    (DropConnectDense, {"units": 0}, "units"),
    (DropConnectDense, {"units": 4, "mask": "unit"}, "mask"),
    (DropConnectDense, {"units": 4, "seed": -1}, "seed"),
]

BAD_TYPES = [
    (MomentumOptimizer, {"learning_rate": "fast"}, "learning_rate"),
    (MomentumOptimizer, {"beta": "0.9"}, "beta"),
    (MomentumOptimizer, {"nesterov": 1}, "nesterov"),
    (AdamOptimizer, {"beta_1": None}, "beta_1"),
    (AdamOptimizer, {"epsilon": True}, "epsilon"),
    (AdamOptimizer, {"amsgrad": "yes"}, "amsgrad"),
    (DropConnectDense, {"units": 4.0}, "units"),
    (DropConnectDense, {"units": 4, "rate": "0.5"}, "rate"),
    (DropConnectDense, {"units": 4, "mask": None}, "mask"),
    (DropConnectDense, {"units": 4, "use_bias": "no"}, "use_bias"),
    (DropConnectDense, {"units": 4, "seed": 1.5}, "seed"),
]


def case_id(case):
    """'Class-argument=value' for test ids."""
    cls, kwargs, _ = case
    return f"{cls.__name__}-" + ",".join(
        f"{k}={v!r}" for k, v in kwargs.items()
    )


@pytest.mark.parametrize("case", BAD_VALUES, ids=case_id)
def test_bad_value_raises_value_error_naming_the_argument(case):
    cls, kwargs, name = case
    with pytest.raises(ValueError, match=f"`{name}`"):
        cls(**kwargs)


@pytest.mark.parametrize("case", BAD_TYPES, ids=case_id)
def test_wrong_type_raises_type_error_naming_the_argument(case):
    cls, kwargs, name = case
    with pytest.raises(TypeError, match=f"`{name}`"):
        cls(**kwargs)


@pytest.mark.parametrize(
    "learning_rate, expected",
    [
        (0.0, 0.0),
        (1, 1.0),
        (keras.optimizers.schedules.InverseTimeDecay(0.1, 10, 0.5), 0.1),
    ],
    ids=["zero", "int", "schedule"],
)
@pytest.mark.parametrize("cls", [MomentumOptimizer, AdamOptimizer])
def test_accepts_valid_learning_rates(cls, learning_rate, expected):
    current = float(
        keras.ops.convert_to_numpy(
            cls(learning_rate=learning_rate).learning_rate
        )
    )
    assert current == pytest.approx(expected), (
        f"expected {cls.__name__}(learning_rate={learning_rate!r}) to start "
        f"at {expected}, got {current}"
    )


def test_boundary_values_are_accepted():
    # The closed ends of [0, 1) and epsilon = 0 are legal.
    MomentumOptimizer(beta=0.0)
    AdamOptimizer(beta_1=0.0, beta_2=0.0, epsilon=0.0)
    DropConnectDense(3, rate=0.0, mask="example", seed=0)
