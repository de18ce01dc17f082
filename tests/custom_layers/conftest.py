"""Fixtures shared by the custom_layers tests.

The NumPy reference rules below are written from the formulas in the course
slides (and in CURRICULUM.md), independently of `custom_layers`; the tests
compare the Keras optimizers with them, or with Keras's own optimizers.
Everything here is backend-agnostic: NumPy and `keras.ops` only.
"""

import keras
import numpy as np
import pytest
from keras import ops


@pytest.fixture(autouse=True)
def _seed_everything():
    """Seed Python, NumPy and the Keras backend before every test."""
    keras.utils.set_random_seed(1234)


class MomentumReference:
    """The slides' momentum rule in NumPy, one velocity per variable."""

    def __init__(self, beta=0.9, nesterov=False):
        self.beta = beta
        self.nesterov = nesterov
        self.velocity = {}

    def __call__(self, index, w, g, lr):
        """Return variable `index`'s new weights after one step."""
        v = self.beta * self.velocity.get(index, 0.0) + (1 - self.beta) * g
        self.velocity[index] = v
        if self.nesterov:
            return w - lr * (self.beta * v + (1 - self.beta) * g)
        return w - lr * v


class AdamReference:
    """Algorithm 1 of Kingma & Ba (epsilon outside the square root)."""

    def __init__(self, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False):
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad
        self.state = {}

    def __call__(self, index, w, g, lr):
        """Return variable `index`'s new weights after one step."""
        m, v, v_hat_max, t = self.state.get(index, (0.0, 0.0, 0.0, 0))
        t += 1
        m = self.beta_1 * m + (1 - self.beta_1) * g
        v = self.beta_2 * v + (1 - self.beta_2) * g**2
        m_hat = m / (1 - self.beta_1**t)
        v_hat = v / (1 - self.beta_2**t)
        if self.amsgrad:
            v_hat_max = np.maximum(v_hat_max, v_hat)
            v_hat = v_hat_max
        self.state[index] = (m, v, v_hat_max, t)
        return w - lr * m_hat / (np.sqrt(v_hat) + self.epsilon)


def numpy_descent(rule, initial, gradient, steps, learning_rate):
    """Run a NumPy `rule` for `steps` steps from the arrays `initial`.

    `gradient(weights, t)` returns one gradient per variable and
    `learning_rate(t)` the rate of step `t` (0-based). Returns the list of
    weights after the last step.
    """
    weights = [np.array(w, dtype="float64") for w in initial]
    for t in range(steps):
        grads = gradient(weights, t)
        weights = [
            rule(i, w, g, learning_rate(t))
            for i, (w, g) in enumerate(zip(weights, grads))
        ]
    return weights


def keras_descent(optimizer, initial, gradient, steps):
    """Run a Keras `optimizer` eagerly on float64 variables.

    Same arguments as `numpy_descent`, except that the learning rate is the
    optimizer's own. Returns the weights after every step, as a list (steps)
    of lists (variables) of NumPy arrays.
    """
    variables = [keras.Variable(w, dtype="float64") for w in initial]
    trajectory = []
    for t in range(steps):
        weights = [ops.convert_to_numpy(v) for v in variables]
        grads = [ops.convert_to_tensor(g) for g in gradient(weights, t)]
        optimizer.apply(grads, variables)
        trajectory.append([ops.convert_to_numpy(v) for v in variables])
    return trajectory


class QuadraticProblem:
    """A noisy, ill-conditioned quadratic on two variables of unlike shapes.

    The gradient of variable i is `curvature_i * (w_i - target_i) + noise`,
    with curvatures spread over two decades and a fixed noise sequence, so
    that every optimizer state matters and a wrong rule shows at once.
    """

    def __init__(self, seed=0, steps=100, noise=0.1):
        rng = np.random.default_rng(seed)
        shapes = [(3, 4), (4,)]
        self.initial = [rng.normal(size=s) for s in shapes]
        self.target = [rng.normal(size=s) for s in shapes]
        self.curvature = [10 ** rng.uniform(-1, 1, size=s) for s in shapes]
        self.noise = [noise * rng.normal(size=(steps,) + s) for s in shapes]

    def gradient(self, weights, t):
        """Return the gradients at `weights` for step `t`."""
        return [
            c * (w - target) + noise[t]
            for w, c, target, noise in zip(
                weights, self.curvature, self.target, self.noise
            )
        ]


@pytest.fixture
def problem():
    """A fresh `QuadraticProblem` (100 steps of noise)."""
    return QuadraticProblem()


@pytest.fixture
def descend():
    """The NumPy and Keras descent drivers, as a pair."""
    return numpy_descent, keras_descent


@pytest.fixture
def references():
    """The NumPy reference rule classes, by name."""
    return {"momentum": MomentumReference, "adam": AdamReference}


@pytest.fixture(scope="session")
def digits():
    """scikit-learn's bundled digits, split 80/20 and standardised.

    Returns `(x_train, x_test, y_train, y_test)`; the scaler is fitted on
    the training split only.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    x, y = load_digits(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.2, stratify=y, random_state=0
    )
    scaler = StandardScaler().fit(x_train)
    return (
        scaler.transform(x_train).astype("float32"),
        scaler.transform(x_test).astype("float32"),
        y_train,
        y_test,
    )


def pytest_configure(config):
    """Register the marker of the tests the JAX run repeats."""
    config.addinivalue_line(
        "markers",
        "all_backends: also run on JAX by tests/test_second_backend.py",
    )
