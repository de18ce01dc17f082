"""Notebooks from the lab sources (build time; reading a student's notebook is `notebook_code`).

`build.parse` splits each solution into cells; this module makes the two
notebooks of a lab from those cells: `notebooks/solutions/` (the solution)
and `notebooks/labs/` (the student's: solution regions cleared, no outputs).
Cells carry nbgrader's metadata (solution cells editable, lesson and provided
code locked). The module docstring becomes the opening Markdown cell.

The student notebook also gets cells of its own, tagged `check` and locked:
a set-up cell before the first code cell (it finds the course folder holding
`autograder/` above the notebook and starts `autograder.check.watch`), a
`check("name", ...)` cell after each exercise (`autograder/check.py`), and a
last `check()` of the whole lab; the check cells are nbgrader autograder-test
cells worth no points, so that `nbgrader validate` fails while they fail. Its
figures cell (for a lab with `save_figures`) prints why there are no figures
yet instead of stopping "Run All" while exercises are unfinished, and draws
none while nbgrader runs the notebook.

For nbgrader, `nbgrader_course` lays out a course folder: a config whose
generate_assignment clears regions as `build` does (hints and # STUB lines
kept), and per lab a source notebook with the check cells and one
autograder-test cell per graded test (`nbgrader_notebook`), worth that
test's points.
"""

import ast
import inspect
import os
import re
import subprocess
import tempfile
from pathlib import Path

from autograder import course
from autograder.authoring import build
from autograder.notebook_code import CHECK_TAG, nbformat_module

FIND_COURSE = '''# Set-up: run this cell first. It finds the course folder (the one holding labkit/)
# above this notebook, so that the lab's imports work from any folder.
import sys
from pathlib import Path

course_folder = next((folder for folder in (Path.cwd(), *Path.cwd().parents)
                      if (folder / "labkit" / "__init__.py").is_file()), None)
if course_folder is not None and str(course_folder) not in sys.path:
    sys.path.insert(0, str(course_folder))'''
SETUP = FIND_COURSE + '''
# check() grades the exercises you have run.
from autograder.check import assert_passes, check, watch

watch("{lab}")'''
FIGURES = '''if __name__ == "__main__":  # in the notebook, not when the lab is imported for grading
    from IPython.display import Image, display

    for path in save_figures("figures/{lab}"):
        display(Image(filename=str(path)))'''
STUDENT_FIGURES = '''if __name__ == "__main__":  # in the notebook, not when the lab is imported for grading
    import os

    from IPython.display import Image, display

    if os.environ.get("NBGRADER_EXECUTION"):  # nbgrader's validate or autograde: the tests count, not figures
        print("No figures while nbgrader runs the notebook: run this cell in Jupyter to see them.")
    else:
        try:
            paths = save_figures("figures/{lab}")
        except Exception as error:  # the figures call your functions: unfinished ones stop them
            print(f"No figures yet ({{type(error).__name__}}: {{error}}).\\n"
                  "They are drawn with your functions: finish the exercises, then run this cell again.")
        else:
            for path in paths:
                display(Image(filename=str(path)))'''
LAST_CHECK = "check()  # every visible test of the lab"
SCHEMA_VERSION = 3


def _split_docstring(source):
    """(docstring as Markdown, the code after it) for a cell that opens with a docstring."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return None, source
    if not (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)):
        return None, source
    lines = source.splitlines()
    first, last = body[0].lineno - 1, body[0].end_lineno
    title, _, rest = inspect.cleandoc(body[0].value.value).partition("\n")
    code = "\n".join(lines[:first] + lines[last:]).strip("\n")
    return f"# {title}\n{rest}".rstrip(), code


def _notebook_source(cell, text):
    """A cell's source as a notebook shows it: no `# %%` line, Markdown uncommented."""
    lines = text.splitlines()
    if lines and build.CELL_MARKER.match(lines[0]):
        lines = lines[1:]
    if cell.kind == "markdown":
        lines = [line[2:] if line.startswith("# ") else line[1:] if line.startswith("#") else line for line in lines]
    return "\n".join(lines).strip("\n")


def _defined_names(source):
    """Top-level names a code cell defines (functions, classes, assigned names)."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return []
    names = []
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.extend(target.id for target in targets if isinstance(target, ast.Name))
    return names


def _check_call(source, lab, visible):
    """`check("a", "b")` for the names of an exercise cell that select visible tests, or None."""
    from autograder import check  # check grades with the runner: only building needs it here

    names = [name for name in _defined_names(source) if check.select(lab, [name], tests=visible, quiet=True)]
    return f"check({', '.join(map(repr, names))})".replace("'", '"') if names else None


def _metadata(lab, cell_id, solution, tags=()):
    kind = "solution" if solution else "locked"
    metadata = {"nbgrader": {"grade": False, "grade_id": f"{lab}-{cell_id}", "locked": not solution,
                             "schema_version": SCHEMA_VERSION, "solution": solution, "task": False},
                "tags": [kind, *tags]}
    if not solution:
        metadata.update(deletable=False, editable=False)
    return metadata


def _check_metadata(lab, cell_id):
    """A check cell's metadata: an nbgrader autograder-test cell worth no points.

    As a test cell it makes `nbgrader validate` fail while its exercise fails
    (`check` raises there); the points are the graded tests' own cells'
    (`nbgrader_notebook`), so a check cell adds none. nbgrader's source
    notebook has the same cells, so autograde knows their grade_ids.
    """
    return {"nbgrader": {"grade": True, "grade_id": f"{lab}-{cell_id}", "locked": True, "points": 0,
                         "schema_version": SCHEMA_VERSION, "solution": False, "task": False},
            "tags": ["locked", CHECK_TAG], "deletable": False, "editable": False}


def _new_notebook():
    notebook = nbformat_module().v4.new_notebook()
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    return notebook


def _add(notebook, kind, source, cell_id, metadata):
    v4 = nbformat_module().v4
    new = v4.new_markdown_cell if kind == "markdown" else v4.new_code_cell
    notebook.cells.append(new(source, id=cell_id, metadata=metadata))


def make_notebooks(cells, lab, tests=None):
    """(solution notebook, student notebook) of one lab's `build.Cell`s.

    Args:
        cells: the lab's cells, from `build.parse`.
        lab: the lab's name.
        tests: the lab's graded tests, to choose what each check cell
            names (default: `course.load_tests(lab)`; a lab without
            graded tests gets no check cells).
    """
    if tests is None:
        tests = course.load_tests(lab) if course.graded_file(lab).exists() else []
    visible = [test for test in tests if not test.hidden]
    solution, student = _new_notebook(), _new_notebook()
    shared = []  # (kind, solution source, student source, is an exercise)
    for cell in cells:
        ours, theirs = _notebook_source(cell, cell.solution), _notebook_source(cell, cell.student)
        if not shared and cell.kind == "code":
            lesson, ours = _split_docstring(ours)
            _, theirs = _split_docstring(theirs)
            if lesson:
                shared.append(("markdown", lesson, lesson, False))
        if ours:
            shared.append((cell.kind, ours, theirs, cell.is_exercise))
    for index, (kind, ours, theirs, exercise) in enumerate(shared):
        metadata = _metadata(lab, f"cell-{index}", exercise)
        if kind == "code" and not any(c.cell_type == "code" for c in student.cells):
            setup = _metadata(lab, "setup", False, [CHECK_TAG] if visible else [])
            _add(solution, "code", FIND_COURSE, "setup", setup)
            _add(student, "code", SETUP.format(lab=lab) if visible else FIND_COURSE, "setup", setup)
        _add(solution, kind, ours, f"cell-{index}", metadata)
        _add(student, kind, theirs, f"cell-{index}", metadata)
        if exercise and (call := _check_call(ours, lab, visible)):
            _add(student, "code", call, f"check-{index}", _check_metadata(lab, f"check-{index}"))
    figures = [c.solution for c in cells if re.search(r"^def save_figures\(", c.solution, re.MULTILINE)]
    if figures:
        metadata = _metadata(lab, "figures", False)
        _add(solution, "code", FIGURES.format(lab=lab), "figures", metadata)
        _add(student, "code", STUDENT_FIGURES.format(lab=lab), "figures", metadata)
    if visible:
        _add(student, "code", LAST_CHECK, "check-all", _check_metadata(lab, "check-all"))
    return solution, student


NBGRADER_CONFIG = """# nbgrader's configuration for the course's labs, written by autograder.authoring.notebooks.nbgrader_course.
import sys

sys.path.insert(0, {root!r})  # the course repository: autograder/ and course/
from autograder.authoring import notebooks

c = get_config()
c.CourseDirectory.course_id = "nnlab"
c.CourseDirectory.root = {folder!r}
c.Exchange.root = {exchange!r}
# Solution regions cleared as `python -m autograder build` clears them: hints and # STUB lines kept.
c.GenerateAssignment.preprocessors = notebooks.nbgrader_preprocessors()
c.Execute.timeout = 600
# A notebook from notebooks/labs/ has check cells, not the test cells: autograde adds them back.
c.OverwriteCells.add_missing_cells = True
"""
HIDDEN_TEST = "### BEGIN HIDDEN TESTS\n{call}\n### END HIDDEN TESTS"


def _test_cell(notebook, lab, test):
    call = f"assert_passes({test.function.__name__!r})".replace("'", '"')
    metadata = {"nbgrader": {"grade": True, "grade_id": f"{lab}-test-{test.function.__name__}", "locked": True,
                             "points": test.points, "schema_version": SCHEMA_VERSION, "solution": False,
                             "task": False},
                "tags": ["locked", CHECK_TAG], "deletable": False, "editable": False}
    _add(notebook, "code", HIDDEN_TEST.format(call=call) if test.hidden else call,
         f"test-{test.function.__name__}", metadata)


def nbgrader_notebook(cells, lab, tests=None):
    """nbgrader's source notebook of one lab: the solution with one autograder-test cell per graded test.

    The student notebook's check cells stay (worth no points); each visible
    test's cell follows the check cell of the exercise it checks; the hidden
    tests and the tests that name no exercise follow the last check. A test
    cell (`autograder.check.assert_passes`) is worth the graded test's points;
    a hidden test sits in nbgrader's HIDDEN TESTS region.
    """
    from autograder import check

    tests = course.load_tests(lab) if tests is None else tests
    solution, student = make_notebooks(cells, lab, tests)
    visible = [test for test in tests if not test.hidden]
    after = {}  # a test goes after the last exercise it calls, when all it needs is defined
    for cell in student.cells:
        if cell.id.startswith("check-") and cell.id != "check-all":
            for test in check.select(lab, re.findall(r'"([^"]+)"', cell.source), tests=visible, quiet=True):
                after[test.number] = cell.id
    by_id = {cell.id: cell for cell in solution.cells}
    notebook = _new_notebook()
    for cell in student.cells:
        # the solution's cells; the set-up, the figures and the check cells as students have them
        notebook.cells.append(by_id[cell.id] if cell.id in by_id and cell.id not in ("setup", "figures") else cell)
        for test in visible:
            if after.get(test.number) == cell.id:
                _test_cell(notebook, lab, test)
    # The others follow the last solution or test cell: nbgrader's autograde puts a test cell missing
    # from a submission (a notebook from notebooks/labs/ has none) after the solution or test cell before it.
    last = max(index for index, cell in enumerate(notebook.cells)
               if cell.metadata.get("nbgrader", {}).get("solution") or cell.metadata.get("nbgrader", {}).get("grade"))
    tail, notebook.cells = notebook.cells[last + 1:], notebook.cells[:last + 1]
    for test in tests:
        if test.number not in after:
            _test_cell(notebook, lab, test)
    notebook.cells.extend(tail)
    return notebook


def nbgrader_preprocessors():
    """nbgrader's generate_assignment preprocessors, with solution regions cleared as `build` clears them."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.preprocessors import ClearSolutions

    class ClearRegions(ClearSolutions):
        """ClearSolutions keeping each region's hint (`raise NotImplementedError(hint)`) and # STUB lines."""

        def _replace_solution_region(self, cell, language):
            if cell.cell_type != "code":
                return super()._replace_solution_region(cell, language)
            cell.source, regions = build.clear_regions(cell.source, cell.metadata.get("nbgrader", {}).get("grade_id"))
            cell.source = cell.source.rstrip("\n")
            return regions > 0

    return [ClearRegions if step is ClearSolutions else step
            for step in GenerateAssignment.class_traits()["preprocessors"].make_dynamic_default()]


def nbgrader_course(folder, labs, exchange=None):
    """Lay out an nbgrader course in `folder`: its config and one assignment per lab (source/<lab>/<lab>.ipynb).

    Returns:
        The course folder's path.
    """
    folder = Path(folder).resolve()
    exchange = Path(exchange or folder / "exchange").resolve()
    exchange.mkdir(parents=True, exist_ok=True)
    (folder / "nbgrader_config.py").write_text(
        NBGRADER_CONFIG.format(root=str(course.ROOT), folder=str(folder), exchange=str(exchange)))
    for lab in labs:
        path = course.solution_file(lab)
        _write(nbgrader_notebook(build.parse(path.read_text(), build.shown(path, course.COURSE)), lab),
               folder / "source" / lab / f"{lab}.ipynb")
    return folder


def execute(notebook, timeout=600):
    """Run a notebook top to bottom in a fresh kernel, in a scratch folder; return it."""
    from nbclient import NotebookClient  # only building and testing need a kernel

    from autograder.sandbox import QUIET_LIBRARIES

    with tempfile.TemporaryDirectory(prefix="notebook-") as folder:
        # No timing metadata: a notebook's cells then change only when its source does. The scratch
        # folder lies outside the course, so the course's packages come by PYTHONPATH. What libraries
        # write straight to the kernel's standard error (TensorFlow's C++ log lines, which
        # TF_CPP_MIN_LOG_LEVEL no longer stops at import) is dropped; a cell's own prints still show.
        path = os.pathsep.join(filter(None, [str(course.ROOT), os.environ.get("PYTHONPATH")]))
        NotebookClient(notebook, timeout=timeout, kernel_name="python3", record_timing=False,
                       extra_arguments=["--IPKernelApp.capture_fd_output=False"],
                       resources={"metadata": {"path": folder}}).execute(
            env={**os.environ, **QUIET_LIBRARIES, "PYTHONPATH": path}, stderr=subprocess.DEVNULL)
    return notebook


def _executed(notebook):
    return any(cell.get("execution_count") for cell in notebook.cells if cell.cell_type == "code")


def _sources(notebook):
    return generated_from(notebook), [(cell.cell_type, cell.source, dict(cell.metadata)) for cell in notebook.cells]


def generated_from(notebook):
    """The mark `build` leaves in the notebooks it writes (metadata.autograder.generated), or None."""
    return notebook.metadata.get("autograder", {}).get("generated")


def _write(notebook, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nbformat_module().writes(notebook) + "\n")


def build_notebooks(check=False, run=True, source=course.COURSE, folder=course.NOTEBOOKS):
    """Write notebooks/solutions and notebooks/labs; return the paths that were out of date.

    Each notebook is marked as generated (`generated_from`), naming the solution it comes from.

    Args:
        check: only report what is out of date (by the mark, cell sources and metadata).
        run: execute the solution notebooks that are written, so they carry outputs.
        source: the course folder (`course.COURSE`), one folder per lab.
    """
    stale = []
    for lab, path in course.solution_files(source).items():
        origin = build.shown(path, source)
        made = zip((True, False), make_notebooks(build.parse(path.read_text(), origin), lab))
        for solution, notebook in made:
            notebook.metadata["autograder"] = {"generated": f"by `python -m autograder build` from {origin}"}
            target = course.notebook_file(lab, solution, folder)
            if target.exists():
                written = nbformat_module().reads(target.read_text(), as_version=4)
                # A solution notebook written with --no-execute is stale until it is run.
                unrun = run and solution and not _executed(written)
                if _sources(written) == _sources(notebook) and not unrun:
                    continue
            stale.append(build.shown(target, folder))
            if not check:
                _write(execute(notebook) if run and solution else notebook, target)
    return stale


def out_of_date():
    """What `python -m autograder build` would rewrite: paths relative to the course root.

    Compares sources only (an unexecuted solution notebook is not stale
    here), so `release` can refuse an out-of-date labs/ or notebooks/labs.
    """
    return build.build(check=True) + build_notebooks(check=True, run=False)
