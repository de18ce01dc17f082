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
"""

import csv
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
from autograder.submission import SubmissionError

SUFFIXES = (".zip", ".ipynb", ".py")
FAILED = "could-not-grade.txt"
STOP_SECONDS = 10  # how long a stopped grading may take to clean up before it is killed


def submissions(folder):
    """student -> entry, for every student entry in `folder` (sorted)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SubmissionError(f"{folder}: no such folder of submissions")
    found = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_dir() or entry.suffix in SUFFIXES:
            student = entry.name if entry.is_dir() else entry.stem
            if student in found:
                raise SubmissionError(f"{folder}: two submissions for {student!r}: {found[student].name}, {entry.name}")
            found[student] = entry
    return found


def _as_lab_file(entry, labs, scratch):
    """A single file named after its student, as the one lab of a one-lab assignment; else the entry."""
    if entry.is_file() and entry.suffix in (".py", ".ipynb") and not course.LAB_FILE.match(entry.name) and len(labs) == 1:
        renamed = Path(scratch) / f"{labs[0]}{entry.suffix}"
        shutil.copyfile(entry, renamed)
        return renamed
    return entry


def _command(entry, results, feedback, limits, labs, unconfined):
    command = [sys.executable, "-m", "autograder", "grade", str(entry), "--json", str(results),
               "--feedback", str(feedback), "--quiet", "--timeout", f"{limits.timeout:g}",
               "--memory-mb", str(limits.memory // 2**20), "--labs", ",".join(labs)]
    return command + (["--unconfined"] if unconfined else [])


class _Class:
    """The state of one batch: what is running, and whether it was told to stop."""

    def __init__(self, out, limits, labs, unconfined):
        self.out, self.limits, self.labs, self.unconfined = out, limits, labs, unconfined
        self.stopping = threading.Event()
        self.running = {}
        self.lock = threading.Lock()

    def grade(self, student, entry):
        """Grade one student in its own process; return (student, None) or (student, why it failed)."""
        if self.stopping.is_set():
            return student, None
        folder = self.out / student
        with tempfile.TemporaryDirectory(prefix=f".{student}-", dir=self.out) as scratch:
            results, feedback = Path(scratch) / "results.json", Path(scratch) / "feedback.txt"
            command = _command(_as_lab_file(entry, self.labs, scratch), results, feedback, self.limits, self.labs,
                               self.unconfined)
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE, cwd=course.ROOT, start_new_session=True)
            with self.lock:
                self.running[student] = process
            _, errors = process.communicate()
            with self.lock:
                del self.running[student]
            if self.stopping.is_set():
                return student, None  # abandoned: nothing of it is kept
            why = errors.decode(errors="replace").strip().splitlines()[-1:] or [f"exit status {process.returncode}"]
            if process.returncode == 0 and results.exists():
                folder.mkdir(parents=True, exist_ok=True)
                (folder / FAILED).unlink(missing_ok=True)
                os.replace(feedback, folder / "feedback.txt")
                os.replace(results, folder / "results.json")
                return student, None
            if process.returncode == 2:  # the grader's one-line reason, e.g. a broken zip
                report.write_atomic(folder / FAILED, why[0].removeprefix("error: ") + "\n")
                return student, None
            return student, f"the grading process failed ({why[0]})"

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


def gradebook(out, students, labs, errors=None):
    """The gradebook's CSV text: one row per student, per-lab scores and the total.

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
            writer.writerow([student, *(f"{scores[lab]:g}" for lab in labs), f"{data['score']:g}",
                             f"{data['max_score']:g}", data.get("output", "").replace("\n", " ")[:300]])
        else:
            note = failed.read_text().strip() if failed.exists() else (errors or {}).get(student, "not graded yet")
            writer.writerow([student, *[""] * len(labs), "0", "", note])
    return buffer.getvalue()


def run(folder, out, jobs=2, force=False, limits=Limits(), progress=True, labs=None, unconfined=False):
    """Grade every submission in `folder` into `out`; return the students graded now.

    Args:
        jobs: gradings run at once (each a process of its own).
        force: grade again the students who already have results.
        progress: show a progress bar on stderr.
        labs: the assignment's labs (default: every lab of the course).
        unconfined: run student code without the sandbox's walls.
    """
    everyone = submissions(folder)
    labs = tuple(labs or course.lab_names())
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    todo = {student: entry for student, entry in everyone.items()
            if force or not ((out / student / "results.json").exists() or (out / student / FAILED).exists())}
    report.write_atomic(out / "gradebook.csv", gradebook(out, everyone, labs))
    done, errors = [], {}
    state = _Class(out, limits, labs, unconfined)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(state.grade, student, entry) for student, entry in todo.items()]
        try:
            for future in tqdm(as_completed(futures), total=len(futures), unit="submission",
                               disable=not progress, desc="grading"):
                student, error = future.result()
                if state.stopping.is_set():
                    continue
                if error:
                    errors[student] = error
                else:
                    done.append(student)
                report.write_atomic(out / "gradebook.csv", gradebook(out, everyone, labs, errors))
        except BaseException:  # Ctrl-C: keep what is finished, abandon the rest cleanly
            state.stop()
            raise
        finally:
            report.write_atomic(out / "gradebook.csv", gradebook(out, everyone, labs, errors))
    return sorted(done)
