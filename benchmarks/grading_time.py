"""Wall time of grading the instructor's solutions, lab by lab, on this machine.

For each lab: the whole command (`python -m autograder grade solutions/<lab>.py`,
a fresh interpreter), and, in process, the time to start the grading child
and import the lab (start-up) versus the time in the graded tests. Medians
of --repeat runs. Prints a Markdown table.

    python benchmarks/grading_time.py [lab ...] [--repeat 5]
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograder import course, runner  # noqa: E402


def command_seconds(lab):
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder", "grade", f"solutions/{lab}.py"],
                   cwd=course.ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def in_process_seconds(lab):
    """(start-up, tests) seconds of one grading of the lab's solution."""
    started = time.perf_counter()
    result = runner.grade_lab(lab, course.SOLUTIONS / f"{lab}.py")
    total = time.perf_counter() - started
    assert result.score == result.points, f"{lab}: the solution lost points"
    tests = sum(test.seconds for test in result.tests)
    return total - tests, tests


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labs", nargs="*", default=course.lab_names())
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("| lab | command (s) | start-up (s) | tests (s) |")
    print("|---|---:|---:|---:|")
    totals = [0.0, 0.0, 0.0]
    for lab in args.labs:
        commands, startups, tests = [], [], []
        for _ in range(args.repeat):  # interleaved, so drift hits both measures alike
            commands.append(command_seconds(lab))
            startup, in_tests = in_process_seconds(lab)
            startups.append(startup)
            tests.append(in_tests)
        row = [statistics.median(values) for values in (commands, startups, tests)]
        totals = [total + value for total, value in zip(totals, row)]
        print(f"| {lab} | {row[0]:.2f} | {row[1]:.2f} | {row[2]:.2f} |")
    if len(args.labs) > 1:
        print(f"| all ({len(args.labs)} labs, sum of medians) | {totals[0]:.2f} | {totals[1]:.2f} | {totals[2]:.2f} |")


if __name__ == "__main__":
    main()
