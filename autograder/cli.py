"""`python -m autograder`: build the student labs, grade a submission."""

import argparse
import sys
import time

from autograder import build, notebooks, report, runner
from autograder.confine import ConfinementError
from autograder.sandbox import Limits
from autograder.submission import SubmissionError, open_submission

# Exit statuses: grading finished (whatever the score), the grader could not run.
OK, CANNOT_RUN = 0, 2


def _positive(kind):
    def parse(text):
        value = kind(text)
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {text}")
        return value

    return parse


def parser():
    """The command line's parser."""
    main = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    commands = main.add_subparsers(dest="command", required=True)

    make = commands.add_parser("build", help="regenerate labs/ and notebooks/ from solutions/")
    make.add_argument("--check", action="store_true",
                      help="only check that labs/ and notebooks/ are up to date (exit 1 if not)")
    make.add_argument("--no-execute", action="store_true",
                      help="write the solution notebooks without running them (no outputs)")

    grade = commands.add_parser("grade", help="grade a submission")
    grade.add_argument("path", help="a folder of lab files, one lab file, a .zip, or 'solutions' / 'labs'")
    grade.add_argument("--json", metavar="FILE", help="also write Gradescope's results.json here")
    grade.add_argument("--timeout", type=_positive(float), default=Limits.timeout,
                       help="seconds per test unless the test sets its own (default %(default)s)")
    grade.add_argument("--memory-mb", type=_positive(int), default=Limits.memory // 2**20,
                       help="memory cap of the grading child in MiB (default %(default)s)")
    return main


def _build(args):
    stale = [f"labs/{name}" for name in build.build(check=args.check)]
    stale += notebooks.build_notebooks(check=args.check, run=not args.no_execute)
    if args.check:
        print("labs/ and notebooks/ are up to date" if not stale else "out of date: " + ", ".join(stale))
        return 1 if stale else OK
    print("wrote " + ", ".join(stale) if stale else "labs/ and notebooks/ were already up to date")
    return OK


def _grade(args):
    limits = Limits(timeout=args.timeout, import_timeout=max(args.timeout, Limits.import_timeout),
                    memory=args.memory_mb * 2**20)
    started = time.monotonic()

    def save(results):
        report.write_json(args.json, report.gradescope(results, time.monotonic() - started))

    # With --json the file is rewritten after every test: a run cut short still has its scores.
    with open_submission(args.path) as files:
        results = runner.grade(files, limits, on_test=save if args.json else None)
    print(report.table(results))
    if args.json:
        save(results)
    return OK


def main(argv=None):
    """Run the command line; return the exit status."""
    args = parser().parse_args(argv)
    try:
        return _build(args) if args.command == "build" else _grade(args)
    except (SubmissionError, build.BuildError, ConfinementError) as error:
        print(f"error: {error}", file=sys.stderr)
        return CANNOT_RUN
