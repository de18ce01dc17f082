"""Find the lab files in what a student handed in: a folder, one file or a zip."""

import re
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from autograder import course

LAB_FILE = re.compile(r"^lab\d\d_\w+\.py$")
MAX_ZIP_BYTES = 200 * 2**20
MAX_ZIP_FILES = 2000
NAMED = {"solutions": course.SOLUTIONS, "labs": course.LABS}


class SubmissionError(ValueError):
    """A submission the grader cannot open (it names the path and the reason)."""


def _find_labs(folder, labs):
    """lab name -> the shallowest matching file under `folder` (None if absent)."""
    found = {}
    for path in sorted(Path(folder).rglob("lab[0-9][0-9]_*.py"), key=lambda p: (len(p.parts), str(p))):
        if path.stem in labs and "__MACOSX" not in path.parts:
            found.setdefault(path.stem, path)
    return {lab: found.get(lab) for lab in labs}


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
    """Yield {lab name: file or None} for a submission.

    Args:
        path: a folder of lab files, one lab file, a .zip of them, or the
            words "solutions" / "labs" for the course's own folders.
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
    if source.is_dir():
        yield _find_labs(source, labs)
    elif source.suffix == ".zip":
        with tempfile.TemporaryDirectory(prefix="submission-") as folder:
            _extract(source, folder)
            yield _find_labs(folder, labs)
    elif source.suffix == ".py":
        if source.stem not in labs:
            raise SubmissionError(
                f"{path}: not a lab file of this course; name it after its lab, one of: {', '.join(labs)}")
        yield {source.stem: source}
    else:
        raise SubmissionError(f"{path}: expected a folder, a labNN_*.py file or a .zip")
