"""Submissions per minute of `python -m autograder batch` on this machine.

Grades N copies of the instructor's solutions (each a student folder) with
--jobs J, and extrapolates to a class of 300.

    python benchmarks/batch_throughput.py [--copies 20] [--jobs 2]
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="batch-") as scratch:
        submissions = Path(scratch) / "submissions"
        for number in range(args.copies):
            shutil.copytree(ROOT / "solutions", submissions / f"student{number:03d}")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "autograder", "batch", str(submissions), "--out",
                        str(Path(scratch) / "out"), "--jobs", str(args.jobs)], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - started
    rate = args.copies / seconds * 60
    print(f"| copies | jobs | wall (s) | submissions / minute | a class of 300 |")
    print("|---:|---:|---:|---:|---:|")
    print(f"| {args.copies} | {args.jobs} | {seconds:.1f} | {rate:.1f} | {300 / rate:.0f} min |")


if __name__ == "__main__":
    main()
