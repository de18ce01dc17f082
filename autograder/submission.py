"""Find the lab files in what a student handed in: a folder, one file, a notebook or a zip."""

import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from autograder import course, notebooks

MAX_ZIP_BYTES = 200 * 2**20
MAX_ZIP_FILES = 2000
NAMED = {"solutions": course.SOLUTIONS, "labs": course.LABS}


class SubmissionError(ValueError):
    """A submission the grader cannot open (it names the path and the reason)."""


@dataclass(frozen=True)
class LabFile:
    """What a submission hands the runner for one lab.

    Args:
        lab: the lab's name, e.g. "lab01_gradient_descent".
        module: the Python file to grade (a notebook's code cells, extracted), or None.
        origin: the file as the student handed it in, relative to the submission ("" if absent).
        problem: why it cannot be graded ("" if it can); then `module` is None.
        note: what the student should know about the choice, e.g. which of two copies was graded.
    """

    lab: str
    module: Path | None
    origin: str = ""
    problem: str = ""
    note: str = ""

    @classmethod
    def of(cls, lab, path):
        """A .py file graded as it is (the runner's and the tests' shorthand)."""
        return cls(lab, Path(path), Path(path).name)


def _as_lab_file(lab, path, top, scratch, note=""):
    """A lab's LabFile: a .py file as it is; a notebook as the module of its code cells."""
    origin = path.relative_to(top).as_posix() if top in path.parents else path.name
    if path.suffix == ".py":
        return LabFile(lab, path, origin, note=note)
    try:
        code = notebooks.extract_code(path)
    except ValueError as error:
        return LabFile(lab, None, origin, problem=str(error), note=note)
    module = Path(scratch) / f"{path.stem}.py"
    module.write_text(code)
    return LabFile(lab, module, origin, note=note)


def _find_labs(folder, labs, scratch):
    """lab name -> its LabFile under `folder`: the shallowest; where a lab is there twice, the one changed last."""
    folder = Path(folder)
    found = {}
    for path in folder.rglob(course.LAB_GLOB):
        if path.stem in labs and course.LAB_FILE.match(path.name) and "__MACOSX" not in path.parts:
            found.setdefault(path.stem, []).append(path)
    files = {}
    for lab in labs:
        paths = sorted(found.get(lab, []), key=lambda p: (len(p.parts), -p.stat().st_mtime, p.suffix != ".py", str(p)))
        if not paths:
            files[lab] = LabFile(lab, None, problem=f"No {lab}.py or {lab}.ipynb in the submission.")
            continue
        note = ""
        if len(paths) > 1:
            others = ", ".join(path.relative_to(folder).as_posix() for path in paths[1:])
            note = (f"{lab} was handed in more than once; graded {paths[0].relative_to(folder).as_posix()} "
                    f"(the shallowest, changed last), not {others}.")
        files[lab] = _as_lab_file(lab, paths[0], folder, scratch, note)
    return files


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
                if not course.LAB_FILE.match(parts[-1]) or ".." in parts or parts[0] == "/":
                    continue  # only lab files are graded; the rest is never written
                destination = Path(target, *parts)
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(zipped.read(member))
    except (zipfile.BadZipFile, OSError) as error:
        raise SubmissionError(f"{archive}: not a readable zip file ({error})") from None


@contextmanager
def open_submission(path, labs=None):
    """Yield {lab name: LabFile} for a submission, one per lab of the assignment.

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
            yield {source.stem: _as_lab_file(source.stem, source, source.parent, scratch)}
        else:
            raise SubmissionError(f"{path}: expected a folder, a labNN_*.py or .ipynb file, or a .zip")
