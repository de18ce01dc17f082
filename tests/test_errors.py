"""Every error the grader raises says whose fault it is, by its root in autograder/errors.py."""

import importlib
import inspect
import pkgutil

import pytest

import autograder
from autograder import errors

# These run inside the sandbox (the runtime, and the modules staged for the references), so their
# errors, about the messages that cross the walls, cannot derive from the grader's roots.
INSIDE_THE_SANDBOX = {"sandbox.runtime", "keras_models", "heldout", "textbook"}
ROOTS = (errors.CannotGrade, errors.GraderFault, errors.StudentFault)


def grader_errors():
    """(module, class) for every exception class defined in a grader-side module of autograder."""
    found = []
    for module_info in pkgutil.walk_packages(autograder.__path__, "autograder."):
        name = module_info.name.removeprefix("autograder.")
        if any(name == inside or name.startswith(inside + ".") for inside in INSIDE_THE_SANDBOX) or any(
                part.startswith("_") for part in name.split(".")):
            continue
        module = importlib.import_module(module_info.name)
        found += [(name, value) for value in vars(module).values()
                  if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == module.__name__]
    return found


@pytest.mark.parametrize(("module", "error"), grader_errors(), ids=lambda value: getattr(value, "__name__", value))
def test_every_error_of_the_grader_has_exactly_one_of_the_three_roots(module, error):
    roots = [root.__name__ for root in ROOTS if issubclass(error, root)]
    assert len(roots) == 1, f"autograder.{module}.{error.__name__} should derive from one of errors' roots, not {roots}"

