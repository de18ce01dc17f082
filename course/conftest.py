"""The fixture the labs' figure tests share (course/<lab>/test_labNN_figures.py)."""

import pytest
from helpers import load_solution


@pytest.fixture(scope="module")
def lab(request):
    """The solution of the lab the test module names in its `LAB`, imported once for the module."""
    return load_solution(request.module.LAB)
