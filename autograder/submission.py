"""Find the lab files in what a student handed in: a folder, one file, a notebook or a zip.

A submission is files, never links. The grader runs as root, outside any
wall, when it reads one, so a lab file that is a symbolic link (to the
course's solutions, to a classmate's file), a hard link to a file outside
the submission, a named pipe or a device is never read: its lab scores 0
with a line naming it, and the other labs are graded as usual. Every lab
file is read through descriptors opened without following a link at any
step of its path, checked again on the open descriptor, and copied into the
grader's own scratch folder; the runner grades that copy.
"""

import os
import re
import shutil
import stat
import tempfile
import zipfile
from collections import Counter
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from autograder import course, errors, notebook_code

MAX_ZIP_BYTES = 200 * 2**20
MAX_ZIP_FILES = 2000
NAMED = ("solutions", "labs")  # words `grade` takes for the course's own files
KINDS = {stat.S_IFLNK: "a symbolic link", stat.S_IFIFO: "a named pipe", stat.S_IFSOCK: "a socket",
         stat.S_IFCHR: "a device", stat.S_IFBLK: "a device"}
# A lab file, well or badly named: "lab" and the lab's number, whatever the case, the zeros or the rest
# of the name (lab3.py and Lab03_Activations.ipynb are lab03_activations's, misnamed).
LAB_LIKE = re.compile(r"^lab[ _-]*0*(\d+).*\.(py|ipynb)$", re.IGNORECASE)
# Non-blocking, so that a pipe put in place after the check cannot hold the grader at open (regular files
# ignore it); and no terminal taken over.
NO_FOLLOW = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NOCTTY | os.O_NONBLOCK


class SubmissionError(errors.CannotGrade):
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


def meant_for(name, labs):
    """The lab of `labs` whose number a file named `name` carries (None if none): the lab a misnamed file is for."""
    match = LAB_LIKE.match(name)
    return next((lab for lab in labs if match and course.lab_number(lab) == int(match[1])), None)


def no_code(text):
    """Whether a module's text holds nothing but blank lines and comments (an empty file, a notebook of none)."""
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


def refusal(name, what):
    """The line that refuses the entry `name`, which is `what` (e.g. "a symbolic link") instead of a file."""
    return (f"{name} is {what}: the grader reads only files the submission holds itself (no links, pipes or "
            f"devices); hand in the file itself.")


def not_its_own(name, status, links_inside=1):
    """The line that refuses the entry `name`, a folder or a file, if it is not the submission's own ("" if it is).

    Args:
        status: the entry's `os.lstat` (or the `os.fstat` of a descriptor opened without following links).
        links_inside: how many of the file's hard links are in the submission. Where another link is, the
            grader cannot tell (a classmate's file, the course's solutions), so a file with more is refused.
    """
    mode = status.st_mode
    if stat.S_ISDIR(mode) or (stat.S_ISREG(mode) and status.st_nlink <= links_inside):
        return ""
    if stat.S_ISREG(mode):
        return refusal(name, f"a hard link to a file outside the submission ({status.st_nlink} links)")
    return refusal(name, KINDS.get(stat.S_IFMT(mode), "not a regular file"))


def _open_own(top, path, links_inside=1):
    """`top`/`path` (relative) open for binary reading, following no link at any step below `top`.

    `top` itself is followed: whoever named it to the grader chose it. Raises SubmissionError with the
    line that refuses the file if it is not the submission's own, or cannot be opened.
    """
    folders, step = [], PurePosixPath()
    try:
        folders.append(os.open(top, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC))
        for part in path.parts[:-1]:
            step /= part
            folders.append(os.open(part, NO_FOLLOW | os.O_DIRECTORY, dir_fd=folders[-1]))
        step = path
        handle = os.open(path.name, NO_FOLLOW, dir_fd=folders[-1])
    except OSError as error:  # e.g. a link put in place since the folder was listed: say which step is one
        why = ""
        with suppress(OSError):
            if folders:
                why = not_its_own(step.as_posix(), os.stat(step.name, dir_fd=folders[-1], follow_symlinks=False))
        raise SubmissionError(why or f"{path}: cannot be opened ({error.strerror})") from None
    finally:
        for folder in folders:
            os.close(folder)
    stream = os.fdopen(handle, "rb")
    if why := not_its_own(path.as_posix(), os.fstat(handle), links_inside):
        stream.close()
        raise SubmissionError(why)
    return stream


def _as_lab_file(lab, top, path, status, links_inside, scratch, note=""):
    """A lab's LabFile from `top`/`path`: a copy of the file the grader made itself, a notebook's as its code cells.

    Args:
        path: the file, relative to `top`, as the student named it (a PurePosixPath).
        status: its `os.lstat`: a link, a pipe or a device is refused before it is ever opened.
        links_inside: how many of its hard links are in the submission.
    """
    origin = path.as_posix()
    try:
        if why := not_its_own(origin, status, links_inside):
            raise SubmissionError(why)
        copy = Path(scratch, "copies", path.name)
        copy.parent.mkdir(exist_ok=True)
        with _open_own(top, path, links_inside) as source, open(copy, "wb") as target:
            shutil.copyfileobj(source, target)
    except SubmissionError as error:
        return LabFile(lab, None, origin, problem=str(error), note=note)
    try:
        code = copy.read_text(errors="replace") if path.suffix == ".py" else notebook_code.extract_code(copy)
    except ValueError as error:
        return LabFile(lab, None, origin, problem=str(error), note=note)
    if no_code(code):
        return LabFile(lab, None, origin, problem=f"{origin} has no code, so none of its tests ran.", note=note)
    if path.suffix == ".py":
        return LabFile(lab, copy, origin, note=note)
    module = Path(scratch) / f"{lab}.py"
    module.write_text(code)
    return LabFile(lab, module, origin, note=note)


def _walk(top):
    """(path relative to `top`, os.DirEntry) of every entry under `top` but folders, entering no linked folder."""
    folders = [PurePosixPath()]
    while folders:
        folder = folders.pop()
        with os.scandir(Path(top, folder)) as entries:
            for entry in entries:
                if not entry.is_dir(follow_symlinks=False):
                    yield folder / entry.name, entry
                elif entry.name != "__MACOSX":
                    folders.append(folder / entry.name)


def _find_labs(folder, labs, scratch, unwritten=()):
    """lab name -> its LabFile under `folder`: the shallowest; where a lab is there twice, the one changed last.

    A lab of which any copy is not the submission's own (a link, a pipe, a device, a hard link to a
    file outside) is refused, and its lab scores 0 with the line naming it.

    Args:
        unwritten: (path, what it claimed to be) of the zip members that were not files (links, pipes,
            devices), never written; they refuse their lab alike.
    """
    found, refused, misnamed = {}, {}, {}  # refused: lab -> (the first copy refused, the line saying why)
    inodes = Counter()  # a regular file's links inside the submission (inode numbers: it is one filesystem)
    for path, entry in _walk(folder):
        if entry.is_file(follow_symlinks=False):
            inodes[entry.inode()] += 1
        if path.stem in labs and course.LAB_FILE.match(path.name):
            found.setdefault(path.stem, []).append((path, entry.stat(follow_symlinks=False)))
        elif lab := meant_for(path.name, labs):
            misnamed.setdefault(lab, []).append(path.as_posix())
    for path, what in unwritten:
        refused.setdefault(path.stem, (path, refusal(path.as_posix(), what)))
    files = {}
    for lab in labs:
        candidates = sorted(found.get(lab, []), key=lambda pair: (
            len(pair[0].parts), -pair[1].st_mtime, pair[0].suffix != ".py", str(pair[0])))
        for path, status in candidates:
            if why := not_its_own(path.as_posix(), status, inodes[status.st_ino]):
                refused.setdefault(lab, (path, why))
        if lab in refused:
            path, why = refused[lab]
            files[lab] = LabFile(lab, None, path.as_posix(), problem=why)
            continue
        if not candidates:
            problem = f"No {lab}.py or {lab}.ipynb in the submission."
            if lab in misnamed:
                problem += "".join(f" Found {path}: name it {lab}{PurePosixPath(path).suffix.lower()} to have it "
                                   "graded." for path in sorted(misnamed[lab]))
            files[lab] = LabFile(lab, None, problem=problem)
            continue
        note = ""
        if len(candidates) > 1:
            others = ", ".join(path.as_posix() for path, _ in candidates[1:])
            note = (f"{lab} was handed in more than once; graded {candidates[0][0].as_posix()} "
                    f"(the shallowest, changed last), not {others}.")
        path, status = candidates[0]
        files[lab] = _as_lab_file(lab, folder, path, status, inodes[status.st_ino], scratch, note)
    return files


def _extract(name, archive, target):
    """Unpack a student's zip (an open file, `name` in messages) safely: no paths outside `target`, bounded size.

    Returns (path, what it claims to be) of the lab files that the zip says are not files (links, pipes,
    devices): `unzip` would make them so, and they are never written, but refuse their lab as a link
    or a pipe in a folder does.
    """
    unwritten = []
    try:
        with zipfile.ZipFile(archive) as zipped:
            members = [m for m in zipped.infolist() if not m.is_dir()]
            if len(members) > MAX_ZIP_FILES:
                raise SubmissionError(f"{name}: more than {MAX_ZIP_FILES} files in the zip")
            if sum(m.file_size for m in members) > MAX_ZIP_BYTES:
                raise SubmissionError(f"{name}: more than {MAX_ZIP_BYTES // 2**20} MiB unpacked")
            for member in members:
                parts = PurePosixPath(member.filename.replace("\\", "/")).parts
                if not LAB_LIKE.match(parts[-1]) or ".." in parts or parts[0] == "/":
                    continue  # only lab files (and misnamed ones, to name them) are written; the rest never is
                kind = stat.S_IFMT(member.external_attr >> 16)
                if kind in KINDS:
                    unwritten.append((PurePosixPath(*parts), KINDS[kind]))
                    continue
                destination = Path(target, *parts)
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(zipped.read(member))
    except (zipfile.BadZipFile, OSError) as error:
        raise SubmissionError(f"{name}: not a readable zip file ({error})") from None
    return unwritten


def _named(word, scratch):
    """The folder a word of `NAMED` stands for: labs/, or the solutions copied into `scratch` as a
    submission holds them (<lab>.py, side by side)."""
    if word == "labs":
        return course.LABS
    if not course.has_solutions():
        raise SubmissionError(f"{word}: this folder holds no solutions (a student bundle)")
    return course.copy_solutions(Path(scratch) / "solutions")


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
    with tempfile.TemporaryDirectory(prefix="submission-") as scratch:
        if str(path) in NAMED and not source.exists():
            source = _named(str(path), scratch)
        if not os.path.lexists(source):
            raise SubmissionError(f"{path}: no such file or folder")
        if source.is_dir():  # followed: the folder named is where the submission is
            yield _find_labs(source, labs, scratch)
        elif source.suffix == ".zip":
            unpacked = Path(scratch) / "unpacked"
            unpacked.mkdir()
            with _open_own(source.parent, PurePosixPath(source.name)) as archive:
                unwritten = _extract(path, archive, unpacked)
            yield _find_labs(unpacked, labs, scratch, unwritten)
        elif source.suffix in (".py", ".ipynb"):
            if source.stem not in labs:
                meant = meant_for(source.name, labs)
                raise SubmissionError(f"{path}: not a lab file of this course; name it after its lab"
                                      + (f": {meant}{source.suffix}" if meant else f", one of: {', '.join(labs)}"))
            yield {source.stem: _as_lab_file(source.stem, source.parent, PurePosixPath(source.name),
                                             os.lstat(source), 1, scratch)}
        else:
            raise SubmissionError(f"{path}: expected a folder, a labNN_*.py or .ipynb file, or a .zip")
