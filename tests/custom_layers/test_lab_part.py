"""Labs 6 and 7's Keras classes are the student's part of custom_layers' classes.

`python -m autograder build` writes the bodies of the labs' `__init__`,
`build`, `update_step` (or `call`) and `get_config` from these classes,
without their extras (tests/test_build.py checks that the solutions are up
to date). What is left to check here is that the part is the whole minus
the extras: with the extras at their defaults, the lab's class and ours
are one implementation, so they step, mask and configure alike, and reject
bad arguments with the same errors.
"""

import keras
import numpy as np
import pytest
from helpers import load_solution
from keras import ops

import custom_layers
from autograder.authoring import build

pytestmark = pytest.mark.all_backends

LAB_6 = load_solution("lab06_optimizers")
LAB_7 = load_solution("lab07_regularization")

# class name -> (constructor arguments both take, our extras)
OPTIMIZERS = {
    "MomentumOptimizer": ({"learning_rate": 0.05, "beta": 0.8}, {"nesterov"}),
    "AdamOptimizer": (
        {"learning_rate": 0.05, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-3},
        {"amsgrad"},
    ),
}


@pytest.mark.parametrize(
    "name, extra",
    [
        ("custom_layers.optimizers.MomentumOptimizer.update_step", "nesterov"),
        ("custom_layers.optimizers.AdamOptimizer.update_step", "amsgrad"),
        ("custom_layers.optimizers.AdamOptimizer.build", "amsgrad"),
        ("custom_layers.dropconnect.DropConnectDense.__init__", "use_bias"),
        ("custom_layers.dropconnect.DropConnectDense.call", "mask"),
    ],
)
def test_the_lab_part_leaves_the_extras_out(name, extra):
    whole = "".join(build._method_body(name))
    part = "".join(build.lab_part(name))
    assert extra in whole and extra not in part, part
    assert "EXTRA" not in part and "# lab:" not in part and "# extra" not in part


def test_lab_lines_replace_ours_in_the_part():
    part = "".join(build.lab_part("custom_layers.dropconnect.DropConnectDense.build"))
    assert 'initializer="glorot_uniform",' in part and "self.kernel_initializer" not in part


def descend(optimizer, problem, steps=30):
    """The weights after `steps` steps on the conftest quadratic, in float32."""
    variables = [keras.Variable(w, dtype="float32") for w in problem.initial]
    for t in range(steps):
        weights = [ops.convert_to_numpy(v) for v in variables]
        grads = problem.gradient(weights, t)
        optimizer.apply([ops.convert_to_tensor(g) for g in grads], variables)
    return [ops.convert_to_numpy(v) for v in variables]


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_without_extras_the_lab_optimizer_steps_as_ours(name, problem):
    arguments, _ = OPTIMIZERS[name]
    theirs = descend(getattr(LAB_6, name)(**arguments), problem)
    ours = descend(getattr(custom_layers, name)(**arguments), problem)
    for lab_weight, our_weight in zip(theirs, ours):
        np.testing.assert_array_equal(our_weight, lab_weight)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_configs_differ_by_the_extras_alone(name):
    arguments, extras = OPTIMIZERS[name]
    theirs = getattr(LAB_6, name)(**arguments).get_config()
    ours = getattr(custom_layers, name)(**arguments).get_config()
    assert set(ours) - set(theirs) == extras
    shared = set(theirs) - {"name"}  # Keras names an optimizer after its class's module too
    assert {k: ours[k] for k in shared} == {k: theirs[k] for k in shared}


@pytest.mark.parametrize(
    "name, bad, error",
    [
        ("MomentumOptimizer", {"beta": 1.0}, ValueError),
        ("MomentumOptimizer", {"beta": "0.9"}, TypeError),
        ("AdamOptimizer", {"beta_2": 1.5}, ValueError),
        ("AdamOptimizer", {"epsilon": -1e-3}, ValueError),
        ("AdamOptimizer", {"learning_rate": "fast"}, TypeError),
    ],
)
def test_both_reject_a_bad_argument_alike(name, bad, error):
    (argument,) = bad
    for module in (LAB_6, custom_layers):
        with pytest.raises(error, match=f"Received: {argument}="):
            getattr(module, name)(**bad)


def test_without_extras_the_lab_layer_draws_our_masks():
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
        )
    config = theirs.get_config()
    shared = set(config) - {"name"}
    assert {k: ours.get_config()[k] for k in shared} == {k: config[k] for k in shared}


@pytest.mark.parametrize(
    "bad, error", [({"rate": 1.0}, ValueError), ({"units": 2.5}, TypeError), ({"units": 0}, ValueError)]
)
def test_both_layers_reject_a_bad_argument_alike(bad, error):
    (argument,) = bad
    arguments = {"units": 3, **bad}
    for module in (LAB_7, custom_layers):
        with pytest.raises(error, match=f"Received: {argument}="):
            module.DropConnectDense(**arguments)
