"""The sandbox's walls, tried as a determined student would (issue 11's hostile corpus).

One test per mechanism: each grades `environments.WALLS` (a lab file whose
functions each try one thing) and checks that the harm is prevented, that
the grading finished in bounded time with results that can be written, and
that nothing of the submission is left running or on disk. Then two
students graded in one batch, and last a few key claims in each environment
this machine can mimic (`environments.ENVIRONMENTS`): root with namespaces,
a container without CAP_SYS_ADMIN, an ordinary user with and without them.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
import unicodedata
from pathlib import Path

import pytest
from environments import (ENVIRONMENTS, FORGED_REPLY, LAB, PYTHON, Listeners, PidsNet, command_in, grade_calls,
                          grade_forged_later, leftovers, open_folder, why_not, write_walls)
from helpers import FAST, solution_text

from autograder import course, errors, report, runner
from autograder.course import GradedTest
from autograder.graded import graded
from autograder.operations import batch
from autograder.sandbox import Limits, confine, descendants, process_table
from autograder.sandbox.runtime import protocol, wire

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox is Linux only")


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    """hostile(calls, limits=FAST, seconds=30, lab=LAB) -> (LabResult, values), after checking the grading's aftermath.

    Checks that the grading took at most `seconds`, that its results can be
    written as results.json and feedback, and that nothing of the submission
    is left running or on disk (its scratch folders go in a folder of their own).
    """
    def grade(calls, limits=FAST, seconds=30, lab=LAB):
        path = write_walls(tmp_path, lab)
        scratch = open_folder()
        scratch.chmod(0o755)
        try:
            with monkeypatch.context() as patch:
                patch.setattr(tempfile, "tempdir", str(scratch))
                started = time.monotonic()
                result, values = grade_calls(path, calls, limits)
                elapsed = time.monotonic() - started
            assert elapsed < seconds, f"grading took {elapsed:.1f} s, more than the {seconds} s it may"
            assert len(result.tests) == len(calls), f"every test needs a result, got {len(result.tests)}"
            report.write_json(tmp_path / "results.json", report.gradescope([result], elapsed))
            report.write_atomic(tmp_path / "feedback.txt", report.table([result]))
            assert json.loads((tmp_path / "results.json").read_text())["tests"], "results.json was not written"
            running = leftovers(os.getpid())
            assert not running, f"processes of the submission still run after grading: {_describe(running)}"
            left = [str(item) for item in scratch.rglob("*")]
            assert not left, f"files of the grading were left on disk: {left[:10]}"
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return result, values

    return grade


def _describe(pids):
    described = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                words = cmdline.read().decode(errors="replace").split("\0")
            described.append(f"{pid}: {' '.join(words)[:100]}")
        except OSError:
            described.append(str(pid))
    return described


def _messages(result):
    return {test.number: test.message for test in result.tests if not test.passed}


def _allowed(paths, values):
    return [f"{path}" for path, value in zip(paths, values) if value == "allowed"]


# Reading what is not the submission's.

def test_the_project_cannot_be_read(hostile):
    files = [course.ROOT / "README.md", course.ROOT / "autograder" / "runner.py",
             course.graded_file("lab01_gradient_descent"), course.solution_file("lab01_gradient_descent"),
             course.probes_file("lab01_gradient_descent"), course.LABS / "lab01_gradient_descent.py"]
    files.append(Path(f"/proc/self/root{course.ROOT}") / "README.md")  # through the magic link to "/"
    folders = [course.ROOT, course.COURSE, course.lab_folder("lab01_gradient_descent"), course.ROOT / "autograder"]
    calls = [("attempt", ("read", str(path))) for path in files] + [("attempt", ("list", str(path))) for path in folders]
    result, values = hostile(calls)
    assert not _messages(result), f"the attempts should run and report, but: {_messages(result)}"
    opened = _allowed(files + folders, values)
    assert not opened, f"student code could read these project files and folders: {opened}"


def _git_paths():
    """The project's .git, and the files of the repository it names (a worktree's .git is a file)."""
    dot_git = course.ROOT / ".git"
    paths = [dot_git]
    if dot_git.is_file():
        gitdir = Path(dot_git.read_text().split("gitdir:", 1)[1].strip())
        paths += [gitdir / "HEAD", gitdir / "index", gitdir.parent.parent / "config", gitdir.parent.parent / "HEAD"]
    elif dot_git.is_dir():
        paths += [dot_git / "config", dot_git / "HEAD", dot_git / "index"]
    return [path for path in paths if path.exists()]


def test_the_git_repository_cannot_be_read(hostile):
    paths = _git_paths()
    if not paths:
        pytest.skip("the project is not a git checkout here")
    result, values = hostile([("attempt", ("read", str(path))) for path in paths]
                             + [("attempt", ("list", str(path))) for path in paths if path.is_dir()])
    assert not _messages(result), f"the attempts should run and report, but: {_messages(result)}"
    opened = _allowed(paths + [path for path in paths if path.is_dir()], values)
    assert not opened, f"student code could read the project's git repository: {opened}"


def _other_checkouts():
    listed = subprocess.run(["git", "-C", str(course.ROOT), "worktree", "list", "--porcelain"],
                            capture_output=True, text=True)
    worktrees = [Path(line.split(" ", 1)[1]) for line in listed.stdout.splitlines() if line.startswith("worktree ")]
    return [tree for tree in worktrees if tree.resolve() != course.ROOT.resolve() and tree.exists()]


def test_another_checkout_cannot_be_read(hostile):
    others = _other_checkouts()
    if not others:
        pytest.skip("no other checkout of this repository on this machine")
    other = others[0]
    ours = (course.ROOT / "README.md", course.solution_file("lab01_gradient_descent"),
            course.graded_file("lab01_gradient_descent"))
    files = [other / path.relative_to(course.ROOT) for path in ours if (other / path.relative_to(course.ROOT)).exists()]
    result, values = hostile([("attempt", ("read", str(path))) for path in files]
                             + [("attempt", ("list", str(other)))])
    assert not _messages(result), f"the attempts should run and report, but: {_messages(result)}"
    opened = _allowed(files + [other], values)
    assert not opened, f"student code could read another checkout at {other}: {opened}"


def test_other_processes_cannot_be_read_through_proc(hostile):
    grader = os.getpid()
    with open("/proc/self/cmdline", "rb") as stream:
        own_cmdline = stream.read().decode(errors="replace")
    result, values = hostile([("proc_texts", ()),
                              ("attempt", ("read", f"/proc/{grader}/environ")),
                              ("attempt", ("read", f"/proc/{grader}/cmdline")),
                              ("attempt", ("read", f"/proc/{os.getppid()}/environ"))],
                             Limits(timeout=30, import_timeout=10, memory=FAST.memory), seconds=90)
    assert not _messages(result), f"the attempts should run and report, but: {_messages(result)}"
    texts = values[0]
    assert own_cmdline not in texts, "student code read the grader's command line through /proc"
    naming = [text[:200] for text in texts if str(course.ROOT) in text]
    assert not naming, f"student code found the project's path {course.ROOT} in /proc: {naming}"
    opened = _allowed(["the grader's environ", "the grader's cmdline", "the grader's parent's environ"], values[1:])
    assert not opened, f"student code could read {opened}"


@pytest.mark.parametrize("worker", ["plain", "keras"])
def test_descriptors_inherited_from_the_worker_lead_nowhere(hostile, worker):
    lab = LAB if worker == "plain" else next(name for name in course.lab_names() if course.uses_keras(name))
    # The sandbox's memory counts its warm Keras worker too: more room than FAST's.
    result, values = hostile([("fds", ())], lab=lab, seconds=120, limits=Limits(timeout=60, memory=2 * 2**30))
    assert result.tests[0].passed, result.tests[0].message
    # The grader's pipes, /dev/null, the child's own work folder: nothing that reaches a file outside.
    work = re.compile(rf"^({confine.SANDBOX_ROOT}|.*/autograder-[^/]+)/work/")
    outside = {fd: target for fd, target in values[0].items()
               if not target.startswith(("pipe:", "/dev/null")) and not work.match(target)}
    assert not outside, f"the {worker} worker's child holds descriptors that lead outside its folder: {outside}"


def test_a_child_holds_none_of_the_landlock_layers_its_worker_keeps(tmp_path):
    # The worker keeps a layer per set of blocked packages, for all its children: one that a child still
    # held could be given rules that would open every later child's view.
    if not confine.environment().landlock_abi:
        pytest.skip("the kernel has no Landlock")
    sandbox = runner.open_sandbox(FAST, [LAB])
    try:
        sandbox.stage(LAB, write_walls(tmp_path), None)
        for block in (("tqdm",), ()):  # two sets: the worker keeps two layers before it forks the second
            child = sandbox.student(LAB, block=block)
            assert child.wait_for_import()["ok"], "the hostile lab imports"
        reply = child.ask(protocol.request("call", "fds", [], {}), time.monotonic() + 30, 30)
    finally:
        sandbox.close()
    held = {fd: target for fd, target in reply["value"].items() if "landlock" in target}
    assert not held, f"the child holds Landlock rulesets its worker made: {held}"


# Replies the grader must not trust: checked by the parent's own functions, then sent by a student.

def _body(value):
    """A message body as the wire writes it (so only the reply's shape is wrong)."""
    return json.dumps(wire.to_plain(value)).encode()


def _nested_lists(size):
    """About `size` bytes of JSON: lists in lists, millions of values from a small message."""
    return b"[" + b"[]," * (size // 3 - 1) + b"[]]"


CRAFTED = {
    "a list, not a reply": _body([1, 2]),
    "two bytes": b"{}",
    "ok that is not a bool": _body({"ok": "yes", "value": 1.0}),
    "an unexpected field": _body({"ok": True, "value": 1.0, "score": 100}),
    "forbidden that is not a list": _body({"ok": True, "value": 1.0, "forbidden": "none"}),
    "a malformed error record": _body({"ok": False, "error": {"type": 1}}),
    "an object the wire does not know": b'{"__class__": "os.system"}',
    "deep nesting": b"[" * 200_000 + b"]" * 200_000,
    "a huge string": _body({"ok": True, "value": "x" * 4 * 2**20}),
    "60 MiB of nested lists": _nested_lists(60 * 2**20),
    "an array larger than its data": b'{"__ndarray__": "AAAA", "dtype": "<f8", "shape": [1000000000]}',
    "an array whose shape overflows": b'{"__ndarray__": "", "dtype": "<f8", "shape": [4294967296, 4294967296]}',
    "an array of objects": b'{"__ndarray__": "", "dtype": "|O", "shape": [0]}',
    "not UTF-8": b'"\xff\xfe"',
}


@pytest.mark.parametrize("body", CRAFTED.values(), ids=CRAFTED.keys())
def test_the_parent_rejects_a_crafted_reply_cheaply(body):
    tracemalloc.start()
    try:
        with pytest.raises((wire.WireError, protocol.ProtocolError)):
            protocol.check_reply(wire.decode(body))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 32 * 2**20, f"rejecting a {len(body)}-byte reply allocated {peak / 2**20:.0f} MiB"


FORGED = ["a list, not a reply", "two bytes", "an unexpected field", "deep nesting", "a huge string",
          "60 MiB of nested lists", "a header announcing a terabyte"]  # environments.FORGERIES


@pytest.mark.parametrize("kind", FORGED)
def test_a_reply_forged_on_the_pipe_fails_only_its_test(hostile, kind):
    # Student code holds the pipe to its harness: bytes it writes there in turn reach the grader as a reply.
    result, values = hostile([("forge", (kind,)), ("alive", ())],
                             Limits(timeout=20, import_timeout=10, memory=1024 * 2**20), seconds=60)
    forged, after = result.tests
    assert not forged.passed, f"a forged reply must not pass the test (the student's forge said {values[0]!r})"
    assert "sent back" in forged.message, f"the message should say the reply was refused:\n{forged.message}"
    assert after.passed and values[1] == "yes", f"the next test should run in a fresh child: {after.message}"


def test_a_reply_written_out_of_turn_never_reaches_the_grader(tmp_path):
    # The forgery is a reply the grader would take (checked here), written when the grader has asked nothing.
    assert protocol.check_reply(wire.decode(FORGED_REPLY.encode())) == protocol.value("forged")
    result, values = grade_forged_later(write_walls(tmp_path))
    assert values == ["genuine"], f"only the first call's own reply should reach the grader, got {values}"
    assert "no reply was due" in result.tests[0].message, f"the test should fail saying why:\n{result.tests[0].message}"


def test_nothing_a_test_leaves_reaches_the_next(hostile):
    # A module that counts its calls, or keeps notes under HOME, must not act differently in a later test.
    result, values = hostile([("remember", ()), ("remember", ())])
    assert not _messages(result), f"both calls should run: {_messages(result)}"
    assert values == [(1, False), (1, False)], f"the second test saw what the first left behind: {values}"


# What a report shows of student text.

ALLOWED_CONTROLS = {"\n", "\t"}


def _unsafe(text):
    """The characters of `text` a terminal or a browser would act on: controls (but newline, tab) and bidi overrides."""
    return sorted({repr(char) for char in text if (unicodedata.category(char) == "Cc" and char not in ALLOWED_CONTROLS)
                   or unicodedata.bidirectional(char) in ("RLO", "LRO", "RLE", "LRE", "PDF", "RLI", "LRI", "FSI", "PDI")})


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_terminal_escapes_never_reach_a_report(hostile):
    result, _ = hostile([("escapes", (where,)) for where in ("message", "type", "value", "printed")])
    assert "\x1b" in "".join(test.message + test.output for test in result.tests), (
        "the submission's escapes should reach the grader's results, to be escaped when shown")
    shown = {
        "the table": report.table([result]),
        "feedback.txt": report.table([result], hidden_details=False),
        "results.json": "\n".join(_strings(report.gradescope([result]))),
    }
    found = {where: _unsafe(text) for where, text in shown.items() if _unsafe(text)}
    assert not found, f"control characters from student code reached the report: {found}"


# Limits that count everything.

def test_a_flood_of_output_is_discarded_at_pipe_speed(hostile):
    # A pipe carries 64 MiB in a fraction of a second: within the test's own deadline, which counts
    # the grader's reading too, the call comes back with the kept part of its output.
    result, values = hostile([("flood", (64,))], Limits(timeout=30, import_timeout=10), seconds=150)
    assert result.tests[0].passed and values[0] == "done", result.tests[0].message
    assert len(result.tests[0].output) < 10_000, "the kept output should be cut short"


def test_the_largest_array_that_may_cross_arrives_in_good_time(hostile):
    count = wire.MAX_MESSAGE_BYTES // 2 // 8  # float64s: the largest array the wire lets cross
    # Encoding, a pipe and decoding take a second or two: well within the test's own deadline.
    result, values = hostile([("zeros", (count,))], Limits(timeout=30, import_timeout=10), seconds=150)
    assert result.tests[0].passed and values[0].shape == (count,), result.tests[0].message


@pytest.mark.parametrize("mapped", [False, True], ids=["written to the fd", "mapped, fd closed"])
def test_memfd_cannot_grow_past_the_memory_cap(hostile, mapped):
    limits = Limits(timeout=30, import_timeout=10, memory=256 * 2**20)
    result, values = hostile([("memfd", (2 * 2**30, mapped)), ("alive", ())], limits, seconds=60)
    hoard, after = result.tests
    assert not hoard.passed and "ran out of memory" in hoard.message, (
        f"2 GiB of memfd under a 256 MiB cap should be stopped as out of memory:\n{hoard.message}")
    assert after.passed, f"the next test should run in a fresh child: {after.message}"


def test_many_small_files_cannot_pass_the_work_folder_cap(hostile):
    limits = Limits(timeout=10, import_timeout=10, file_size=2**20, disk=16 * 2**20)
    result, values = hostile([("fill", (".", 64, 2**20 - 4096)), ("alive", ())], limits)
    filled, after = result.tests
    if filled.passed:
        assert values[0] <= limits.disk, (
            f"files under the per-file limit added up to {values[0] / 2**20:.1f} MiB, past the {limits.disk / 2**20:.0f} MiB cap")
    else:
        assert "wrote more than 16 MiB" in filled.message, filled.message
    assert after.passed, f"the next test should still run: {after.message}"


def test_many_empty_files_cannot_pass_the_file_count_cap(hostile):
    # Empty files have no bytes for the disk cap to count, but each holds kernel memory.
    limits = Limits(timeout=10, import_timeout=10, files=1000)
    result, values = hostile([("fill", (".", 5000, 0)), ("alive", ())], limits)
    filled, after = result.tests
    assert not filled.passed and "made more than 1000 files and folders" in filled.message, (
        f"5000 empty files under a cap of 1000 should be stopped: {filled.message or values[0]}")
    assert after.passed, f"the next test should still run: {after.message}"


@pytest.mark.parametrize("folder", ["/tmp", "/dev/shm"])
def test_shared_folders_are_not_the_hosts(hostile, folder):
    prefix = f"walls-{os.getpid()}"
    result, values = hostile([("fill", (folder, 64, 2**20, prefix))], seconds=30)
    planted = list(Path(folder).glob(f"{prefix}-*"))
    for path in planted:
        path.unlink()
    assert not planted, f"student code wrote {len(planted)} files into the host's {folder}"
    if result.tests[0].passed:
        assert values[0] <= confine.SMALL_TMPFS_BYTES, (
            f"student code wrote {values[0] / 2**20:.0f} MiB into its {folder}, past its private cap")


@pytest.mark.parametrize("function", ["forks", "threads"])
def test_a_process_tree_is_bounded_by_the_process_limit(hostile, function):
    limits = Limits(timeout=10, import_timeout=10, processes=16)
    result, values = hostile([(function, (200,)), ("alive", ())], limits)
    tree, after = result.tests
    if tree.passed:
        assert values[0] <= limits.processes, f"student code started {values[0]} {function} past a limit of 16"
    else:
        assert "more than 16 processes or threads" in tree.message, tree.message
    assert after.passed, f"the next test should still run: {after.message}"


# Signals and the network.

def test_the_worker_and_the_grader_cannot_be_killed(hostile):
    result, values = hostile([("kill_all", (os.getpid(), int(signal.SIGKILL))), ("alive", ())])
    killed, after = result.tests
    assert killed.passed, killed.message
    reached = [name for name, said in values[0].items() if said == "allowed"]
    assert not reached, f"student code could send SIGKILL to: {reached} ({values[0]})"
    assert after.passed and values[1] == "yes", f"the child, its worker and the grader should survive: {after.message}"


CAPABILITIES_TO_CHANGE_USER = 1 << 6 | 1 << 7  # CAP_SETGID, CAP_SETUID


def test_a_root_worker_keeps_only_the_capabilities_to_change_user(tmp_path):
    if os.geteuid() != 0 or not confine.environment().bwrap:
        pytest.skip("only a root grader behind bubblewrap gives its workers capabilities to drop")
    held = {}

    @graded(points=1)
    def look(lab):
        "the sandbox's capabilities, seen from the grader"
        lab.alive()
        for pid in descendants(os.getpid(), process_table()):
            with open(f"/proc/{pid}/status") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
            held[f"{pid} {fields['Name'].strip()}"] = int(fields["CapEff"], 16)

    result = runner.grade_lab(LAB, write_walls(tmp_path), FAST, tests=[GradedTest(LAB, "99.1", "look", 1.0, False, None,
                                                                                 {}, look)])
    assert result.tests[0].passed, result.tests[0].message
    extra = {name: hex(caps) for name, caps in held.items() if caps & ~CAPABILITIES_TO_CHANGE_USER}
    assert not extra, f"sandbox processes hold capabilities beyond CAP_SETUID and CAP_SETGID: {extra}"


def test_the_network_is_out_of_reach(hostile):
    listeners = Listeners()
    try:
        result, values = hostile(listeners.calls())
        reached = listeners.reached()
    finally:
        listeners.close()
    assert not _messages(result), f"the attempts should run and report, but: {_messages(result)}"
    assert not reached, f"student code reached listeners on this machine over {reached} (it said {values})"


# Batch: students kept apart.

CLASSMATE = """
import os, signal
seen = []
for path in ({alice!r}, {submissions!r}, {out!r}):
    try:
        os.listdir(path) if os.path.isdir(path) else open(path).read()
        seen.append("read " + path)
    except OSError:
        pass
for path in ({alice!r}, {out!r} + "/alice/results.json", {out!r} + "/mallory/results.json", {out!r} + "/gradebook.csv"):
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as stream:
            stream.write('{{"score": 999, "max_score": 1, "tests": []}}')
        seen.append("wrote " + path)
    except OSError:
        pass
for pid in [*range(2, 1 << 16), os.getppid()]:  # every process it can see, its own worker last
    if pid != os.getpid():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
if seen:
    raise RuntimeError("REACHED " + repr(seen))
"""


def test_clearing_a_sandbox_removes_what_a_child_without_landlock_could_have_left():
    lab = "lab01_gradient_descent"
    sandbox = runner.open_sandbox(FAST, [lab])
    try:
        first = course.load_tests(lab)[:1]
        assert runner.grade_lab(lab, course.solution_file(lab), FAST, tests=first, sandbox=sandbox).tests[0].passed
        places = sandbox._writable_folders()
        assert places, "a sandbox that has graded has folders its children may write in"
        for place in places:  # as student code may where Landlock is missing: a file, and a folder it closed
            Path(place, "left-behind.txt").write_text("x")
            Path(place, "closed", "inner").mkdir(parents=True)
            Path(place, "closed", "inner", "secret.txt").write_text("x")
            Path(place, "closed").chmod(0)
        sandbox.clear()
        left = {str(place): os.listdir(place) for place in places if os.listdir(place)}
        assert not left, f"clearing the sandbox left files for the next submission: {left}"
        assert not list((sandbox.scratch / "labs").iterdir()), "the last submission's staged labs are gone"
    finally:
        sandbox.close()


@pytest.mark.parametrize("jobs", [1, 2], ids=["one after the other, by one grading process", "at the same time"])
def test_in_batch_a_student_cannot_reach_a_classmate(tmp_path, jobs):
    lab = "lab01_gradient_descent"
    submissions, out = tmp_path / "submissions", tmp_path / "out"
    submissions.mkdir()
    alice, mallory = submissions / "alice.py", submissions / "mallory.py"
    alice.write_text(solution_text(lab))
    mallory.write_text(solution_text(lab) + CLASSMATE.format(alice=str(alice), submissions=str(submissions),
                                                             out=str(out)))
    started = time.monotonic()
    batch.run(submissions, out, jobs=jobs, labs=(lab,), progress=False, limits=Limits(timeout=20, import_timeout=20))
    seconds = time.monotonic() - started
    assert seconds < 180, f"grading two students took {seconds:.0f} s"
    assert alice.read_text() == solution_text(lab), "a classmate changed alice's submission"
    results = {student: json.loads((out / student / "results.json").read_text()) for student in ("alice", "mallory")}
    assert "REACHED" not in results["mallory"]["output"], f"mallory reached alice: {results['mallory']['output']}"
    for student, written in results.items():
        assert written["score"] == written["max_score"] > 0, (
            f"{student}'s correct lab should earn every point: {written['score']} / {written['max_score']}\n"
            f"{written['output']}")
    assert not leftovers(os.getpid()), "processes of the batch still run after it"


# The environments: a few key claims in each one this machine can mimic.

@pytest.fixture(params=list(ENVIRONMENTS))
def environment(request):
    """The name of an environment this machine can mimic (skipped, saying why, where it cannot)."""
    reason = why_not(request.param)
    if reason:
        pytest.skip(f"{request.param}: {reason}")
    return request.param


def _run_in(environment, argv, folder, timeout=300, net=None, **env):
    """Run `argv` in `environment` (inside `net`, a `PidsNet`, if given) with scratch folders in `folder`."""
    tmp = folder / "tmp"
    tmp.mkdir()
    tmp.chmod(0o1777)
    command = command_in(environment, argv)
    return subprocess.run(net.command(command) if net else command, capture_output=True, text=True, timeout=timeout,
                          cwd=course.ROOT, env={**os.environ, "TMPDIR": str(tmp), **env})


def test_key_claims_hold_in_each_environment(environment):
    course.heldout_secret()  # there to be read: a failed read is the wall's doing
    folder = open_folder()
    token = f"31{os.getpid()}"
    try:
        started = time.monotonic()
        done = _run_in(environment, [PYTHON, str(Path(__file__).with_name("environments.py")),
                                     str(folder / "claims.json"), token], folder)
        seconds = time.monotonic() - started
        assert done.returncode == 0, f"grading in '{environment}' did not complete:\n{done.stderr[-2000:]}"
        claims = json.loads((folder / "claims.json").read_text())
        left = [str(path) for path in (folder / "tmp").rglob("*")]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert seconds < 120, f"grading in '{environment}' took {seconds:.0f} s"
    assert not claims["failed tests"], f"every attempt should run and report: {claims['failed tests']}"
    readable = [path for path, said in claims["read"].items() if said == "allowed"]
    assert not readable, f"in '{environment}' ({claims['confinement']}) student code read {readable}"
    written = [place for place, said in claims["write"].items() if said == "allowed"] + claims["planted outside"]
    assert not written, f"in '{environment}' ({claims['confinement']}) student code wrote outside its folder: {written}"
    assert claims["write work folder"] == "allowed", "student code may write its own work folder"
    assert claims["signal grader"] != "allowed", f"in '{environment}' student code could signal the grader"
    reached = [how for how, said in claims["harness"].items() if said == "allowed"]
    assert not reached, (f"in '{environment}' the lab's process reached the harness's descriptors by {reached} "
                         f"({claims['harness']})")
    forged = claims["forged later"]
    assert "forged" not in forged["values"] and "no reply was due" in forged["message"], (
        f"in '{environment}' a reply written out of turn reached the grader: {forged}")
    # Landlock alone stops TCP, abstract sockets and signals, not UDP or a named Unix socket; the children's
    # seccomp filter refuses every new socket, so no environment reaches any listener.
    reached = claims["network reached"]
    assert not reached, (
        f"in '{environment}' ({claims['confinement']}) student code reached listeners on this machine over "
        f"{sorted(reached)} (it said {claims['network']})")
    reached = [how for how, said in claims["numerical"].items() if said == "allowed"]
    assert not reached, (f"in '{environment}' ({claims['confinement']}) a NumPy exercise's code ran SciPy "
                         f"({claims['numerical']})")
    assert not claims["daemon running"] and not left, (
        f"in '{environment}' the grading left {claims['daemon running']} running and {left} on disk")
    assert not claims["next submission found"], (
        f"in '{environment}' the next submission graded in the same sandbox found the previous one's "
        f"{claims['next submission found']}")
    if "a user id of its own" in claims["confinement"]:
        first, then = claims["users"]
        assert first != then, f"in '{environment}' two submissions graded one after another ran as the same user {first}"


KILL_EVERYONE = """
import os, signal
for pid in range(2, 1 << 16):  # every process it can see, but itself
    if pid != os.getpid():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
"""


def _grade_lab01_in(environment, appended, *options, net=None):
    """Grade lab 1's solution with `appended` after it through the command line, in `environment`.

    Returns:
        (results.json as a dict, the paths the grading left in its scratch folder).
    """
    folder = open_folder()
    lab = "lab01_gradient_descent"
    student = folder / f"{lab}.py"
    student.write_text(solution_text(lab) + appended)
    student.chmod(0o644)
    try:
        done = _run_in(environment, [PYTHON, "-m", "autograder", "grade", str(student), "--json",
                                     str(folder / "results.json"), *options], folder, net=net)
        assert done.returncode == 0, f"grading in '{environment}' did not complete:\n{done.stderr[-2000:]}"
        return json.loads((folder / "results.json").read_text()), [str(path) for path in (folder / "tmp").rglob("*")]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_submission_that_kills_everything_it_can_is_still_graded(environment):
    results, left = _grade_lab01_in(environment, KILL_EVERYONE, "--timeout", "20")
    assert results["score"] == results["max_score"] > 0, (
        f"in '{environment}' a correct lab that tries to kill every process should still earn every point: "
        f"{results['score']} / {results['max_score']}\n{results['output']}")
    assert not left, f"in '{environment}' the grading left {left} on disk"


FORK_BOMB = """

def sigmoid(z):
    import os, time
    while True:  # every process forks for ever
        try:
            os.fork()
        except OSError:
            time.sleep(0.01)
"""
# Tasks the safety net allows: far above a grading's own bound (its process limit and the sandbox's
# own processes), far below what hurts this machine.
NET_TASKS = 1024


@pytest.fixture
def net():
    """A `PidsNet` of NET_TASKS around a command (skipped where none can be made: no bomb without a net)."""
    try:
        made = PidsNet(NET_TASKS)
    except PidsNet.Unavailable as error:
        pytest.skip(f"a fork bomb is only tried under a safety net: {error}")
    yield made
    made.close()


def test_a_fork_bomb_is_stopped(environment, net):
    # 1.1 calls sigmoid; 1.5 (gradient descent) does not.
    results, _ = _grade_lab01_in(environment, FORK_BOMB, "--timeout", "5", "--test", "1.1", "--test", "1.5", net=net)
    tests = {test["number"]: test for test in results["tests"]}
    assert not net.refused, (
        f"in '{environment}' the fork bomb reached the safety net of {NET_TASKS} tasks (peak {net.peak}): the "
        f"grading's own limit of {Limits.processes} did not hold it")
    bomb, after = tests["1.1"], tests["1.5"]
    assert bomb["score"] == 0 and re.search(f"more than {Limits.processes} processes|timed out", bomb["output"]), (
        f"in '{environment}' the bomb's test should fail, saying why:\n{bomb['output']}")
    assert after["score"] == after["max_score"], f"in '{environment}' the next test should still pass:\n{after['output']}"
    left = net.left()
    assert not left, f"in '{environment}' processes of the grading still run after it: {_describe(left)}"


FILE_FLOOD = """

def sigmoid(z):
    import itertools
    for index in itertools.count():  # empty files: no bytes for the disk cap to count, an inode each
        try:
            open(f"empty-{index}", "w").close()
        except OSError:
            pass
"""


def test_a_flood_of_empty_files_is_stopped(environment):
    # 1.1 calls sigmoid; 1.5 (gradient descent) does not. The limits are the defaults.
    results, left = _grade_lab01_in(environment, FILE_FLOOD, "--test", "1.1", "--test", "1.5")
    tests = {test["number"]: test for test in results["tests"]}
    flood, after = tests["1.1"], tests["1.5"]
    assert flood["score"] == 0 and f"made more than {Limits.files} files and folders" in flood["output"], (
        f"in '{environment}' the flood's test should fail, saying why:\n{flood['output']}")
    assert after["score"] == after["max_score"], f"in '{environment}' the next test should still pass:\n{after['output']}"
    assert not left, f"in '{environment}' the grading left {len(left)} files on disk, such as {left[:3]}"


def _closed_to_others(path):
    """Whether a folder above `path` denies other users passage."""
    return any(not os.stat(parent).st_mode & 0o001 for parent in Path(path).parents)


def test_a_root_grader_that_cannot_confine_refuses(tmp_path):
    if os.geteuid() != 0 or not _closed_to_others(PYTHON):
        pytest.skip("needs a root grader whose Python sits under a folder closed to other users (as /root)")
    student = tmp_path / "lab01_gradient_descent.py"
    student.write_text(solution_text("lab01_gradient_descent"))
    done = subprocess.run([PYTHON, "-m", "autograder", "grade", str(student)], capture_output=True, text=True,
                          timeout=300, cwd=course.ROOT, env={**os.environ, confine.MODE_VARIABLE: "landlock"})
    assert done.returncode == errors.CANNOT_GRADE and "cannot confine student code here" in done.stderr, (
        "without bubblewrap and with Python out of the sandbox user's reach, a root grader must refuse; it "
        f"exited {done.returncode} and printed:\n{done.stdout[-1500:]}\n{done.stderr[-1500:]}")
