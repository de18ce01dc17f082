"""The optimizers train under `tf.distribute`, on two replicas as on one.

Under `MirroredStrategy`, TensorFlow hands `update_step` each replica's copy
of a variable, not the variable the optimizer was built with. Two logical
CPUs stand for two devices; they must be declared before TensorFlow starts,
hence a fresh interpreter.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import keras
import pytest

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="tf.distribute is TensorFlow's",
)

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration()] * 2
)
import keras
import numpy as np
import custom_layers

OPTIMIZERS = {
    "momentum": lambda: custom_layers.MomentumOptimizer(0.1, nesterov=True),
    "adam": lambda: custom_layers.AdamOptimizer(0.05, amsgrad=True),
}
rng = np.random.default_rng(0)
x = rng.normal(size=(32, 4)).astype("float32")
y = rng.normal(size=(32, 2)).astype("float32")


def train(name, strategy):
    with strategy.scope():
        keras.utils.set_random_seed(1)
        model = keras.Sequential(
            [keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(2)]
        )
        initial = model.get_weights()
        model.compile(optimizer=OPTIMIZERS[name](), loss="mse")
    model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    return initial, model.get_weights()


two = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
results = {}
for name in OPTIMIZERS:
    initial, alone = train(name, tf.distribute.get_strategy())
    _, mirrored = train(name, two)
    results[name] = {
        "moved": max(float(np.max(np.abs(a - i))) for a, i in zip(alone, initial)),
        "apart": max(float(np.max(np.abs(a - m))) for a, m in zip(alone, mirrored)),
    }
print("RESULTS", json.dumps(results))
"""


@pytest.fixture(scope="module")
def results():
    """Per optimizer: how far one device moved the weights, how far apart."""
    environment = {
        **os.environ,
        "KERAS_BACKEND": "tensorflow",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULTS ")]
    assert done.returncode == 0 and lines, (
        f"training under MirroredStrategy failed:\n{done.stderr[-3000:]}"
    )
    return json.loads(lines[0].removeprefix("RESULTS "))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["momentum", "adam"])
def test_two_replicas_train_as_one_device(results, name):
    moved, apart = results[name]["moved"], results[name]["apart"]
    assert moved > 0.05, f"test setup: {name} barely moved the weights"
    assert apart < 1e-5, (
        f"{name} on two replicas ends {apart} away from its weights on one "
        "device"
    )
