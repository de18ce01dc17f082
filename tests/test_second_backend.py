"""custom_layers runs on the other Keras backends: its tests pass again there.

The backend is fixed when Keras is imported, so each backend's run is a fresh
interpreter with KERAS_BACKEND set (one thread: torch's spinning threads slow
a busy 2-core machine several times over), all in that one process: parallel
pytest workers would each import Keras and the backend again. PyTorch reruns
every custom_layers test; JAX reruns those marked `all_backends` (the Keras
test ports, the low-precision tests and the DropConnectDense harness).
"""

import importlib.util
import os
import subprocess
import sys

import pytest
from helpers import ROOT


def run_custom_layers(backend, *options):
    """Run tests/custom_layers under `backend`; return pytest's output."""
    environment = {**os.environ, "KERAS_BACKEND": backend, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/custom_layers", "-q", "-p", "no:cacheprovider", "-n", "0", *options],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, f"custom_layers failed on {backend}:\n{done.stdout[-3000:]}"
    assert " passed" in done.stdout.splitlines()[-1], done.stdout[-500:]


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed (requirements-dev.txt)")
def test_custom_layers_pass_on_torch():
    run_custom_layers("torch")


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="jax is not installed (requirements-dev.txt)")
def test_custom_layers_pass_on_jax():
    run_custom_layers("jax", "-m", "all_backends")
