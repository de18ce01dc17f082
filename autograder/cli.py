"""`python -m autograder`: build the student labs, grade submissions one by one or a class at a time, release the student bundle, export to Gradescope."""

import argparse
import os
import shlex
import signal
import sys
import time
from pathlib import Path

from autograder import course, errors, report, runner
from autograder.authoring import build, notebooks
from autograder.operations import batch, gradescope, release
from autograder.sandbox import Limits
from autograder.submission import open_submission


def _positive(kind):
    def parse(text):
        value = kind(text)
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {text}")
        return value

    return parse


def _labs(text):
    """--labs: lab names separated by commas, each a lab of this course."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in course.lab_names()]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown lab {', '.join(unknown) or text!r}; the labs are: {', '.join(course.lab_names())}")
    return tuple(sorted(set(names)))


def parser():
    """The command line's parser."""
    main = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    commands = main.add_subparsers(dest="command", required=True)

    make = commands.add_parser("build", help="regenerate labs/ and notebooks/ from the solutions in course/")
    make.add_argument("--check", action="store_true",
                      help="only check that labs/ and notebooks/ are up to date (exit 1 if not)")
    make.add_argument("--no-execute", action="store_true",
                      help="write the solution notebooks without running them (no outputs)")

    grade = commands.add_parser("grade", help="grade a submission")
    grade.add_argument("path", help="a folder of lab files, one lab file, a .zip, or 'solutions' / 'labs'")
    grade.add_argument("--json", metavar="FILE", help="also write Gradescope's results.json here (after every test)")
    grade.add_argument("--feedback", metavar="FILE", help="also write the student's report here (hidden tests unexplained)")
    grade.add_argument("--test", action="append", metavar="NAME",
                       help="grade only this test: its function name or number (repeatable)")
    grade.add_argument("--quiet", action="store_true", help="print only each lab's score and the total")
    grade.add_argument("--reference-cache", metavar="FOLDER",
                       help="read the references' values kept in this folder, and keep new ones there "
                            "(a batch shares one among its students; only graders may write to it)")
    _assignment_option(grade)
    _limit_options(grade)

    bundle = commands.add_parser("release", help="write the student bundle (no solutions, no hidden tests)")
    bundle.add_argument("out", help="a new or empty folder")
    bundle.add_argument("--with-reference", action="store_true",
                        help="also ship custom_layers, the finished Keras components (for after the deadline)")
    bundle.add_argument("--quiet", action="store_true", help="print only where the bundle was written")
    _assignment_option(bundle)

    many = commands.add_parser("batch", help="grade a folder of submissions, one per student")
    many.add_argument("submissions",
                      help="a folder with one entry per student: a sub-folder, a .zip, a notebook or a lab file "
                           "(a single file may be named after the student when the assignment is one lab)")
    many.add_argument("--out", required=True, help="where results.json, feedback and gradebook.csv go")
    many.add_argument("--jobs", type=_positive(int), default=2, help="parallel gradings (default %(default)s)")
    many.add_argument("--force", action="store_true", help="grade again students who already have results")
    many.add_argument("--scheduler", metavar="ADDRESS",
                      help="a Dask scheduler (e.g. tcp://host:8786): grade on its workers instead of here")
    _assignment_option(many)
    _limit_options(many)

    serve = commands.add_parser("serve", help="(used by batch) grade the submissions named on stdin, one after "
                                              "another, in one sandbox; one line of JSON on stdout for each")
    serve.add_argument("--reference-cache", metavar="FOLDER", help="as for grade")
    _assignment_option(serve)
    _limit_options(serve)

    export = commands.add_parser("export", help="export the autograder for a platform")
    export.add_argument("platform", choices=["gradescope"])
    export.add_argument("out", help="the archive to write, e.g. autograder.zip")
    export.add_argument("--timeout", type=_positive(float), default=Limits.timeout,
                        help="seconds per test (default %(default)s)")
    export.add_argument("--memory-mb", type=_positive(int), default=gradescope.MEMORY_MB,
                        help="the sandbox's memory cap in MiB (default %(default)s, for a 768 MB container)")
    _assignment_option(export)
    return main


def _assignment_option(command):
    command.add_argument("--labs", type=_labs, metavar="LAB[,LAB...]",
                         help="the assignment: these labs only, scored out of their points (default: every lab)")


def _limit_options(command):
    command.add_argument("--timeout", type=_positive(float), default=Limits.timeout,
                         help="seconds per test unless the test sets its own (default %(default)s)")
    command.add_argument("--lab-timeout", type=_positive(float), default=Limits.lab_timeout,
                         help="seconds all of a lab's tests may take together (default %(default)s)")
    command.add_argument("--submission-timeout", type=_positive(float), default=Limits.submission_timeout,
                         help="seconds all the labs of a submission may take together (default %(default)s)")
    command.add_argument("--memory-mb", type=_positive(int), default=Limits.memory // 2**20,
                         help="memory cap of the sandbox in MiB (default %(default)s)")
    command.add_argument("--unconfined", action="store_true",
                         help="run student code without the sandbox's walls when this machine cannot raise them "
                              "(only for code you trust)")


def _limits(args):
    return Limits(timeout=args.timeout, import_timeout=max(args.timeout, Limits.import_timeout),
                  lab_timeout=args.lab_timeout, submission_timeout=args.submission_timeout,
                  memory=args.memory_mb * 2**20)


def _instructor_only(command):
    """Refuse an instructor's command inside a student bundle, which has no solutions."""
    if not course.has_solutions():
        raise errors.CannotGrade(f"`{command}` is for instructors: this folder is a student bundle (no solutions)")


def _build(args):
    _instructor_only("build")
    stale = build.build(check=args.check)
    stale += notebooks.build_notebooks(check=args.check, run=not args.no_execute)
    if args.check:
        print("labs/ and notebooks/ are up to date" if not stale else "out of date: " + ", ".join(stale))
        return errors.NOT_UP_TO_DATE if stale else errors.OK
    print("wrote " + ", ".join(stale) if stale else "labs/ and notebooks/ were already up to date")
    return errors.OK


def _select(labs, names):
    """The graded tests to run per lab: those named in `names` (function names or numbers), or all."""
    tests = {lab: course.load_tests(lab) for lab in labs}
    if not names:
        return tests
    chosen = {lab: [test for test in found if test.id in names or test.number in names] for lab, found in tests.items()}
    known = {key for found in chosen.values() for test in found for key in (test.id, test.number)}
    if unknown := [name for name in names if name not in known]:
        raise errors.CannotGrade(f"--test: no graded test named {', '.join(unknown)} in {', '.join(labs)}")
    return {lab: found for lab, found in chosen.items() if found}


def _progress_line(test):
    mark = "pass" if test.passed else "FAIL"
    return f"  {mark}  {test.score:>4g} / {test.points:<4g} {test.number} {test.name}"


def _grade(args):
    started = time.monotonic()
    results, shown = [], set()

    def save(so_far):
        results[:] = so_far
        if not args.quiet:
            for test in (test for lab in so_far for test in lab.tests):
                if (test.number, test.name) not in shown:
                    shown.add((test.number, test.name))
                    print(_progress_line(test), flush=True)
        if args.json:
            report.write_json(args.json, report.gradescope(so_far, time.monotonic() - started))

    interrupted = False
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # a TERM stops grading as Ctrl-C does
    with open_submission(args.path, args.labs) as files:
        tests = _select(sorted(files), args.test)
        files = {lab: file for lab, file in files.items() if lab in tests}
        try:
            cache = runner.ReferenceCache(args.reference_cache) if args.reference_cache else None
            runner.grade(files, _limits(args), on_test=save, unconfined=args.unconfined, tests=tests,
                         reference_cache=cache)
        except KeyboardInterrupt:
            interrupted = True
    if not args.quiet:
        print()
    print(report.summary(results) if args.quiet else report.table(results, only_failures=True))
    if args.feedback:
        report.write_atomic(args.feedback, report.table(results, hidden_details=False) + "\n")
    if interrupted:
        print("interrupted: the tests above were graded; the rest were not", file=sys.stderr)
        return errors.INTERRUPTED
    return errors.OK


def _release(args):
    _instructor_only("release")
    labs = args.labs or course.lab_names()
    if stale := notebooks.out_of_date():
        raise errors.CannotGrade(f"{', '.join(stale)} out of date: run `python -m autograder build` first")
    progress = None if args.quiet else lambda line: print(line, flush=True)
    out = release.release(args.out, labs, with_reference=args.with_reference, progress=progress)
    print(f"wrote the student bundle to {out}")
    return errors.OK


def _batch(args):
    _instructor_only("batch")
    skipped = [] if args.force else batch.already_graded(args.submissions, args.out)
    try:
        graded = batch.run(args.submissions, args.out, jobs=args.jobs, force=args.force, limits=_limits(args),
                           labs=args.labs, unconfined=args.unconfined, remote=_remote(args.scheduler))
    except KeyboardInterrupt:
        # The same command resumes: a rerun skips whoever was graded (without --force, which would grade them again).
        again = shlex.join(["python", "-m", "autograder", *(word for word in args.argv if word != "--force")])
        print(f"interrupted: the students graded so far are kept; to resume, run: {again}", file=sys.stderr)
        return errors.INTERRUPTED
    done = f"graded {len(graded)} submissions" + (f", skipped {len(skipped)} already graded" if skipped else "")
    print(f"{done}; gradebook: {Path(args.out) / 'gradebook.csv'}")
    return errors.OK


def _serve(args):
    _instructor_only("serve")
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stdout is for the replies alone
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # the batch stops a grading as Ctrl-C would
    try:
        batch.serve(sys.stdin, replies, _limits(args), args.labs or tuple(course.lab_names()), args.unconfined,
                    args.reference_cache)
    except KeyboardInterrupt:
        return errors.INTERRUPTED
    return errors.OK


def _export(args):
    _instructor_only("export")
    print(f"wrote {gradescope.export(args.out, timeout=args.timeout, memory_mb=args.memory_mb, labs=args.labs)}")
    return errors.OK


def _remote(address):
    """`batch.run`'s remote grading on the Dask scheduler at `address` (None: grade here)."""
    if address is None:
        return None
    from autograder.operations import cluster  # only a cluster batch needs Dask

    return cluster.on(address)


COMMANDS = {"build": _build, "grade": _grade, "release": _release, "batch": _batch, "serve": _serve,
            "export": _export}


def main(argv=None):
    """Run the command line; return the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser().parse_args(argv)
    args.argv = argv  # as typed, for a line that says which command to run again
    try:
        return COMMANDS[args.command](args)
    except errors.CannotGrade as error:
        print(f"error: {error}", file=sys.stderr)
        if getattr(args, "json", None):  # Gradescope shows this instead of a silent failure
            report.write_json(args.json, report.cannot_grade(str(error)))
        return errors.CANNOT_GRADE
