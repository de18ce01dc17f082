"""Where the course's pieces live, and how graded tests are found."""

import importlib.util
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
LABS = ROOT / "labs"
GRADED = ROOT / "tests" / "graded"
PROBES = ROOT / "tests" / "probes"
REFERENCES = ROOT / "tests" / "references"
# Packages a student's lab may import besides the installed ones.
PACKAGES = (ROOT / "custom_layers",)


@dataclass(frozen=True)
class GradedTest:
    """One graded test of one lab, as found in tests/graded/<lab>.py."""

    lab: str
    number: str
    name: str
    points: float
    hidden: bool
    timeout: float | None
    forbid: dict
    function: object


def lab_names():
    """The labs that have graded tests, in course order."""
    return sorted(path.stem for path in GRADED.glob("lab[0-9][0-9]_*.py"))


def lab_number(lab):
    """'lab01_gradient_descent' -> 1."""
    return int(lab[3:5])


def load_tests(lab):
    """The graded tests of `lab`, in the order they are written."""
    path = GRADED / f"{lab}.py"
    spec = importlib.util.spec_from_file_location(f"graded_{lab}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    found = [value for value in vars(module).values() if callable(value) and hasattr(value, "graded")]
    return [
        GradedTest(
            lab=lab,
            number=f"{lab_number(lab)}.{index}",
            name=" ".join(function.__doc__.strip().split("\n\n")[0].split()),
            function=function,
            **function.graded,
        )
        for index, function in enumerate(found, start=1)
    ]


def probes_file(lab):
    """tests/probes/<lab>.py, or None when the lab's tests need no probes."""
    path = PROBES / f"{lab}.py"
    return path if path.exists() else None


def references_file(lab):
    """tests/references/<lab>.py, or None when the lab's tests need no references."""
    path = REFERENCES / f"{lab}.py"
    return path if path.exists() else None
