"""The grader's side of the sandbox: warm workers, the children they fork, and every limit.

One `Sandbox` serves one grading (one submission). It owns a scratch folder
holding the runtime files, the packages a lab may import and the staged
lab files, and up to two warm workers (`runtime/worker.py`) behind
bubblewrap where the machine allows it: a plain one (NumPy) and, when a
Keras lab is graded, one with Keras imported. Each graded test runs in a
child the worker forks (`runtime/child.py`): its harness, which alone holds
the child's pipes, forks the lab's process, which confines itself further
(Landlock, its own user, no sockets) before the student's module loads;
references run in children that never load student code.

The grader talks to each child over two pipes in plain data (`protocol`,
`wire`), validates every reply before reading it, and enforces the limits
from outside: a deadline per call; memory as the kernel counts it, in a
cgroup of its own where it may make one (`memory`); a process and thread
count (which names the limit; the kernel's RLIMIT_NPROC, set in each child,
is what holds it, in every mode); the size of the work folder; printed output kept up to a
size and discarded beyond at pipe speed. When a child is closed, everything the student's
code started goes with it; when the sandbox closes, nothing of the
submission is left running or on disk. Linux only.
"""

import compileall
import ctypes
import json
import os
import py_compile
import select
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import dataclasses
from dataclasses import dataclass
from pathlib import Path

from autograder import errors
from autograder.render import OUTPUT_CHARS
from autograder.sandbox import confine, memory
from autograder.sandbox.runtime import protocol, wire

# The code that runs inside the sandbox, copied into each as a whole.
RUNTIME = Path(__file__).with_name("runtime")
# Grader modules the references import as `autograder.<name>`: staged as a package beside the runtime.
REFERENCE_IMPORTS = ("textbook.py", "keras_models.py", "heldout.py")
POLL_SECONDS = 0.05
DISK_POLL_SECONDS = 0.5
OUTPUT_CHUNK = REPLY_CHUNK = 1 << 20  # bytes read from a pipe at a time
OUTPUT_BYTES = 4 * OUTPUT_CHARS  # enough for OUTPUT_CHARS characters of UTF-8
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
# What of the grader's environment a worker may see: locale, the numeric
# libraries' settings and the Keras backend, never the grader's own paths.
ENV_PASSED = ("PATH", "LANG", "LC_ALL", "KERAS_BACKEND", "CUDA_VISIBLE_DEVICES")
ENV_PREFIXES = ("OPENBLAS_", "OMP_", "MKL_", "TF_", "XLA_")
# TensorFlow's own log lines (oneDNN, cuDNN, CPU features, absl's) are nobody's output: off wherever
# the course's code runs for someone else to read (workers, the kernels that run notebooks).
QUIET_LIBRARIES = {"TF_CPP_MIN_LOG_LEVEL": "3"}
PLAIN_PRELOAD = ("numpy",)
# The numerical libraries beyond NumPy (top-level packages; functorch is PyTorch's too). A child that
# serves an exercise to write yourself (every child of the plain worker; a child of the Keras worker for
# a test that forbids a call) cannot import or read those its worker has not loaded: delegating to
# whichever library has the function is refused by capability, not by a list of names (no NumPy
# exercise needs one: the solutions get full marks). Importing Keras loads TensorFlow, JAX, SciPy and
# scikit-learn, so in the Keras worker it is the forbidden calls of those that are refused.
NUMERICAL_LIBRARIES = frozenset({"keras", "tensorflow", "torch", "functorch", "jax", "jaxlib", "scipy", "sklearn"})
# One thread per numeric library unless the grader's environment says otherwise: a grading is one
# core's work (the batch runs one per core, Gradescope gives half of one), its matrices are small, and
# threads that spin while waiting for each other cost several times what they save there. With the same
# threads everywhere, the same sums are added in the same order on every machine.
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}


@dataclass(frozen=True)
class Limits:
    """What one grading may use.

    Args:
        timeout: seconds a test may take, unless the test sets its own.
        import_timeout: seconds the student's module may take to import.
        lab_timeout: seconds all of a lab's tests may take together, imports included (each test
            imports the module again in a fresh child): a module slow to import, or code that
            loops, costs at most this per lab. The solutions' heaviest lab takes about 36 s in
            Gradescope's box (half a CPU, cold cache), so 300 s leaves eight times that, and nine
            labs at most 45 min.
        submission_timeout: seconds all the labs of a submission may take together, on top of
            each lab's budget: Gradescope stops a grading after 10 minutes by default and keeps
            nothing of it, so 480 s leaves time to write the results. The solutions take about
            84 s there.
        memory: bytes of memory of the whole sandbox (workers and children:
            anonymous and shared memory, memfd files and tmpfs; see `memory`).
        file_size: bytes of the largest file a child may write.
        disk: bytes the children may write to their work folders, all told.
        files: files and folders the children may make there, all told: each costs the kernel
            memory that no byte count sees (an empty file is 0 bytes).
        processes: processes and threads a child's code may start (the kernel refuses the
            next fork or thread, see `child._limit_tasks`; the grader stops the test).
    """

    timeout: float = 60.0
    import_timeout: float = 60.0
    lab_timeout: float = 300.0
    submission_timeout: float = 480.0
    memory: int = 2 * 2**30
    file_size: int = 64 * 2**20
    disk: int = 256 * 2**20
    files: int = 20_000
    processes: int = 256

    def __post_init__(self):
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool) or not value > 0:
                raise ValueError(f"Limits.{field.name} must be positive, got {value!r}")


class ChildLost(errors.StudentFault):
    """The child stopped answering: timed out, ran out of memory, exited or crashed."""


class SandboxError(errors.CannotGrade):
    """The sandbox itself could not start (a problem of the machine, not of the submission)."""


def _prctl(option, value):
    ctypes.CDLL(None).prctl(option, value, 0, 0, 0)


def _stat_fields(pid):
    """The fields of /proc/<pid>/stat after the process name (state is field 0)."""
    with open(f"/proc/{pid}/stat", "rb") as stat:
        return stat.read().rsplit(b")", 1)[1].split()


def process_table(pids=None):
    """pid -> (ppid, start time in clock ticks, threads) for every live process (of `pids` if given).

    Zombies (ended, not yet collected by their parent) are left out: they hold nothing.
    """
    if pids is None:
        pids = [entry.name for entry in os.scandir("/proc") if entry.name.isdigit()]
    table = {}
    for pid in pids:
        try:
            fields = _stat_fields(pid)
        except OSError:
            continue  # it exited while we looked
        if fields[0] == b"Z":
            continue
        # After the name: state ppid ... num_threads is the 18th, starttime the 20th.
        table[int(pid)] = (int(fields[1]), int(fields[19]), int(fields[17]))
    return table


def descendants(root, table):
    """The pids in `table` below `root` (not `root` itself)."""
    children = {}
    for pid, (ppid, *_) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, stack = [], list(children.get(root, []))
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack += children.get(pid, [])
    return found


def folder_usage(folder):
    """(bytes of the files, number of files and folders) below `folder`."""
    total = entries = 0
    for path, folders, names in os.walk(folder):
        entries += len(folders) + len(names)
        for name in names:
            try:
                total += os.lstat(os.path.join(path, name)).st_blocks * 512
            except OSError:
                pass
    return total, entries


def _empty(folder):
    """Remove everything in `folder`, also what its writer left unreadable (a folder of mode 000)."""
    for path, folders, _ in os.walk(folder):
        for name in folders:
            inner = os.path.join(path, name)
            if not os.path.islink(inner):  # a link's target is not the writer's to open
                try:
                    os.chmod(inner, 0o700)
                except OSError:
                    pass
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            try:
                os.unlink(entry.path)
            except OSError:
                pass


def describe_exit(returncode):
    """Words for how a process ended, from its return code."""
    if returncode >= 0:
        return f"the process exited with status {returncode} (sys.exit or os._exit in your code?)"
    number = -returncode
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = "unknown signal"
    if number == signal.SIGXFSZ:
        return f"it was stopped for writing a file larger than the limit (signal {number}, {name})"
    return f"it crashed with signal {number} ({name})"


class Worker:
    """A warm worker process in the sandbox, with `preload` imported."""

    def __init__(self, sandbox, preload):
        self.sandbox = sandbox
        self.preload = tuple(preload)
        parent_end, worker_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.control = parent_end
        command = [sys.executable, "-I", "-u", sandbox.inside("runtime", "worker.py"), str(worker_end.fileno()),
                   *self.preload]
        if sandbox.confinement.bwrap:
            command = sandbox.confinement.bwrap_command(sandbox.scratch, sandbox.limits.disk) + command
        self.log = open(sandbox.scratch / f"worker-{len(sandbox.workers)}.log", "wb")
        try:
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
                pass_fds=(worker_end.fileno(),), cwd=sandbox.scratch / "work", env=sandbox.environment(),
                start_new_session=True, preexec_fn=lambda: self._settle_worker(sandbox))
        finally:
            worker_end.close()
        self.control.settimeout(max(sandbox.limits.import_timeout, 120))
        try:
            inner = protocol.check_ready(json.loads(self.control.recv(1 << 16) or b"{}"))
        except (OSError, ValueError, protocol.ProtocolError):
            inner = None
        finally:
            self.control.settimeout(30)
        # The Python worker itself; under bubblewrap, bubblewrap's processes stand between.
        self.python_pid = self.process.pid
        if sandbox.confinement.bwrap and inner is not None:
            self.python_pid = self._outer_pid(inner)
        if inner is None or self.python_pid is None:
            self.close()
            log = (sandbox.scratch / self.log.name).read_text(errors="replace")[-2000:]
            raise SandboxError(f"the grading worker did not start ({' '.join(self.preload)}): {log.strip()}")

    @staticmethod
    def _settle_worker(sandbox):
        """In the worker's process, before it starts: die with the grader, join the sandbox's memory cgroup."""
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        sandbox.meter.enter()

    def tmpfs_usage(self):
        """(bytes, files and folders) in the worker's private work tmpfs ((0, 0) without bubblewrap:
        the work folder is on disk)."""
        if not self.sandbox.confinement.bwrap or self.python_pid is None:
            return 0, 0
        try:
            view = os.statvfs(f"/proc/{self.python_pid}/root{confine.SANDBOX_ROOT}/work")
        except OSError:
            return 0, 0
        # One inode is the tmpfs's own root folder.
        return (view.f_blocks - view.f_bfree) * view.f_frsize, max(view.f_files - view.f_ffree - 1, 0)

    def _ask(self, message, fds=()):
        try:
            socket.send_fds(self.control, [json.dumps(message).encode()], fds)
            return json.loads(self.control.recv(1 << 16) or b"{}")
        except (OSError, ValueError) as error:
            raise SandboxError(f"the grading worker stopped answering ({error})") from None

    def ended(self, inner):
        """The return code of the child the worker knows as `inner`, or None if unknown."""
        try:
            return protocol.check_ended(self._ask(protocol.ended(inner)))
        except (SandboxError, protocol.ProtocolError):
            return None

    def spawn(self, message, fds):
        """Fork a child onto `fds`; return (its pid as the worker sees it, as the grader sees it).

        The second is None when the child has already ended (a lab that fails
        at import can reply and exit before the grader looks): its pipes still
        hold what it wrote.
        """
        inner = protocol.check_spawned(self._ask(message, fds))
        if not self.sandbox.confinement.bwrap:
            return inner, inner
        return inner, self._outer_pid(inner)

    def _outer_pid(self, inner):
        """The grader-side pid of the worker's process `inner`, or None if it is gone.

        In its own PID namespace the worker sees other numbers: the last of a
        process's NSpid numbers is the worker's.
        """
        for pid in descendants(self.process.pid, self.sandbox.process_table()):
            try:
                with open(f"/proc/{pid}/status") as status:
                    line = next(line for line in status if line.startswith("NSpid:"))
            except (OSError, StopIteration):
                continue
            if int(line.split()[-1]) == inner:
                return pid
        return None

    def alive(self):
        """Whether the worker still runs."""
        return self.process.poll() is None

    def close(self):
        """Stop the worker and everything below it."""
        self.control.close()
        _kill_tree(self.process.pid)
        self.process.kill()
        self.process.wait()
        self.log.close()


def _kill_until_gone(find):
    """SIGKILL the pids `find()` returns, again and again, until it returns none."""
    for _ in range(100):
        victims = find()
        if not victims:
            return
        for pid in victims:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _reap_orphans()
        time.sleep(0.01)


def _kill_tree(root):
    """SIGKILL every descendant of `root` (and `root`), until none is left."""
    def tree():
        table = process_table()
        return [pid for pid in descendants(root, table) + [root] if pid in table and pid != os.getpid()]

    _kill_until_gone(tree)


def _reap_orphans():
    """Collect orphans that came back to the grader (it is their subreaper), without waiting."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


class Child:
    """One child of a worker: the student's lab (or a reference module) and its call channel."""

    def __init__(self, sandbox, worker, message, name):
        self.sandbox, self.worker, self.name = sandbox, worker, name
        self.limits = sandbox.limits
        self.work = message["work"]  # as the sandbox sees it
        request_read, self._request = os.pipe()
        self._response, response_write = os.pipe()
        self._output, output_write = os.pipe()
        try:
            self.inner_pid, self.pid = worker.spawn(message, [request_read, response_write, output_write])
        finally:
            for fd in (request_read, response_write, output_write):
                os.close(fd)
        gone = self.pid is None or not os.path.exists(f"/proc/{self.pid}")
        self.started_at = 0 if gone else int(_stat_fields(self.pid)[19])
        for fd in (self._request, self._response, self._output):
            os.set_blocking(fd, False)
        self.output = bytearray()
        self._pending = b""
        self._incoming = bytearray()
        self._disk_checked = 0.0
        self._checked = 0.0
        self._oom_kills = sandbox.meter.oom_kills()
        self.closed = False

    def wait_for_import(self, deadline=float("inf")):
        """Wait for the module to load, until `deadline` (time.monotonic()) at the latest. Returns the child's reply.

        Raises:
            SandboxError: the child cannot read a library of the grader's (the machine's fault).
        """
        deadline = min(time.monotonic() + self.limits.import_timeout, deadline)
        confined = self._exchange(b"", deadline, self.limits.import_timeout, protocol.check_confined)
        if "environment" in confined:
            raise SandboxError(
                f"student code cannot run here: inside the sandbox {confined['environment']}, a file of the "
                f"grader's own Python ({sys.prefix}); install Python and its packages where every user may "
                "read them (not under a closed home folder or a private /tmp), or open them with "
                "`chmod -R o+rX` on their folder")
        if not confined["ok"]:
            return confined
        return self._exchange(b"", deadline, self.limits.import_timeout)

    def ask(self, message, deadline, timeout):
        """Send one message and return the child's (checked) reply, or raise ChildLost.

        Args:
            message: a dict of plain data (a `protocol.request`).
            deadline: time.monotonic() by which the reply must have come.
            timeout: the limit the deadline stands for, in seconds (for the message).
        """
        return self._exchange(wire.encode(message), deadline, timeout)

    def take_output(self):
        """What the code printed since the last call, as raw text (the report escapes and cuts it)."""
        text = self.output.decode("utf-8", "replace")
        self.output.clear()
        return text

    def _exchange(self, data, deadline, timeout, check=protocol.check_reply):
        if self._incoming:  # the import's two replies may come in one read
            if data:
                self._lose("it sent a reply before it was asked")
            if (reply := self._buffered_reply(check)) is not None:
                return reply
        self._pending = data
        selector = selectors.DefaultSelector()
        selector.register(self._response, selectors.EVENT_READ)
        selector.register(self._output, selectors.EVENT_READ)
        if self._pending:
            selector.register(self._request, selectors.EVENT_WRITE)
        try:
            while True:
                for key, _ in selector.select(POLL_SECONDS):
                    if key.fd == self._request:
                        self._write_some(selector)
                    elif key.fd == self._output:
                        self._drain_output()
                    elif (reply := self._read_reply(check)) is not None:
                        self._drain_output()  # all of it was written before the reply
                        return reply
                if time.monotonic() - self._checked >= POLL_SECONDS:  # /proc scans cost: not on every read
                    self._checked = time.monotonic()
                    table = self.sandbox.process_table()
                    if self.pid not in table:
                        return self._last_reply(check)
                    self._check_limits(table, deadline, timeout)
        finally:
            selector.close()

    def _write_some(self, selector):
        try:
            written = os.write(self._request, self._pending)
        except BrokenPipeError:
            written = len(self._pending)  # the child is gone; _check_limits will say how
        self._pending = self._pending[written:]
        if not self._pending:
            selector.unregister(self._request)

    def _read_output(self):
        """Read what waits on the output pipe, keeping up to the limit; False when nothing did."""
        try:
            chunk = os.read(self._output, OUTPUT_CHUNK)
        except BlockingIOError:
            return False
        room = max(OUTPUT_BYTES - len(self.output), 0)
        self.output += chunk[:room]  # the rest is read and dropped, at pipe speed
        return bool(chunk)

    def _lose(self, why):
        self._drain_output()
        self.kill()
        raise ChildLost(why)

    def _read_reply(self, check=protocol.check_reply):
        try:
            chunk = os.read(self._response, REPLY_CHUNK)
        except BlockingIOError:
            return None
        if not chunk:
            self._lose(self._how_it_ended())
        self._incoming += chunk
        return self._buffered_reply(check)

    def _buffered_reply(self, check):
        """The first whole reply read so far (taken from the buffer), or None."""
        if len(self._incoming) < wire.HEADER.size:
            return None
        (size,) = wire.HEADER.unpack_from(self._incoming)
        if size > wire.MAX_MESSAGE_BYTES:
            self._lose(f"it sent back more than {wire.MAX_MESSAGE_BYTES // 2**20} MiB of data")
        end = wire.HEADER.size + size
        if len(self._incoming) < end:
            return None
        body = bytes(self._incoming[wire.HEADER.size:end])
        del self._incoming[:end]
        try:
            return check(wire.decode(body))
        except (wire.WireError, protocol.ProtocolError) as error:
            self._lose(f"it sent back {error}")

    def _how_it_ended(self):
        returncode = None
        for _ in range(200):  # a moment for the child to finish dying and its worker to collect it
            gone = self.pid not in self.sandbox.process_table()
            if gone and (returncode := self.worker.ended(self.inner_pid)) is not None:
                break
            time.sleep(0.01)
        if returncode == -signal.SIGKILL and self.sandbox.meter.oom_kills() > self._oom_kills:
            return self._out_of_memory()
        return "it closed the grader's channel" if returncode is None else describe_exit(returncode)

    def _out_of_memory(self):
        return f"it ran out of memory (the sandbox used more than {self.limits.memory / 2**20:.0f} MiB)"

    def _last_reply(self, check):
        """The reply the child wrote just before it ended (a failed import's), or ChildLost saying how it ended."""
        for _ in range(wire.MAX_MESSAGE_BYTES // REPLY_CHUNK + 1):  # bounded: a grandchild may hold the pipe
            if (reply := self._read_reply(check)) is not None:
                self._drain_output()
                return reply
        self._lose(self._how_it_ended())

    def _check_limits(self, table, deadline, timeout):
        if time.monotonic() > deadline:
            self._lose(f"it timed out after {timeout:g} s")
        if not self.worker.alive():
            self._lose("its worker process died")
        tmpfs, entries = self.sandbox.tmpfs_usage()
        if self.sandbox.meter.over(self.sandbox.processes(table), tmpfs):
            self._lose(self._out_of_memory())
        if sum(table[pid][2] for pid in self.sandbox.student_processes(self, table)) > self.limits.processes:
            self._lose(f"it started more than {self.limits.processes} processes or threads")
        now = time.monotonic()
        if self.sandbox.work_on_disk and now - self._disk_checked > DISK_POLL_SECONDS:
            self._disk_checked = now
            written, entries = folder_usage(self.sandbox.scratch / "work")
            if written > self.limits.disk:
                self._lose(f"it wrote more than {self.limits.disk / 2**20:.0f} MiB of files")
        if entries > self.limits.files:
            self._lose(f"it made more than {self.limits.files} files and folders")

    def _drain_output(self):
        # Bounded: a grandchild holding the pipe could keep writing forever.
        for _ in range(64):
            if not self._read_output():
                return

    def kill(self):
        """Kill the child and everything the code in it started."""
        _kill_until_gone(lambda: self.sandbox.student_processes(self, self.sandbox.process_table()))

    def close(self):
        """Stop the child and kill what it left running."""
        if self.closed:
            return
        self.closed = True
        os.close(self._request)  # EOF: the child leaves its loop and exits
        try:
            ended = os.pidfd_open(self.pid)
        except (OSError, TypeError):  # gone already (or never seen)
            pass
        else:
            select.select([ended], [], [], 0.5)  # readable once the process has exited
            os.close(ended)
        self.kill()
        for fd in (self._response, self._output):
            os.close(fd)
        # What a test wrote is not the next test's: neither its files nor its share of the caps.
        if self.sandbox.confinement.bwrap:
            shutil.rmtree(f"/proc/{self.worker.python_pid}/root{self.work}", ignore_errors=True)
        else:
            shutil.rmtree(self.work, ignore_errors=True)


def _byte_compile(path):
    """Byte-compile the grader's own files at `path` (a file or a folder) beside them, once: every child
    imports them afresh and may not write bytecode. Never a student's file, whose compiling is its child's.

    A file that does not compile is left as it is, silently: the child that imports it says why, in the
    words an import error always has.
    """
    if Path(path).is_dir():
        compileall.compile_dir(path, quiet=2)
    else:
        py_compile.compile(path, quiet=2)


class Sandbox:
    """The walls around one grading: a scratch folder, warm workers, and their children.

    Args:
        limits: a `Limits`.
        confinement: a `confine.Confinement` (see `confine.environment`).
        packages: package folders the student's code may import (copied in).
        keras_preload: modules the Keras worker imports before forking.
        plain_preload: modules the plain worker imports (besides NumPy) before forking.
    """

    def __init__(self, limits, confinement, packages=(), keras_preload=(), plain_preload=()):
        self.limits, self.confinement = limits, confinement
        self.keras_preload, self.plain_preload = tuple(keras_preload), tuple(plain_preload)
        self.workers = {}
        self.children = []
        self.references = []
        self._counter = 0
        self.submissions = 0  # graded before the one now (see `clear`)
        self.uid = confinement.uid  # the student children's, this submission's own
        self._checked_libraries = set()  # top-level packages a child has found readable
        self.meter = memory.meter(limits.memory)
        self.started_at = int(_stat_fields(os.getpid())[19])
        _prctl(PR_SET_CHILD_SUBREAPER, 1)  # orphans of the sandbox come back to us, to be killed
        self.scratch = Path(tempfile.mkdtemp(prefix="autograder-"))
        os.chmod(self.scratch, 0o755)  # the sandbox user reads its runtime and lab files
        self.work_on_disk = not confinement.bwrap  # bubblewrap gives a size-capped tmpfs instead
        runtime = self.scratch / "runtime"
        runtime.mkdir()
        for path in RUNTIME.glob("*.py"):
            shutil.copyfile(path, runtime / path.name)
        (runtime / "autograder").mkdir()
        for name in REFERENCE_IMPORTS:
            shutil.copyfile(Path(__file__).parent.parent / name, runtime / "autograder" / name)
        site = self.scratch / "packages"
        site.mkdir()
        for package in (package for package in packages if Path(package).is_dir()):  # a bundle may lack one
            shutil.copytree(package, site / Path(package).name, ignore=shutil.ignore_patterns("__pycache__"))
        _byte_compile(site)
        (self.scratch / "labs").mkdir()
        (self.scratch / "work").mkdir(mode=0o1777)
        os.chmod(self.scratch / "work", 0o1777)
        for folder, _, files in os.walk(self.scratch):
            os.chmod(folder, 0o1777 if folder == str(self.scratch / "work") else 0o755)
            for name in files:
                os.chmod(os.path.join(folder, name), 0o644)

    def inside(self, *parts):
        """A path of the scratch folder as the sandbox's processes see it."""
        base = confine.SANDBOX_ROOT if self.confinement.bwrap else str(self.scratch)
        return os.path.join(base, *parts)

    def environment(self):
        """The environment of the workers (and so of every child)."""
        env = {**ONE_THREAD, **{key: value for key, value in os.environ.items()
                                if key in ENV_PASSED or key.startswith(ENV_PREFIXES)}}
        work = self.inside("work")
        env.update(HOME=work, TMPDIR=work, MPLCONFIGDIR=work, MPLBACKEND="Agg", **QUIET_LIBRARIES,
                   PYTHONHASHSEED="0")
        return env

    def stage(self, lab_name, lab_file, probes_file):
        """Copy a lab's submitted file and probes into the scratch folder (read-only for the sandbox)."""
        folder = self.scratch / "labs" / lab_name
        submission = folder / "submission"
        submission.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(lab_file, submission / f"{lab_name}.py")
        if probes_file is not None:
            shutil.copyfile(probes_file, folder / "probes.py")
            _byte_compile(folder / "probes.py")
        for path in (folder, submission):
            os.chmod(path, 0o755)
        for path in folder.rglob("*.py"):
            os.chmod(path, 0o644)

    def _worker(self, keras):
        preload = PLAIN_PRELOAD + (self.keras_preload if keras else self.plain_preload)
        key = "keras" if keras else "plain"
        worker = self.workers.get(key)
        if worker is None or not worker.alive():
            if worker is not None:
                worker.close()
            worker = self.workers[key] = Worker(self, preload)
        return worker

    def _message(self, kind, **fields):
        self._counter += 1
        limits = {"file_size": self.limits.file_size, "open_files": 256, "processes": self.limits.processes}
        return protocol.spawn(kind, work=self.inside("work", f"{kind}-{self._counter}"), limits=limits, **fields)

    def student(self, lab_name, keras=False, forbid=(), block=(), libraries=()):
        """A child that has imported the staged `lab_name` (call `wait_for_import` first).

        Args:
            keras: fork it from the worker with Keras imported.
            forbid: dotted names that must be unusable (tripwired) before the lab loads.
            block: top-level packages to make unimportable and unreadable, unless the worker has
                loaded them (then their forbidden names are tripwired); a dotted subpackage the
                worker has not loaded (a dataset's folder, "sklearn.datasets.data") is unreadable.
                `NUMERICAL_LIBRARIES` are added for a child of the plain worker or one that forbids.
            libraries: dotted modules the child checks it can read before the lab loads (each
                top-level package once per sandbox: each level's file and each package folder).
        """
        if not keras or forbid:
            block = set(block) | NUMERICAL_LIBRARIES
        folder = ("labs", lab_name)
        probes = self.scratch / "labs" / lab_name / "probes.py"
        hidden = set(block) | {name.split(".")[0] for name in forbid}  # unreadable on purpose
        system = [*confine.SYSTEM_READ, *confine.DEVICES_READ, *confine.python_roots()]
        read = [*system, self.inside("runtime"), self.inside("packages"), self.inside(*folder)]
        message = self._message(
            "student", lab=lab_name, submission=self.inside(*folder, "submission"),
            probes=self.inside(*folder, "probes.py") if probes.exists() else "",
            packages=self.inside("packages"), forbid=list(forbid), block=sorted(block), read=read,
            beneath=[*system, self.inside(), "/proc"],  # all the child's paths: its work folder, its /proc entry
            libraries=[name for name in libraries if name.split(".")[0] not in self._checked_libraries | hidden],
            landlock=bool(self.confinement.landlock_abi), uid=self.uid, numpy_alone=not keras)
        child = Child(self, self._worker(keras), message, lab_name)
        self._checked_libraries |= {name.split(".")[0] for name in message["libraries"]}
        self.children.append(child)
        return child

    def reference(self, path, keras=False):
        """A child that never loads student code, serving the references module at `path`.

        The module is copied into the scratch folder's `references`, which no
        student child's file view holds (and, as root, readable by root alone).
        """
        folder = self.scratch / "references"
        folder.mkdir(mode=0o700 if self.confinement.uid is not None else 0o755, exist_ok=True)
        name = "_".join(Path(path).parts[-2:])  # with its folder's name: every lab's file is references.py
        shutil.copyfile(path, folder / name)
        child = Child(self, self._worker(keras), self._message("reference"), name)
        self.references.append(child)
        reply = child.ask(protocol.load(self.inside("references", name)),
                          time.monotonic() + self.limits.import_timeout, self.limits.import_timeout)
        if not reply["ok"]:
            raise SandboxError(f"the references {name} did not load: {reply.get('error')}")
        return child

    def process_table(self):
        """`process_table` of the sandbox's processes, from the cgroup that holds them all where there is one:
        a few files read instead of every process of the machine at every poll. Elsewhere, of every process."""
        return process_table(self.meter.pids())

    def tmpfs_usage(self):
        """(bytes, files and folders) of the workers' work files held in memory (their tmpfs)."""
        usages = [worker.tmpfs_usage() for worker in self.workers.values()]
        return sum(used for used, _ in usages), sum(entries for _, entries in usages)

    def processes(self, table):
        """Every process of the sandbox: workers, children and what they started, orphans included."""
        found = []
        for worker in self.workers.values():
            if worker.process.pid in table:
                found += [worker.process.pid, *descendants(worker.process.pid, table)]
        # Orphans that came back to the grader (its subreaper) once their worker died.
        return found + [pid for pid, (ppid, started, *_) in table.items()
                        if ppid == os.getpid() and started >= self.started_at and pid not in found]

    def student_processes(self, child, table):
        """The processes of `child` and of everything its code started (the worker is their subreaper)."""
        references = set()
        for reference in self.references:
            if not reference.closed:
                references |= {reference.pid, *descendants(reference.pid, table)}
        below = descendants(child.worker.python_pid, table) if child.worker.python_pid in table else []
        orphans = [pid for pid, (ppid, started, *_) in table.items()
                   if ppid == os.getpid() and started >= child.started_at and pid not in self.workers_pids()]
        return [pid for pid in below + orphans if pid not in references]

    def workers_pids(self):
        """The grader-side pids of the workers (bubblewrap's, where it is used)."""
        return {worker.process.pid for worker in self.workers.values()}

    def clear(self):
        """Make the sandbox as new for another submission, keeping its warm workers.

        The workers never ran student code, so they carry nothing of a student's. Everything else is
        undone: every child and reference is closed and whatever it started killed, the staged labs
        and the references' copies are removed, and so is every file a child wrote (the work folder,
        and bubblewrap's private /tmp and /dev/shm). The next submission's children run as a user of
        their own.
        """
        for child in self.children + self.references:
            child.close()
        self.children, self.references = [], []
        _kill_until_gone(lambda: [pid for worker in self.workers.values()
                                  for pid in descendants(worker.python_pid, self.process_table())])
        shutil.rmtree(self.scratch / "references", ignore_errors=True)
        shutil.rmtree(self.scratch / "labs", ignore_errors=True)
        (self.scratch / "labs").mkdir(mode=0o755)
        os.chmod(self.scratch / "labs", 0o755)
        for folder in self._writable_folders():
            _empty(folder)
        self.submissions += 1
        if self.confinement.uid is not None:
            self.uid = confine.student_uid(self.submissions)

    def _writable_folders(self):
        """The folders the children may write in, as the grader reaches them."""
        if not self.confinement.bwrap:
            return [self.scratch / "work"]
        return [f"/proc/{worker.python_pid}/root{place}" for worker in self.workers.values() if worker.alive()
                for place in (self.inside("work"), "/tmp", "/dev/shm")]

    def close(self):
        """Stop every child and worker; remove the scratch folder."""
        try:
            for child in self.children + self.references:
                if not child.closed:
                    os.close(child._request)
                    os.close(child._response)
                    os.close(child._output)
                    child.closed = True
            for worker in self.workers.values():
                worker.close()
            table = process_table()
            for pid in self.processes(table):
                _kill_tree(pid)
            self.meter.close()
        finally:
            shutil.rmtree(self.scratch, ignore_errors=True)
