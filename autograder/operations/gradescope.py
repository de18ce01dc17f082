"""Export the autograder as a Gradescope archive.

Gradescope unpacks the archive into /autograder/source, runs `setup.sh` once
to build the image, then for each submission runs `run_autograder` as root,
which must read /autograder/submission and write
/autograder/results/results.json. The archive holds the grader, the
assignment's graded tests (hidden ones too), their probes and references,
the student versions of its labs (the grader reads what each imports),
`labkit`, `custom_layers` and the pinned requirements; never the
solutions. Student code runs in the sandbox, which shows it none of these
(an allowlist), so no permission needs changing.

Choose Gradescope's Ubuntu 24.04 base image (Python 3.12; the labs need 3.11+).
"""

import zipfile
from pathlib import Path

from autograder import course, errors
from autograder.sandbox import Limits

MEMORY_MB = 700  # the sandbox's cap in a 768 MB container (measured: README, Measured)

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
apt-get update
apt-get install -y --no-install-recommends python3 python3-venv
python3 -m venv /autograder/venv
# requirements-lock.txt pins every package, transitive ones too, for this image's
# Python (tools/lock_requirements.py): each rebuild installs the same versions.
/autograder/venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12) and
    "requirements-lock.txt is for Python 3.12: choose the Ubuntu 24.04 base image")'
/autograder/venv/bin/pip install --no-cache-dir --no-deps -r /autograder/source/requirements-lock.txt
/autograder/venv/bin/pip check
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this, as root, once per submission. AUTOGRADER_ROOT and
# AUTOGRADER_PYTHON override its paths (the project's tests use them).
set -uo pipefail
root="${{AUTOGRADER_ROOT:-/autograder}}"
python="${{AUTOGRADER_PYTHON:-$root/venv/bin/python}}"
mkdir -p "$root/results"
cd "$root/source"
# Confined, or no grading at all: a grader that cannot confine writes a results.json saying why.
exec "$python" -m autograder grade "$root/submission" --json "$root/results/results.json" --quiet \\
    --timeout {timeout:g} --memory-mb {memory_mb} --labs {labs}
"""

SHIPPED = ("autograder", *(package.name for package in course.PACKAGES))


class ExportError(errors.CannotGrade):
    """The archive cannot be written as asked (the line names the argument)."""


def _add(archive, path, name, executable=False):
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # fixed: the same tree, the same archive
    info.external_attr = (0o755 if executable else 0o644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, path.read_bytes() if isinstance(path, Path) else path)


def export(out, timeout=Limits.timeout, memory_mb=MEMORY_MB, labs=None):
    """Write the Gradescope autograder archive to `out` (a .zip path); return it.

    Args:
        labs: the assignment's labs (default: every lab).
        timeout: seconds per test, unless a test sets its own.
        memory_mb: the sandbox's memory cap (see `autograder.memory`). In the default
            768 MB container the solutions' gradings count at most 479 MiB against it
            (benchmarks/gradescope_budget.py), so 700 leaves a student room and the
            grader itself (about 45 MiB) the other 68.
    """
    out = Path(out)
    if out.suffix != ".zip":
        raise ExportError(f"out must be a .zip path, got {out}")
    if not timeout > 0 or not memory_mb > 0:
        raise ExportError(f"timeout and memory_mb must be positive, got {timeout} and {memory_mb}")
    if not out.parent.is_dir():  # a typo in the path is more likely than a wish for new folders
        raise ExportError(f"out: no folder {out.parent} to write {out.name} in; create it first")
    with zipfile.ZipFile(out, "w") as archive:
        _add(archive, SETUP, "setup.sh", executable=True)
        labs = course.lab_names() if labs is None else list(labs)
        _add(archive, RUN.format(timeout=timeout, memory_mb=memory_mb, labs=",".join(labs)), "run_autograder",
             executable=True)
        for name in ("requirements.txt", "requirements-lock.txt"):
            _add(archive, course.ROOT / name, name)
        # The instructor's own held-out secret: every Gradescope run holds out the digits this machine does.
        _add(archive, course.heldout_secret(), course.HELDOUT_SECRET.name)
        for folder in SHIPPED:
            for path in sorted((course.ROOT / folder).rglob("*.py")):
                if "__pycache__" not in path.parts:
                    _add(archive, path, path.relative_to(course.ROOT).as_posix())
        for lab in labs:
            for path in (course.student_file(lab), *course.grader_files(lab)):
                _add(archive, path, path.relative_to(course.ROOT).as_posix())
    return out
