"""Grade a class on a Dask distributed cluster: one task per student, results back as plain data.

A task carries one student's submission (a tar archive of the entry, links
kept as links so the worker's grader refuses them as a local one would) and
the batch's settings; the worker that runs it grades it with a
`batch.Grader`, the grading process each of its threads keeps for all its
tasks (Keras imported once, the sandbox cleared between students), and
returns the outcome. The course is installed on every worker: a task first checks
that the worker's course is the batch's (`course.fingerprint`), so a worker
with another version refuses instead of grading by other tests.

Dask gives a task whose worker died to another worker; a task that has
killed too many workers (the scheduler's `allowed-failures`) comes back as
`KilledWorker`, and its student's gradebook row says so.

The scheduler and the workers run from a checkout of the course
(`python -m dask scheduler`, `python -m dask worker ADDRESS`, in its
folder): both unpickle the tasks, which name this module.
"""

import atexit
import functools
import io
import os
import shutil
import socket
import stat
import tarfile
import tempfile
import threading
from collections import Counter
from pathlib import Path

from distributed import Client, as_completed
from distributed.scheduler import KilledWorker

from autograder import course
from autograder.operations import batch
from autograder.submission import SubmissionError

CONNECT_SECONDS = 10
LINKS_OUTSIDE = "NNLAB.links_outside"  # the pax header that carries a file's hard links outside its entry
_REFERENCE_CACHES = {}  # course fingerprint -> this worker process's folder of reference values
_CACHES_LOCK = threading.Lock()  # a Dask worker runs tasks on several threads
_THREAD = threading.local()  # a worker thread's graders: settings -> `batch.Grader`
_GRADERS = []  # every grader of this worker process, ended with it
atexit.register(lambda: [grader.close() for grader in _GRADERS])


class OtherCourse(SubmissionError):
    """A worker's course is not the batch's: the cluster is set up wrong (one line, exit status 2)."""


def _links_outside(entry):
    """Archive name -> how many hard links of that file of `entry` are outside it, where any are."""
    entry = Path(entry)
    files = [entry] if not entry.is_dir() else [Path(folder) / name for folder, _, names in os.walk(entry)
                                                  for name in names]
    statuses = {path: os.lstat(path) for path in files}
    inside = Counter(status.st_ino for status in statuses.values() if stat.S_ISREG(status.st_mode))
    return {(Path(entry.name) / path.relative_to(entry)).as_posix(): status.st_nlink - inside[status.st_ino]
            for path, status in statuses.items()
            if stat.S_ISREG(status.st_mode) and status.st_nlink > inside[status.st_ino]}


def pack(entry):
    """A student's entry (a folder or a file) as tar bytes; links are archived as links, never followed.

    A file with hard links outside the entry is archived with their count, so that the worker's
    grader refuses it as this machine's would (tar keeps only the links inside the archive).
    """
    outside = _links_outside(entry)

    def counted(member):
        if member.name in outside:
            member.pax_headers = {**member.pax_headers, LINKS_OUTSIDE: str(outside[member.name])}
        return member

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        archive.add(entry, arcname=Path(entry).name, filter=counted)
    return buffer.getvalue()


def _extract(archive, folder):
    """Extract `archive` into `folder` by tarfile's "tar" filter: names stay inside `folder`, links stay links,
    no set-user-id or group/other-writable modes.

    Pythons before 3.11.4 (Debian 12's 3.11.2) have no extraction filters; there a member that would land
    outside `folder` (by its name or through a link extracted before it) is refused just before it is
    extracted, and the same mode bits are cleared.
    """
    if hasattr(tarfile, "tar_filter"):
        archive.extractall(folder, filter="tar")
        return
    root = os.path.realpath(folder)
    folders = []
    for member in archive.getmembers():
        landing = os.path.realpath(os.path.join(root, member.name))
        if os.path.commonpath([root, landing]) != root:  # an absolute name lands outside too
            raise tarfile.TarError(f"{member.name!r} would land outside {folder}")
        member.mode &= ~(stat.S_ISUID | stat.S_ISGID | stat.S_ISVTX | stat.S_IWGRP | stat.S_IWOTH)
        archive.extract(member, folder, set_attrs=not member.isdir())
        if member.isdir():
            folders.append((landing, member.mode))
    for path, mode in reversed(folders):  # last, as extractall does: a closed folder is still filled
        os.chmod(path, mode)


def unpack(name, packed, folder):
    """The entry `name` unpacked from `packed` into `folder`; return its path.

    A file archived with links outside its entry gets as many again, in a folder beside `folder`.
    """
    folder = Path(folder)
    with tarfile.open(fileobj=io.BytesIO(packed)) as archive:
        _extract(archive, folder)
        linked = [(member.name, int(member.pax_headers[LINKS_OUTSIDE])) for member in archive.getmembers()
                  if LINKS_OUTSIDE in member.pax_headers and member.isfile()]
    for number, (member, count) in enumerate(linked):
        outside = folder.parent / f"{folder.name}-links" / str(number)
        outside.mkdir(parents=True)
        for link in range(count):
            os.link(folder / member, outside / str(link))
    return folder / name


def grade_task(fingerprint, name, packed, limits, labs, unconfined):
    """Run on a Dask worker: grade one packed submission; return `batch.Grader.grade`'s outcome."""
    own = course.fingerprint()
    if own != fingerprint:
        raise OtherCourse(f"the Dask worker on {socket.gethostname()} has another version of the course "
                          f"(fingerprint {own[:12]}, the batch's is {fingerprint[:12]}): install the same one there, "
                          "with the batch's .heldout-secret")
    with tempfile.TemporaryDirectory(prefix="autograder-task-") as scratch:
        entry = unpack(name, packed, Path(scratch) / "submission")
        return _grader(fingerprint, limits, labs, unconfined).grade(entry, scratch)


def _grader(fingerprint, limits, labs, unconfined):
    """This thread's `batch.Grader` for these settings: started by its first task, kept for the next ones."""
    graders = _THREAD.__dict__.setdefault("graders", {})
    settings = (fingerprint, limits, tuple(labs), unconfined)
    if settings not in graders:
        graders[settings] = batch.Grader(limits, labs, unconfined, _reference_cache(fingerprint))
        with _CACHES_LOCK:
            _GRADERS.append(graders[settings])
    return graders[settings]


def _reference_cache(fingerprint):
    """The folder in which this worker keeps the course's reference values, for all its tasks (see `batch._locally`)."""
    with _CACHES_LOCK:
        if fingerprint not in _REFERENCE_CACHES:
            folder = _REFERENCE_CACHES[fingerprint] = tempfile.mkdtemp(prefix="autograder-references-")
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
        return _REFERENCE_CACHES[fingerprint]


def connect(address):
    """A client of the Dask scheduler at `address`, or one line saying it cannot be reached."""
    try:
        return Client(address, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError, ValueError) as error:
        raise SubmissionError(f"cannot reach the Dask scheduler at {address}: {error}") from None


def on(address):
    """`batch.run`'s `remote`: the batch graded on the Dask cluster whose scheduler is at `address`."""
    return functools.partial(grade, connect(address))


def grade(client, todo, limits, labs, unconfined):
    """(student, outcome) for each student of `todo` as its task ends on `client`'s cluster (see `batch.run`)."""
    fingerprint = course.fingerprint()
    try:
        tasks = {}
        for student, entry in todo.items():
            with tempfile.TemporaryDirectory() as scratch:
                staged = batch.as_lab_file(entry, labs, scratch)
                packed = pack(staged)
            tasks[client.submit(grade_task, fingerprint, staged.name, packed, limits, labs, unconfined,
                                pure=False)] = student
        for task in as_completed(tasks):
            try:
                yield tasks[task], task.result()
            except KilledWorker:
                yield tasks[task], "its grading ended the Dask worker that ran it, on every try"
            except OtherCourse:
                raise
            except Exception as error:  # the worker's fault (e.g. no course there): this row says so, a rerun retries
                yield tasks[task], f"the Dask worker could not grade it ({type(error).__name__}: {error})".split("\n")[0]
    finally:  # done, Ctrl-C or an error: nothing of this batch stays on the cluster
        client.cancel(list(tasks))
        client.close()
