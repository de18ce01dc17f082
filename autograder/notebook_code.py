"""Lab code from a student's notebook, as grading reads it (no notebook is made here: see `notebooks`).

`extract_code` turns a notebook back into a module: its code cells in order
(the `check` and test cells left out), IPython magics and shell escapes
commented out, each cell headed by `# In[N]:` so that line numbers in
messages can be given back as cells (`name_cells`). `kernel_code` does the
same for the cells a kernel ran (`autograder.check`), numbered as Jupyter
numbers them.
"""

import re
from pathlib import Path

EXTRACTED = "# Code cells of {name}, extracted for grading.\n"
KERNEL = "# Cells run in the kernel of {name}, extracted for grading.\n"
CELL = re.compile(r"^# In\[(\d+)\]:$")
MAGIC = re.compile(r"^\s*[%!]")
CHECK_CALL = re.compile(r"^(check|assert_passes)\(.*\)\s*(#.*)?$")
CHECK_TAG = "check"


def nbformat_module():
    """nbformat, imported where a notebook is made, read or written: it costs seconds (its JSON
    schema's grammars), which grading a .py file should not pay."""
    import nbformat

    return nbformat


def is_check_cell(source, tags=()):
    """Whether a code cell is the grader's (set-up, check or test cell), not the lab's code.

    A cell of only `check(...)`/`assert_passes(...)` lines and comments counts: left in, each
    test cell nbgrader runs would change the kernel's code and have `assert_passes` grade again.
    """
    return (CHECK_TAG in tags or "from autograder.check import" in source
            or all(not line.strip() or line.lstrip().startswith("#") or CHECK_CALL.match(line)
                   for line in source.splitlines()))


def _module(header, cells):
    """A module's text of [(cell number, source)]: magics and `check(...)` lines commented out."""
    parts = [header]
    for number, source in cells:
        lines = source.splitlines()
        if lines and lines[0].lstrip().startswith("%%"):
            lines = [f"# {line}" for line in lines]  # a cell magic: the whole cell is not Python
        parts.append(f"# In[{number}]:\n")
        parts.extend(f"# {line}\n" if MAGIC.match(line) or CHECK_CALL.match(line) else f"{line}\n"
                     for line in lines)
        parts.append("\n")
    return "".join(parts)


def extract_code(path):
    """The code cells of a notebook as a module's text; raise ValueError if unreadable."""
    path = Path(path)
    try:
        notebook = nbformat_module().read(path, as_version=4)
    except Exception as error:  # nbformat raises JSON, validation and key errors alike
        raise ValueError(f"{path.name} could not be read as a notebook ({type(error).__name__}: {error})") from None
    return extract_code_from(notebook, path.name)


def extract_code_from(notebook, name):
    """The code cells of a notebook object as a module's text (see `extract_code`)."""
    return _module(EXTRACTED.format(name=name), [
        (number, cell.source) for number, cell in enumerate(notebook.cells, start=1)
        if cell.cell_type == "code" and not is_check_cell(cell.source, cell.metadata.get("tags", ()))])


def kernel_code(cells, name):
    """The module's text of the cells a kernel ran, [(execution count, source)], in that order."""
    return _module(KERNEL.format(name=name), [(number, source) for number, source in cells
                                              if not is_check_cell(source)])


def name_cells(message, lab, code):
    """Rewrite `lab.py", line N` in a message as the notebook cell and line it came from."""
    cells, starts = {}, {}
    for number, line in enumerate(code.splitlines(), start=1):
        if match := CELL.match(line):
            starts[number] = int(match[1])
            current = number
        elif starts:
            cells[number] = (starts[current], number - current)
    from_kernel = code.startswith(KERNEL.split("{")[0])

    def cell_of(match):
        line = int(match["line"])
        if line not in cells:
            return match[0]
        cell, within = cells[line]
        if from_kernel:  # as IPython names the cells it ran
            return f"Cell In[{cell}], line {within}"
        return f"{match['file'] or ''}{lab}.ipynb{match['quote']}, cell {cell}, line {within}"

    return re.sub(rf'(?P<file>File ")?{re.escape(lab)}\.py(?P<quote>"?), line (?P<line>\d+)', cell_of, message)


def is_extracted(text):
    """Whether a module's text was made from a notebook by `extract_code` or `kernel_code`."""
    return text.startswith((EXTRACTED.split("{")[0], KERNEL.split("{")[0]))
