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
name.

The state of a float16 or bfloat16 variable is held in float32: in those
dtypes, squared gradients and epsilon round to zero (Adam would divide 0
by 0). Each step is rounded to its variable's dtype before it is
subtracted, as in Keras.
"""

import math
import warnings

import keras
import numpy as np
from keras import ops

from custom_layers._validation import check_bool
from custom_layers._validation import check_learning_rate
from custom_layers._validation import check_real

LOW_PRECISION = ("float16", "bfloat16")


def replica_copies(tf_variable):
    """Return the copies of a `tf.Variable`, one per `tf.distribute` replica.

    A variable created outside any distribution strategy is its only copy.
    """
    strategy = getattr(tf_variable, "distribute_strategy", None)
    if strategy is None:
        return (tf_variable,)
    return strategy.experimental_local_results(tf_variable)


class _PerVariableOptimizer(keras.optimizers.Optimizer):
    """What both optimizers share: finding a variable's state, and loading.

    Subclasses create their state in `build` with `_add_state(var_list,
    name)`, one list per kind of state (`None` for the variables Keras
    overwrites with their gradient, which get no state, as in Keras), and
    find a variable's entry in `update_step` with `_index(variable)`.
    """

    def build(self, var_list):
        """Index the model variables this optimizer will update.

        Args:
            var_list: The model variables.
        """
        if self.built:
            return
        super().build(var_list)
        self._state_lists = []
        # `update_step` receives the variable itself, except on TensorFlow,
        # which hands it the `tf.Variable` inside (`variable.value`), or
        # under `tf.distribute` each replica's copy of it. All live as long
        # as the model, so their ids stay theirs.
        on_tensorflow = keras.backend.backend() == "tensorflow"
        self._indices = {}
        for index, variable in enumerate(var_list):
            self._indices[id(variable)] = index
            if on_tensorflow:
                for copy in replica_copies(variable.value):
                    self._indices[id(copy)] = index

    def _add_state(self, var_list, name):
        """Return a zero state variable per model variable, in their order.

        A state has its variable's shape and dtype, or float32 for a
        float16 or bfloat16 variable. Its name is Keras's: the variable's
        path, then `name`.
        """
        states = []
        for variable in var_list:
            if getattr(variable, "overwrite_with_gradient", False):
                states.append(None)
            elif variable.dtype in LOW_PRECISION:
                path = variable.path.replace("/", "_")
                states.append(
                    self.add_variable(
                        variable.shape, dtype="float32", name=f"{path}_{name}"
                    )
                )
            else:
                states.append(
                    self.add_variable_from_reference(variable, name=name)
                )
        self._state_lists.append(states)
        return states

    def _index(self, variable):
        """Return the position of `variable` in the lists of state."""
        try:
            return self._indices[id(variable)]
        except KeyError:
            raise ValueError(
                f"Unknown variable: {variable}. This optimizer was built for "
                "other variables; create a new one for these."
            ) from None

    def _subtract(self, variable, step, state):
        """Subtract `step`, computed in `state`'s dtype, from `variable`.

        A float32 step is rounded to a float16 or bfloat16 variable's dtype
        first, as Keras's optimizers compute it (the test costs less than a
        cast on PyTorch, where every Keras call counts).
        """
        if state.dtype != variable.dtype:
            step = ops.cast(step, keras.backend.standardize_dtype(variable.dtype))
        self.assign_sub(variable, step)

    def load_own_variables(self, store):
        """Load the state, also from files saved with the flat layout.

        Until December 2026 these optimizers kept each kind of state in one
        flat vector covering every model variable (in `var_list` order,
        each variable flattened), after the same base variables. Such
        vectors are cut back into one state per variable. A state that fits
        neither layout is refused with a warning and the optimizer keeps
        its zero state, as Keras does when the counts differ.
        """
        saved = [np.asarray(store[str(i)]) for i in range(len(store.keys()))]
        shapes = [tuple(value.shape) for value in saved]
        if not self.built or shapes == [tuple(v.shape) for v in self.variables]:
            super().load_own_variables(store)
            return
        states = [
            s for states in self._state_lists for s in states if s is not None
        ]
        first_state = len(self.variables) - len(states)
        flat_shapes = [
            (sum(math.prod(s.shape) for s in states if s is not None),)
            for states in self._state_lists
        ]
        base_shapes = [tuple(v.shape) for v in self.variables[:first_state]]
        if shapes != base_shapes + flat_shapes:
            warnings.warn(
                f"Not loading the state of optimizer '{self.name}': the file "
                f"holds {len(saved)} variables of shapes {shapes}, which fit "
                "neither this optimizer's variables nor the flat layout of "
                "earlier versions. The optimizer starts from zero state.",
                stacklevel=2,
            )
            return
        for variable, value in zip(self.variables[:first_state], saved):
            variable.assign(value)
        for states, flat in zip(self._state_lists, saved[first_state:]):
            start = 0
            for state in states:
                if state is not None:
                    stop = start + math.prod(state.shape)
                    state.assign(flat[start:stop].reshape(state.shape))
                    start = stop


@keras.saving.register_keras_serializable(package="custom_layers")
class MomentumOptimizer(_PerVariableOptimizer):
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
        self._velocities = self._add_state(var_list, "velocity")

    def update_step(self, gradient, variable, learning_rate):
        """One momentum step on `variable`."""
        velocity = self._velocities[self._index(variable)]
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
        if self.nesterov:
            step = ops.add(
                ops.multiply(velocity, self.beta),
                ops.multiply(gradient, 1 - self.beta),
            )
        self._subtract(variable, ops.multiply(step, learning_rate), velocity)

    def get_config(self):
        """Return the constructor arguments, including the base class's."""
        config = super().get_config()
        config.update({"beta": self.beta, "nesterov": self.nesterov})
        return config


@keras.saving.register_keras_serializable(package="custom_layers")
class AdamOptimizer(_PerVariableOptimizer):
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
        self._momentums = self._add_state(var_list, "momentum")
        self._velocities = self._add_state(var_list, "velocity")
        if self.amsgrad:
            self._velocity_hats = self._add_state(var_list, "velocity_hat")

    def update_step(self, gradient, variable, learning_rate):
        """One Adam step on `variable`."""
        index = self._index(variable)
        m, v = self._momentums[index], self._velocities[index]
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

        # The moving averages, added as (1 - beta) * (new - old): see
        # MomentumOptimizer.update_step.
        self.assign_add(
            m, ops.multiply(ops.subtract(gradient, m), 1 - self.beta_1)
        )
        self.assign_add(
            v,
            ops.multiply(
                ops.subtract(ops.square(gradient), v), 1 - self.beta_2
            ),
        )
        if self.amsgrad:
            v_hat_max = self._velocity_hats[index]
            self.assign(
                v_hat_max,
                ops.maximum(v_hat_max, ops.divide(v, correction_2)),
            )
            # Back on v's scale, so that one formula below serves both cases.
            v = ops.multiply(v_hat_max, correction_2)

        # lr * m_hat / (sqrt(v_hat) + eps), with both corrections moved into
        # scalars: (lr * sqrt(c2) / c1) * m / (sqrt(v) + eps * sqrt(c2)).
        # Same value, two full-size divisions fewer.
        root_correction_2 = ops.sqrt(correction_2)
        step_size = learning_rate * root_correction_2 / correction_1
        self._subtract(
            variable,
            ops.divide(
                ops.multiply(m, step_size),
                ops.add(ops.sqrt(v), self.epsilon * root_correction_2),
            ),
            m,
        )

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
