"""Grade a whole class: one submission per student, in parallel processes.

SUBMISSIONS holds one entry per student: a folder, a .zip, a notebook or a
lab file; the student is the entry's name without its suffix. For each, OUT
gets `<student>/results.json` (Gradescope's schema) and `<student>/feedback.txt`
(the report a student reads), each written atomically as soon as it is known,
and `gradebook.csv` is rewritten after every submission from what OUT holds.
A rerun skips students who already have results unless `force`; an
interrupted run loses nothing already written.
"""

import csv
import io
import json
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict
from multiprocessing import get_context
from pathlib import Path

from tqdm import tqdm

from autograder import course, report, runner
from autograder.sandbox import Limits
from autograder.submission import SubmissionError, open_submission

SUFFIXES = (".zip", ".ipynb", ".py")
FAILED = "could-not-grade.txt"


def submissions(folder):
    """student -> entry, for every student entry in `folder` (sorted)."""
    found = {}
    for entry in sorted(Path(folder).iterdir()):
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_dir() or entry.suffix in SUFFIXES:
            student = entry.name if entry.is_dir() else entry.stem
            if student in found:
                raise SubmissionError(f"{folder}: two submissions for {student!r}: {found[student].name}, {entry.name}")
            found[student] = entry
    return found


def grade_one(student, entry, out, limits):
    """Grade one submission into out/<student>/ (runs in a worker process)."""
    folder = Path(out) / student
    started = time.monotonic()
    try:
        with open_submission(entry) as files:
            results = runner.grade(files, Limits(**limits))
    except SubmissionError as error:
        report.write_atomic(folder / FAILED, f"{error}\n")
        return student
    (folder / FAILED).unlink(missing_ok=True)
    report.write_atomic(folder / "feedback.txt", report.table(results, hidden_details=False) + "\n")
    report.write_json(folder / "results.json", report.gradescope(results, time.monotonic() - started))
    return student


def gradebook(out, students, errors=None):
    """The gradebook's CSV text: one row per student, per-lab scores and the total.

    Args:
        errors: student -> why the grader failed on their submission this run.
    """
    labs = course.lab_names()
    by_number = {str(course.lab_number(lab)): lab for lab in labs}
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
                scores[by_number[test["number"].split(".")[0]]] += test["score"]
            writer.writerow([student, *(f"{scores[lab]:g}" for lab in labs),
                             f"{data['score']:g}", f"{data['max_score']:g}", ""])
        else:
            note = failed.read_text().strip() if failed.exists() else (errors or {}).get(student, "not graded yet")
            writer.writerow([student, *[""] * len(labs), "0", "", note])
    return buffer.getvalue()


def run(folder, out, jobs=2, force=False, limits=Limits(), progress=True):
    """Grade every submission in `folder` into `out`; return the students graded now.

    Args:
        jobs: worker processes (each grades one submission at a time).
        force: grade again the students who already have results.
        progress: show a progress bar on stderr.
    """
    everyone = submissions(folder)
    out = Path(out)
    todo = {student: entry for student, entry in everyone.items()
            if force or not ((out / student / "results.json").exists() or (out / student / FAILED).exists())}
    report.write_atomic(out / "gradebook.csv", gradebook(out, everyone))
    done, errors = [], {}
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(grade_one, student, str(entry), str(out), asdict(limits)): student
                   for student, entry in todo.items()}
        try:
            for future in tqdm(as_completed(futures), total=len(futures), unit="submission",
                               disable=not progress, desc="grading"):
                try:
                    done.append(future.result())
                except Exception as error:  # a grader failure: no results written, a rerun retries
                    errors[futures[future]] = f"grader error: {type(error).__name__}: {error}"
                report.write_atomic(out / "gradebook.csv", gradebook(out, everyone, errors))
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise
    return done
