"""Does grading the whole course fit Gradescope's default container?

Runs `python -m autograder grade solutions` pinned to one core (taskset -c 0,
the nearest this machine gets to 0.5 vCPU) and samples, every 20 ms, the
resident memory of the grader and of every process below it. Reports the
wall time and the peaks against Gradescope's defaults: 768 MB of memory and
a 10-minute limit.

    python benchmarks/gradescope_budget.py [--memory-mb 640] [--cores 0]
"""

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.sandbox import process_table  # noqa: E402

LIMIT_MB, LIMIT_SECONDS = 768, 600


def tree_memory(root):
    """(resident bytes of `root`, of everything below it)."""
    table = process_table()
    below, frontier = 0, [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, _, rss) in table.items():
            if ppid == parent:
                below += rss
                frontier.append(pid)
    return table.get(root, (0, 0, 0))[2], below


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memory-mb", type=int, default=700, help="the child's cap, as exported")
    parser.add_argument("--cores", default="0", help="taskset's CPU list")
    args = parser.parse_args()
    command = [sys.executable, "-m", "autograder", "grade", "solutions", "--memory-mb", str(args.memory_mb)]
    if shutil.which("taskset"):
        command = ["taskset", "-c", args.cores, *command]
    started = time.perf_counter()
    grading = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    peak_parent = peak_child = peak_total = 0
    while grading.poll() is None:
        parent, child = tree_memory(grading.pid)
        peak_parent, peak_child = max(peak_parent, parent), max(peak_child, child)
        peak_total = max(peak_total, parent + child)
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    total_line = grading.stdout.read().strip().splitlines()[-1]
    mb = 2**20
    print(f"cores: {args.cores}; child memory cap: {args.memory_mb} MiB; {total_line}")
    print("| measure | value | Gradescope default |")
    print("|---|---:|---:|")
    print(f"| wall time, whole course | {seconds:.1f} s | {LIMIT_SECONDS} s |")
    print(f"| peak memory, grader + child | {peak_total / mb:.0f} MiB | {LIMIT_MB} MB |")
    print(f"| peak memory, grader alone | {peak_parent / mb:.0f} MiB | |")
    print(f"| peak memory, child and below | {peak_child / mb:.0f} MiB | |")


if __name__ == "__main__":
    main()
