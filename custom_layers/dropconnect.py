"""DropConnect: a dense layer that drops connections instead of units.

Lab 7's `DropConnectDense` is the student's part of this class:
`python -m autograder build` copies the bodies of `__init__`, `build`,
`call` and `get_config` into the lab's solution, leaving out the lines
marked as extras (`# BEGIN EXTRA` ... `# END EXTRA`, or a line ending in
`# extra`) and writing a line that ends in `# lab: <code>` as `<code>`:
`use_bias`, the example mask, Dense's initializers, regularizers and
constraints, Keras masks and the input spec.
"""

import keras
from keras import constraints
from keras import initializers
from keras import ops
from keras import regularizers

from labkit.keras_checks import check_bool
from labkit.keras_checks import check_choice
from labkit.keras_checks import check_int
from labkit.keras_checks import check_real

MASK_MODES = ("batch", "example")


@keras.saving.register_keras_serializable(package="custom_layers")
class DropConnectDense(keras.layers.Layer):
    """Densely-connected layer with DropConnect (Wan et al., 2013).

    While training, every weight of the kernel (every connection) is dropped
    with probability `rate` and the kept ones are scaled by `1 / (1 - rate)`,
    so the expected output equals the output with the full kernel:

    ```python
    mask = bernoulli(1 - rate, shape=kernel.shape)
    output = activation(inputs @ (kernel * mask / (1 - rate)) + bias)
    ```

    At inference (`training=False`) the layer uses the full kernel and is an
    ordinary, deterministic `Dense` layer. Dropout would drop whole units
    (rows of the output); DropConnect drops single weights. The bias is
    never dropped. With `rate=0` the layer is exactly `keras.layers.Dense`.

    Masks come from a `keras.random.SeedGenerator` owned by the layer, so a
    given `seed` reproduces the same sequence of masks, each training call
    draws a new one, and the generator's state is saved with the weights
    (resumed training draws the masks uninterrupted training would have).

    A Keras mask on the inputs (from `Embedding(mask_zero=True)`, say)
    passes through to the outputs unchanged, as with `Dense`.

    Args:
        units: Positive integer, dimensionality of the output.
        rate: Float in [0, 1), probability of dropping each weight.
            Defaults to `0.5`.
        activation: Activation function (name or callable). Defaults to
            `None` (linear).
        use_bias: Boolean, whether to add a bias vector. Defaults to `True`.
        mask: `"batch"` (default) draws one mask of shape
            `(input_dim, units)` per training step, shared by the whole batch:
            it costs one extra kernel-sized tensor. `"example"` draws an
            independent mask for every example, as in the paper, by
            materialising a `(batch, input_dim, units)` tensor of masked
            weights: memory grows as batch x input_dim x units (for inputs of
            rank > 2 an example's mask is shared along its inner axes).
            Sparse inputs work with both; `"example"` makes them dense while
            training.
        seed: Optional integer seed of the layer's `SeedGenerator`.
        kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer, activity_regularizer, kernel_constraint,
        bias_constraint: As in `keras.layers.Dense`.
        **kwargs: Base `keras.layers.Layer` arguments (`name`, `dtype`, ...).

    Input shape:
        N-D tensor `(batch_size, ..., input_dim)`.

    Output shape:
        N-D tensor `(batch_size, ..., units)`.
    """

    def __init__(
        self,
        units,
        rate=0.5,
        activation=None,
        use_bias=True,
        mask="batch",
        seed=None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)  # lab: super().__init__(**kwargs)
        self.units = check_int("units", units, low=1)
        self.rate = check_real("rate", rate, high=1.0)
        self.activation = keras.activations.get(activation)
        self.seed = seed if seed is None else check_int("seed", seed, low=0)
        self.seed_generator = keras.random.SeedGenerator(seed)
        # BEGIN EXTRA
        self.use_bias = check_bool("use_bias", use_bias)
        self.mask = check_choice("mask", mask, MASK_MODES)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = keras.layers.InputSpec(min_ndim=2)
        # Like Dense: the layer acts on the last axis only, so a mask over
        # the other axes (Embedding(mask_zero=True), ...) passes through.
        self.supports_masking = True
        # END EXTRA

    def build(self, input_shape):
        """Create the kernel `(input_dim, units)` and the bias `(units,)`."""
        input_dim = input_shape[-1]
        self.kernel = self.add_weight(
            name="kernel",
            shape=(input_dim, self.units),
            initializer=self.kernel_initializer,  # lab: initializer="glorot_uniform",
            regularizer=self.kernel_regularizer,  # extra
            constraint=self.kernel_constraint,  # extra
        )
        # BEGIN EXTRA
        self.input_spec = keras.layers.InputSpec(
            min_ndim=2, axes={-1: input_dim}
        )
        if not self.use_bias:
            self.bias = None
            return
        # END EXTRA
        self.bias = self.add_weight(
            name="bias",
            shape=(self.units,),
            initializer=self.bias_initializer,  # lab: initializer="zeros",
            regularizer=self.bias_regularizer,  # extra
            constraint=self.bias_constraint,  # extra
        )

    def call(self, inputs, training=False):
        """Apply the layer; masks are drawn only when `training` is true."""
        kernel = self.kernel
        if training and self.rate > 0:
            shape = ops.shape(kernel)
            # BEGIN EXTRA
            if self.mask == "example":  # one kernel per example
                shape = (ops.shape(inputs)[0],) + tuple(shape)
            # END EXTRA
            noise = keras.random.uniform(shape, seed=self.seed_generator)
            # uniform[0, 1) >= rate holds with probability exactly 1 - rate.
            keep = ops.greater_equal(noise, self.rate)
            kernel = ops.where(keep, ops.divide(kernel, 1.0 - self.rate), 0.0)
        outputs = self._product(inputs, kernel)  # lab: outputs = ops.matmul(inputs, kernel)
        if self.bias is not None:
            outputs = ops.add(outputs, self.bias)
        return self.activation(outputs)

    def _product(self, inputs, kernel):
        """`inputs @ kernel`, or one product per example for kernels `(batch, in, out)`."""
        if len(kernel.shape) == 2:
            return ops.matmul(inputs, kernel)
        # einsum takes no sparse tensors; a dense copy of the inputs is small
        # next to the (batch, input_dim, units) kernels.
        inputs = ops.convert_to_tensor(inputs, sparse=False)
        return ops.einsum("b...i,bio->b...o", inputs, kernel)

    def compute_output_shape(self, input_shape):
        """Return `input_shape` with its last axis replaced by `units`."""
        return tuple(input_shape[:-1]) + (self.units,)

    def save_own_variables(self, store):
        """Save the weights and the mask generator's state.

        Keras layers do not save `SeedGenerator` state; saving it makes
        training resumed from a saved model draw the same masks as
        uninterrupted training.
        """
        super().save_own_variables(store)
        store["seed_generator_state"] = self.seed_generator.state

    def load_own_variables(self, store):
        """Load what `save_own_variables` saved."""
        self.seed_generator.state.assign(store["seed_generator_state"])
        super().load_own_variables(
            {
                key: store[key]
                for key in store.keys()
                if key != "seed_generator_state"
            }
        )

    def get_config(self):
        """Return the constructor arguments, including the base layer's."""
        config = super().get_config()
        config.update(
            units=self.units,
            rate=self.rate,
            activation=keras.activations.serialize(self.activation),
            seed=self.seed,
        )
        # BEGIN EXTRA
        config.update(
            {
                "use_bias": self.use_bias,
                "mask": self.mask,
                "kernel_initializer": initializers.serialize(
                    self.kernel_initializer
                ),
                "bias_initializer": initializers.serialize(
                    self.bias_initializer
                ),
                "kernel_regularizer": regularizers.serialize(
                    self.kernel_regularizer
                ),
                "bias_regularizer": regularizers.serialize(
                    self.bias_regularizer
                ),
                "kernel_constraint": constraints.serialize(
                    self.kernel_constraint
                ),
                "bias_constraint": constraints.serialize(self.bias_constraint),
            }
        )
        # END EXTRA
        return config
