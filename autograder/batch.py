"""Grade a whole class: one grading process per submission, N at a time.

SUBMISSIONS holds one entry per student: a folder, a .zip, a notebook or a
lab file; the student is the entry's name without its suffix. Each student
is graded by its own `python -m autograder grade` process, with its own
sandbox: a crash, a timeout or a hostile submission costs that student
alone (whose gradebook row says why). OUT gets `<student>/results.json`
(Gradescope's schema) and `<student>/feedback.txt`, moved into place only
when the grading finished, and `gradebook.csv` is rewritten from OUT after
every student, so it always agrees with the results on disk.

Ctrl-C stops starting students, stops the running ones (their sandboxes
clean up after themselves), and leaves OUT consistent; a rerun resumes,
skipping students who already have results unless `force`.

With a Dask scheduler's address (`--scheduler`), the same gradings run on
the cluster's workers instead (`autograder.cluster`); OUT is written here,
in the same way, as each result comes back.
"""

import csv
import ctypes
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from tqdm import tqdm

from autograder import course, report
from autograder.sandbox import Limits
from autograder.submission import SubmissionError, not_its_own

SUFFIXES = (".zip", ".ipynb", ".py")
FAILED = "could-not-grade.txt"
PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None)  # loaded before any grading process is started, not in between
STOP_SECONDS = 10  # how long a stopped grading may take to clean up before it is killed


def submissions(folder):
    """student -> entry, for every student entry in `folder` (sorted).

    An entry that is a link (to a classmate's entry, say), a pipe, a device or a file with another hard
    link is refused, naming it: the class folder is the instructor's to arrange, as for two entries of one student.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise SubmissionError(f"{folder}: no such folder of submissions")
    found = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_dir() or entry.suffix in SUFFIXES:
            if why := not_its_own(report.as_data(entry.name), os.lstat(entry)):
                raise SubmissionError(f"{folder}: {why}")
            student = entry.name if entry.is_dir() else entry.stem
            if student in found:
                raise SubmissionError(f"{folder}: two submissions for {report.as_data(student)}: "
                                      f"{report.as_data(found[student].name)}, {report.as_data(entry.name)}")
            found[student] = entry
    return found


def _done(out, student):
    """Whether `student` has an outcome in `out`: results, or the grader's reason it could not grade them."""
    return (Path(out) / student / "results.json").exists() or (Path(out) / student / FAILED).exists()


def already_graded(folder, out):
    """The students of `folder` that `run` skips unless forced: those with an outcome in `out`."""
    return [student for student in submissions(folder) if _done(out, student)]


def as_lab_file(entry, labs, scratch):
    """A single file named after its student, as the one lab of a one-lab assignment; else the entry."""
    if entry.is_file() and entry.suffix in (".py", ".ipynb") and not course.LAB_FILE.match(entry.name) and len(labs) == 1:
        renamed = Path(scratch) / f"{labs[0]}{entry.suffix}"
        shutil.copyfile(entry, renamed)
        return renamed
    return entry


def _command(entry, results, feedback, limits, labs, unconfined, reference_cache):
    command = [sys.executable, "-m", "autograder", "grade", str(entry), "--json", str(results),
               "--feedback", str(feedback), "--quiet", "--timeout", f"{limits.timeout:g}",
               "--lab-timeout", f"{limits.lab_timeout:g}", "--submission-timeout", f"{limits.submission_timeout:g}",
               "--memory-mb", str(limits.memory // 2**20), "--labs", ",".join(labs)]
    command += ["--reference-cache", str(reference_cache)] if reference_cache else []
    return command + (["--unconfined"] if unconfined else [])


def _die_with_parent():
    """In a grading process before it runs: killed when the thread that started it ends (a killed Dask worker)."""
    _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def grade_entry(entry, scratch, limits, labs, unconfined, reference_cache=None, started=lambda process: None):
    """Grade one student's `entry` in its own `python -m autograder grade` process; return what came of it.

    The unit of work of every batch, local or on a Dask cluster: one submission graded in its own
    process and sandbox, its results kept in `scratch` until they are read back as plain data.

    Args:
        reference_cache: a folder of reference values shared by the gradings of the batch
            (`runner.ReferenceCache`), or None.
        started: called with the grading process once it runs (a local batch keeps it, to stop it).
    Returns:
        {"returncode": int, "why": its last line on stderr, "results": bytes or None, "feedback": bytes or None}
    """
    results, feedback = Path(scratch) / "results.json", Path(scratch) / "feedback.txt"
    command = _command(entry, results, feedback, limits, labs, unconfined, reference_cache)
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               cwd=course.ROOT, start_new_session=True, preexec_fn=_die_with_parent)
    started(process)
    _, errors = process.communicate()
    why = errors.decode(errors="replace").strip().splitlines()[-1:] or [f"exit status {process.returncode}"]
    # The entry by its name, as in the class folder, wherever this machine keeps it.
    return {"returncode": process.returncode, "why": why[0].replace(str(entry), Path(entry).name),
            "results": results.read_bytes() if results.exists() else None,
            "feedback": feedback.read_bytes() if feedback.exists() else None}


def _record(out, student, outcome):
    """Keep a student's outcome in `out` (results last, so a results.json means done); return why it failed, or None."""
    folder = Path(out) / student
    if outcome["returncode"] == 0 and outcome["results"] is not None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / FAILED).unlink(missing_ok=True)
        report.write_atomic(folder / "feedback.txt", (outcome["feedback"] or b"").decode())
        report.write_atomic(folder / "results.json", outcome["results"].decode())
        return None
    if outcome["returncode"] == 2:  # the grader's one-line reason, e.g. a broken zip
        report.write_atomic(folder / FAILED, outcome["why"].removeprefix("error: ") + "\n")
        return None
    return f"the grading process failed ({outcome['why']})"


class _Class:
    """The state of one local batch: what is running, and whether it was told to stop."""

    def __init__(self, out, limits, labs, unconfined, reference_cache):
        self.out, self.limits, self.labs, self.unconfined = out, limits, labs, unconfined
        self.reference_cache = reference_cache
        self.stopping = threading.Event()
        self.running = {}
        self.lock = threading.Lock()

    def grade(self, student, entry):
        """Grade one student; return (student, its outcome from `grade_entry`), or (student, None) if abandoned."""
        if self.stopping.is_set():
            return student, None

        def started(process):
            with self.lock:
                self.running[student] = process

        with tempfile.TemporaryDirectory(prefix=f".{student}-", dir=self.out) as scratch:
            outcome = grade_entry(as_lab_file(entry, self.labs, scratch), scratch, self.limits, self.labs,
                                  self.unconfined, self.reference_cache, started)
        with self.lock:
            del self.running[student]
        if self.stopping.is_set():
            return student, None  # abandoned: nothing of it is kept
        return student, outcome

    def stop(self):
        """Start no one new; ask the running gradings to stop, and kill those that do not."""
        self.stopping.set()
        with self.lock:
            running = list(self.running.values())
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for process in running:
            try:
                process.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def _locally(todo, out, limits, labs, unconfined, jobs):
    """(student, outcome) for each student of `todo` as its grading ends, `jobs` at a time (see `run`).

    The references' values are computed once for the whole batch, in a folder of OUT's that lasts as long as it.
    """
    with tempfile.TemporaryDirectory(prefix=".references-", dir=out) as reference_cache:
        state = _Class(out, limits, labs, unconfined, reference_cache)
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(state.grade, student, entry) for student, entry in todo.items()]
            try:
                for future in as_completed(futures):
                    yield future.result()
            except BaseException:  # Ctrl-C, or the caller stopped: keep what is finished, abandon the rest cleanly
                state.stop()
                raise


def gradebook(out, students, labs, errors=None):
    """The gradebook's CSV text: one row per student, per-lab scores and the total.

    Text cells (the student, the note) pass through `report.as_data`, so no spreadsheet runs a
    folder's name as a formula; the numbers are written as numbers.

    Args:
        labs: the assignment's labs (its columns).
        errors: student -> why the grader failed on their submission this run.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["student", *labs, "total", "max", "note"])
    for student in students:
        folder = Path(out) / student
        results, failed = folder / "results.json", folder / FAILED
        if results.exists():
            data = json.loads(results.read_text())
            scores = dict.fromkeys(labs, 0.0)
            for test in data["tests"]:
                lab = test["extra_data"]["lab"]
                if lab in scores:
                    scores[lab] += test["score"]
            writer.writerow([report.as_data(student), *(f"{scores[lab]:g}" for lab in labs), f"{data['score']:g}",
                             f"{data['max_score']:g}", report.as_data(data.get("output", "").replace("\n", " ")[:300])])
        else:
            note = failed.read_text().strip() if failed.exists() else (errors or {}).get(student, "not graded yet")
            writer.writerow([report.as_data(student), *[""] * len(labs), "0", "", report.as_data(note)])
    return buffer.getvalue()


def run(folder, out, jobs=2, force=False, limits=Limits(), progress=True, labs=None, unconfined=False,
        scheduler=None):
    """Grade every submission in `folder` into `out`; return the students graded now.

    Args:
        jobs: gradings run at once on this machine (each a process of its own).
        force: grade again the students who already have results.
        progress: show a progress bar on stderr.
        labs: the assignment's labs (default: every lab of the course).
        unconfined: run student code without the sandbox's walls.
        scheduler: a Dask scheduler's address: grade on its workers instead of here (`jobs` is then theirs).
    """
    everyone = submissions(folder)
    labs = tuple(labs or course.lab_names())
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    todo = {student: entry for student, entry in everyone.items() if force or not _done(out, student)}
    report.write_atomic(out / "gradebook.csv", gradebook(out, everyone, labs))
    if scheduler:
        from autograder import cluster  # only a cluster batch needs Dask
        ended = cluster.grade(cluster.connect(scheduler), todo, limits, labs, unconfined)
    else:
        ended = _locally(todo, out, limits, labs, unconfined, jobs)
    done, errors = [], {}
    try:
        for student, outcome in tqdm(ended, total=len(todo), unit="submission", disable=not progress, desc="grading"):
            if outcome is None:
                continue  # abandoned
            # A str is why the grading had no outcome at all (e.g. it crashed its Dask worker).
            error = outcome if isinstance(outcome, str) else _record(out, student, outcome)
            if error:
                errors[student] = error
            else:
                done.append(student)
            report.write_atomic(out / "gradebook.csv", gradebook(out, everyone, labs, errors))
    finally:
        ended.close()
        report.write_atomic(out / "gradebook.csv", gradebook(out, everyone, labs, errors))
    return sorted(done)
