"""The components train a small MLP on scikit-learn's digits to >= 95%."""

import keras
import pytest

from custom_layers import AdamOptimizer
from custom_layers import DropConnectDense
from custom_layers import MomentumOptimizer

EPOCHS = 8
HIDDEN = 64
TARGET = 0.95


def fit_and_score(hidden_layer, optimizer, digits):
    """Train 64-HIDDEN-10 for EPOCHS epochs; return the test accuracy."""
    x_train, x_test, y_train, y_test = digits
    model = keras.Sequential(
        [
            keras.Input((64,)),
            hidden_layer,
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=optimizer,
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(x_train, y_train, batch_size=32, epochs=EPOCHS, verbose=0)
    return model.evaluate(x_test, y_test, verbose=0)[1]


@pytest.mark.slow
@pytest.mark.parametrize(
    "make_optimizer",
    [
        lambda: MomentumOptimizer(0.5),
        lambda: MomentumOptimizer(0.5, nesterov=True),
        lambda: AdamOptimizer(0.003),
        lambda: AdamOptimizer(0.003, amsgrad=True),
    ],
    ids=["momentum", "nesterov", "adam", "amsgrad"],
)
def test_optimizer_reaches_target_accuracy(make_optimizer, digits):
    accuracy = fit_and_score(
        keras.layers.Dense(HIDDEN, activation="relu"), make_optimizer(), digits
    )
    assert accuracy >= TARGET, (
        f"expected test accuracy >= {TARGET} after {EPOCHS} epochs, got "
        f"{accuracy:.4f}"
    )


@pytest.mark.slow
@pytest.mark.parametrize("mask", ["batch", "example"])
def test_dropconnect_mlp_reaches_target_accuracy(mask, digits):
    hidden = DropConnectDense(HIDDEN, rate=0.3, activation="relu", mask=mask)
    accuracy = fit_and_score(hidden, AdamOptimizer(0.003), digits)
    assert accuracy >= TARGET, (
        f"expected test accuracy >= {TARGET} with DropConnect "
        f"(mask={mask!r}) after {EPOCHS} epochs, got {accuracy:.4f}"
    )
