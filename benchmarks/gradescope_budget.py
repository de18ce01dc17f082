"""The Gradescope budget: the default export's grading inside Gradescope's default container, in one run.

For the whole course and for each lab alone, the solutions are graded with
the export's defaults (`run_autograder`'s command line) inside a mimicked
default container (`tests/environments.GradescopeBox`: 768 MiB with swap,
half a CPU, no CAP_SYS_ADMIN, cgroups read-only). Each row gives the score,
the container's peak (its cgroup: what Gradescope's kernel charges, clean
file pages included, which it would reclaim before killing), the peak the
grader counted against its cap (its /proc meter), the margin to 768 MiB,
the wall time, the grading's CPU time (user and kernel), and the CPU time
the grader spent in its memory meter (the watch). The last row grades the whole course
with the engine of a baseline commit (a worktree made and removed here)
in the same box: the cost before this engine.

    python benchmarks/gradescope_budget.py [--baseline-rev f03c172] [--labs lab05_keras_mlp,...]

Needs root and a machine where the box can be made (as the project's test
of it does).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from environments import PYTHON, GradescopeBox  # noqa: E402

from autograder import cli, course, runner  # noqa: E402
from autograder.operations import gradescope
from autograder.sandbox import Limits  # noqa: E402


def grade_command(submission, results, labs):
    """`run_autograder`'s grading, with the export's defaults."""
    return ["grade", str(submission), "--json", str(results), "--quiet", "--timeout", f"{Limits.timeout:g}",
            "--memory-mb", str(gradescope.MEMORY_MB), "--labs", ",".join(labs)]


def inside(submission, results, labs, counted):
    """In the box: grade as `run_autograder` does; write the peak the grader's meter counted to `counted`."""
    opened = []
    real = runner.open_sandbox

    watching = [0.0]  # CPU seconds the grader spent in its memory meter

    def keep(*args, **kwargs):
        sandbox = real(*args, **kwargs)
        over = sandbox.meter.over

        def timed_over(*args):
            started = time.thread_time()
            try:
                return over(*args)
            finally:
                watching[0] += time.thread_time() - started

        sandbox.meter.over = timed_over
        opened.append(sandbox)
        return sandbox

    runner.open_sandbox = keep
    status = cli.main(grade_command(submission, results, labs))
    Path(counted).write_text(json.dumps({"meter": opened[0].meter.kind, "peak": opened[0].meter.peak,
                                         "watch": watching[0]}))
    return status


def in_box(argv, cwd):
    """Run `argv` in a new box; (wall s, user s, system s, container peak bytes, OOM kills)."""
    with GradescopeBox() as box:
        started = time.perf_counter()
        process = subprocess.Popen(box.command(argv), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed in the box:\n{process.stderr.read().decode()[-2000:]}")
        return wall, usage.ru_utime, usage.ru_stime, box.peak, box.oom_kills


def score(results):
    written = json.loads(Path(results).read_text())
    return f"{written['score']:g}/{written['max_score']:g}"


def row(name, points, wall, user, system, peak, kills, counted=None):
    watch = f"{counted['watch']:7.2f}" if counted else "      -"
    counted = f"{counted['peak'] / 2**20:5.0f} ({counted['meter']})" if counted else "    -       "
    print(f"{name:30} {points:>8} {peak / 2**20:6.0f} {counted} {(GradescopeBox.MEMORY - peak) / 2**20:6.0f} "
          f"{wall:6.1f} {user:6.1f} {system:6.1f} {watch} {kills:4}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-rev", default="f03c172", help="the commit whose engine is the 'before' row")
    parser.add_argument("--labs", help="comma-separated labs graded alone (default: every lab)")
    parser.add_argument("--inside", nargs=4, metavar=("SUBMISSION", "RESULTS", "LABS", "COUNTED"),
                        help=argparse.SUPPRESS)  # how the benchmark runs itself in the box
    args = parser.parse_args()
    if args.inside:
        submission, results, labs, counted = args.inside
        return inside(submission, results, labs.split(","), counted)
    scratch = Path(tempfile.mkdtemp(prefix="budget-"))
    scratch.chmod(0o755)
    submission = scratch / "submission"
    course.copy_solutions(submission)  # today's, handed in to the baseline's engine too
    cases = [("whole course", course.lab_names())] + [
        (lab, [lab]) for lab in (args.labs.split(",") if args.labs else course.lab_names())]
    print(f"{time.strftime('%Y-%m-%d %H:%M')} UTC, load {os.getloadavg()[0]:.2f}; box: 768 MiB with swap, "
          f"half a CPU, no CAP_SYS_ADMIN; cap {gradescope.MEMORY_MB} MiB")
    print(f"{'graded':30} {'score':>8} {'box MiB':>6} {'counted MiB':12} {'margin':>6} {'wall s':>6} "
          f"{'user s':>6} {'sys s':>6} {'watch s':>7} {'OOM':>4}")
    try:
        for name, labs in cases:
            results, counted = scratch / f"{name}.json", scratch / f"{name}.counted.json"
            figures = in_box([PYTHON, __file__, "--inside", str(submission), str(results), ",".join(labs),
                              str(counted)], ROOT)
            row(name, score(results), *figures, json.loads(counted.read_text()))
        baseline = scratch / "baseline"
        subprocess.run(["git", "worktree", "add", "--detach", str(baseline), args.baseline_rev], cwd=ROOT,
                       check=True, capture_output=True)
        results = scratch / "baseline.json"
        figures = in_box([PYTHON, "-m", "autograder", *grade_command(submission, results, course.lab_names())],
                         baseline)
        row(f"whole course, {args.baseline_rev}", score(results), *figures)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(scratch / "baseline")], cwd=ROOT,
                       capture_output=True)
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
