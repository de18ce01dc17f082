"""Notebooks from the lab sources, and lab code back from a student's notebook.

A lab source is a jupytext "percent" script: `# %%` starts a code cell and
`# %% [markdown]` a Markdown cell (its lines commented with `# `); the module
docstring becomes the first Markdown cell, the lesson's opening. From each
solution and each student version this module makes a notebook whose cells
carry nbgrader's metadata (solution cells editable, lesson and provided code
locked), so the notebooks also move to nbgrader or otter-style tools.

For grading, `extract_code` turns a notebook back into a module: its code
cells in order, IPython magics and shell escapes commented out, each cell
headed by `# In[N]:` so that line numbers in messages can be given back as
cells (`name_cells`).
"""

import ast
import inspect
import re
import tempfile
from pathlib import Path

import nbformat

from autograder import build, course

NOTEBOOKS = course.ROOT / "notebooks"
EXTRACTED = "# Code cells of {name}, extracted for grading.\n"
CELL = re.compile(r"^# In\[(\d+)\]:$")
MAGIC = re.compile(r"^\s*[%!]")
FIGURES = '''if __name__ == "__main__":  # in the notebook, not when the lab is imported for grading
    from IPython.display import Image, display

    for path in save_figures("figures/{lab}"):
        display(Image(filename=str(path)))'''
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


def _cells(text, lab):
    """[(cell type, source)] of a lab source, the docstring first, figures last."""
    import jupytext  # building only: the grader itself stays light

    cells = []
    for cell in jupytext.reads(text, fmt="py:percent").cells:
        source = cell.source.strip("\n")
        if not cells and cell.cell_type == "code":
            lesson, source = _split_docstring(source)
            if lesson:
                cells.append(("markdown", lesson))
        if source:
            cells.append((cell.cell_type, source))
    if re.search(r"^def save_figures\(", text, re.MULTILINE):
        cells.append(("code", FIGURES.format(lab=lab)))
    return cells


def _nbgrader(lab, index, solution):
    kind = "solution" if solution else "locked"
    metadata = {"nbgrader": {"grade": False, "grade_id": f"{lab}-{kind}-{index}", "locked": not solution,
                             "schema_version": SCHEMA_VERSION, "solution": solution, "task": False},
                "tags": [kind]}
    if not solution:
        metadata.update(deletable=False, editable=False)
    return metadata


def make_notebook(text, lab, solution_cells):
    """A notebook of one lab source.

    Args:
        text: the lab's source (solution or student version).
        lab: the lab's name.
        solution_cells: indexes of the cells the student writes in.
    """
    notebook = nbformat.v4.new_notebook()
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for index, (kind, source) in enumerate(_cells(text, lab)):
        new = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        cell = new(source, id=f"cell-{index}", metadata=_nbgrader(lab, index, index in solution_cells))
        notebook.cells.append(cell)
    return notebook


def solution_cells(solution_text, lab):
    """Indexes of the cells of a solution that hold solution regions."""
    return {index for index, (_, source) in enumerate(_cells(solution_text, lab)) if "BEGIN SOLUTION" in source}


def execute(notebook, timeout=600):
    """Run a notebook top to bottom in a fresh kernel, in a scratch folder; return it."""
    from nbclient import NotebookClient  # only building and testing need a kernel

    with tempfile.TemporaryDirectory(prefix="notebook-") as folder:
        # No timing metadata: a notebook's cells then change only when its source does.
        NotebookClient(notebook, timeout=timeout, kernel_name="python3", record_timing=False,
                       resources={"metadata": {"path": folder}}).execute()
    return notebook


def _executed(notebook):
    return any(cell.get("execution_count") for cell in notebook.cells if cell.cell_type == "code")


def _sources(notebook):
    return [(cell.cell_type, cell.source, dict(cell.metadata)) for cell in notebook.cells]


def _write(notebook, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nbformat.writes(notebook) + "\n")


def build_notebooks(check=False, run=True, solutions=course.SOLUTIONS, folder=NOTEBOOKS):
    """Write notebooks/solutions and notebooks/labs; return the paths that were out of date.

    Args:
        check: only report what is out of date (by cell sources and metadata).
        run: execute the solution notebooks that are written, so they carry outputs.
    """
    stale = []
    for solution in sorted(Path(solutions).glob("lab[0-9][0-9]_*.py")):
        lab, text = solution.stem, solution.read_text()
        cells = solution_cells(text, lab)
        student = build.student_version(text, solution.name)
        for kind, source in (("solutions", text), ("labs", student)):
            path = Path(folder) / kind / f"{lab}.ipynb"
            notebook = make_notebook(source, lab, cells)
            if path.exists():
                written = nbformat.reads(path.read_text(), as_version=4)
                # A solution notebook written with --no-execute is stale until it is run.
                unrun = run and kind == "solutions" and not _executed(written)
                if _sources(written) == _sources(notebook) and not unrun:
                    continue
            stale.append(str(path.relative_to(folder.parent)))
            if not check:
                _write(execute(notebook) if run and kind == "solutions" else notebook, path)
    return stale


def extract_code(path):
    """The code cells of a notebook as a module's text; raise ValueError if unreadable."""
    path = Path(path)
    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as error:  # nbformat raises JSON, validation and key errors alike
        raise ValueError(f"{path.name} could not be read as a notebook ({type(error).__name__}: {error})") from None
    return extract_code_from(notebook, path.name)


def extract_code_from(notebook, name):
    """The code cells of a notebook object as a module's text (see `extract_code`)."""
    parts = [EXTRACTED.format(name=name)]
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code":
            continue
        lines = cell.source.splitlines()
        if lines and lines[0].lstrip().startswith("%%"):
            lines = [f"# {line}" for line in lines]  # a cell magic: the whole cell is not Python
        parts.append(f"# In[{number}]:\n")
        parts.extend(f"# {line}\n" if MAGIC.match(line) else f"{line}\n" for line in lines)
        parts.append("\n")
    return "".join(parts)


def name_cells(message, lab, code):
    """Rewrite `lab.py", line N` in a message as the notebook cell and line it came from."""
    cells, starts = {}, {}
    for number, line in enumerate(code.splitlines(), start=1):
        if match := CELL.match(line):
            starts[number] = int(match[1])
            current = number
        elif starts:
            cells[number] = (starts[current], number - current)

    def cell_of(match):
        line = int(match["line"])
        if line not in cells:
            return match[0]
        cell, within = cells[line]
        return f"{lab}.ipynb{match['quote']}, cell {cell}, line {within}"

    return re.sub(rf'{re.escape(lab)}\.py(?P<quote>"?), line (?P<line>\d+)', cell_of, message)


def is_extracted(text):
    """Whether a module's text was made from a notebook by `extract_code`."""
    return text.startswith(EXTRACTED.split("{")[0])
