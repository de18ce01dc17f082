"""A class graded on a Dask cluster with one worker and with two, beside the local batch, in one run.

On one machine (a scheduler and single-threaded `dask worker` processes on
localhost, as `tests/test_cluster.py` starts them): --copies whole-course
submissions (the solutions) graded by `batch --jobs 2` here, then by
`batch --scheduler` with one worker and with two. Reports each as students
per minute and a class of 300 in minutes, and the two-worker / one-worker
speed-up.

    python benchmarks/cluster_scaling.py [--copies 4]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from environments import DaskCluster  # noqa: E402

from autograder import course  # noqa: E402


def batch(submissions, out, *options):
    """Seconds `batch` takes to grade `submissions` into `out`."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder", "batch", str(submissions), "--out", str(out), *options],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def on_cluster(scratch, submissions, workers):
    cluster = DaskCluster(scratch / f"cluster-{workers}")
    try:
        cluster.add_workers(workers)
        return batch(submissions, scratch / f"out-{workers}", "--scheduler", cluster.address)
    finally:
        cluster.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=4, help="students in the class")
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load {os.getloadavg()[0]:.2f}, "
          f"{os.cpu_count()} cores, {args.copies} whole-course students")
    with tempfile.TemporaryDirectory(prefix="cluster-") as scratch:
        scratch = Path(scratch)
        submissions = scratch / "submissions"
        for number in range(args.copies):
            course.copy_solutions(submissions / f"student{number:03d}")
        seconds = {"local batch --jobs 2": batch(submissions, scratch / "out-local", "--jobs", "2"),
                   "cluster, 1 worker": on_cluster(scratch, submissions, 1),
                   "cluster, 2 workers": on_cluster(scratch, submissions, 2)}
    for name, taken in seconds.items():
        print(f"{name:24} {taken:7.1f} s  {args.copies / taken * 60:5.2f} students/min  "
              f"class of 300: {taken / args.copies * 300 / 60:6.1f} min")
    print(f"2 workers / 1 worker speed-up: {seconds['cluster, 1 worker'] / seconds['cluster, 2 workers']:.2f}")


if __name__ == "__main__":
    main()
