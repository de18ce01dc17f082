"""Run a student's lab in a child process that the grader watches from outside.

The parent (this module) starts `child.py` in a fresh scratch folder that
holds a copy of the student's file, the probes and the packages a lab may
import, and nothing of the course repository. It talks to the child over two
pipes in plain data (`wire.py`), collects what the student's code prints, and
enforces the limits itself: a deadline per call, a cap on the resident memory
of every process the child starts, and a sweep that kills all of them when the
child is closed, even ones that left its session (the grader registers as a
child subreaper, so orphans come back to it). Linux only.

One sandbox runs at a time in a grading process: the sweep kills every
descendant of this process that started after the child did.
"""

import ctypes
import os
import resource
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from autograder import wire

RUNTIME_FILES = ("child.py", "wire.py")
POLL_SECONDS = 0.05
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
# What of the grader's environment the child may see: locale, the numeric
# libraries' settings and the Keras backend, never the grader's own paths.
ENV_PASSED = ("PATH", "LANG", "LC_ALL", "KERAS_BACKEND", "CUDA_VISIBLE_DEVICES")
ENV_PREFIXES = ("OPENBLAS_", "OMP_", "MKL_", "TF_", "XLA_")


@dataclass(frozen=True)
class Limits:
    """What one child may use.

    Args:
        timeout: seconds a test may take, unless the test sets its own.
        import_timeout: seconds the student's module may take to import.
        memory: bytes of resident memory, summed over the child's processes.
        file_size: bytes of the largest file the child may write.
        output: characters of printed output kept per test.
        hidden: folders the child must not see besides the tests and
            solutions (a results folder), when the grader runs as root.
    """

    timeout: float = 60.0
    import_timeout: float = 60.0
    memory: int = 2 * 2**30
    file_size: int = 256 * 2**20
    output: int = 4000
    hidden: tuple = ()

    def __post_init__(self):
        for name in ("timeout", "import_timeout", "memory", "file_size", "output"):
            if not getattr(self, name) > 0:
                raise ValueError(f"Limits.{name} must be positive, got {getattr(self, name)!r}")


class ChildLost(Exception):
    """The child stopped answering: timed out, ran out of memory, exited or crashed."""


def _become_subreaper():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _stat(pid):
    """The fields of /proc/<pid>/stat after the process name (state is field 0)."""
    with open(f"/proc/{pid}/stat", "rb") as stat:
        return stat.read().rsplit(b")", 1)[1].split()


def process_table():
    """pid -> (ppid, start time in clock ticks, resident bytes) for every process."""
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = _stat(entry.name)
        except OSError:
            continue  # it exited while we looked
        # Fields after the name: state ppid pgrp ... starttime is the 20th, rss the 22nd.
        table[int(entry.name)] = (int(fields[1]), int(fields[19]), int(fields[21]) * PAGE_BYTES)
    return table


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


class Sandbox:
    """One child process serving one student lab file.

    Args:
        lab_name: module name of the lab, e.g. "lab01_gradient_descent".
        lab_file: the student's file (copied; the original is never touched).
        probes_file: the lab's probes, run inside the child, or None.
        packages: package folders the student's code may import.
        limits: a `Limits`.
        confinement: a `confine.Confinement` when the grader runs as root, else None.
    """

    def __init__(self, lab_name, lab_file, probes_file, packages, limits, confinement=None):
        self.lab_name = lab_name
        self.limits = limits
        self.confinement = confinement
        self.scratch = Path(tempfile.mkdtemp(prefix="autograder-"))
        self.output = bytearray()
        self.output_dropped = 0
        self._lay_out(lab_file, probes_file, packages)
        self._start()

    def _lay_out(self, lab_file, probes_file, packages):
        runtime = self.scratch / "runtime"
        runtime.mkdir()
        here = Path(__file__).parent
        for name in RUNTIME_FILES:
            shutil.copyfile(here / name, runtime / name)
        self.probes_path = ""
        if probes_file is not None:
            self.probes_path = str(runtime / "probes.py")
            shutil.copyfile(probes_file, self.probes_path)
        submission = self.scratch / "submission"
        submission.mkdir()
        shutil.copyfile(lab_file, submission / f"{self.lab_name}.py")
        site = self.scratch / "packages"
        site.mkdir()
        for package in packages:
            shutil.copytree(package, site / package.name, ignore=shutil.ignore_patterns("__pycache__"))
        (self.scratch / "work").mkdir()
        if self.confinement is not None:
            self.confinement.prepare(self.scratch, self.scratch / "work")

    def _environment(self):
        work = str(self.scratch / "work")
        env = {key: value for key, value in os.environ.items()
               if key in ENV_PASSED or key.startswith(ENV_PREFIXES)}
        env.update(HOME=work, TMPDIR=work, MPLCONFIGDIR=work, MPLBACKEND="Agg",
                   TF_CPP_MIN_LOG_LEVEL="3", PYTHONHASHSEED="0")
        return env

    def _limit_resources(self):
        # Runs in the child before exec. The memory cap proper is watched from
        # outside; this address-space bound only stops a runaway allocation early.
        address_space = self.limits.memory + 8 * 2**30
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
        resource.setrlimit(resource.RLIMIT_FSIZE, (self.limits.file_size, self.limits.file_size))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if self.confinement is not None:
            self.confinement.enter(str(self.scratch))
        # Set last (a change of user clears it): if the grader dies, so does the child.
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)

    def _start(self):
        _become_subreaper()
        request_read, self._request = os.pipe()
        self._response, response_write = os.pipe()
        self._output, output_write = os.pipe()
        runtime = self.scratch / "runtime"
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-u", str(runtime / "child.py"),
                 str(request_read), str(response_write), self.lab_name,
                 str(self.scratch / "submission"), str(self.scratch / "packages"), self.probes_path],
                stdin=subprocess.DEVNULL, stdout=output_write, stderr=output_write,
                pass_fds=(request_read, response_write), cwd=self.scratch / "work",
                env=self._environment(), start_new_session=True,
                preexec_fn=self._limit_resources,
            )
        finally:
            for fd in (request_read, response_write, output_write):
                os.close(fd)
        self.started_at = int(_stat(self.process.pid)[19])
        for fd in (self._request, self._response, self._output):
            os.set_blocking(fd, False)
        self._pending = b""
        self._incoming = bytearray()

    def wait_for_import(self):
        """Wait for the student's module to import. Returns the child's first message."""
        return self._exchange(None, time.monotonic() + self.limits.import_timeout,
                              self.limits.import_timeout)

    def ask(self, request, deadline, timeout):
        """Send one request and return the child's reply, or raise ChildLost.

        Args:
            request: a dict of plain data.
            deadline: time.monotonic() by which the reply must have come.
            timeout: the limit the deadline stands for, in seconds (for the message).
        """
        return self._exchange(wire.encode(request), deadline, timeout)

    def take_output(self):
        """What the student's code printed since the last call, truncated."""
        text = self.output.decode("utf-8", "replace")
        if self.output_dropped:
            text += f"\n... ({self.output_dropped} more bytes of output not shown)"
        self.output.clear()
        self.output_dropped = 0
        return text

    def _exchange(self, data, deadline, timeout):
        self._pending = data or b""
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
                        self._read_output()
                    elif (reply := self._read_reply()) is not None:
                        self._drain_output()  # all of it was written before the reply
                        return reply
                self._check_limits(deadline, timeout)
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
        """Read what is waiting on the output pipe; False when nothing was."""
        try:
            chunk = os.read(self._output, 65536)
        except BlockingIOError:
            return False
        room = self.limits.output - len(self.output)
        self.output += chunk[:max(room, 0)]
        self.output_dropped += max(len(chunk) - max(room, 0), 0)
        return bool(chunk)

    def _read_reply(self):
        try:
            chunk = os.read(self._response, 1 << 20)
        except BlockingIOError:
            return None
        if not chunk:
            self._wait_for_exit()
        self._incoming += chunk
        if len(self._incoming) < wire.HEADER.size:
            return None
        (size,) = wire.HEADER.unpack_from(self._incoming)
        if size > wire.MAX_MESSAGE_BYTES:
            self.kill()
            raise ChildLost(f"it sent back more than {wire.MAX_MESSAGE_BYTES // 2**20} MiB of data")
        end = wire.HEADER.size + size
        if len(self._incoming) < end:
            return None
        body = bytes(self._incoming[wire.HEADER.size:end])
        del self._incoming[:end]
        try:
            return wire.decode(body)
        except wire.WireError as error:
            self.kill()
            raise ChildLost(f"it sent back {error}") from None

    def _wait_for_exit(self):
        """The reply pipe closed: the child is gone; say how it ended."""
        try:
            returncode = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            raise ChildLost("it closed the grader's channel") from None
        self._drain_output()
        self.kill()
        raise ChildLost(describe_exit(returncode))

    def _check_limits(self, deadline, timeout):
        if self.process.poll() is not None:
            self._wait_for_exit()
        if time.monotonic() > deadline:
            self._drain_output()
            self.kill()
            raise ChildLost(f"it timed out after {timeout:g} s")
        used = sum(rss for _, _, rss in self._tree().values())
        if used > self.limits.memory:
            self._drain_output()
            self.kill()
            raise ChildLost(f"it ran out of memory (used more than {self.limits.memory / 2**30:.2g} GiB)")

    def _drain_output(self):
        # Bounded: a grandchild holding the pipe could keep writing forever.
        for _ in range(1024):
            if not self._read_output():
                return

    def _tree(self):
        """Processes this grader started since the child, directly or through orphans."""
        me = os.getpid()
        table = process_table()
        tree = {}
        for pid, (ppid, started, rss) in table.items():
            chain, seen = pid, set()
            while chain not in (me, 0, 1) and chain in table and chain not in seen:
                seen.add(chain)
                chain = table[chain][0]
            if chain == me and pid != me and started >= self.started_at:
                tree[pid] = (ppid, started, rss)
        return tree

    def kill(self):
        """Kill the child and everything it started; reap what is ours to reap."""
        me = os.getpid()
        for _ in range(100):
            tree = self._tree()
            if not tree:
                break
            for pid, (ppid, _, _) in tree.items():
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                if ppid == me and pid != self.process.pid:
                    try:
                        os.waitpid(pid, os.WNOHANG)
                    except ChildProcessError:
                        pass
            self.process.poll()
            time.sleep(0.01)
        self.process.wait()

    def close(self):
        """Stop the child, kill what it left running, remove the scratch folder."""
        os.close(self._request)  # EOF: the child leaves its loop and exits
        try:
            self.process.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            pass
        self.kill()
        for fd in (self._response, self._output):
            os.close(fd)
        shutil.rmtree(self.scratch, ignore_errors=True)
