"""Find the lab files in what a student handed in: a folder, one file, a notebook or a zip."""

import re
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from autograder import course, notebooks

LAB_FILE = re.compile(r"^lab\d\d_\w+\.(py|ipynb)$")
MAX_ZIP_BYTES = 200 * 2**20
MAX_ZIP_FILES = 2000
NAMED = {"solutions": course.SOLUTIONS, "labs": course.LABS}


class SubmissionError(ValueError):
    """A submission the grader cannot open (it names the path and the reason)."""


class Unreadable(str):
    """Why a lab file of the submission cannot be graded (it then scores 0)."""


def _as_module(path, scratch):
    """A .py file as it is; a notebook as the module of its code cells, or Unreadable."""
    if path.suffix == ".py":
        return path
    try:
        code = notebooks.extract_code(path)
    except ValueError as error:
        return Unreadable(str(error))
    module = Path(scratch) / f"{path.stem}.py"
    module.write_text(code)
    return module


def _find_labs(folder, labs, scratch):
    """lab name -> its file under `folder`, the shallowest; None if absent.

    Where a lab is there both as .py and as .ipynb, the one changed last counts.
    """
    found = {}
    for path in Path(folder).rglob("lab[0-9][0-9]_*"):
        if path.stem in labs and LAB_FILE.match(path.name) and "__MACOSX" not in path.parts:
            found.setdefault(path.stem, []).append(path)
    chosen = {lab: min(paths, key=lambda p: (len(p.parts), -p.stat().st_mtime, p.suffix != ".py", str(p)))
              for lab, paths in found.items()}
    return {lab: _as_module(chosen[lab], scratch) if lab in chosen else None for lab in labs}


def _extract(archive, target):
    """Unpack a student's zip safely: no paths outside `target`, bounded size."""
    try:
        with zipfile.ZipFile(archive) as zipped:
            members = [m for m in zipped.infolist() if not m.is_dir()]
            if len(members) > MAX_ZIP_FILES:
                raise SubmissionError(f"{archive}: more than {MAX_ZIP_FILES} files in the zip")
            if sum(m.file_size for m in members) > MAX_ZIP_BYTES:
                raise SubmissionError(f"{archive}: more than {MAX_ZIP_BYTES // 2**20} MiB unpacked")
            for member in members:
                parts = PurePosixPath(member.filename.replace("\\", "/")).parts
                if not LAB_FILE.match(parts[-1]) or ".." in parts or parts[0] == "/":
                    continue  # only lab files are graded; the rest is never written
                destination = Path(target, *parts)
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(zipped.read(member))
    except (zipfile.BadZipFile, OSError) as error:
        raise SubmissionError(f"{archive}: not a readable zip file ({error})") from None


@contextmanager
def open_submission(path, labs=None):
    """Yield {lab name: module file, None if absent, or Unreadable} for a submission.

    Args:
        path: a folder of lab files (.py or .ipynb), one lab file, a .zip of
            them, or the words "solutions" / "labs" for the course's folders.
        labs: the labs to grade (default: every lab with graded tests). A
            single file is graded for its own lab only.
    Raises:
        SubmissionError: the path does not exist or cannot be read as a submission.
    """
    labs = course.lab_names() if labs is None else labs
    source = Path(path)
    if str(path) in NAMED and not source.exists():
        source = NAMED[str(path)]
    if not source.exists():
        raise SubmissionError(f"{path}: no such file or folder")
    with tempfile.TemporaryDirectory(prefix="submission-") as scratch:
        if source.is_dir():
            yield _find_labs(source, labs, scratch)
        elif source.suffix == ".zip":
            unpacked = Path(scratch) / "unpacked"
            _extract(source, unpacked)
            yield _find_labs(unpacked, labs, scratch)
        elif source.suffix in (".py", ".ipynb"):
            if source.stem not in labs:
                raise SubmissionError(
                    f"{path}: not a lab file of this course; name it after its lab, one of: {', '.join(labs)}")
            yield {source.stem: _as_module(source, scratch)}
        else:
            raise SubmissionError(f"{path}: expected a folder, a labNN_*.py or .ipynb file, or a .zip")
