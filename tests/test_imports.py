"""The engine's modules import one another without a cycle, grading never imports authoring code, and
the code that runs inside the sandbox needs nothing but the standard library and NumPy.

Every import counts, those inside functions too (a lazy import is still a dependency).
"""

import ast
import sys
from pathlib import Path

import pytest

import autograder

PACKAGE = Path(autograder.__file__).parent
RUNTIME = PACKAGE / "sandbox" / "runtime"
GRADING = ("runner", "operations.batch", "operations.cluster", "submission", "report", "sandbox")  # grades a submission
AUTHORING = "authoring"  # makes labs and notebooks from the solutions
INSIDE_ALLOWED = set(sys.stdlib_module_names) | {"numpy"}


def module_name(path):
    """'runner' for autograder/runner.py, 'sandbox' for autograder/sandbox/__init__.py, 'sandbox.runtime.wire'."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py") if path.parent != PACKAGE or path.stem != "__init__"}


def _nodes(path):
    return [node for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, (ast.Import, ast.ImportFrom))]


def imports(module):
    """The autograder modules `module` imports anywhere in its file."""
    names = set()
    for node in _nodes(MODULES[module]):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "autograder":
            within = node.module.removeprefix("autograder").lstrip(".")
            names |= {f"{within}.{alias.name}".lstrip(".") for alias in node.names} | {within}
        elif isinstance(node, ast.Import):
            names |= {alias.name.removeprefix("autograder.") for alias in node.names
                      if alias.name.startswith("autograder.")}
    return (names & set(MODULES)) - {module}


GRAPH = {module: imports(module) for module in MODULES}


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
    reached = sorted(name for name in reachable(module) if name.split(".")[0] == AUTHORING)
    assert not reached, f"autograder.{module} reaches {reached}: grading should need nothing that builds labs"


@pytest.mark.parametrize("path", sorted(RUNTIME.glob("*.py")), ids=lambda path: path.name)
def test_the_code_inside_the_sandbox_imports_only_the_standard_library_and_numpy(path):
    # Its siblings it loads by path (`load_by_path`), never by import: the sandbox has no autograder package.
    found = {alias.name.split(".")[0] for node in _nodes(path) if isinstance(node, ast.Import) for alias in node.names}
    found |= {node.module.split(".")[0] for node in _nodes(path)
              if isinstance(node, ast.ImportFrom) and node.module and not node.level}
    assert found <= INSIDE_ALLOWED, f"sandbox/runtime/{path.name} imports {sorted(found - INSIDE_ALLOWED)}"
