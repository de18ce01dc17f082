"""The base of the course's Keras optimizers: state per variable, public API only.

`PerVariableOptimizer` is a `keras.optimizers.Optimizer` that lets a
subclass be written exactly as Keras writes its own optimizers (settings in
`__init__`, state in `build` with `add_optimizer_variables`, the rule in
`update_step` with `assign`, `assign_add`, `assign_sub` and `keras.ops`)
without any private Keras name. It adds one public method,
`variable_index(variable)`, the position of a model variable in the lists
of state (Keras's own optimizers use the private `_get_variable_index`),
and handles, out of the subclass's sight:

- float16 and bfloat16 variables: their state is float32 (in those dtypes
  squared gradients and epsilon round to zero, and Adam divides 0 by 0),
  and a step computed in float32 is rounded to the variable's dtype before
  it is subtracted, as in Keras;
- TensorFlow, which hands `update_step` the `tf.Variable` inside a Keras
  variable, or under `tf.distribute` each replica's copy of it;
- `.keras` files saved before December 2026, when the course's optimizers
  kept each kind of state in one flat vector (`load_own_variables`).

`custom_layers.MomentumOptimizer` and `custom_layers.AdamOptimizer` are
built on it, and so are the classes of lab 6, which are their student's
part (generated from them by `python -m autograder build`). It holds no
update rule, so it ships with every lab.
"""

import math
import warnings

import keras
import numpy as np
from keras import ops

LOW_PRECISION = ("float16", "bfloat16")


def replica_copies(tf_variable):
    """Return the copies of a `tf.Variable`, one per `tf.distribute` replica.

    A variable created outside any distribution strategy is its only copy.
    """
    strategy = getattr(tf_variable, "distribute_strategy", None)
    if strategy is None:
        return (tf_variable,)
    return strategy.experimental_local_results(tf_variable)


class PerVariableOptimizer(keras.optimizers.Optimizer):
    """A Keras optimizer whose state is found with `variable_index(variable)`.

    A subclass calls `super().build(var_list)` in its `build`, creates its
    state with `self.add_optimizer_variables(var_list, name)` (a list per
    name, `None` for the variables Keras overwrites with their gradient),
    and finds a variable's entries in `update_step` with
    `self.variable_index(variable)`.
    """

    def build(self, var_list):
        """Index the model variables this optimizer will update.

        Args:
            var_list: The model variables.
        """
        if self.built:
            return
        # Keras's own state (EMA averages, accumulated gradients) is not the
        # subclass's: only what the subclass adds after this is remembered.
        self._state_lists = None
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

    def variable_index(self, variable):
        """Return the position of `variable` in the lists of state.

        Args:
            variable: A model variable `update_step` received.

        Returns:
            Its index in `var_list`, and so in every list that
            `add_optimizer_variables` returned.
        """
        try:
            return self._indices[id(variable)]
        except KeyError:
            raise ValueError(
                f"Unknown variable: {variable}. This optimizer was built for "
                "other variables; create a new one for these."
            ) from None

    def add_optimizer_variables(self, trainable_variables, name, initializer="zeros"):
        """Keras's `add_optimizer_variables`, also remembered for loading old files."""
        states = super().add_optimizer_variables(trainable_variables, name, initializer)
        if getattr(self, "_state_lists", None) is not None:
            self._state_lists.extend([states] if isinstance(name, str) else states)
        return states

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        """Keras's `add_variable_from_reference`, in float32 for a float16 or bfloat16 variable.

        Only the subclass's state: Keras's own (EMA averages, gradient
        accumulators, made while `_state_lists` is None) keeps the
        variable's dtype, which Keras's code that writes them back expects.
        """
        if reference_variable.dtype not in LOW_PRECISION or getattr(self, "_state_lists", None) is None:
            return super().add_variable_from_reference(reference_variable, name=name, initializer=initializer)
        path = reference_variable.path.replace("/", "_")
        return self.add_variable(
            reference_variable.shape,
            initializer=initializer,
            dtype="float32",
            name=f"{path}_{name or 'var'}",
        )

    def assign_sub(self, variable, value):
        """Keras's `assign_sub`, `value` rounded to the dtype of `variable` first.

        A step computed in a float32 state is rounded to a float16 or
        bfloat16 variable's dtype before it is subtracted, as Keras's
        optimizers compute it (the test costs less than a cast on PyTorch,
        where every Keras call counts).
        """
        dtype = keras.backend.standardize_dtype(variable.dtype)
        if keras.backend.standardize_dtype(value.dtype) != dtype:
            value = ops.cast(value, dtype)
        super().assign_sub(variable, value)

    def load_own_variables(self, store):
        """Load the state, also from files saved with the flat layout.

        Until December 2026 the course's optimizers kept each kind of state
        in one flat vector covering every model variable (in `var_list`
        order, each variable flattened), after the same base variables.
        Such vectors are cut back into one state per variable. A state that
        fits neither layout is refused with a warning and the optimizer
        keeps its zero state, as Keras does when the counts differ.
        """
        saved = [np.asarray(store[str(i)]) for i in range(len(store.keys()))]
        shapes = [tuple(value.shape) for value in saved]
        if not self.built or shapes == [tuple(v.shape) for v in self.variables]:
            super().load_own_variables(store)
            return
        states = [s for states in self._state_lists for s in states if s is not None]
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
