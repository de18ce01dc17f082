"""Training-step time of the custom_layers components next to Keras's own.

Trains the course's digits MLP (lab05: 64 -> 32 -> 64 -> 10 with ReLU,
dropout 0.5 where dropout is used; scikit-learn's bundled digits, batch 32)
with each configuration below. One repetition times every configuration
once, compared pairs back to back, in forward then reverse order on
alternate repetitions. The table gives each configuration's median time
per training step (`model.fit` time over the number of steps, so Keras's
per-step loop overhead counts on both sides) and, per comparison, the median
over repetitions of the ratio measured within one repetition, which cancels
most slow drift in the machine's load, on the wall clock and on the
process's CPU clock (less sensitive to other processes competing for the
cores). Prints a Markdown table.

    python benchmarks/custom_layers_speed.py [--repeats 15] [--epochs 1]
        [--hidden 32 64] [--backends tensorflow torch]

Each backend runs in its own process, one after the other (Keras fixes its
backend at import), and prints its own table. The optimizer targets are
1.05 on TensorFlow and 1.1 on PyTorch, where Keras's own optimizers use
fused multi-tensor updates.

On PyTorch, where `fit` runs the optimizer eagerly, a second table gives
each optimizer's own time: one `optimizer.apply` on the MLP's variables,
outside `fit`, under `torch.no_grad()` as in Keras's trainer.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

# The parent process only starts one child per backend; Keras is imported
# in the children, with KERAS_BACKEND set.
if os.environ.get("CUSTOM_LAYERS_SPEED_CHILD"):
    import keras
    from sklearn.datasets import load_digits
    from sklearn.preprocessing import StandardScaler

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

    from custom_layers import AdamOptimizer
    from custom_layers import DropConnectDense
    from custom_layers import MomentumOptimizer

BATCH_SIZE = 32
RATE = 0.5


def dense_block(hidden):
    """Hidden Dense layers (the optimizer comparisons)."""
    return [keras.layers.Dense(units, activation="relu") for units in hidden]


def dropout_block(hidden):
    """Hidden Dense layers, each followed by Dropout."""
    block = []
    for units in hidden:
        block += [
            keras.layers.Dense(units, activation="relu"),
            keras.layers.Dropout(RATE),
        ]
    return block


def dropconnect_block(mask):
    """Hidden DropConnectDense layers with the given mask mode."""
    return lambda hidden: [
        DropConnectDense(units, rate=RATE, activation="relu", mask=mask)
        for units in hidden
    ]


def configs():
    """Name -> (hidden block, optimizer factory).

    Momentum 0.9 with the slides' learning rate 0.1 is SGD(0.01, momentum=0.9).
    """
    return {
        "keras Adam": (dense_block, lambda: keras.optimizers.Adam(1e-3)),
        "AdamOptimizer": (dense_block, lambda: AdamOptimizer(1e-3)),
        "keras SGD(momentum=0.9)": (
            dense_block,
            lambda: keras.optimizers.SGD(0.01, momentum=0.9),
        ),
        "MomentumOptimizer": (dense_block, lambda: MomentumOptimizer(0.1)),
        "Dense + Dropout": (dropout_block, lambda: keras.optimizers.Adam(1e-3)),
        "DropConnectDense (batch mask)": (
            dropconnect_block("batch"),
            lambda: keras.optimizers.Adam(1e-3),
        ),
        "DropConnectDense (example mask)": (
            dropconnect_block("example"),
            lambda: keras.optimizers.Adam(1e-3),
        ),
    }


# (candidate, reference, target ratio, per backend, or None)
OPTIMIZER_TARGETS = {"tensorflow": 1.05, "torch": 1.1, "jax": 1.05}
OPTIMIZER_PAIRS = [
    ("AdamOptimizer", "keras Adam"),
    ("MomentumOptimizer", "keras SGD(momentum=0.9)"),
]
COMPARISONS = [
    *((c, r, OPTIMIZER_TARGETS) for c, r in OPTIMIZER_PAIRS),
    ("DropConnectDense (batch mask)", "Dense + Dropout", 1.3),
    ("DropConnectDense (example mask)", "Dense + Dropout", None),
    ("DropConnectDense (example mask)", "DropConnectDense (batch mask)", None),
]


def build_model(block, make_optimizer, hidden):
    """Compile the digits MLP with `block`'s hidden layers."""
    model = keras.Sequential(
        [keras.Input((64,)), *block(hidden), keras.layers.Dense(10)]
    )
    model.compile(
        optimizer=make_optimizer(),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


def time_per_step(model, x, y, epochs):
    """Wall-clock and process-CPU seconds per step of `model.fit`."""
    steps = epochs * -(-len(x) // BATCH_SIZE)
    wall, cpu = time.perf_counter(), time.process_time()
    model.fit(x, y, batch_size=BATCH_SIZE, epochs=epochs, verbose=0)
    return (
        (time.perf_counter() - wall) / steps,
        (time.process_time() - cpu) / steps,
    )


def apply_time(optimizer, variables, calls):
    """Seconds per `optimizer.apply` of fixed gradients to `variables`."""
    import torch  # Only the PyTorch table times `apply` alone.

    gradients = [
        keras.random.normal(variable.shape, seed=index)
        for index, variable in enumerate(variables)
    ]
    with torch.no_grad():
        start = time.perf_counter()
        for _ in range(calls):
            optimizer.apply(gradients, variables)
        return (time.perf_counter() - start) / calls


def print_apply_table(models, repeats, calls=200):
    """Print each optimizer comparison's time per `apply`, outside `fit`."""
    names = [name for pair in OPTIMIZER_PAIRS for name in pair]
    times = {name: [] for name in names}
    for repeat in range(repeats):
        for name in names if repeat % 2 == 0 else reversed(names):
            model = models[name]
            times[name].append(
                apply_time(model.optimizer, model.trainable_variables, calls)
            )
    print(
        f"\nOne `optimizer.apply` alone ({calls} calls, medians of {repeats})."
        "\n\n| optimizer | reference | us/apply | reference us/apply |"
        "\n|---|---|---:|---:|"
    )
    for candidate, reference in OPTIMIZER_PAIRS:
        us = [1e6 * statistics.median(times[n]) for n in (candidate, reference)]
        print(f"| {candidate} | {reference} | {us[0]:.0f} | {us[1]:.0f} |")


def paired_ratio(times, candidate, reference, clock):
    """Median over repetitions of candidate / reference on one clock."""
    return statistics.median(
        c[clock] / r[clock] for c, r in zip(times[candidate], times[reference])
    )


def main():
    """Run the benchmark once per backend, each in a child process."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--hidden", type=int, nargs="+", default=[32, 64])
    parser.add_argument(
        "--backends", nargs="+", default=["tensorflow", "torch"]
    )
    args = parser.parse_args()
    if os.environ.get("CUSTOM_LAYERS_SPEED_CHILD"):
        benchmark(args)
        return
    failed = False
    for backend in args.backends:
        environment = {
            **os.environ,
            "KERAS_BACKEND": backend,
            "CUSTOM_LAYERS_SPEED_CHILD": "1",
        }
        done = subprocess.run(
            [sys.executable, __file__, *sys.argv[1:]], env=environment
        )
        failed = failed or done.returncode != 0
        print()
    sys.exit(1 if failed else 0)


def benchmark(args):
    """Time every configuration on this process's backend; print the table."""
    keras.utils.set_random_seed(0)
    x, y = load_digits(return_X_y=True)
    x = StandardScaler().fit_transform(x).astype("float32")

    models = {
        name: build_model(block, make_optimizer, args.hidden)
        for name, (block, make_optimizer) in configs().items()
    }
    for model in models.values():  # Trace and warm up outside the timing.
        model.fit(x, y, batch_size=BATCH_SIZE, epochs=1, verbose=0)

    times = {name: [] for name in models}
    names = list(models)
    for repeat in range(args.repeats):
        # CONFIGS lists compared pairs next to each other; reversing the
        # order every other time keeps them adjacent and swaps who goes first.
        for name in names if repeat % 2 == 0 else reversed(names):
            times[name].append(time_per_step(models[name], x, y, args.epochs))

    architecture = "-".join(map(str, [64, *args.hidden, 10]))
    print(
        f"Keras {keras.__version__}, backend {keras.backend.backend()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; "
        f"MLP {architecture}, batch {BATCH_SIZE}, rate {RATE}; medians of "
        f"{args.repeats} interleaved repetitions of {args.epochs} epoch(s).\n"
    )
    print(
        "| component | reference | ms/step | reference ms/step "
        "| ratio (wall) | ratio (CPU) | target (wall) |"
    )
    print("|---|---|---:|---:|---:|---:|---|")
    for candidate, reference, target in COMPARISONS:
        wall, cpu = (
            paired_ratio(times, candidate, reference, clock) for clock in (0, 1)
        )
        verdict = "-"
        if isinstance(target, dict):
            target = target[keras.backend.backend()]
        if target is not None:
            verdict = f"<= {target}: {'met' if wall <= target else 'missed'}"
        ms = {
            name: 1e3 * statistics.median(t[0] for t in times[name])
            for name in (candidate, reference)
        }
        print(
            f"| {candidate} | {reference} | {ms[candidate]:.3f} "
            f"| {ms[reference]:.3f} | {wall:.3f} | {cpu:.3f} | {verdict} |"
        )
    if keras.backend.backend() == "torch":
        print_apply_table(models, args.repeats)


if __name__ == "__main__":
    main()
