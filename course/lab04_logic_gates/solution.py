"""Lab 4: perceptrons, logic gates, XOR and XNOR.

Rosenblatt's perceptron fires when its weighted sum is positive:

    perceptron(x) = 1 if x @ w + b > 0, else 0.

A slip in the slides (deck 003, the bullet slide on the step function, the
one that calls it "one of the simplest activation functions"; it is not a
table): the step function is written "0 if x > 0; 1 if x >= 0". The two
cases overlap (every x > 0 fits both) and no case covers x < 0. What is
meant is 0 if x < 0 and 1 if x >= 0, as a later slide and lab 3's `step`
have it. The perceptron slide itself says "1 if wx + b > 0, 0 otherwise":
a sum of exactly 0 gives 0. That strict threshold is the one this lab
uses; the two rules differ only at exactly 0, which is why a test checks
that case.

With two inputs, w1 x1 + w2 x2 + b = 0 is a straight line across the plane:
the perceptron answers 1 on one side and 0 on the other. Logic gates are the
smallest test. AND, OR and NOT each have a line that puts their 1s on one
side and their 0s on the other, so one perceptron computes each of them; you
choose the weights by hand, then let a learning rule find some by itself.

Rosenblatt's rule goes through the examples and, after each mistake, moves
the line towards the example it got wrong:

    w <- w + lr * (y - y_hat) * x,    b <- b + lr * (y - y_hat).

A correct answer changes nothing (y - y_hat = 0). If some line separates the
data, the rule makes only finitely many mistakes and stops: it converges.

XOR has no such line. A separator would need b <= 0 for (0, 0), w1 + w2 + b
<= 0 for (1, 1), and w1 + b > 0 and w2 + b > 0 for (1, 0) and (0, 1). Add
the last two: w1 + w2 + 2b > 0. Add the first two: w1 + w2 + 2b <= 0. No
weights do both, so the rule keeps making mistakes forever. (Minsky and
Papert's point in 1969.) The cure is a hidden layer: XOR(x1, x2) =
AND(OR(x1, x2), NAND(x1, x2)), two layers of perceptrons, each computing a
gate it can compute. XNOR and a half adder (sum = a XOR b, carry = a AND b)
are built the same way.

Smooth units work too: with large weights the sigmoid is nearly a step, and
the slides' OR is sigmoid(40 x1 + 40 x2 - 30). Because it is smooth, a
network of sigmoid (or tanh) units can be trained by gradient descent, and
it finds hidden features for XOR by itself: the last exercise trains one
with Keras.

What to look for:
- The decision boundaries in the figure: one straight line for a
  perceptron, a band between two lines for the XOR network, a curved region
  for the trained MLP.
- errors_per_epoch on XOR: it never reaches zero, however long you train.

Shapes: one example x has shape (d,); a batch X has shape (n, d), one example
per row (a two-input gate has d = 2). Weights w have shape (d,); the bias b
is a number. Outputs are 0.0 or 1.0, a float for one example and shape (n,)
for a batch.
"""


import numpy as np
from matplotlib.figure import Figure

from labkit import as_float_array, check_count, check_positive, save_pngs

# The four inputs of a two-input gate, in truth-table order, and XOR's answers.
INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_TARGETS = np.array([0.0, 1.0, 1.0, 0.0])


# %% [markdown]
# ## Checking the arguments
# Bad input should fail early, with a `ValueError` that names the argument.
# These checks come from `labkit`, which every lab shares; call them where
# the exercises say so.

# %%
def _check_examples(x, d, name):
    """x as an array of shape (d,) (one example) or (n, d) (a batch)."""
    x = as_float_array(x, name)
    if x.ndim not in (1, 2) or x.shape[-1] != d or x.size == 0:
        raise ValueError(f"{name} must have shape ({d},) or (n, {d}), got shape {x.shape}")
    return x


def _check_inputs(x, w, b):
    """x, w and b as arrays; x's last axis must match w."""
    w, b = as_float_array(w, "w"), as_float_array(b, "b")
    if w.ndim != 1 or w.size == 0:
        raise ValueError(f"w must be a non-empty 1-D array of weights, got shape {w.shape}")
    if b.ndim != 0:
        raise ValueError(f"b must be a single number, got shape {b.shape}")
    return _check_examples(x, w.shape[0], "x"), w, b


def _check_bits(value, name):
    """value as a float array whose entries are all 0 or 1."""
    bits = as_float_array(value, name)
    if not np.all((bits == 0) | (bits == 1)):
        raise ValueError(f"{name} must hold only 0s and 1s, got {value!r}")
    return bits


# %% [markdown]
# ## 1. The perceptron
# One unit: a weighted sum, then a hard threshold. Note the strict `> 0`: a
# sum of exactly 0 gives 0.

# %%
def perceptron(x, w, b):
    """The perceptron's output: 1 where x @ w + b > 0, else 0.

    Inputs:
    - x: one example, shape (d,), or a batch, shape (n, d).
    - w: weights, shape (d,).
    - b: bias, a number.
    Returns:
    - 0.0 or 1.0: a float for one example, shape (n,) for a batch.
    """
    # BEGIN SOLUTION: check the shapes with _check_inputs(x, w, b); out = 1.0 where x @ w + b > 0 (strictly), else 0.0
    x, w, b = _check_inputs(x, w, b)
    out = np.where(x @ w + b > 0, 1.0, 0.0)
    # END SOLUTION
    return out[()]


# %% [markdown]
# ## 2. Logic gates by hand
# Choose a weight vector and a bias for each gate: each is a pair `(w, b)`
# with `w` an array of shape (2,) (shape (1,) for NOT, which has one input).
# Draw the four inputs on paper and place a line between the 1s and the 0s.

# %%
# BEGIN SOLUTION
AND_GATE = (np.array([1.0, 1.0]), -1.5)  # fires only when both inputs are 1: 2 - 1.5 > 0
OR_GATE = (np.array([1.0, 1.0]), -0.5)  # fires when at least one input is 1
NOT_GATE = (np.array([-1.0]), 0.5)  # 0.5 > 0 for input 0, -0.5 <= 0 for input 1
# STUB: # Replace each None by a pair (w, b); the graded tests treat None like a NotImplementedError.
# STUB: AND_GATE = None  # (w, b) such that perceptron(x, *AND_GATE) is x1 AND x2
# STUB: OR_GATE = None  # (w, b) for x1 OR x2
# STUB: NOT_GATE = None  # (w, b) for NOT x1, with w of shape (1,)
# END SOLUTION


# %% [markdown]
# ## 3. Sigmoid gates
# Replace the step by the sigmoid and the gate becomes smooth; large weights
# make it almost a step again. The slides' OR gate is
# sigmoid(40 x1 + 40 x2 - 30) and their NOT gate sigmoid(-20 x1 + 10).

# %%
def sigmoid_gate(x, w, b):
    """A sigmoid unit: sigmoid(x @ w + b), computed without overflow.

    Inputs:
    - x: one example, shape (d,), or a batch, shape (n, d).
    - w: weights, shape (d,).
    - b: bias, a number.
    Returns:
    - values in [0, 1]: a float for one example, shape (n,) for a batch.
    """
    # BEGIN SOLUTION: check with _check_inputs; z = x @ w + b; out = sigmoid(z) without overflow, as in lab 1 (exp(-|z|))
    x, w, b = _check_inputs(x, w, b)
    z = x @ w + b
    e = np.exp(-np.abs(z))
    out = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    # END SOLUTION
    return out[()]


# %% [markdown]
# ## 4. Learning a gate: Rosenblatt's rule
# Start from zero weights and go through the examples in order, updating
# after every mistake. Stop after an epoch without mistakes: the perceptron
# has converged. On AND and OR that takes a few epochs; on XOR it never
# happens.

# %%
def train_perceptron(X, y, lr, epochs):
    """Train a perceptron with Rosenblatt's rule, from w = 0 and b = 0.

    Each epoch visits the examples in order; after each example it updates

        w <- w + lr * (y_i - y_hat_i) * x_i,    b <- b + lr * (y_i - y_hat_i)

    where y_hat_i = perceptron(x_i, w, b) with the current weights (so only
    a mistake changes them). Training stops after the first epoch without a
    mistake, or after `epochs` epochs.

    Inputs:
    - X: inputs, shape (n, d); y: targets, 0 or 1, shape (n,).
    - lr: the learning rate, > 0.
    - epochs: the most epochs to run, an integer >= 1.
    Returns:
    - (w, b, converged, errors_per_epoch): weights, shape (d,); the bias, a
      float; whether an epoch made no mistake (a bool); and the number of
      mistakes (updates) made in each epoch that ran, an integer array of
      shape (epochs run,), whose last entry is 0 exactly when converged.
    """
    # BEGIN SOLUTION: check X (2-D, not empty), y (0s and 1s, shape (n,)), lr > 0 and epochs >= 1, naming each; then train from w = 0, b = 0.0, appending each epoch's number of mistakes to a list `errors`
    X = as_float_array(X, "X")
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X must be a non-empty 2-D array (n, d), got shape {X.shape}")
    y = _check_bits(y, "y")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X, got shape {y.shape}")
    check_positive(lr, "lr")
    check_count(epochs, "epochs", minimum=1)
    w, b = np.zeros(X.shape[1]), 0.0
    errors = []
    for _ in range(epochs):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            error = y_i - perceptron(x_i, w, b)
            if error:
                w = w + lr * error * x_i
                b = b + lr * error
                mistakes += 1
        errors.append(mistakes)
        if mistakes == 0:
            break
    # END SOLUTION
    return w, float(b), errors[-1] == 0, np.array(errors, dtype=int)


# %% [markdown]
# ## 5. XOR and XNOR with a hidden layer
# A layer of perceptrons side by side turns each input into a few new
# features (here: the outputs of gates); the output perceptron then only
# has to combine features, which may be linearly separable even when the
# inputs are not.

# %%
def step_network(X, hidden, output):
    """A two-layer network of perceptrons (step units).

    Inputs:
    - X: one example, shape (d,), or a batch, shape (n, d).
    - hidden: a list of k pairs (w, b), one per hidden unit, each w of shape (d,).
    - output: the output unit's pair (w, b), w of shape (k,).
    Returns:
    - 0.0 or 1.0: a float for one example, shape (n,) for a batch.
    """
    # BEGIN SOLUTION: the hidden units' outputs side by side (np.stack(..., axis=-1)), then the output perceptron on them
    features = np.stack([perceptron(X, w, b) for w, b in hidden], axis=-1)
    return perceptron(features, *output)
    # END SOLUTION


def xor_network(X):
    """x1 XOR x2 from two layers of step units with hand-set weights.

    Inputs:
    - X: one pair of inputs, shape (2,), or a batch, shape (n, 2).
    Returns:
    - 0.0 or 1.0: a float for one example, shape (n,) for a batch.
    """
    # BEGIN SOLUTION: check X with _check_examples(X, 2, "X"); XOR = AND(OR(x1, x2), NAND(x1, x2)): step_network with those weights
    X = _check_examples(X, 2, "X")
    nand = (np.array([-1.0, -1.0]), 1.5)
    return step_network(X, [OR_GATE, nand], AND_GATE)
    # END SOLUTION


def xnor_network(X):
    """x1 XNOR x2: a1 = x1 AND x2, a2 = (NOT x1) AND (NOT x2), y = a1 OR a2.

    Inputs:
    - X: one pair of inputs, shape (2,), or a batch, shape (n, 2).
    Returns:
    - 0.0 or 1.0: a float for one example, shape (n,) for a batch.
    """
    # BEGIN SOLUTION: check X; two hidden units (AND, and one unit for (NOT x1) AND (NOT x2)), OR at the output
    X = _check_examples(X, 2, "X")
    neither = (np.array([-1.0, -1.0]), 0.5)  # (NOT x1) AND (NOT x2) is a single unit: NOR
    return step_network(X, [AND_GATE, neither], OR_GATE)
    # END SOLUTION


def half_adder(a, b):
    """Add two bits: sum = a XOR b, carry = a AND b.

    Inputs:
    - a, b: bits (0 or 1), two numbers or two arrays of the same shape.
    Returns:
    - (sum, carry): floats 0.0 / 1.0, numbers or arrays of a's shape.
    """
    # BEGIN SOLUTION: check a and b (_check_bits, same shape, ValueError naming them); pair them up with np.stack(..., axis=-1); sum from xor_network, carry from the AND perceptron
    a, b = _check_bits(a, "a"), _check_bits(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    pairs = np.stack([a, b], axis=-1).reshape(-1, 2)
    total, carry = xor_network(pairs), perceptron(pairs, *AND_GATE)
    return total.reshape(a.shape)[()], carry.reshape(a.shape)[()]
    # END SOLUTION


# %% [markdown]
# ## 6. Learning XOR with Keras
# Now let gradient descent find the hidden layer. Keras is imported inside
# the function, so the rest of the lab runs without it. Keep training short
# (a few seconds): Keras has a fixed cost per epoch, so one epoch over many
# copies of the four examples is much faster than many epochs over four.

# %%
def train_xor_mlp(seed=0):
    """A Keras MLP trained on the four XOR examples; it classifies all of them correctly.

    Inputs:
    - seed: passed to keras.utils.set_random_seed just before the model is
      built, so the same seed gives the same model.
    Returns:
    - a trained keras.Model: 2 inputs, one output, the probability of a 1.

    The grader repeats your training to check it: from the weights the seed
    draws, with your optimizer and loss (Keras's own, compiled) and your
    model.fit(x, y, batch_size=..., epochs=..., shuffle=...) calls on NumPy
    arrays. The model returned must be the one that training gives, its
    weights never set by hand.
    """
    # BEGIN SOLUTION: import keras here; keras.utils.set_random_seed(seed); a Sequential 2 -> 8 tanh -> 1 sigmoid; binary cross-entropy with Adam; fit on np.tile'd copies of INPUTS and XOR_TARGETS
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input(shape=(2,)),
        keras.layers.Dense(8, activation="tanh"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.05), loss="binary_crossentropy")
    copies = 150  # one epoch of 150 steps, each on the four examples
    model.fit(np.tile(INPUTS, (copies, 1)), np.tile(XOR_TARGETS, copies), batch_size=4, epochs=1,
              shuffle=False, verbose=0)
    # END SOLUTION
    return model


# %% [markdown]
# ## 7. Figures
# What each model answers over the whole square around the four inputs:
# one straight boundary for a perceptron, two for the XOR network.

# %%
def plot_decision_boundaries(mlp=None, resolution=201):
    """The regions where each model answers 1, over [-0.5, 1.5]^2, with the four inputs.

    Panels: the perceptron with AND_GATE and with OR_GATE, the XOR network,
    and, if `mlp` (a trained Keras model from train_xor_mlp) is given, its
    probability of a 1.

    Returns:
    - a matplotlib Figure.
    """
    grid = np.linspace(-0.5, 1.5, resolution)
    g1, g2 = np.meshgrid(grid, grid)
    points = np.column_stack([g1.ravel(), g2.ravel()])
    panels = [
        ("perceptron with AND_GATE", perceptron(points, *AND_GATE), np.array([0.0, 0.0, 0.0, 1.0])),
        ("perceptron with OR_GATE", perceptron(points, *OR_GATE), np.array([0.0, 1.0, 1.0, 1.0])),
        ("XOR network of step units", xor_network(points), XOR_TARGETS),
    ]
    if mlp is not None:
        probabilities = np.asarray(mlp(points)).reshape(-1)
        panels.append(("Keras MLP on XOR: P(1)", probabilities, XOR_TARGETS))

    fig = Figure(figsize=(4 * len(panels), 4.2), layout="constrained")
    for ax, (title, values, targets) in zip(fig.subplots(1, len(panels), squeeze=False)[0], panels):
        ax.contourf(g1, g2, values.reshape(g1.shape), levels=np.linspace(0, 1, 11), cmap="RdBu_r", vmin=0, vmax=1)
        ax.contour(g1, g2, values.reshape(g1.shape), levels=[0.5], colors="k", linewidths=1)
        for label, marker in ((0.0, "o"), (1.0, "s")):
            chosen = targets == label
            ax.scatter(INPUTS[chosen, 0], INPUTS[chosen, 1], marker=marker, s=80, c="white",
                       edgecolors="k", label=f"target {label:g}")
        ax.set(title=title, xlabel="x1", ylabel="x2", aspect="equal")
    fig.axes[0].legend(loc="upper left", fontsize="small")
    return fig


def save_figures(folder):
    """Write this lab's figure as a PNG file into `folder`; return its path in a list.

    Trains the Keras MLP (seed 0) for the last panel.
    """
    return save_pngs(folder, {"decision_boundaries": lambda: plot_decision_boundaries(mlp=train_xor_mlp(seed=0))})
