"""Probes only call the student's code and return its raw results.

A probe runs in the student's process, where every value can be patched, so
it must hold no label, no reference and compute no metric: those live in
the grader or in the lab's references.py, which run where no student code ever
ran. This lint reads each probe file and names what it must not use.
"""

import ast

import pytest

from autograder import course

# Names that mean a probe scores, holds data with labels, or builds a reference.
DENIED = {
    "evaluate": "scores a model", "predict": "runs a model on data the grader should hold",
    "accuracy_score": "scores", "mean": "computes a metric", "argmax": "turns outputs into a score",
    "load_digits": "holds a labelled data set", "train_test_split": "holds a labelled data set",
    "optimizers": "runs a Keras optimizer as a reference", "Conv2D": "builds a Keras reference layer",
    "MaxPooling2D": "builds a Keras reference layer", "Sequential": "builds a reference model",
}
DENIED_IMPORTS = {"sklearn", "scipy", "tensorflow", "custom_layers"}
PROBES = {lab: course.probes_file(lab) for lab in course.lab_names() if course.probes_file(lab) is not None}


def violations(source):
    """(line, what) for every denied name or import in a probe's source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in DENIED:
            found.append((node.lineno, f"{node.attr}: {DENIED[node.attr]}"))
        elif isinstance(node, ast.Name) and node.id in DENIED:
            found.append((node.lineno, f"{node.id}: {DENIED[node.id]}"))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, f"import {alias.name}") for alias in node.names
                      if alias.name.split(".")[0] in DENIED_IMPORTS]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in DENIED_IMPORTS:
            found.append((node.lineno, f"from {node.module} import ..."))
    return found


@pytest.mark.parametrize("lab", PROBES)
def test_probe_computes_no_reference_and_no_score(lab):
    found = violations(PROBES[lab].read_text())
    assert not found, f"{lab}'s probes compute what decides points in the student's process: " + "; ".join(
        f"line {line}: {what}" for line, what in found)


@pytest.mark.parametrize("source", [
    "def accuracy(lab, x, y):\n    return float((lab.model().predict(x).argmax(1) == y).mean())\n",
    "import keras\ndef reference(lab, x):\n    return keras.layers.Conv2D(1, 3)(x)\n",
    "from sklearn.datasets import load_digits\ndef data(lab):\n    return load_digits()\n",
])
def test_the_lint_catches_a_probe_that_scores(source):
    assert violations(source), "the lint let a scoring probe through"
