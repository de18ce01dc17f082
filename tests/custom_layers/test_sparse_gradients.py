"""Sparse gradients, as keras/src/optimizers/optimizer_sparse_test.py checks.

An Embedding's gradient is a `tf.IndexedSlices` on TensorFlow; JAX's
sparse arrays (`BCOO`) stand for it there. Keras's backends update
variables with sparse values only through the optimizer's `assign`,
`assign_add` and `assign_sub` (TensorFlow scatters them); an optimizer that
calls a variable's own `assign` instead densifies them, or fails on a
variable that refuses direct assignment. The expected values come from the
same gradient made dense.
"""

from unittest import mock

import keras
import numpy as np
import pytest
from keras import ops

from custom_layers import AdamOptimizer
from custom_layers import MomentumOptimizer

pytestmark = [
    pytest.mark.all_backends,
    pytest.mark.skipif(
        keras.backend.backend() not in ("tensorflow", "jax"),
        reason="sparse tensors are TensorFlow's and JAX's",
    ),
]

BACKEND = keras.backend.backend()

OPTIMIZERS = {
    "momentum": lambda: MomentumOptimizer(0.1, beta=0.5),
    "nesterov": lambda: MomentumOptimizer(0.1, beta=0.5, nesterov=True),
    "zero_momentum": lambda: MomentumOptimizer(0.1, beta=0.0),
    "adam": lambda: AdamOptimizer(0.01),
    "amsgrad": lambda: AdamOptimizer(0.01, amsgrad=True),
    "loss_scaled_momentum": lambda: keras.optimizers.LossScaleOptimizer(
        MomentumOptimizer(0.5, beta=0.5)
    ),
}


def sparse_rows(rows, shape, scale, dtype="float32"):
    """A sparse gradient: `scale` in the given rows of `shape`, 0 elsewhere."""
    values = ops.cast(ops.ones((len(rows),) + shape[1:]) * scale, dtype)
    if BACKEND == "tensorflow":
        import tensorflow as tf

        return tf.IndexedSlices(values, rows, shape)
    import jax.experimental.sparse as jax_sparse

    return jax_sparse.BCOO((values, [[row] for row in rows]), shape=shape)


def sparse_class():
    if BACKEND == "tensorflow":
        import tensorflow as tf

        return tf.IndexedSlices
    import jax.experimental.sparse as jax_sparse

    return jax_sparse.JAXSparse


@pytest.fixture(params=list(OPTIMIZERS))
def name(request):
    return request.param


def test_no_direct_assign_of_a_sparse_gradient(name):
    """Every update of a state or a weight goes through the optimizer."""
    model_variable = keras.Variable(np.ones((5, 10), dtype="float32"))
    optimizer = OPTIMIZERS[name]()
    patched = getattr(optimizer, "inner_optimizer", optimizer)
    # TensorFlow's optimizer writes the tf.Variable inside a keras.Variable.
    variable_class = (
        type(model_variable.value)
        if BACKEND == "tensorflow"
        else type(model_variable)
    )
    direct = []

    def refuse(variable, value):
        if len(variable.shape):  # the step counters may assign themselves
            direct.append(variable)

    routed = []

    def record(variable, value):
        routed.append(isinstance(value, sparse_class()))

    with (
        mock.patch.object(patched, "assign", side_effect=record),
        mock.patch.object(patched, "assign_add", side_effect=record),
        mock.patch.object(patched, "assign_sub", side_effect=record),
        mock.patch.object(variable_class, "assign", autospec=True) as a,
        mock.patch.object(variable_class, "assign_add", autospec=True) as b,
        mock.patch.object(variable_class, "assign_sub", autospec=True) as c,
    ):
        for direct_call in (a, b, c):
            direct_call.side_effect = refuse
        optimizer.apply([sparse_rows([0, 2, 4], (5, 10), 0.5)], [model_variable])
    assert not direct, (
        f"{name} assigned {len(direct)} non-scalar variable(s) directly "
        "instead of through optimizer.assign/assign_add/assign_sub"
    )
    assert routed, f"{name} updated nothing through the optimizer"


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
def test_sparse_gradient_steps_as_its_dense_value(name, dtype):
    if name == "loss_scaled_momentum" and dtype != "float32":
        pytest.skip(
            "unscaled by 2**15, the gradient moves a float16 or bfloat16 "
            "weight of 1 by less than half a unit: nothing would move"
        )
    sparse_optimizer, dense_optimizer = OPTIMIZERS[name](), OPTIMIZERS[name]()
    on_sparse = keras.Variable(np.ones((5, 3, 2)), dtype=dtype)
    on_dense = keras.Variable(np.ones((5, 3, 2)), dtype=dtype)
    stateless = BACKEND == "jax"
    if stateless:
        sparse_optimizer.build([on_sparse])
        dense_optimizer.build([on_dense])
    sparse_state = sparse_optimizer.variables
    dense_state = dense_optimizer.variables
    sparse_values, dense_values = [on_sparse.value], [on_dense.value]
    for step in range(5):
        sparse = sparse_rows([0, 2, 4], (5, 3, 2), 10.0 - step, dtype)
        dense = ops.convert_to_tensor(sparse, sparse=False)
        if stateless:
            sparse_values, sparse_state = sparse_optimizer.stateless_apply(
                sparse_state, [sparse], sparse_values
            )
            dense_values, dense_state = dense_optimizer.stateless_apply(
                dense_state, [dense], dense_values
            )
        else:
            sparse_optimizer.apply([sparse], [on_sparse])
            dense_optimizer.apply([dense], [on_dense])
            sparse_values, dense_values = [on_sparse], [on_dense]
        # 1e-6 is below a float16 or bfloat16 unit, so equality there (seen
        # on TensorFlow and JAX); in float32 it allows the scatter's rounding.
        np.testing.assert_allclose(
            ops.convert_to_numpy(ops.cast(sparse_values[0], "float32")),
            ops.convert_to_numpy(ops.cast(dense_values[0], "float32")),
            rtol=1e-6,
            err_msg=f"{name}: the sparse {dtype} gradient's step {step + 1} "
            "differs from its dense value's",
        )
    moved = ops.convert_to_numpy(ops.cast(dense_values[0], "float32"))
    assert np.any(moved != 1.0), f"{name} did not move the weights at all"
