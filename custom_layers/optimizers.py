"""The course's momentum and Adam optimizers, in the slides' notation.

Both are written the way Keras writes its own optimizers: the settings in
`__init__`, one state variable per model variable in `build`, the rule in
`update_step` with `keras.ops` and the base class's `assign`, `assign_add`
and `assign_sub`, so that every backend's own update path serves them
(TensorFlow's `IndexedSlices` updates and `tf.distribute` hooks, JAX's
stateless training step, PyTorch's eager one). They keep everything the
base class provides: learning-rate schedules, `clipnorm`, `clipvalue`,
`global_clipnorm`, `weight_decay`, `gradient_accumulation_steps`, `use_ema`,
`loss_scale_factor` and saving with the model. They use no private Keras
name: `labkit.keras_optimizer.PerVariableOptimizer` finds a variable's
state, keeps a float16 or bfloat16 variable's state in float32 and rounds
each step to the variable's dtype, as Keras does.

Lab 6's `MomentumOptimizer` and `AdamOptimizer` are the student's part of
these classes: `python -m autograder build` copies the bodies of
`__init__`, `build`, `update_step` and `get_config` into the lab's
solution, leaving out the lines marked as extras (`# BEGIN EXTRA` ...
`# END EXTRA`, or a line ending in `# extra`): `nesterov` and `amsgrad`.
"""

import keras
from keras import ops

from labkit.keras_checks import check_bool
from labkit.keras_checks import check_learning_rate
from labkit.keras_checks import check_real
from labkit.keras_optimizer import PerVariableOptimizer


@keras.saving.register_keras_serializable(package="custom_layers")
class MomentumOptimizer(PerVariableOptimizer):
    """Gradient descent with momentum, in the course slides' form.

    The velocity is an exponential moving average of the gradients and the
    weights move against it:

    ```python
    velocity = beta * velocity + (1 - beta) * g      # velocity starts at 0
    w = w - learning_rate * velocity
    ```

    This is `keras.optimizers.SGD(learning_rate=learning_rate * (1 - beta),
    momentum=beta)` with the velocity kept in gradient units (the slides'
    velocity is `-SGD_velocity / learning_rate`), so a given `learning_rate`
    takes steps of the same size whatever `beta` is.

    With `nesterov=True` the step looks one update ahead: it uses the velocity
    the next step would have if the gradient stayed `g`,

    ```python
    velocity = beta * velocity + (1 - beta) * g
    w = w - learning_rate * (beta * velocity + (1 - beta) * g)
    ```

    This is Nesterov's accelerated gradient in the reformulation of Sutskever
    et al. (2013) that evaluates the gradient at the current weights (the form
    Keras and PyTorch use); it equals `SGD(learning_rate * (1 - beta),
    momentum=beta, nesterov=True)`.

    Args:
        learning_rate: A non-negative float, a
            `keras.optimizers.schedules.LearningRateSchedule`, or a callable
            taking no arguments and returning the value. Defaults to `0.01`.
        beta: Float in [0, 1), the velocity's decay rate. `0` is plain
            gradient descent. Defaults to `0.9`.
        nesterov: Boolean, whether to take the look-ahead step above.
            Defaults to `False`.
        **kwargs: Forwarded to `keras.optimizers.Optimizer`: `name`,
            `weight_decay`, `clipnorm`, `clipvalue`, `global_clipnorm`,
            `use_ema`, `ema_momentum`, `ema_overwrite_frequency`,
            `loss_scale_factor`, `gradient_accumulation_steps`.
    """

    def __init__(self, learning_rate=0.01, beta=0.9, nesterov=False, **kwargs):
        learning_rate = check_learning_rate(learning_rate)
        beta = check_real("beta", beta, high=1.0)
        nesterov = check_bool("nesterov", nesterov)  # extra
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta = beta
        self.nesterov = nesterov  # extra

    def build(self, var_list):
        """Create the velocity of every model variable, initialised to zero.

        Args:
            var_list: The model variables this optimizer will update.
        """
        if self.built:
            return
        super().build(var_list)
        self._velocities = self.add_optimizer_variables(var_list, "velocity")

    def update_step(self, gradient, variable, learning_rate):
        """One momentum step on `variable`."""
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
        # BEGIN EXTRA
        if self.nesterov:
            step = ops.add(
                ops.multiply(velocity, self.beta),
                ops.multiply(gradient, 1 - self.beta),
            )
        # END EXTRA
        self.assign_sub(variable, ops.multiply(step, learning_rate))

    def get_config(self):
        """Return the constructor arguments, including the base class's."""
        config = super().get_config()
        config["beta"] = self.beta
        config["nesterov"] = self.nesterov  # extra
        return config


@keras.saving.register_keras_serializable(package="custom_layers")
class AdamOptimizer(PerVariableOptimizer):
    """Adam with bias correction, in the course slides' form.

    At step `t = 1, 2, ...` (Algorithm 1 of Kingma and Ba, 2015):

    ```python
    m = beta_1 * m + (1 - beta_1) * g                 # m, v start at 0
    v = beta_2 * v + (1 - beta_2) * g**2
    m_hat = m / (1 - beta_1**t)
    v_hat = v / (1 - beta_2**t)
    w = w - learning_rate * m_hat / (sqrt(v_hat) + epsilon)
    ```

    `epsilon` is added to `sqrt(v_hat)`, as in the paper's algorithm and the
    slides. `keras.optimizers.Adam` instead adds it to `sqrt(v)` (the paper's
    "epsilon hat"); the two agree closely when `epsilon` is tiny. The first
    step moves every weight by almost exactly `learning_rate` against the sign
    of its gradient.

    With `amsgrad=True` (Reddi et al., 2018) the optimizer keeps, per weight,
    the running maximum of the bias-corrected `v_hat` above (not of the raw
    `v`, as Keras's Adam does), and divides by its square root instead of by
    `sqrt(v_hat)`:

    ```python
    v_hat_max = maximum(v_hat_max, v_hat)             # v_hat_max starts at 0
    w = w - learning_rate * m_hat / (sqrt(v_hat_max) + epsilon)
    ```

    so a weight's effective step size never grows because its recent
    gradients became small. `v_hat_max` is the optimizer variable whose name
    ends in `velocity_hat`.

    Args:
        learning_rate: A non-negative float, a
            `keras.optimizers.schedules.LearningRateSchedule`, or a callable
            taking no arguments and returning the value. Defaults to `0.001`.
        beta_1: Float in [0, 1), decay rate of the gradient average `m`.
            Defaults to `0.9`.
        beta_2: Float in [0, 1), decay rate of the squared-gradient average
            `v`. Defaults to `0.999`.
        epsilon: Non-negative float added to `sqrt(v_hat)`. `0` is allowed
            but gives NaN for a weight whose gradients have all been zero.
            Defaults to `1e-7`.
        amsgrad: Boolean, whether to use the AMSGrad maximum above. Defaults
            to `False`.
        **kwargs: Forwarded to `keras.optimizers.Optimizer`: `name`,
            `weight_decay`, `clipnorm`, `clipvalue`, `global_clipnorm`,
            `use_ema`, `ema_momentum`, `ema_overwrite_frequency`,
            `loss_scale_factor`, `gradient_accumulation_steps`.
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        amsgrad=False,
        **kwargs,
    ):
        learning_rate = check_learning_rate(learning_rate)
        beta_1 = check_real("beta_1", beta_1, high=1.0)
        beta_2 = check_real("beta_2", beta_2, high=1.0)
        epsilon = check_real("epsilon", epsilon)
        amsgrad = check_bool("amsgrad", amsgrad)  # extra
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad  # extra

    def build(self, var_list):
        """Create `m` and `v` (and `v_hat_max` for AMSGrad), all zero.

        Args:
            var_list: The model variables this optimizer will update.
        """
        if self.built:
            return
        super().build(var_list)
        # One call per kind of state: all the m, then all the v, the order
        # in which saved files hold them.
        self._momentums = self.add_optimizer_variables(var_list, "momentum")
        self._velocities = self.add_optimizer_variables(var_list, "velocity")
        # BEGIN EXTRA
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(
                var_list, "velocity_hat"
            )
        # END EXTRA

    def update_step(self, gradient, variable, learning_rate):
        """One Adam step on `variable`."""
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
        # BEGIN EXTRA
        if self.amsgrad:
            v_hat_max = self._velocity_hats[index]
            self.assign(
                v_hat_max,
                ops.maximum(v_hat_max, ops.divide(v, correction_2)),
            )
            # Back on v's scale, so that one formula below serves both cases.
            v = ops.multiply(v_hat_max, correction_2)
        # END EXTRA

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

    def get_config(self):
        """Return the constructor arguments, including the base class's."""
        config = super().get_config()
        config["beta_1"] = self.beta_1
        config["beta_2"] = self.beta_2
        config["epsilon"] = self.epsilon
        config["amsgrad"] = self.amsgrad  # extra
        return config
