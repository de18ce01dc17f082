"""Write the `.keras` files of test_flat_layout_files.py with the old classes.

Until December 2026 the optimizers kept their state in flat vectors. This
script saves, with those classes, two small models after three training
steps, and the weights one more step gives. Run it with the old package
first on the path (commit 8140785):

    git archive 8140785 custom_layers | tar -x -C /tmp/old
    PYTHONPATH=/tmp/old KERAS_BACKEND=tensorflow \
        python tests/custom_layers/data/make_flat_layout_files.py
"""

from pathlib import Path

import keras
import numpy as np

import custom_layers

HERE = Path(__file__).resolve().parent
OPTIMIZERS = {
    "momentum": lambda: custom_layers.MomentumOptimizer(
        0.1, beta=0.8, nesterov=True
    ),
    "adam": lambda: custom_layers.AdamOptimizer(
        0.05, beta_1=0.8, amsgrad=True, use_ema=True
    ),
}


def main():
    assert hasattr(custom_layers.optimizers, "_FlatStateOptimizer"), (
        "run this with the flat-layout package first on PYTHONPATH"
    )
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 4)).astype("float32")
    y = rng.normal(size=(8, 2)).astype("float32")
    for name, make in OPTIMIZERS.items():
        keras.utils.set_random_seed(1)
        model = keras.Sequential(
            [
                keras.Input((4,)),
                keras.layers.Dense(3, activation="tanh"),
                keras.layers.Dense(2),
            ]
        )
        model.compile(optimizer=make(), loss="mse")
        for _ in range(3):
            model.train_on_batch(x, y)
        model.save(HERE / f"flat_layout_{name}.keras")
        model.train_on_batch(x, y)
        np.savez(
            HERE / f"flat_layout_{name}_next.npz",
            x=x,
            y=y,
            *[np.asarray(w) for w in model.get_weights()],
        )


if __name__ == "__main__":
    main()
