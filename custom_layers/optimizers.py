"""The course's momentum and Adam optimizers, in the slides' notation.

Both are `keras.optimizers.Optimizer` subclasses written with `keras.ops`
only, so they run on every Keras backend and keep everything the base class
provides: learning-rate schedules, `clipnorm`, `clipvalue`,
`global_clipnorm`, `weight_decay`, `gradient_accumulation_steps`, `use_ema`,
`loss_scale_factor` and saving with the model.

Keras's built-in optimizers keep one state tensor per model variable and
update the variables one at a time, except on PyTorch, where Keras swaps in
fused multi-tensor updates. One `keras.ops` call costs about as much as one
fused update there, so ours keep each kind of state (a velocity, ...) in a
single flat vector covering every model variable, apply the rule once per
step to all of them, and let Keras's SGD subtract the steps, fused on
PyTorch (`_FlatStateOptimizer`). The state is held in
float32 at least (float64 if a model variable is float64): in float16 or
bfloat16, squared gradients and epsilon round to zero.
"""

import math

import keras
import numpy as np
from keras import ops

from custom_layers._validation import check_bool
from custom_layers._validation import check_learning_rate
from custom_layers._validation import check_real


class _FlatStateOptimizer(keras.optimizers.Optimizer):
    """An optimizer whose state lives in flat vectors, updated in one go.

    Subclasses create their state with `_add_state(name)` in `build` and
    write the rule in `_flat_step(gradient, learning_rate, update)`, where
    `gradient` holds every model variable's gradient, flattened and
    concatenated in the order of the variables the optimizer was built with,
    and `update(state, value)` assigns a state vector. `_flat_step` returns
    the flat step that is subtracted from the variables.
    """

    def build(self, var_list):
        """Lay the variables out in the flat vectors.

        Args:
            var_list: The model variables this optimizer will update.
        """
        if self.built:
            return
        super().build(var_list)
        dtypes = {variable.dtype for variable in var_list}
        dtype = "float64" if "float64" in dtypes else "float32"
        self._state_dtype = dtype
        # Variable index -> (its slice of the flat vectors, the shape to give
        # that slice back or None for a vector). Variables that Keras
        # overwrites with their gradient get no state, as in Keras.
        layout = {}
        start = 0
        for index, variable in enumerate(var_list):
            if not self._overwrite_variable_with_gradient(variable):
                shape = tuple(variable.shape)
                stop = start + math.prod(shape)
                vector = len(shape) == 1
                layout[index] = (start, stop, None if vector else shape)
                start = stop
        self._layout = layout
        self._state_size = start
        # Keras's SGD at learning rate 1 without momentum subtracts a given
        # step from each variable; on PyTorch it writes them all in one fused
        # call, where `assign` costs one Keras call per variable.
        self._subtract = keras.optimizers.SGD(learning_rate=1.0)

    def _add_state(self, name):
        """Return a new zero state vector covering every model variable."""
        return self.add_variable(
            (self._state_size,), dtype=self._state_dtype, name=name
        )

    def _backend_update_step(self, grads, trainable_variables, learning_rate):
        """Update all `trainable_variables` at once (Keras's batched hook).

        The rule runs once on the flat vectors, then Keras's SGD subtracts
        each variable's slice of the step. The flat state lives on one
        device: the course's optimizers do not split it across
        `tf.distribute` replicas.
        """
        indices = [self._get_variable_index(v) for v in trainable_variables]
        given = dict(zip(indices, grads))
        dtype = self._state_dtype
        pieces = []
        for index, (start, stop, shape) in self._layout.items():
            if index not in given:
                pieces.append(ops.zeros((stop - start,), dtype=dtype))
            elif shape is None:  # A vector is flat already.
                pieces.append(given[index])
            else:
                pieces.append(ops.ravel(given[index]))
        # One cast for all: concatenating promotes to a dtype that holds
        # every gradient exactly.
        gradient = ops.cast(ops.concatenate(pieces), dtype)

        if len(given) == len(self._layout):
            update = self.assign
        else:
            # Some variables got no gradient (Keras filtered out `None`s):
            # their state must stay as it is, as in Keras's optimizers.
            keep = np.ones(self._state_size, dtype=bool)
            for index, (start, stop, _) in self._layout.items():
                keep[start:stop] = index not in given
            keep = ops.convert_to_tensor(keep)

            def update(state, value):
                self.assign(state, ops.where(keep, state.value, value))

        step = self._flat_step(
            gradient, ops.cast(learning_rate, dtype), update
        )
        steps = []
        for index in indices:
            start, stop, shape = self._layout[index]
            own_step = step[start:stop]
            if shape is not None:  # (ops.reshape costs on torch)
                own_step = ops.reshape(own_step, shape)
            steps.append(own_step)
        # Each step is rounded to its variable's dtype, as in Keras.
        self._subtract._backend_update_step(steps, trainable_variables, 1.0)

    def update_step(self, gradient, variable, learning_rate):
        """Update one variable: the batched update restricted to it."""
        self._backend_update_step([gradient], [variable], learning_rate)

    def _flat_step(self, gradient, learning_rate, update):
        raise NotImplementedError


@keras.saving.register_keras_serializable(package="custom_layers")
class MomentumOptimizer(_FlatStateOptimizer):
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
        nesterov = check_bool("nesterov", nesterov)
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta = beta
        self.nesterov = nesterov

    def build(self, var_list):
        """Create the velocity of every model variable, initialised to zero.

        Args:
            var_list: The model variables this optimizer will update.
        """
        if self.built:
            return
        super().build(var_list)
        self._velocity = self._add_state("velocity")

    def _flat_step(self, gradient, learning_rate, update):
        """Return the momentum step of all the variables."""
        velocity = self._velocity.value
        # beta * v + (1 - beta) * g, written as a moving average.
        velocity = velocity + (gradient - velocity) * (1 - self.beta)
        update(self._velocity, velocity)
        if self.nesterov:
            velocity = velocity * self.beta + gradient * (1 - self.beta)
        return velocity * learning_rate

    def get_config(self):
        """Return the constructor arguments, including the base class's."""
        config = super().get_config()
        config.update({"beta": self.beta, "nesterov": self.nesterov})
        return config


@keras.saving.register_keras_serializable(package="custom_layers")
class AdamOptimizer(_FlatStateOptimizer):
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
    `v`), and divides by its square root instead of by `sqrt(v_hat)`:

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
        amsgrad = check_bool("amsgrad", amsgrad)
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad

    def build(self, var_list):
        """Create `m` and `v` (and `v_hat_max` for AMSGrad), all zero.

        Args:
            var_list: The model variables this optimizer will update.
        """
        if self.built:
            return
        super().build(var_list)
        self._momentum = self._add_state("momentum")
        self._velocity = self._add_state("velocity")
        if self.amsgrad:
            self._velocity_hat = self._add_state("velocity_hat")

    def _flat_step(self, gradient, learning_rate, update):
        """Return the Adam step of all the variables."""
        # `iterations` counts completed updates (also under gradient
        # accumulation), so this update is number t = iterations + 1.
        t = ops.cast(self.iterations, self._state_dtype) + 1
        correction_1 = 1 - self.beta_1**t
        correction_2 = 1 - self.beta_2**t

        m, v = self._momentum.value, self._velocity.value
        m = m + (gradient - m) * (1 - self.beta_1)
        v = v + (gradient * gradient - v) * (1 - self.beta_2)
        update(self._momentum, m)
        update(self._velocity, v)
        if self.amsgrad:
            v_hat_max = ops.maximum(
                self._velocity_hat.value, v / correction_2
            )
            update(self._velocity_hat, v_hat_max)
            # Back on v's scale, so that one formula below serves both cases.
            v = v_hat_max * correction_2

        # lr * m_hat / (sqrt(v_hat) + eps), with both corrections moved into
        # scalars: (lr * sqrt(c2) / c1) * m / (sqrt(v) + eps * sqrt(c2)).
        # Same value, but no full-size divisions by c1 and c2.
        root_correction_2 = ops.sqrt(correction_2)
        step_size = learning_rate * root_correction_2 / correction_1
        return m * step_size / (ops.sqrt(v) + self.epsilon * root_correction_2)

    def get_config(self):
        """Return the constructor arguments, including the base class's."""
        config = super().get_config()
        config.update(
            {
                "beta_1": self.beta_1,
                "beta_2": self.beta_2,
                "epsilon": self.epsilon,
                "amsgrad": self.amsgrad,
            }
        )
        return config
