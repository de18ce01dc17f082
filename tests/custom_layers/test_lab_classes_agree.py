"""custom_layers is the complete version of the Keras classes labs 6 and 7 teach.

The labs' solutions (`solutions/lab06_optimizers.py`, `lab07_regularization.py`)
write the same classes without the extras (`nesterov`, `amsgrad`, the
example mask, Dense's initializers and regularizers). With the extras off,
both take the same steps and draw the same masks, their configs differ by
the extras alone, and both reject the same out-of-range values with
`ValueError` naming the argument.
"""

import importlib

import keras
import numpy as np
import pytest
from keras import ops

import custom_layers

pytestmark = pytest.mark.all_backends

LAB_6 = importlib.import_module("solutions.lab06_optimizers")
LAB_7 = importlib.import_module("solutions.lab07_regularization")

# class name -> (constructor arguments both take, our extras at their defaults)
OPTIMIZERS = {
    "MomentumOptimizer": ({"learning_rate": 0.05, "beta": 0.8}, {"nesterov"}),
    "AdamOptimizer": (
        {"learning_rate": 0.05, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-3},
        {"amsgrad"},
    ),
}


def descend(optimizer, problem, steps=30):
    """The weights after `steps` steps on the conftest quadratic.

    In float32, the dtype the lab is graded in: lab 6 casts Python betas
    with `ops.cast`, which on TensorFlow rounds them to float32 even for a
    float64 variable.
    """
    variables = [keras.Variable(w, dtype="float32") for w in problem.initial]
    for t in range(steps):
        weights = [ops.convert_to_numpy(v) for v in variables]
        grads = problem.gradient(weights, t)
        optimizer.apply([ops.convert_to_tensor(g) for g in grads], variables)
    return [ops.convert_to_numpy(v) for v in variables]


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_lab_optimizer_steps_as_ours(name, problem):
    arguments, _ = OPTIMIZERS[name]
    theirs = descend(getattr(LAB_6, name)(**arguments), problem)
    ours = descend(getattr(custom_layers, name)(**arguments), problem)
    moved = max(float(np.max(np.abs(w - w0))) for w, w0 in zip(ours, problem.initial))
    assert moved > 0.1, "test setup: the weights barely moved"
    for lab_weight, our_weight in zip(theirs, ours):
        # float32 rounding, in another order for Adam's bias corrections.
        np.testing.assert_allclose(
            our_weight,
            lab_weight,
            rtol=1e-5,
            atol=1e-6,
            err_msg=f"custom_layers.{name} departs from lab 6's",
        )


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_configs_differ_by_the_extras_alone(name):
    arguments, extras = OPTIMIZERS[name]
    theirs = getattr(LAB_6, name)(**arguments).get_config()
    ours = getattr(custom_layers, name)(**arguments).get_config()
    assert set(ours) - set(theirs) == extras, (
        f"expected custom_layers.{name}'s config to add {extras} to lab 6's, "
        f"it adds {set(ours) - set(theirs)}"
    )
    shared = set(theirs) - {"name"}  # each names its optimizer its own way
    assert {k: ours[k] for k in shared} == {k: theirs[k] for k in shared}


@pytest.mark.parametrize(
    "name, bad",
    [
        ("MomentumOptimizer", {"beta": 1.0}),
        ("MomentumOptimizer", {"beta": -0.1}),
        ("AdamOptimizer", {"beta_1": 1.0}),
        ("AdamOptimizer", {"beta_2": 1.5}),
        ("AdamOptimizer", {"epsilon": -1e-3}),
    ],
)
def test_both_reject_an_out_of_range_value_naming_it(name, bad):
    (argument,) = bad
    for module in (LAB_6, custom_layers):
        with pytest.raises(ValueError, match=argument):
            getattr(module, name)(**bad)


def test_lab_dropconnect_layer_draws_our_masks():
    x = np.random.default_rng(0).normal(size=(4, 6)).astype("float32")
    theirs = LAB_7.DropConnectDense(5, rate=0.4, activation="relu", seed=3)
    ours = custom_layers.DropConnectDense(5, rate=0.4, activation="relu", seed=3)
    theirs.build(x.shape)
    ours.build(x.shape)
    ours.set_weights(theirs.get_weights())
    for training in (True, True, False):
        np.testing.assert_array_equal(
            ops.convert_to_numpy(ours(x, training=training)),
            ops.convert_to_numpy(theirs(x, training=training)),
            err_msg=f"custom_layers.DropConnectDense departs from lab 7's "
            f"(training={training})",
        )
    config = theirs.get_config()
    shared = set(config) - {"name"}
    assert {k: ours.get_config()[k] for k in shared} == {
        k: config[k] for k in shared
    }


def test_both_layers_reject_a_rate_of_one_naming_it():
    for module in (LAB_7, custom_layers):
        with pytest.raises(ValueError, match="rate"):
            module.DropConnectDense(3, rate=1.0)
