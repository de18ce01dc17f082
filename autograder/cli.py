"""`python -m autograder`: build the student labs, grade submissions one by one or a class at a time, release the student bundle, export to Gradescope."""

import argparse
import sys
import time
from pathlib import Path

from autograder import batch, build, gradescope, notebooks, release, report, runner
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
    _limit_options(grade)

    bundle = commands.add_parser("release", help="write the student bundle (no solutions, no hidden tests)")
    bundle.add_argument("out", help="a new or empty folder")

    many = commands.add_parser("batch", help="grade a folder of submissions, one per student")
    many.add_argument("submissions", help="a folder with one sub-folder, .zip, notebook or lab file per student")
    many.add_argument("--out", required=True, help="where results.json, feedback and gradebook.csv go")
    many.add_argument("--jobs", type=_positive(int), default=2, help="parallel processes (default %(default)s)")
    many.add_argument("--force", action="store_true", help="grade again students who already have results")
    _limit_options(many)

    export = commands.add_parser("export", help="export the autograder for a platform")
    export.add_argument("platform", choices=["gradescope"])
    export.add_argument("out", help="the archive to write, e.g. autograder.zip")
    export.add_argument("--timeout", type=_positive(float), default=Limits.timeout,
                        help="seconds per test (default %(default)s)")
    export.add_argument("--memory-mb", type=_positive(int), default=700,
                        help="the grading child's memory cap in MiB (default %(default)s, for a 768 MB container)")
    return main


def _limit_options(command):
    command.add_argument("--timeout", type=_positive(float), default=Limits.timeout,
                         help="seconds per test unless the test sets its own (default %(default)s)")
    command.add_argument("--memory-mb", type=_positive(int), default=Limits.memory // 2**20,
                         help="memory cap of the grading child in MiB (default %(default)s)")


def _limits(args):
    return Limits(timeout=args.timeout, import_timeout=max(args.timeout, Limits.import_timeout),
                  memory=args.memory_mb * 2**20)


def _build(args):
    stale = [f"labs/{name}" for name in build.build(check=args.check)]
    stale += notebooks.build_notebooks(check=args.check, run=not args.no_execute)
    if args.check:
        print("labs/ and notebooks/ are up to date" if not stale else "out of date: " + ", ".join(stale))
        return 1 if stale else OK
    print("wrote " + ", ".join(stale) if stale else "labs/ and notebooks/ were already up to date")
    return OK


def _grade(args):
    limits = _limits(args)
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


def _release(args):
    print(f"wrote the student bundle to {release.release(args.out)}")
    return OK


def _batch(args):
    graded = batch.run(args.submissions, args.out, jobs=args.jobs, force=args.force, limits=_limits(args))
    print(f"graded {len(graded)} submissions; gradebook: {Path(args.out) / 'gradebook.csv'}")
    return OK


def _export(args):
    print(f"wrote {gradescope.export(args.out, timeout=args.timeout, memory_mb=args.memory_mb)}")
    return OK


COMMANDS = {"build": _build, "grade": _grade, "release": _release, "batch": _batch, "export": _export}


def main(argv=None):
    """Run the command line; return the exit status."""
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (SubmissionError, build.BuildError, ConfinementError, release.ReleaseError) as error:
        print(f"error: {error}", file=sys.stderr)
        return CANNOT_RUN
