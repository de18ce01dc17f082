"""The engine's modules import one another without a cycle, and grading never imports authoring code.

Every import counts, those inside functions too (a lazy import is still a dependency).
"""

import ast
from pathlib import Path

import pytest

import autograder

PACKAGE = Path(autograder.__file__).parent
GRADING = ("runner", "batch", "cluster", "submission", "report", "sandbox")  # what grades a submission
AUTHORING = ("build", "notebooks")  # what makes labs and notebooks from the solutions


def imports(module):
    """The autograder modules `module` imports anywhere in its file."""
    names = set()
    for node in ast.walk(ast.parse((PACKAGE / f"{module}.py").read_text())):
        if isinstance(node, ast.ImportFrom) and node.module == "autograder":
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("autograder."):
            names.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            names |= {alias.name.split(".")[1] for alias in node.names if alias.name.startswith("autograder.")}
    return {name for name in names if (PACKAGE / f"{name}.py").exists()} - {module}


GRAPH = {path.stem: imports(path.stem) for path in PACKAGE.glob("*.py")}


def reachable(module):
    """Every module `module` imports, directly or through others."""
    seen, stack = set(), [module]
    while stack:
        for name in GRAPH[stack.pop()] - seen:
            seen.add(name)
            stack.append(name)
    return seen


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_no_module_imports_itself_through_others(module):
    cycle = [name for name in GRAPH[module] if module in reachable(name)]
    assert not cycle, f"autograder.{module} imports {cycle}, which import it back"


@pytest.mark.parametrize("module", GRADING)
def test_grading_never_imports_authoring_code(module):
    reached = sorted(reachable(module) & set(AUTHORING))
    assert not reached, f"autograder.{module} reaches {reached}: grading should need nothing that builds labs"
