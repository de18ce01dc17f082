"""How fast and how big grading is, against its natural baselines, in one run.

Every figure is a median of --repeat runs, all pinned to one core (taskset),
as Gradescope's container would have it:

- the whole course, graded confined (the default), unconfined (the same
  engine without walls: what the walls cost), with the references' values
  kept by an earlier grading (`--reference-cache`: every student of a
  batch after the first), and by the engine of a
  baseline commit (what the change cost; its worktree is made and removed
  here), and this engine on only the labs the baseline had (like for like:
  the course has grown since);
- the CPU the grading process itself uses (watching its children), confined and by the baseline;
- one Keras lab checked once the Keras worker is warm (a check in a
  notebook, or the next lab of a grading).

A class with `batch --jobs 2`: benchmarks/class_speed.py. Memory, and grading
inside Gradescope's box: benchmarks/gradescope_budget.py.

    python benchmarks/grading_speed.py [--repeat 3] [--baseline-rev b3551dc]
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

from autograder import course, runner  # noqa: E402
from autograder.sandbox import Limits  # noqa: E402

ONE_CORE = ["taskset", "-c", "0"]
KERAS_LABS = ["lab04_logic_gates", "lab06_optimizers"]  # the first warms the worker, the second is timed


def own_cpu(pid):
    """CPU seconds the process `pid` used itself (user and system), not counting its children."""
    fields = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def timed(command, cwd=ROOT):
    """(wall seconds, the last line printed, CPU seconds of the grading process itself) of `command`."""
    started = time.perf_counter()
    with subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as process:
        output = process.stdout.read()
        os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)  # ended, not yet collected: its times stay
        seconds, cpu = time.perf_counter() - started, own_cpu(process.pid)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{output[-2000:]}")
    return seconds, output.strip().splitlines()[-1], cpu


def whole_course(python, cwd, extra=()):
    return timed([*ONE_CORE, python, "-m", "autograder", "grade", "solutions", *extra], cwd)


def warm_keras_check():
    """Seconds to grade one Keras lab in a sandbox whose Keras worker another lab has warmed."""
    sandbox = runner.open_sandbox(Limits(), KERAS_LABS)
    try:
        runner.grade_lab(KERAS_LABS[0], course.solution_file(KERAS_LABS[0]), sandbox=sandbox)
        started = time.perf_counter()
        runner.grade_lab(KERAS_LABS[1], course.solution_file(KERAS_LABS[1]), sandbox=sandbox)
        return time.perf_counter() - started
    finally:
        sandbox.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-rev", default="b3551dc", help="the commit whose engine is the baseline")
    args = parser.parse_args()
    baseline = Path(tempfile.mkdtemp(prefix="baseline-")) / "tree"
    subprocess.run(["git", "worktree", "add", "--detach", str(baseline), args.baseline_rev], cwd=ROOT, check=True,
                   capture_output=True)
    # Like for like: this engine on the labs the baseline had (the course has grown since), found in the
    # baseline's own layout (its graded tests in tests/graded/<lab>.py, before course/<lab>/ held them).
    theirs = ",".join(path.stem for path in course.lab_files(baseline / "tests" / "graded"))
    runs = {"confined": [], "references kept": [], "unconfined": [], "baseline": [], "their labs": []}
    kept = tempfile.mkdtemp(prefix="references-")
    whole_course(sys.executable, ROOT, ["--quiet", "--reference-cache", kept])  # the batch's first student
    try:
        for _ in range(args.repeat):  # interleaved, so that a change of load hits all alike
            runs["confined"].append(whole_course(sys.executable, ROOT, ["--quiet"]))
            runs["references kept"].append(whole_course(sys.executable, ROOT, ["--quiet", "--reference-cache", kept]))
            runs["unconfined"].append(whole_course(sys.executable, ROOT, ["--quiet", "--unconfined"]))
            runs["baseline"].append(whole_course(sys.executable, baseline))
            runs["their labs"].append(whole_course(sys.executable, ROOT, ["--quiet", "--labs", theirs]))
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(baseline)], cwd=ROOT, capture_output=True)
        shutil.rmtree(kept, ignore_errors=True)
    median = {name: statistics.median(seconds for seconds, _, _ in found) for name, found in runs.items()}
    cpu = {name: statistics.median(seconds for _, _, seconds in found) for name, found in runs.items()}
    warm = statistics.median(warm_keras_check() for _ in range(args.repeat))
    print(f"{time.strftime('%Y-%m-%d %H:%M')}, load {os.getloadavg()[0]:.2f}, {args.repeat} runs each, one core")
    print(f"whole course, confined:          {median['confined']:6.1f} s   ({runs['confined'][0][1]})")
    print(f"whole course, references kept:   {median['references kept']:6.1f} s   kept / computed = "
          f"{median['references kept'] / median['confined']:.2f}")
    print(f"whole course, unconfined:        {median['unconfined']:6.1f} s   confined / unconfined = "
          f"{median['confined'] / median['unconfined']:.2f} (target <= 1.2)")
    print(f"whole course, baseline {args.baseline_rev}: {median['baseline']:6.1f} s   confined / baseline = "
          f"{median['confined'] / median['baseline']:.2f} (target <= 1.2; target 30 s)")
    print(f"the grader's own CPU, confined:  {cpu['confined']:6.1f} s   confined / baseline = "
          f"{cpu['confined'] / cpu['baseline']:.2f} (the watch of the children; the baseline's: {cpu['baseline']:.1f} s)")
    print(f"the baseline's labs, confined:   {median['their labs']:6.1f} s   same labs / baseline = "
          f"{median['their labs'] / median['baseline']:.2f} (their labs: {theirs.count(',') + 1})")
    print(f"one Keras lab, worker warm:      {warm:6.1f} s   (target 3 s)")


if __name__ == "__main__":
    main()
