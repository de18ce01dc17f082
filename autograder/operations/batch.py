"""Grade a whole class: N grading processes, each grading one submission after another.

SUBMISSIONS holds one entry per student: a folder, a .zip, a notebook or a
lab file; the student is the entry's name without its suffix. Each grading
process (a `Grader`) keeps one sandbox whose workers import Keras once, and
clears it between students, whose children run as users of their own: a
crash, a timeout or a hostile submission costs that student alone (whose
gradebook row says why). OUT gets `<student>/results.json`
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

from autograder import course, errors, report, runner
from autograder.sandbox import Limits, SandboxError
from autograder.sandbox.confine import ConfinementError
from autograder.submission import SubmissionError, not_its_own, open_submission

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


def _command(limits, labs, unconfined, reference_cache):
    command = [sys.executable, "-m", "autograder", "serve", "--timeout", f"{limits.timeout:g}",
               "--lab-timeout", f"{limits.lab_timeout:g}", "--submission-timeout", f"{limits.submission_timeout:g}",
               "--memory-mb", str(limits.memory // 2**20), "--labs", ",".join(labs)]
    command += ["--reference-cache", str(reference_cache)] if reference_cache else []
    return command + (["--unconfined"] if unconfined else [])


def _die_with_parent():
    """In a grading process before it runs: killed when the thread that started it ends (a killed Dask worker)."""
    _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class Grader:
    """A grading process (`python -m autograder serve`) that grades one submission after another.

    The unit of work of every batch, local or on a Dask cluster, is one submission graded in this
    process's sandbox, its results kept in a scratch folder until they are read back as plain data.
    The sandbox's workers import NumPy, Keras and TensorFlow once for all the submissions; they never
    run student code, and between two submissions the sandbox is cleared (`Sandbox.clear`), so
    nothing of one student reaches the next. A crash or a hostile submission that kills the process
    costs that student alone: the next submission gets a new process.

    Args:
        reference_cache: a folder of reference values shared by the gradings of the batch
            (`runner.ReferenceCache`), or None.
    """

    def __init__(self, limits, labs, unconfined, reference_cache=None):
        self.command = _command(limits, labs, unconfined, reference_cache)
        self.process = None
        self.errors = None  # the process's stderr, in a file of its own

    def _start(self):
        self.errors = tempfile.NamedTemporaryFile(prefix="autograder-grader-", suffix=".log")
        with open(self.errors.name, "ab") as errors:  # its own offset: reading the log never moves the writer's
            self.process = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=errors, cwd=course.ROOT, start_new_session=True,
                                            preexec_fn=_die_with_parent)

    def grade(self, entry, scratch, started=lambda process: None):
        """Grade one student's `entry`; return what came of it.

        Args:
            scratch: a folder for the results until they are read back.
            started: called with the grading process (a local batch keeps it, to stop it).
        Returns:
            {"returncode": int, "why": one line, "results": bytes or None, "feedback": bytes or None}
        """
        if self.process is None or self.process.poll() is not None:
            self.close()
            self._start()
        started(self.process)
        os.truncate(self.errors.name, 0)  # this student's words only (the process appends)
        results, feedback = Path(scratch) / "results.json", Path(scratch) / "feedback.txt"
        request = {"entry": str(entry), "results": str(results), "feedback": str(feedback)}
        try:
            self.process.stdin.write((json.dumps(request) + "\n").encode())
            self.process.stdin.flush()
            reply = json.loads(self.process.stdout.readline() or b"null")
        except (OSError, ValueError):
            reply = None
        if reply is None:  # the process ended: its last words say why
            returncode = self.process.wait()
            lines = Path(self.errors.name).read_text(errors="replace").strip().splitlines()
            reply = {"returncode": returncode, "why": lines[-1] if lines else f"exit status {returncode}"}
            self.close()
        # The entry by its name, as in the class folder, wherever this machine keeps it.
        return {"returncode": reply["returncode"], "why": reply["why"].replace(str(entry), Path(entry).name),
                "results": results.read_bytes() if results.exists() else None,
                "feedback": feedback.read_bytes() if feedback.exists() else None}

    def stop(self):
        """Ask the process to stop the grading it is doing (and itself), as Ctrl-C would."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def close(self, seconds=STOP_SECONDS):
        """End the process (its sandbox cleans up after itself), killing it after `seconds`."""
        if self.process is not None:
            try:
                self.process.stdin.close()
            except OSError:
                pass
            try:
                self.process.wait(seconds)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            self.process.stdout.close()
            self.process = None
        if self.errors is not None:
            self.errors.close()
            self.errors = None


def serve(requests, replies, limits, labs, unconfined, reference_cache=None):
    """The loop of a `Grader`'s process: grade the submission of each request, one after another, in one sandbox.

    Args:
        requests: lines of JSON, {"entry": path, "results": path, "feedback": path}, until the end.
        replies: where one line of JSON answers each, {"returncode": errors.OK or errors.CANNOT_GRADE,
            "why": the reason for the latter}.
    """
    cache = runner.ReferenceCache(reference_cache) if reference_cache else None
    sandbox = None
    try:
        for line in requests:
            request = json.loads(line)
            try:
                sandbox = sandbox or runner.open_sandbox(limits, labs, unconfined)
                _grade_request(request, limits, labs, unconfined, cache, sandbox)
                reply = {"returncode": errors.OK, "why": ""}
            except SubmissionError as error:  # the grader's one-line reason, e.g. a broken zip
                reply = {"returncode": errors.CANNOT_GRADE, "why": f"error: {error}"}
            except (SandboxError, ConfinementError) as error:  # the machine's: the next one gets a new sandbox
                if sandbox is not None:
                    sandbox.close()
                sandbox = None
                reply = {"returncode": errors.CANNOT_GRADE, "why": f"error: {error}"}
            replies.write(json.dumps(reply) + "\n")
            replies.flush()
    finally:
        if sandbox is not None:
            sandbox.close()


def _grade_request(request, limits, labs, unconfined, cache, sandbox):
    """Grade one request's submission in `sandbox`; write its results.json and feedback where it says."""
    started = time.monotonic()
    with open_submission(request["entry"], labs) as files:
        results = runner.grade(files, limits, unconfined=unconfined, reference_cache=cache, sandbox=sandbox)
    report.write_atomic(request["feedback"], report.table(results, hidden_details=False) + "\n")
    report.write_json(request["results"], report.gradescope(results, time.monotonic() - started))


def _record(out, student, outcome):
    """Keep a student's outcome in `out` (results last, so a results.json means done); return why it failed, or None."""
    folder = Path(out) / student
    if outcome["returncode"] == errors.OK and outcome["results"] is not None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / FAILED).unlink(missing_ok=True)
        report.write_atomic(folder / "feedback.txt", (outcome["feedback"] or b"").decode())
        report.write_atomic(folder / "results.json", outcome["results"].decode())
        return None
    if outcome["returncode"] == errors.CANNOT_GRADE:  # the grader's one-line reason, e.g. a broken zip
        report.write_atomic(folder / FAILED, outcome["why"].removeprefix("error: ") + "\n")
        return None
    return f"the grading process failed ({outcome['why']})"


class _Class:
    """The state of one local batch: a `Grader` per thread, what each grades, and whether it was told to stop."""

    def __init__(self, out, limits, labs, unconfined, reference_cache):
        self.out, self.limits, self.labs, self.unconfined = out, limits, labs, unconfined
        self.reference_cache = reference_cache
        self.stopping = threading.Event()
        self.graders = []
        self.running = {}  # student -> their grading process
        self.local = threading.local()
        self.lock = threading.Lock()

    def grade(self, student, entry):
        """Grade one student; return (student, its outcome from `Grader.grade`), or (student, None) if abandoned."""
        if self.stopping.is_set():
            return student, None
        if not hasattr(self.local, "grader"):
            self.local.grader = Grader(self.limits, self.labs, self.unconfined, self.reference_cache)
            with self.lock:
                self.graders.append(self.local.grader)

        def started(process):
            with self.lock:
                self.running[student] = self.local.grader

        with tempfile.TemporaryDirectory(prefix=f".{student}-", dir=self.out) as scratch:
            outcome = self.local.grader.grade(as_lab_file(entry, self.labs, scratch), scratch, started)
        with self.lock:
            del self.running[student]
        if self.stopping.is_set():
            return student, None  # abandoned: nothing of it is kept
        return student, outcome

    def stop(self):
        """Start no one new; ask the running gradings to stop (they are killed if they do not, see `close`)."""
        self.stopping.set()
        with self.lock:
            running = list(self.running.values())
        for grader in running:
            grader.stop()

    def close(self):
        """End every grading process, within `STOP_SECONDS` altogether."""
        deadline = time.monotonic() + STOP_SECONDS
        for grader in self.graders:
            grader.close(max(deadline - time.monotonic(), 0.1))


def _locally(todo, out, limits, labs, unconfined, jobs):
    """(student, outcome) for each student of `todo` as its grading ends, `jobs` at a time (see `run`).

    The references' values are computed once for the whole batch, in a folder of OUT's that lasts as long as it.
    """
    with tempfile.TemporaryDirectory(prefix=".references-", dir=out) as reference_cache:
        state = _Class(out, limits, labs, unconfined, reference_cache)
        try:
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                futures = [pool.submit(state.grade, student, entry) for student, entry in todo.items()]
                try:
                    for future in as_completed(futures):
                        yield future.result()
                except BaseException:  # Ctrl-C, or the caller stopped: keep what is finished, abandon the rest
                    state.stop()
                    raise
        finally:
            state.close()


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
        remote=None):
    """Grade every submission in `folder` into `out`; return the students graded now.

    Args:
        jobs: gradings run at once on this machine (each a process of its own).
        force: grade again the students who already have results.
        progress: show a progress bar on stderr.
        labs: the assignment's labs (default: every lab of the course).
        unconfined: run student code without the sandbox's walls.
        remote: grade elsewhere instead of here: remote(todo, limits, labs, unconfined) -> (student, outcome)
            as each ends, e.g. `cluster.grade` with its client (`jobs` is then the cluster's).
    """
    everyone = submissions(folder)
    labs = tuple(labs or course.lab_names())
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    todo = {student: entry for student, entry in everyone.items() if force or not _done(out, student)}
    report.write_atomic(out / "gradebook.csv", gradebook(out, everyone, labs))
    if remote is not None:
        ended = remote(todo, limits, labs, unconfined)
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
