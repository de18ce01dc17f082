"""What a class costs: one student graded the old way and the batch's way, then whole batches, in one run.

Every student hands in the whole course's solutions, and the references'
values are kept by an earlier grading (as for every student of a batch after
the first), so the figures are what each further student costs.

1. One student on one core (taskset), the two ways interleaved, --repeat
   times each (medians):
   - its own process: `python -m autograder grade --reference-cache`, as the
     batch of the baseline commit ran every student (Keras and TensorFlow
     imported again each time);
   - the next student of a warm grading process (`batch.Grader`, whose
     sandbox has graded a student before and was cleared since), as today's
     batch runs every student after a process's first.
   Students per minute on both cores: twice 60 s over those medians.
2. With --copies N: a batch of N students with `batch --jobs 2` on both
   cores, by the baseline commit's engine (its worktree is made and removed
   here) and by today's, one after the other.

    python benchmarks/class_speed.py [--repeat 3] [--copies 0] [--baseline-rev 88d79ba]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder import course  # noqa: E402
from autograder.operations import batch
from autograder.sandbox import Limits  # noqa: E402

CLASS = 300
SOLUTIONS = "solutions"  # the course's solutions, as `grade` names them


def own_process(kept):
    """Seconds for one student graded by a `python -m autograder grade` process of its own."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder", "grade", SOLUTIONS, "--quiet", "--reference-cache", kept],
                   cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def next_student(grader):
    """Seconds for one more student graded by the warm `grader`."""
    with tempfile.TemporaryDirectory(prefix="student-") as scratch:
        started = time.perf_counter()
        outcome = grader.grade(SOLUTIONS, scratch)
        seconds = time.perf_counter() - started
    if outcome["returncode"] != 0:
        raise SystemExit(f"the grading process failed: {outcome['why']}")
    return seconds


def grade_class(checkout, solutions, copies):
    """Seconds `checkout`'s batch takes for `copies` students who each hand in `solutions`."""
    with tempfile.TemporaryDirectory(prefix="class-") as scratch:
        submissions = Path(scratch) / "submissions"
        for number in range(copies):
            shutil.copytree(solutions, submissions / f"student{number:03d}")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "autograder", "batch", str(submissions), "--out",
                        str(Path(scratch) / "out"), "--jobs", "2"], cwd=checkout, check=True, capture_output=True)
        seconds = time.perf_counter() - started
        graded = sum(1 for _ in (Path(scratch) / "out").glob("*/results.json"))
        if graded != copies:
            raise SystemExit(f"the batch of {checkout} graded {graded} of {copies} students")
    return seconds


def batches(copies, rev):
    """Seconds of a batch of `copies` students, by the engine of `rev` and by today's."""
    baseline = Path(tempfile.mkdtemp(prefix="baseline-")) / "tree"
    subprocess.run(["git", "worktree", "add", "--detach", str(baseline), rev], cwd=ROOT, check=True,
                   capture_output=True)
    try:
        solutions = course.copy_solutions(baseline.parent / "solutions")  # today's, handed in to both engines
        return grade_class(baseline, solutions, copies), grade_class(ROOT, solutions, copies)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(baseline)], cwd=ROOT, capture_output=True)


def per_minute(seconds, cores=2):
    return cores * 60 / seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--copies", type=int, default=0, help="students in each whole batch (0: none)")
    parser.add_argument("--baseline-rev", default="88d79ba", help="the commit whose batch is the baseline")
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M')} UTC, load {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs")
    affinity = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(affinity)})  # part 1 on one core; its processes inherit it
    kept = tempfile.mkdtemp(prefix="references-")
    grader = batch.Grader(Limits(), tuple(course.lab_names()), False, kept)
    try:
        next_student(grader)  # the process's first student, which also fills `kept`
        runs = {"own process": [], "warm process": []}
        for _ in range(args.repeat):  # interleaved, so that a change of load hits both alike
            runs["own process"].append(own_process(kept))
            runs["warm process"].append(next_student(grader))
    finally:
        grader.close()
        shutil.rmtree(kept, ignore_errors=True)
        os.sched_setaffinity(0, affinity)
    median = {name: statistics.median(found) for name, found in runs.items()}
    print(f"one student, one core, medians of {args.repeat} (load {os.getloadavg()[0]:.2f} after):")
    for name, seconds in median.items():
        print(f"  {name:12} {seconds:6.1f} s  -> {per_minute(seconds):5.2f} students/min on 2 cores, "
              f"class of {CLASS}: {CLASS / per_minute(seconds):6.1f} min (target 60)")
    print(f"  warm / own process: {median['warm process'] / median['own process']:.2f}")
    if args.copies:
        before, today = batches(args.copies, args.baseline_rev)
        print(f"batch --jobs 2 of {args.copies} students (load {os.getloadavg()[0]:.2f} after):")
        for name, seconds in ((f"baseline {args.baseline_rev}", before), ("today", today)):
            rate = args.copies / seconds * 60
            print(f"  {name:17} {seconds:6.1f} s  -> {rate:5.2f} students/min, class of {CLASS}: "
                  f"{CLASS / rate:6.1f} min")


if __name__ == "__main__":
    main()
