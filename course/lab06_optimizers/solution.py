"""Lab 6: from gradient descent to Adam.

Gradient descent takes the same step size in every direction,
w <- w - lr * g. On a loss shaped like a long, narrow valley (an
ill-conditioned problem: steep across, nearly flat along) that is a poor
compromise. A learning rate small enough not to bounce between the steep
walls crawls along the flat floor; a larger one zigzags and then diverges.
Every optimizer in this lab is a way out of that dilemma, and each one is a
few lines of NumPy.

- Momentum keeps a velocity, an exponential moving average of the gradients,
  and steps along it: v <- beta v + (1 - beta) g, w <- w - lr v. Across the
  valley the gradients flip sign and cancel in the average; along the floor
  they agree and add up. The average damps the zigzag, so momentum tolerates
  a much larger learning rate than plain descent.
- Nesterov's momentum looks one step ahead: it steps along the velocity the
  next update would have if the gradient stayed the same, which brakes
  earlier when the gradient turns.
- AdaGrad gives every weight its own step size: it divides by the square
  root of the sum of that weight's squared gradients so far. Rarely-moved
  weights keep large steps, but the sum only grows, so learning eventually
  stalls: with a constant gradient its t-th step is lr / sqrt(t), a tenth
  of lr after 100 steps.
- RMSprop replaces the sum by a moving average of g**2, so the step size
  adapts without dying out: with the same constant gradient its t-th step
  is lr / sqrt(1 - rho**t), which tends to lr (1.00001 lr after 100 steps
  at rho = 0.9).
- Adam combines both: a moving average m of the gradients (momentum) divided
  by the root of a moving average v of their squares (RMSprop). Both averages
  start at 0, so early on they are biased towards 0; dividing by
  1 - beta**t corrects that. Thanks to the correction, Adam's first step
  moves every weight by almost exactly lr, whatever the size of its gradient.
- A schedule lowers the learning rate as training goes on; inverse-time
  decay is lr0 / (1 + decay_rate * epoch).

Where deck 004's slides say otherwise:
- The table of optimizers says RMSprop "can stop learning too early". That
  is AdaGrad's flaw, the one RMSprop was made to fix: AdaGrad's sum of
  squared gradients only grows, so its steps shrink towards 0 (lr / 10
  after 100 steps of a constant gradient), while RMSprop's moving average
  forgets old gradients and its steps stay near lr (the two bullets above
  give the numbers).
- "GD is well suited for large datasets where computing the full gradient
  is impractical", on the slide about SGD, should read SGD: stochastic
  (and mini-batch) descent needs one example or one batch per step; full
  gradient descent must pass over the whole dataset for every step, which
  is what makes it impractical on large datasets. The digits figure uses
  batches of 32.
- The slide on Adam expands it as "Adaptive Movement Estimation". It is
  Adaptive Moment Estimation (Kingma and Ba, 2015): m and v estimate the
  gradient's first and second moments, its mean and its uncentred variance,
  as the same slide's next bullet says.
- The table of optimizers credits batch gradient descent with "guaranteed
  convergence to global optimum". That holds only for a convex loss and a
  small enough step (below 2 / L for an L-smooth loss), as an earlier slide
  says ("for convex problems"). On a non-convex loss it can stop at a local
  minimum or a saddle point, and too large a step diverges even on a convex
  one: for f(w) = w**2, w <- w - lr 2w gives |w| growing once lr > 1.

Keras writes momentum differently, v <- beta v + g, w <- w - lr v: a
velocity in units of lr * gradient. The two forms take the same steps when
Keras's learning rate is lr * (1 - beta). Both are common; this lab uses the
slides' form, in which lr keeps its meaning whatever beta is.

What to look for:
- In the figure of the valley: plain descent zigzags across the steep
  direction and crawls along the flat one; momentum, at twice the learning
  rate, swings across and settles; RMSprop rescales each direction, so it
  heads down the floor at full speed from the start; Adam does the same
  with momentum's overshoot.
- On the digits, each at a learning rate that suits it, momentum, RMSprop
  and Adam all get lower than plain descent in the same number of epochs.
  The training loss keeps falling while the validation loss levels off: that
  gap is overfitting, the subject of lab 7.
- No optimizer wins everywhere: compare each at a learning rate that suits it.

At the end you write two of these rules as Keras optimizers, the way Keras's
own are written: `build` creates the state, `update_step` changes one
variable, and `get_config` lists the hyperparameters so the optimizer can be
saved and rebuilt. They are the course's `custom_layers` optimizers without
their extras.

Shapes: parameters w may be a number or an array of any shape; the gradient
g and every piece of optimizer state (velocity, cache, m, v) have w's shape.
Every rule returns new arrays and leaves its inputs untouched.
"""


import keras
import numpy as np
from keras import ops
from matplotlib.figure import Figure

from labkit import as_float_array, check_count, check_fraction, check_nonnegative, save_pngs
from labkit.keras_checks import check_learning_rate, check_real
from labkit.keras_optimizer import PerVariableOptimizer

# %% [markdown]
# ## Checking the arguments
# Bad input should fail early, with a `ValueError` that names the argument.
# These checks come from `labkit`, which every lab shares; call them where
# the exercises say so.

# %%
def _check_like(value, w, name):
    """A gradient or a piece of state: an array of w's shape."""
    array = as_float_array(value, name)
    if array.shape != w.shape:
        raise ValueError(f"{name} must have the shape of w, {w.shape}, got {array.shape}")
    return array


def _check_step(w, g, lr):
    """What every rule checks first: w as an array, g of its shape, lr >= 0."""
    w = as_float_array(w, "w")
    g = _check_like(g, w, "g")
    check_nonnegative(lr, "lr")
    return w, g


# %% [markdown]
# ## 1. Gradient descent
# One step against the gradient. On the quadratic f(w) = a w^2 / 2 each step
# multiplies w by (1 - lr a).

# %%
def sgd_step(w, g, lr):
    """One step of (stochastic) gradient descent.

    Inputs:
    - w: parameters, a number or an array of any shape.
    - g: the gradient of the loss at w, w's shape.
    - lr: the learning rate, a number >= 0.
    Returns:
    - w_new = w - lr * g, w's shape (a float when w is a number).
    """
    # BEGIN SOLUTION: check the arguments with _check_step (ValueError naming them), then step downhill
    w, g = _check_step(w, g, lr)
    return (w - lr * g)[()]
    # END SOLUTION


# %% [markdown]
# ## 2. Momentum and Nesterov's momentum
# The velocity starts at 0 and is a moving average of the gradients, in
# gradient units. Check by hand on f(w) = w^2 / 2 (g = w) from w = 1 with
# lr = 0.1 and beta = 0.9: v = 0.1, w = 0.99; then v = 0.189, w = 0.9711.

# %%
def momentum_step(w, g, velocity, lr, beta=0.9):
    """One step of gradient descent with momentum, in the slides' form.

        velocity <- beta * velocity + (1 - beta) * g
        w        <- w - lr * velocity

    This equals keras.optimizers.SGD(learning_rate=lr * (1 - beta), momentum=beta).

    Inputs:
    - w: parameters, a number or an array of any shape.
    - g: the gradient at w, w's shape.
    - velocity: the velocity so far, w's shape (zeros before the first step).
    - lr: the learning rate, a number >= 0.
    - beta: the velocity's decay rate, in [0, 1); 0 is plain gradient descent.
    Returns:
    - (w_new, velocity_new), both of w's shape.
    """
    # BEGIN SOLUTION: check w, g, lr (_check_step), velocity (_check_like) and beta (check_fraction); update the velocity first, then step along it
    w, g = _check_step(w, g, lr)
    velocity = _check_like(velocity, w, "velocity")
    check_fraction(beta, "beta")
    velocity = beta * velocity + (1 - beta) * g
    return (w - lr * velocity)[()], velocity[()]
    # END SOLUTION


def nesterov_step(w, g, velocity, lr, beta=0.9):
    """One step of Nesterov's momentum (look-ahead), in the slides' units.

        velocity <- beta * velocity + (1 - beta) * g
        w        <- w - lr * (beta * velocity + (1 - beta) * g)

    The step uses the velocity the next update would have if the gradient
    stayed g: Sutskever et al.'s (2013) form of Nesterov's method, with the
    gradient taken at the current weights. It equals
    keras.optimizers.SGD(learning_rate=lr * (1 - beta), momentum=beta, nesterov=True).

    Inputs and returns as momentum_step: (w_new, velocity_new), where
    velocity_new is the updated velocity (not the look-ahead step).
    """
    # BEGIN SOLUTION: the same checks and velocity as momentum_step; the step looks ahead: beta * velocity + (1 - beta) * g
    w, g = _check_step(w, g, lr)
    velocity = _check_like(velocity, w, "velocity")
    check_fraction(beta, "beta")
    velocity = beta * velocity + (1 - beta) * g
    return (w - lr * (beta * velocity + (1 - beta) * g))[()], velocity[()]
    # END SOLUTION


# %% [markdown]
# ## 3. A step size for every weight: AdaGrad, RMSprop, Adam
# Each divides the gradient, weight by weight, by the root of (an average
# of) its squares, plus a small eps outside the square root that only
# matters when the gradients are tiny. Quick checks: AdaGrad's first step
# is lr * sign(g), RMSprop's is lr / sqrt(1 - rho) * sign(g), and Adam's,
# thanks to its bias correction, is lr * sign(g) again (up to eps).

# %%
def adagrad_step(w, g, cache, lr, eps=1e-7):
    """One AdaGrad step: every weight's step shrinks with its gradients' history.

        cache <- cache + g**2
        w     <- w - lr * g / (sqrt(cache) + eps)

    Inputs:
    - w, g: parameters and their gradient, the same shape.
    - cache: the sum of the squared gradients so far, w's shape (zeros at first).
    - lr: the learning rate, >= 0; eps: a number >= 0.
    Returns:
    - (w_new, cache_new), both of w's shape.
    """
    # BEGIN SOLUTION: check w, g, lr, cache and eps (ValueError naming them); add g**2 to the cache, then divide by its root plus eps
    w, g = _check_step(w, g, lr)
    cache = _check_like(cache, w, "cache")
    check_nonnegative(eps, "eps")
    cache = cache + g ** 2
    return (w - lr * g / (np.sqrt(cache) + eps))[()], cache[()]
    # END SOLUTION


def rmsprop_step(w, g, cache, lr, rho=0.9, eps=1e-7):
    """One RMSprop step: AdaGrad with a moving average instead of a sum.

        cache <- rho * cache + (1 - rho) * g**2
        w     <- w - lr * g / (sqrt(cache) + eps)

    (Keras's RMSprop adds eps inside the square root; the difference only
    shows when the gradients are about as small as sqrt(eps).)

    Inputs:
    - w, g: parameters and their gradient, the same shape.
    - cache: the moving average of g**2, w's shape (zeros at first).
    - lr: the learning rate, >= 0; rho: the decay rate, in [0, 1); eps >= 0.
    Returns:
    - (w_new, cache_new), both of w's shape.
    """
    # BEGIN SOLUTION: check w, g, lr, cache, rho and eps (ValueError naming them); average g**2 into the cache, then divide by its root plus eps
    w, g = _check_step(w, g, lr)
    cache = _check_like(cache, w, "cache")
    check_fraction(rho, "rho")
    check_nonnegative(eps, "eps")
    cache = rho * cache + (1 - rho) * g ** 2
    return (w - lr * g / (np.sqrt(cache) + eps))[()], cache[()]
    # END SOLUTION


def adam_step(w, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-7):
    """One Adam step (Kingma and Ba, 2015), with the slides' bias correction.

        m     <- beta1 * m + (1 - beta1) * g
        v     <- beta2 * v + (1 - beta2) * g**2
        m_hat =  m / (1 - beta1**t)
        v_hat =  v / (1 - beta2**t)
        w     <- w - lr * m_hat / (sqrt(v_hat) + eps)

    eps is added outside the square root, as in the paper's algorithm.
    (keras.optimizers.Adam adds it to sqrt(v) instead; the two agree closely
    when eps is tiny.)

    Inputs:
    - w, g: parameters and their gradient, the same shape.
    - m, v: the moving averages of g and g**2, w's shape (zeros at first).
    - t: the number of this step, an integer >= 1 (1 for the first step).
    - lr: the learning rate, >= 0; beta1, beta2: decay rates in [0, 1);
      eps: a number >= 0.
    Returns:
    - (w_new, m_new, v_new), all of w's shape; m_new and v_new are the
      uncorrected averages, to pass to the next step with t + 1.
    """
    # BEGIN SOLUTION: check every argument (ValueError naming it; t an integer >= 1); update m and v, correct both by 1 - beta**t, then step
    w, g = _check_step(w, g, lr)
    m, v = _check_like(m, w, "m"), _check_like(v, w, "v")
    check_count(t, "t")  # the number of this step, from 1
    check_fraction(beta1, "beta1")
    check_fraction(beta2, "beta2")
    check_nonnegative(eps, "eps")
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return (w - lr * m_hat / (np.sqrt(v_hat) + eps))[()], m[()], v[()]
    # END SOLUTION


# %% [markdown]
# ## 4. Learning-rate decay
# Large steps early, small steps late: 0.1 with decay_rate 0.5 gives 0.1,
# 0.0667, 0.05, 0.04, ... at epochs 0, 1, 2, 3.

# %%
def inverse_time_decay(lr0, decay_rate, epoch):
    """The learning rate lr0 / (1 + decay_rate * epoch).

    Inputs:
    - lr0: the initial learning rate, >= 0.
    - decay_rate: a number >= 0 (0 keeps the rate constant).
    - epoch: the epoch, a number >= 0, or an array of them.
    Returns:
    - a float, or an array of epoch's shape.
    """
    # BEGIN SOLUTION: check lr0, decay_rate and epoch (ValueError naming them), then the formula
    check_nonnegative(lr0, "lr0")
    check_nonnegative(decay_rate, "decay_rate")
    epoch = as_float_array(epoch, "epoch")
    if np.any(epoch < 0):
        raise ValueError(f"epoch must be >= 0, got {epoch!r}")
    return (lr0 / (1 + decay_rate * epoch))[()]
    # END SOLUTION


# %% [markdown]
# ## 5. The same rules as Keras optimizers
# A Keras optimizer is a subclass of `keras.optimizers.Optimizer` with three
# methods (read `keras.optimizers.SGD`'s source for a model):
# - `build(var_list)` creates the state, one zero array per model variable:
#   `self.add_optimizer_variables(var_list, "velocity")` returns that list.
# - `update_step(gradient, variable, learning_rate)` updates one variable.
#   Write it with `keras.ops` (`ops.multiply`, `ops.sqrt`, ...), change
#   variables with `self.assign`, `self.assign_add`, `self.assign_sub`.
#   `self.iterations` counts the steps already taken (0 during the first).
# - `get_config()` returns the base class's config plus your
#   hyperparameters, so that `MyOptimizer.from_config(config)` rebuilds it.
#
# Yours subclass `PerVariableOptimizer` (from `labkit`), a
# `keras.optimizers.Optimizer` with one method more:
# `self.variable_index(variable)` gives the position of `variable` in the
# lists that `add_optimizer_variables` returned, so that `update_step`
# finds its state. (Keras's own SGD and Adam use the private
# `_get_variable_index`, which may change in any Keras release.) It also
# keeps the state of a float16 variable in float32 and rounds each step to
# the variable's dtype, as Keras does.
#
# Check the arguments in `__init__` as Keras does: `check_real("beta",
# beta, high=1.0)` (from `labkit.keras_checks`) returns beta as a float if
# it lies in [0, 1), and raises a `TypeError` for a value that is not a
# number, a `ValueError` ("Received: beta=1.0") for one out of range.
#
# These two classes are the course's `custom_layers.MomentumOptimizer` and
# `custom_layers.AdamOptimizer` without their extras (Nesterov's momentum,
# AMSGrad).
#
# Names change here on purpose. The NumPy rules above use the slides' names
# (`beta1`, `beta2`, `eps`, fixed by the course); these classes use Keras's
# (`beta_1`, `beta_2`, `epsilon`), as `keras.optimizers.Adam` does, so that
# their configs read like any Keras optimizer's. Same meaning, same defaults:
# `AdamOptimizer(beta_1=0.8)` follows `adam_step(..., beta1=0.8)` step for
# step. `MomentumOptimizer`'s `learning_rate` defaults to 0.01, the default
# of `keras.optimizers.SGD`; `momentum_step` has no default learning rate,
# since the comparisons below give every rule its own.

# %%
class MomentumOptimizer(PerVariableOptimizer):
    """Gradient descent with momentum, in the slides' form (see momentum_step).

    For every variable, with a velocity that starts at 0:

        velocity <- beta * velocity + (1 - beta) * gradient
        variable <- variable - learning_rate * velocity

    Args:
        learning_rate: a number >= 0 (or a Keras learning-rate schedule).
        beta: the velocity's decay rate, in [0, 1).
        **kwargs: passed on to keras.optimizers.Optimizer (name, clipnorm, ...).
    Config keys (get_config): the base class's, plus "beta".
    """

    def __init__(self, learning_rate=0.01, beta=0.9, **kwargs):
        # BEGIN SOLUTION: check learning_rate (check_learning_rate) and beta (check_real, in [0, 1)); call super().__init__(learning_rate=learning_rate, **kwargs); keep beta
        # FROM custom_layers.optimizers.MomentumOptimizer.__init__
        learning_rate = check_learning_rate(learning_rate)
        beta = check_real("beta", beta, high=1.0)
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta = beta
        # END SOLUTION

    def build(self, var_list):
        """Create one velocity per variable, all zeros."""
        # BEGIN SOLUTION: return early if self.built; super().build(var_list); then one "velocity" per variable with self.add_optimizer_variables
        # FROM custom_layers.optimizers.MomentumOptimizer.build
        if self.built:
            return
        super().build(var_list)
        self._velocities = self.add_optimizer_variables(var_list, "velocity")
        # END SOLUTION

    def update_step(self, gradient, variable, learning_rate):
        """One momentum step on `variable`."""
        # BEGIN SOLUTION: find this variable's velocity (self.variable_index); cast the learning rate and the gradient to its dtype; update the velocity, then subtract learning_rate * velocity
        # FROM custom_layers.optimizers.MomentumOptimizer.update_step
        velocity = self._velocities[self.variable_index(variable)]
        # In the velocity's dtype: float32 for a float16 variable.
        dtype = velocity.dtype
        learning_rate = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        # beta * v + (1 - beta) * g, added to v as (1 - beta) * (g - v):
        # assign_add, not assign, keeps TensorFlow's sparse updates.
        self.assign_add(
            velocity,
            ops.multiply(ops.subtract(gradient, velocity), 1 - self.beta),
        )
        step = velocity
        self.assign_sub(variable, ops.multiply(step, learning_rate))
        # END SOLUTION

    def get_config(self):
        """The base class's config plus beta."""
        # BEGIN SOLUTION: start from super().get_config() and add "beta"
        # FROM custom_layers.optimizers.MomentumOptimizer.get_config
        config = super().get_config()
        config["beta"] = self.beta
        return config
        # END SOLUTION


class AdamOptimizer(PerVariableOptimizer):
    """Adam with the slides' bias correction (see adam_step).

    For every variable, at step t = 1, 2, ... (t = self.iterations + 1),
    with m and v starting at 0:

        m <- beta_1 * m + (1 - beta_1) * gradient
        v <- beta_2 * v + (1 - beta_2) * gradient**2
        variable <- variable - learning_rate * m_hat / (sqrt(v_hat) + epsilon)

    with m_hat = m / (1 - beta_1**t) and v_hat = v / (1 - beta_2**t).

    Args:
        learning_rate: a number >= 0 (or a Keras learning-rate schedule).
        beta_1, beta_2: the decay rates of m and v, in [0, 1).
        epsilon: a number >= 0, added outside the square root.
        **kwargs: passed on to keras.optimizers.Optimizer (name, clipnorm, ...).
    Config keys (get_config): the base class's, plus "beta_1", "beta_2"
    and "epsilon".
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        # BEGIN SOLUTION: check learning_rate (check_learning_rate), beta_1 and beta_2 (check_real, in [0, 1)) and epsilon (check_real, >= 0); call super().__init__; keep the three
        # FROM custom_layers.optimizers.AdamOptimizer.__init__
        learning_rate = check_learning_rate(learning_rate)
        beta_1 = check_real("beta_1", beta_1, high=1.0)
        beta_2 = check_real("beta_2", beta_2, high=1.0)
        epsilon = check_real("epsilon", epsilon)
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        # END SOLUTION

    def build(self, var_list):
        """Create m and v for every variable, all zeros."""
        # BEGIN SOLUTION: as MomentumOptimizer.build, with two lists of state: m ("momentum") and v ("velocity")
        # FROM custom_layers.optimizers.AdamOptimizer.build
        if self.built:
            return
        super().build(var_list)
        # One call per kind of state: all the m, then all the v, the order
        # in which saved files hold them.
        self._momentums = self.add_optimizer_variables(var_list, "momentum")
        self._velocities = self.add_optimizer_variables(var_list, "velocity")
        # END SOLUTION

    def update_step(self, gradient, variable, learning_rate):
        """One Adam step on `variable`."""
        # BEGIN SOLUTION: t = self.iterations + 1 (cast to the state's dtype); update m and v; correct them by 1 - beta**t; subtract the step
        # FROM custom_layers.optimizers.AdamOptimizer.update_step
        index = self.variable_index(variable)
        m, v = self._momentums[index], self._velocities[index]
        # In the state's dtype: float32 for a float16 variable.
        dtype = m.dtype
        learning_rate = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        # `iterations` counts completed updates (also under gradient
        # accumulation), so this update is number t = iterations + 1.
        t = ops.cast(self.iterations + 1, dtype)
        # A Python float to the power of a tensor takes the tensor's dtype:
        # `ops.cast(0.999, "float64")` would round 0.999 to float32 first.
        correction_1 = 1 - self.beta_1**t
        correction_2 = 1 - self.beta_2**t

        # The moving averages, added as (1 - beta) * (new - old): assign_add,
        # not assign, keeps TensorFlow's sparse updates.
        self.assign_add(
            m, ops.multiply(ops.subtract(gradient, m), 1 - self.beta_1)
        )
        self.assign_add(
            v,
            ops.multiply(
                ops.subtract(ops.square(gradient), v), 1 - self.beta_2
            ),
        )

        # lr * m_hat / (sqrt(v_hat) + eps), with m_hat = m / c1 and
        # v_hat = v / c2, and both corrections moved into scalars:
        # (lr * sqrt(c2) / c1) * m / (sqrt(v) + eps * sqrt(c2)).
        # Same value, two full-size divisions fewer.
        root_correction_2 = ops.sqrt(correction_2)
        step_size = learning_rate * root_correction_2 / correction_1
        self.assign_sub(
            variable,
            ops.divide(
                ops.multiply(m, step_size),
                ops.add(ops.sqrt(v), self.epsilon * root_correction_2),
            ),
        )
        # END SOLUTION

    def get_config(self):
        """The base class's config plus beta_1, beta_2 and epsilon."""
        # BEGIN SOLUTION: start from super().get_config() and add the three hyperparameters
        # FROM custom_layers.optimizers.AdamOptimizer.get_config
        config = super().get_config()
        config["beta_1"] = self.beta_1
        config["beta_2"] = self.beta_2
        config["epsilon"] = self.epsilon
        return config
        # END SOLUTION


# %% [markdown]
# ## 6. The optimizers side by side
# The figures below run your NumPy rules: first on a narrow valley, the
# quadratic f(w) = (w1^2 + 40 w2^2) / 2, then on a small MLP for the 8x8
# digits. Each optimizer gets a learning rate that suits it.

# %%
COMPARED = {  # rule -> learning rate, for the valley and for the digits
    "sgd": (0.045, 0.1),
    "momentum": (0.1, 0.5),
    "rmsprop": (0.1, 0.003),
    "adam": (0.2, 0.003),
}
VALLEY = np.array([1.0, 40.0])  # the valley's curvatures: condition number 40
VALLEY_START = np.array([-4.0, 1.5])


def make_stepper(rule, lr):
    """One of the rules above with its state kept inside, default hyperparameters.

    Inputs:
    - rule: "sgd", "momentum", "nesterov", "adagrad", "rmsprop" or "adam".
    - lr: the learning rate.
    Returns:
    - step(w, g) -> w_new, a function that remembers the rule's state
      (started at zero) from one call to the next.
    """
    with_state = {"momentum": momentum_step, "nesterov": nesterov_step,
                  "adagrad": adagrad_step, "rmsprop": rmsprop_step}
    if rule not in ("sgd", "adam", *with_state):
        raise ValueError(f"rule must be sgd, adam or one of {tuple(with_state)}, got {rule!r}")
    state = {"t": 0}

    def step(w, g):
        if rule == "sgd":
            return sgd_step(w, g, lr)
        if rule == "adam":
            state["t"] += 1
            w, state["m"], state["v"] = adam_step(w, g, state.get("m", np.zeros_like(w)),
                                                  state.get("v", np.zeros_like(w)), state["t"], lr)
            return w
        w, state["s"] = with_state[rule](w, g, state.get("s", np.zeros_like(w)), lr)
        return w

    return step


def valley_path(rule, lr, steps=60):
    """The points a rule visits on the valley f(w) = sum(VALLEY * w**2) / 2.

    Returns:
    - an array of shape (steps + 1, 2), starting at VALLEY_START.
    """
    step = make_stepper(rule, lr)
    path = [VALLEY_START]
    for _ in range(steps):
        path.append(step(path[-1], VALLEY * path[-1]))
    return np.array(path)


def plot_valley_paths(steps=60):
    """Each compared optimizer's path over the valley's contours.

    Returns:
    - a matplotlib Figure.
    """
    figure = Figure(figsize=(7, 4))
    axes = figure.add_subplot()
    w1, w2 = np.meshgrid(np.linspace(-4.5, 4.5, 200), np.linspace(-2, 2, 200))
    axes.contour(w1, w2, (VALLEY[0] * w1 ** 2 + VALLEY[1] * w2 ** 2) / 2, levels=np.geomspace(0.05, 60, 12),
                 colors="lightgray", linewidths=0.8)
    for rule, (lr, _) in COMPARED.items():
        path = valley_path(rule, lr, steps)
        axes.plot(path[:, 0], path[:, 1], marker=".", markersize=3, linewidth=1, label=f"{rule} (lr {lr:g})")
    axes.plot(0, 0, "k*", markersize=10)
    axes.set(xlabel="w1 (flat direction)", ylabel="w2 (steep direction)",
             title=f"{steps} steps in a valley with condition number {VALLEY[1] / VALLEY[0]:g}")
    axes.legend(fontsize=8)
    return figure


def digits_data(seed=0):
    """The 8x8 digits (scikit-learn's bundled copy), split 80/20 and standardized.

    Returns:
    - (X_train, Y_train, X_val, Y_val): pixels of shape (n, 64), one-hot labels (n, 10).
    """
    from sklearn.datasets import load_digits  # only the figures need scikit-learn

    digits = load_digits()
    order = np.random.default_rng(seed).permutation(len(digits.target))
    X, Y = digits.data[order], np.eye(10)[digits.target[order]]
    split = int(0.8 * len(X))
    mean, std = X[:split].mean(axis=0), X[:split].std(axis=0) + 1e-8  # training statistics only
    return (X[:split] - mean) / std, Y[:split], (X[split:] - mean) / std, Y[split:]


def _mlp_loss_and_gradient(theta, X, Y, hidden):
    """Cross-entropy of a 64 -> hidden (tanh) -> 10 (softmax) MLP and its gradient.

    theta packs W1 (64, hidden), b1, W2 (hidden, 10) and b2 into one flat
    vector, so that the optimizers above can update it in one step.
    Returns:
    - (mean loss over the rows of X, gradient of theta's shape).
    """
    d, k = X.shape[1], Y.shape[1]
    sizes = np.cumsum([d * hidden, hidden, hidden * k])
    W1, b1, W2, b2 = np.split(theta, sizes)
    W1, W2 = W1.reshape(d, hidden), W2.reshape(hidden, k)
    h = np.tanh(X @ W1 + b1)
    scores = h @ W2 + b2
    scores -= scores.max(axis=1, keepdims=True)
    p = np.exp(scores)
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.mean(np.sum(Y * np.log(p + 1e-12), axis=1))
    d_scores = (p - Y) / len(X)
    d_h = (d_scores @ W2.T) * (1 - h ** 2)
    return loss, np.concatenate([(X.T @ d_h).ravel(), d_h.sum(axis=0), (h.T @ d_scores).ravel(), d_scores.sum(axis=0)])


def digits_losses(rule, lr, epochs=15, batch_size=32, hidden=32, seed=0):
    """Train the digits MLP with one rule; return its training and validation loss per epoch.

    Returns:
    - (train_losses, val_losses), each of shape (epochs,).
    """
    X, Y, X_val, Y_val = digits_data(seed)
    rng = np.random.default_rng(seed)
    d, k = X.shape[1], Y.shape[1]
    theta = np.concatenate([rng.normal(0, np.sqrt(1 / d), d * hidden), np.zeros(hidden),
                            rng.normal(0, np.sqrt(1 / hidden), hidden * k), np.zeros(k)])
    step = make_stepper(rule, lr)
    train, val = [], []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            theta = step(theta, _mlp_loss_and_gradient(theta, X[batch], Y[batch], hidden)[1])
        train.append(_mlp_loss_and_gradient(theta, X, Y, hidden)[0])
        val.append(_mlp_loss_and_gradient(theta, X_val, Y_val, hidden)[0])
    return np.array(train), np.array(val)


def plot_digits_losses(epochs=15):
    """Training (solid) and validation (dashed) loss of the digits MLP for each compared optimizer.

    Returns:
    - a matplotlib Figure.
    """
    figure = Figure(figsize=(7, 4))
    axes = figure.add_subplot()
    for index, (rule, (_, lr)) in enumerate(COMPARED.items()):
        train, val = digits_losses(rule, lr, epochs)
        color = f"C{index}"
        axes.plot(np.arange(1, epochs + 1), train, color=color, label=f"{rule} (lr {lr:g})")
        axes.plot(np.arange(1, epochs + 1), val, color=color, linestyle="--")
    axes.set(xlabel="epoch", ylabel="cross-entropy", yscale="log",
             title="Digits MLP: training (solid) and validation (dashed) loss")
    axes.legend(fontsize=8)
    return figure


def save_figures(folder):
    """Write this lab's figures as PNG files into `folder`; return their paths."""
    return save_pngs(folder, {"valley_paths": plot_valley_paths, "digits_losses": plot_digits_losses})
