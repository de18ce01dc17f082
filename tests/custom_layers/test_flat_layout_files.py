"""`.keras` files saved with the flat-state optimizers load with their state.

Until December 2026 the optimizers kept each kind of state in one flat
vector; the files in `data/` were saved with those classes after three
training steps (`data/make_flat_layout_files.py`), with the weights a
fourth step gave them. Loaded now, the state is cut back into one variable
per weight, so the fourth step lands where it did then.
"""

import warnings
from pathlib import Path

import keras
import numpy as np
import pytest

import custom_layers  # noqa: F401 (registers the classes for loading)
from custom_layers import MomentumOptimizer

pytestmark = pytest.mark.all_backends

DATA = Path(__file__).resolve().parent / "data"


@pytest.mark.parametrize("name", ["momentum", "adam"])
def test_flat_layout_file_resumes_training_where_it_stopped(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a skipped state only warns
        model = keras.saving.load_model(DATA / f"flat_layout_{name}.keras")
    saved = np.load(DATA / f"flat_layout_{name}_next.npz")
    assert int(keras.ops.convert_to_numpy(model.optimizer.iterations)) == 3
    model.train_on_batch(saved["x"], saved["y"])
    for index, weight in enumerate(model.get_weights()):
        np.testing.assert_allclose(
            weight,
            saved[f"arr_{index}"],
            rtol=1e-5,
            atol=1e-6,
            err_msg=f"weight {index} after the step that follows loading "
            "differs from the step the saving optimizer took",
        )


def test_restarting_from_zero_state_would_step_elsewhere():
    """The check above can fail: fresh state takes another fourth step."""
    model = keras.saving.load_model(DATA / "flat_layout_momentum.keras")
    saved = np.load(DATA / "flat_layout_momentum_next.npz")
    model.compile(
        optimizer=MomentumOptimizer(0.1, beta=0.8, nesterov=True), loss="mse"
    )
    model.train_on_batch(saved["x"], saved["y"])
    largest = max(
        float(np.max(np.abs(weight - saved[f"arr_{index}"])))
        for index, weight in enumerate(model.get_weights())
    )
    assert largest > 1e-3, "zero velocity stepped like the restored one"


def one_weight_optimizer():
    """A MomentumOptimizer built for a single (2, 3) weight."""
    optimizer = MomentumOptimizer(0.1)
    optimizer.build([keras.Variable(np.ones((2, 3), dtype="float32"))])
    return optimizer


def saved_state(velocity):
    """An optimizer store: 5 steps taken, learning rate 0.1, `velocity`."""
    return {
        "0": np.array(5),
        "1": np.array(0.1, dtype="float32"),
        "2": np.asarray(velocity, dtype="float32"),
    }


def test_flat_velocity_of_one_weight_takes_the_weight_shape():
    """As many entries in both layouts: the shapes tell them apart."""
    optimizer = one_weight_optimizer()
    optimizer.load_own_variables(saved_state(np.arange(6.0)))
    (velocity,) = optimizer.variables[2:]
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(velocity), np.arange(6.0).reshape(2, 3)
    )


def test_state_that_fits_no_layout_is_refused_with_a_warning():
    optimizer = one_weight_optimizer()
    store = saved_state(np.ones(7))  # 7 fits no (2, 3) weight
    with pytest.warns(UserWarning, match="Not loading the state"):
        optimizer.load_own_variables(store)
    assert int(keras.ops.convert_to_numpy(optimizer.iterations)) == 0
    (velocity,) = optimizer.variables[2:]
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(velocity), 0.0)
