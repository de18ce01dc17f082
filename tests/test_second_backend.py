"""custom_layers runs on a second Keras backend: its tests pass again under PyTorch.

The backend is fixed when Keras is imported, so the suite runs in a fresh
interpreter with KERAS_BACKEND=torch (one thread: torch's spinning threads
slow a busy 2-core machine several times over).
"""

import importlib.util
import os
import subprocess
import sys

import pytest
from helpers import ROOT


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed (requirements-dev.txt)")
def test_custom_layers_pass_on_torch():
    environment = {**os.environ, "KERAS_BACKEND": "torch", "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-m", "pytest", "tests/custom_layers", "-q", "-p", "no:cacheprovider"],
                          cwd=ROOT, env=environment, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, f"custom_layers failed on torch:\n{done.stdout[-3000:]}"
    assert " passed" in done.stdout.splitlines()[-1], done.stdout[-500:]
