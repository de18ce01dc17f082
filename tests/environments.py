"""A hostile submission, the grading of it, and the environments it is graded in (for tests/test_walls.py).

`WALLS` is a lab file whose every function tries to break one wall of the
sandbox and returns what happened ("allowed", or the error that stopped it,
or what it managed to do). `grade_calls` grades it with one graded test per
call and hands back the raw values, which the tests then judge in the grader.

The environments (`ENVIRONMENTS`): the grader as it runs here (root with
namespaces on CI, or the ordinary user the suite runs as), as root in a
container without CAP_SYS_ADMIN (Gradescope's Docker), as an ordinary user,
and as an ordinary user where only Landlock holds. `command_in` builds the command line that mimics each;
run as a script (`python tests/environments.py OUT.json TOKEN`), this file
grades `WALLS` in whatever environment started it and writes the claims it
checked to OUT.json.
"""

import importlib.util
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from helpers import FAST

from autograder import course, runner
from autograder.course import GradedTest
from autograder.graded import graded
from autograder.sandbox import confine, descendants, memory, process_table

LAB = "lab99_walls"
WALLS = r'''
import mmap, os, socket, struct, threading, time


def attempt(action, path, name="planted.txt"):
    """Try one thing; "allowed" if it worked, else the error's type."""
    try:
        if action == "read":
            with open(path, "rb") as stream:
                stream.read(1)
        elif action == "list":
            os.listdir(path)
        elif action == "write":
            with open(os.path.join(path, name), "w") as stream:
                stream.write("x")
        elif action == "signal":
            os.kill(int(path), int(name) if name.isdigit() else 0)
        return "allowed"
    except OSError as error:
        return type(error).__name__


def who():
    return os.geteuid()


def alive():
    return "yes"


_CALLS = []


def remember():
    """What this call finds of earlier calls: (calls counted in a module global, a file under HOME)."""
    _CALLS.append(1)
    memo = os.path.join(os.environ["HOME"], "memo")
    found = os.path.exists(memo)
    with open(memo, "w") as stream:
        stream.write("seen")
    return len(_CALLS), found


def flood(megabytes):
    """Print `megabytes` MiB as fast as it can; "done" once all is written."""
    line = "x" * (2**20 - 1)
    for _ in range(megabytes):
        print(line)
    return "done"


def zeros(count):
    """A legitimate but large answer: `count` float64 zeros."""
    import numpy

    return numpy.zeros(count)


def fds():
    """Where each file descriptor this process holds leads (inherited from the worker, or the grader's pipes)."""
    found = {}
    for name in os.listdir("/proc/self/fd"):
        try:
            found[name] = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            pass  # the listing's own descriptor, closed by now
    return found


def proc_texts():
    """The cmdline and environ of every process this child can read in /proc, and its mount tables."""
    try:
        entries = os.listdir("/proc")
    except OSError:  # a closed /proc listing: try every pid instead
        entries = [str(pid) for pid in range(1, 1 << 16)]
    found = []
    for entry in entries:
        for part in ("cmdline", "environ"):
            try:
                with open(f"/proc/{entry}/{part}", "rb") as stream:
                    found.append(stream.read().decode(errors="replace"))
            except OSError:
                pass
    for name in ("mountinfo", "mounts"):
        try:
            with open(f"/proc/self/{name}") as stream:
                found.append(stream.read())
        except OSError:
            pass
    return found


def fill(folder, count, size, prefix="fill"):
    """Write `count` files of `size` bytes in `folder`; the bytes written before something stopped it."""
    written = 0
    block = b"x" * size
    for index in range(count):
        try:
            with open(os.path.join(folder, f"{prefix}-{index}.bin"), "wb") as stream:
                stream.write(block)
            written += size
        except OSError:
            break
    time.sleep(1.5)  # give the grader time to look
    return written


def memfd(total, mapped):
    """Hoard `total` bytes in memfds of 32 MiB, each under the file-size limit (mapped, their fds closed, if `mapped`)."""
    size = 32 * 2**20
    kept = []
    for _ in range(total // size):
        fd = os.memfd_create("hoard")
        if mapped:
            os.ftruncate(fd, size)
            area = mmap.mmap(fd, size)
            os.close(fd)
            area[:] = b"x" * size
            kept.append(area)
        else:
            os.write(fd, b"x" * size)
            kept.append(fd)
    time.sleep(10)
    return "kept"


def forks(count):
    """Start `count` sleeping processes; how many started."""
    made = 0
    for _ in range(count):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        made += 1
    time.sleep(1.5)
    return made


def threads(count):
    """Start `count` sleeping threads; how many started."""
    made = 0
    for _ in range(count):
        try:
            threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
        except RuntimeError:
            break
        made += 1
    time.sleep(1.5)
    return made


def bomb():
    """Every process forks for ever."""
    while True:
        try:
            os.fork()
        except OSError:
            time.sleep(0.01)


def kill_all(grader, signum):
    """Send `signum` to the grader, the worker, init, the grader's group, then to everyone it may (-1).

    Returns what each direct kill said; kill(-1) says success even when
    every target refused, so only the survivors can tell how it went.
    """
    said = {}
    for name, send in (("grader", lambda: os.kill(grader, signum)),
                       ("worker", lambda: os.kill(os.getppid(), signum)),
                       ("init", lambda: os.kill(1, signum)),
                       ("grader's group", lambda: os.killpg(os.getpgid(grader), signum))):
        try:
            send()
            said[name] = "allowed"
        except OSError as error:
            said[name] = type(error).__name__
    try:
        os.kill(-1, signum)
    except OSError:
        pass
    return said


def daemon(mark):
    """Leave a `sleep` running in a new session, its parent gone."""
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execvp("sleep", ["sleep", mark])
        os._exit(0)
    time.sleep(0.3)
    return "left"


def numerical(how, origin):
    """Run SciPy's softmax, reached past the refusal of its import; "allowed" if it ran, else the error.

    `how`: "import" (plainly), "finders removed" (the finder that refuses it taken off sys.meta_path),
    "by path" (its `__init__.py`, at `origin`, loaded as a file).
    """
    import importlib.util, sys
    try:
        if how == "finders removed":
            sys.meta_path[:] = [finder for finder in sys.meta_path if "Blocked" not in type(finder).__name__]
        elif how == "by path":
            spec = importlib.util.spec_from_file_location("scipy", origin,
                                                          submodule_search_locations=[os.path.dirname(origin)])
            sys.modules["scipy"] = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(sys.modules["scipy"])
        import scipy.special
        scipy.special.softmax([1.0, 2.0])
        return "allowed"
    except Exception as error:
        return f"{type(error).__name__}: {error}"[:300]


def connect(kind, address):
    """Reach a listener outside: "tcp" or "udp" to (host, port), "unix" to an abstract name, "named unix" to a path."""
    try:
        if kind == "tcp":
            with socket.create_connection(tuple(address), timeout=2) as connection:
                connection.sendall(b"escaped")
        elif kind == "udp":
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as connection:
                connection.sendto(b"escaped", tuple(address))
        else:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
                connection.connect(address if kind == "named unix" else "\0" + address)
                connection.sendall(b"escaped")
        return "allowed"
    except OSError as error:
        return type(error).__name__


def escapes(where):
    """Terminal escapes in an exception's message, its type's name, printed output or a value's type."""
    redraw = "\x1b[1A\x1b[2K\r  pass     9 / 9    9.9 all good\x1b]0;owned\x07\x9b2J\u202e"
    print("printed" + redraw)
    if where == "message":
        raise ValueError("message" + redraw)
    if where == "type":
        raise type("Odd" + redraw, (Exception,), {})("odd")
    if where == "value":
        return type("Value" + redraw, (), {})()
    return "printed only"


def traces(name, command):
    """What of an earlier submission this one finds: files called `name` wherever it may look,
    processes whose command line has `command`."""
    found = []
    for top in (".", "..", "/tmp", "/dev/shm"):
        for path, _, names in os.walk(top):
            found += [os.path.join(path, entry) for entry in names if entry == name]
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                if command.encode() in cmdline.read():
                    found.append(f"process {pid}")
        except OSError:
            pass
    return found


FORGERIES = {  # well-framed replies the grader must refuse, built here: too big to cross as arguments
    "a list, not a reply": lambda: b"[1,2]",
    "two bytes": lambda: b"{}",
    "an unexpected field": lambda: b'{"__dict__":{"ok":true,"value":1.0,"score":100}}',
    "deep nesting": lambda: b"[" * 200_000 + b"]" * 200_000,
    "a huge string": lambda: b'{"__dict__":{"ok":true,"value":"' + b"x" * (4 << 20) + b'"}}',
    "60 MiB of nested lists": lambda: b"[" + b"[]," * (20 << 20) + b"[]]",
    "a header announcing a terabyte": lambda: None,
}


def reply_pipes():
    """The descriptors of this process that are pipes it may write (output excepted): where a reply goes."""
    found = []
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd in (0, 1, 2):
            continue
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
            with open(f"/proc/self/fdinfo/{fd}") as info:
                flags = int(next(line for line in info if line.startswith("flags:")).split()[1], 8)
        except (OSError, StopIteration):
            continue
        if target.startswith("pipe:") and flags & os.O_ACCMODE == os.O_WRONLY:
            found.append(fd)
    return found


def write_frame(fd, frame):
    """Write all of `frame` on the descriptor `fd`."""
    view = memoryview(frame)
    while view:
        view = view[os.write(fd, view):]


def forge(kind):
    """Write one crafted frame on the reply pipe (found in /proc/self/fd), then wait."""
    body = FORGERIES[kind]()
    frame = struct.pack(">Q", 1 << 40) if body is None else struct.pack(">Q", len(body)) + body
    for fd in reply_pipes()[:1]:
        write_frame(fd, frame)
        time.sleep(5)
        return "forged"
    return "no reply pipe found"


def forge_later(body, delay):
    """Return at once; `delay` seconds later, write the reply `body`, framed, on every pipe it may write."""
    frame = struct.pack(">Q", len(body.encode())) + body.encode()

    def write():
        time.sleep(delay)
        for fd in reply_pipes():
            write_frame(fd, frame)

    threading.Thread(target=write, daemon=True).start()
    return "genuine"


def harness():
    """Try to reach the descriptors of the process that started this one (the harness, which holds
    the grader's pipes): list them, open them, trace it."""
    parent = os.getppid()
    tried = {"list": attempt("list", f"/proc/{parent}/fd")}
    opened = "FileNotFoundError"
    for fd in range(3, 64):
        said = attempt("read", f"/proc/{parent}/fd/{fd}")
        if said == "allowed":
            opened = "allowed"
            break
        if said != "FileNotFoundError":
            opened = said
    tried["open"] = opened
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    tried["ptrace"] = "allowed" if libc.ptrace(16, parent, 0, 0) == 0 else os.strerror(ctypes.get_errno())  # ATTACH
    return tried
'''


def write_walls(folder, lab=LAB):
    """Write the hostile lab file into `folder` as `lab` (readable by every user); return its path."""
    path = Path(folder) / f"{lab}.py"
    path.write_text(WALLS)
    path.chmod(0o644)
    return path


def grade_calls(path, calls, limits=FAST, sandbox=None):
    """Grade the lab at `path` (named after the lab it is graded as) with one graded test per call.

    Args:
        calls: (function name, args) pairs, run in order, each in a fresh child.
        sandbox: a `Sandbox` to grade in (default: a new one).
    Returns:
        (the `LabResult`, the values the calls returned, None where a call failed).
    """
    values = [None] * len(calls)
    tests = []
    for index, (function, args) in enumerate(calls):
        @graded(points=1)
        def call(lab, index=index, function=function, args=args):
            "one hostile call"
            values[index] = getattr(lab, function)(*args)

        tests.append(GradedTest(path.stem, f"99.{index + 1}", f"{function}{tuple(args)!r}"[:60], 1.0, False, None, {}, call))
    result = runner.grade_lab(path.stem, path, limits, tests=tests, sandbox=sandbox)
    return result, values


FORGED_REPLY = '{"__dict__":{"ok":true,"value":"forged"}}'  # protocol.value("forged"), as wire sends it


def grade_forged_later(path, sandbox=None):
    """Grade one test of two calls: `forge_later`, then, once its forgery is written, `alive`.

    Returns:
        (the `LabResult`, the values the calls returned).
    """
    values = []

    @graded(points=1)
    def two_calls(lab):
        "a reply written when none was due"
        values.append(lab.forge_later(FORGED_REPLY, 0.2))
        time.sleep(1)  # the forgery is on the pipe before the next request
        values.append(lab.alive())

    test = GradedTest(path.stem, "99.1", "forge_later, then alive", 1.0, False, None, {}, two_calls)
    return runner.grade_lab(path.stem, path, FAST, tests=[test], sandbox=sandbox), values


def running_with(word):
    """Pids of processes whose command line holds `word` as one of its arguments."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/cmdline", "rb") as cmdline:
                if word in cmdline.read().decode(errors="replace").split("\0"):
                    found.append(int(entry.name))
        except OSError:
            pass
    return found


def processes_of_user(uid):
    """Pids of the live processes whose real user is `uid`."""
    table = process_table()  # zombies left out: they hold nothing
    found = []
    for pid in table:
        try:
            if os.stat(f"/proc/{pid}").st_uid == uid:
                found.append(pid)
        except OSError:
            pass
    return found


def leftovers(grader_pid, seconds=5.0):
    """What of a grading is still running after up to `seconds`: descendants and sandbox-user processes."""
    deadline = time.monotonic() + seconds
    while True:
        left = descendants(grader_pid, process_table()) + processes_of_user(confine.UID_BASE + grader_pid)
        if not left or time.monotonic() > deadline:
            return sorted(set(left))
        time.sleep(0.05)


# The environments: a command prefix and what must hold for it to run here.
PYTHON = sys.executable  # as it is: a venv's python resolved would be its base Python, without the venv's packages
# Shell steps run in a private mount namespace before the command, for it only. A closed /root made
# traversable (to reach a Python that lives there), and the cgroup tree read-only, as Docker mounts it.
OPEN_ROOT = ("mount -t tmpfs -o mode=755 tmpfs /mnt && mkdir /mnt/{name} && "
             "mount --bind /root/{name} /mnt/{name} && mount --rbind /mnt /root && ")
READ_ONLY_CGROUPS = ('for point in $(findmnt -rn -t cgroup,cgroup2 -o TARGET); do '
                     'mount -o remount,bind,ro "$point" || exit 1; done && ')
NOBODY = 65534
# The grader as it runs here, nothing mimicked: root with namespaces on CI; the user itself when the
# suite runs as an ordinary user (which mimics nothing else).
AS_IT_IS = "root with namespaces" if os.geteuid() == 0 else "this ordinary user, as it is"
ENVIRONMENTS = {
    AS_IT_IS: [],
    "container without CAP_SYS_ADMIN": ["setpriv", "--bounding-set", "-sys_admin"],
    "ordinary user": ["setpriv", "--reuid", str(NOBODY), "--regid", str(NOBODY), "--clear-groups"],
    "ordinary user without namespaces": ["env", f"{confine.MODE_VARIABLE}=landlock", "setpriv", "--reuid",
                                         str(NOBODY), "--regid", str(NOBODY), "--clear-groups"],
}


def why_not(environment):
    """Why `environment` cannot be mimicked on this machine ("" if it can)."""
    if not ENVIRONMENTS[environment]:
        as_root_without_namespaces = os.geteuid() == 0 and not confine.environment().bwrap
        return "bubblewrap cannot make namespaces on this machine" if as_root_without_namespaces else ""
    if os.geteuid() != 0:
        return "mimicking an environment needs root (to drop capabilities or change user)"
    missing = [tool for tool in ("unshare", "setpriv") if shutil.which(tool) is None]
    if missing:
        return f"needs {', '.join(missing)} (util-linux)"
    # Its user must reach Python and this checkout (a clone in a closed folder, such as `mktemp -d`
    # makes, is out of an ordinary user's reach, and no mount opens a closed folder's own contents).
    done = subprocess.run(command_in(environment, [PYTHON, "-c", "import autograder"]), cwd=course.ROOT,
                          capture_output=True, text=True, timeout=60)
    last = done.stderr.strip().splitlines()[-1:] or ["no message"]
    return "" if done.returncode == 0 else f"its user cannot run Python on this checkout here ({last[0][-300:]})"


def command_in(environment, argv):
    """The command line that runs `argv` in `environment`, Python reachable by its user."""
    prefix = ENVIRONMENTS[environment]
    if not prefix:
        return list(argv)
    inner = shlex.join(str(word) for word in [*prefix, *argv])
    mounts = READ_ONLY_CGROUPS if environment == "container without CAP_SYS_ADMIN" else ""
    if PYTHON.startswith("/root/"):  # under the closed /root: open just its folder
        mounts += OPEN_ROOT.format(name=Path(PYTHON).relative_to("/root").parts[0])
    if not mounts:
        return ["sh", "-c", "exec " + inner]
    return ["unshare", "--mount", "sh", "-c", "mount --make-rprivate / && " + mounts + "exec " + inner]


class GradescopeBox:
    """Gradescope's default container, mimicked: 768 MiB of memory (swap included), half a CPU.

    Two cgroups of this process's own (memory and cpu, v1 or v2) hold the
    box; `command(argv)` runs `argv` in them as root in a container without
    CAP_SYS_ADMIN (cgroups read-only inside, as Docker mounts them). `peak`
    is the most the box was charged (bytes); `oom_kills` how many of its
    processes the kernel killed for memory. Raises `Unavailable` (its reason)
    where this machine cannot make the box.
    """

    MEMORY = 768 * 2**20
    CPU = (50_000, 100_000)  # microseconds of CPU per period: half a CPU

    class Unavailable(Exception):
        pass

    def __init__(self):
        if reason := why_not("container without CAP_SYS_ADMIN"):
            raise self.Unavailable(reason)
        name = f"gradescope-box-{os.getpid()}-{time.monotonic_ns()}"
        self.folders = []
        try:
            for controller in ("memory", "cpu"):
                version, parent = next(((version, parent) for version, parent in memory.own_cgroups(controller)
                                        if version == 1 or controller in Path(parent, "cgroup.subtree_control")
                                        .read_text()), (None, None))
                if parent is None:
                    raise OSError(f"no {controller} cgroup is given to this process's")
                if version == 2 and self.folders:
                    continue  # v2: one folder has both controllers
                folder = Path(parent, name)
                folder.mkdir()
                self.folders.append(folder)
                self.version = version
                self._limit(version, controller, folder)
        except OSError as error:
            self.close()
            raise self.Unavailable(f"no cgroup can be made here ({error})") from None

    def _limit(self, version, controller, folder):
        quota, period = self.CPU
        settings = {
            (1, "memory"): {"memory.limit_in_bytes": self.MEMORY, "memory.memsw.limit_in_bytes": self.MEMORY},
            (1, "cpu"): {"cpu.cfs_period_us": period, "cpu.cfs_quota_us": quota},
            (2, "memory"): {"memory.max": self.MEMORY, "memory.swap.max": 0, "cpu.max": f"{quota} {period}"},
        }[version, controller]
        for file, value in settings.items():
            if (folder / file).exists():  # no swap accounting: no swap to include
                (folder / file).write_text(str(value))

    def command(self, argv):
        """The command line that runs `argv` in the box."""
        join = " && ".join(f"echo $$ > {shlex.quote(str(folder / 'cgroup.procs'))}" for folder in self.folders)
        return ["sh", "-c", join + ' && exec "$@"', "box", *command_in("container without CAP_SYS_ADMIN", argv)]

    @property
    def peak(self):
        name = "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"
        return int(next((folder / name).read_text() for folder in self.folders if (folder / name).exists()))

    @property
    def oom_kills(self):
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        text = next((folder / name).read_text() for folder in self.folders if (folder / name).exists())
        return next(int(line.split()[1]) for line in text.splitlines() if line.startswith("oom_kill "))

    def close(self):
        for folder in self.folders:
            for _ in range(100):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:  # its last processes still leaving
                    time.sleep(0.05)

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.close()


class PidsNet:
    """A pids cgroup that caps a command's processes and threads: a safety net under a fork bomb's test.

    `command(argv)` runs `argv` inside it (made by root, so put the net
    around a command that drops privileges); `peak` is the most tasks it
    held, `refused` how many forks or clones it refused (0: whatever bounded
    the command, it was not the net), `left()` the processes still in it.
    Raises `Unavailable` (its reason) where this machine cannot make one.
    """

    class Unavailable(Exception):
        pass

    def __init__(self, limit):
        if os.geteuid() != 0:
            raise self.Unavailable("making a cgroup needs root")
        name = f"walls-net-{os.getpid()}-{time.monotonic_ns()}"
        reason = "no pids controller is given to this process's cgroups"
        for version, parent in memory.own_cgroups("pids"):
            if version == 2 and "pids" not in Path(parent, "cgroup.subtree_control").read_text().split():
                continue
            try:
                self.folder = Path(parent, name)
                self.folder.mkdir()
                (self.folder / "pids.max").write_text(str(limit))
                return
            except OSError as error:
                self.close()
                reason = str(error)
        raise self.Unavailable(f"no pids cgroup can be made here ({reason})")

    def command(self, argv):
        """The command line that runs `argv` in the net."""
        procs = shlex.quote(str(self.folder / "cgroup.procs"))
        return ["sh", "-c", f'echo $$ > {procs} && exec "$@"', "net", *argv]

    def _read(self, name):
        return (self.folder / name).read_text()

    @property
    def peak(self):
        """The most tasks the net held (None on a kernel that does not record it)."""
        try:
            return int(self._read("pids.peak"))
        except FileNotFoundError:
            return None

    def left(self, seconds=5.0):
        """The pids still in the net after up to `seconds` (processes that were dying have left by then)."""
        deadline = time.monotonic() + seconds
        while (pids := [int(pid) for pid in self._read("cgroup.procs").split()]) and time.monotonic() < deadline:
            time.sleep(0.05)
        return pids

    @property
    def refused(self):
        return int(self._read("pids.events").split()[1])  # "max N"

    def close(self):
        for _ in range(100):
            try:
                self.folder.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:  # its last processes still leaving
                time.sleep(0.05)


def open_folder():
    """A new folder every user can reach and write (the caller removes it)."""
    folder = Path(tempfile.mkdtemp(prefix="walls-", dir="/tmp"))
    folder.chmod(0o1777)
    return folder


class Listeners:
    """TCP, UDP, abstract and named Unix sockets listening on this machine, for student code to try to reach.

    The named one sits in a folder every user may reach, its socket open to
    all, as /run/docker.sock or a database's socket might be.
    """

    def __init__(self):
        self.tcp = socket.create_server(("127.0.0.1", 0))
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.name = f"walls-{os.getpid()}-{time.monotonic_ns()}"
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix.bind("\0" + self.name)
        self.unix.listen()
        self.folder = open_folder()
        self.path = str(self.folder / "listener.sock")
        self.named = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.named.bind(self.path)
        os.chmod(self.path, 0o777)
        self.named.listen()

    def calls(self):
        """The `connect` calls that try each of them."""
        return [("connect", ("tcp", list(self.tcp.getsockname()))), ("connect", ("udp", list(self.udp.getsockname()))),
                ("connect", ("unix", self.name)), ("connect", ("named unix", self.path))]

    def reached(self):
        """The kinds of socket that received something."""
        found = []
        for kind, server in (("tcp", self.tcp), ("unix", self.unix), ("named unix", self.named)):
            server.setblocking(False)
            try:
                server.accept()[0].close()
                found.append(kind)
            except BlockingIOError:
                pass
        self.udp.setblocking(False)
        try:
            self.udp.recv(100)
            found.append("udp")
        except BlockingIOError:
            pass
        return found

    def close(self):
        for server in (self.tcp, self.udp, self.unix, self.named):
            server.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def claims(token):
    """Grade `WALLS` here and check the key claims; a dict of what happened."""
    folder = open_folder()
    listeners = Listeners()
    project = [course.ROOT / "README.md", course.graded_file("lab01_gradient_descent"),
               course.solution_file("lab01_gradient_descent"), course.HELDOUT_SECRET,  # made by the test
               Path(f"/proc/{os.getpid()}/environ")]
    outside = ["/tmp", "/dev/shm", str(course.ROOT)]
    named = {
        **{("read", str(path)): ("attempt", ("read", str(path))) for path in project},
        **{("write", place): ("attempt", ("write", place, f"planted-{token}")) for place in outside},
        ("write", "."): ("attempt", ("write", ".", f"planted-{token}")),
        ("write", ".."): ("attempt", ("write", "..", f"planted-{token}")),  # the work folder of every child
        "signal grader": ("attempt", ("signal", str(os.getpid()), "0")),
        "user": ("who", ()),
        "harness": ("harness", ()),
        "daemon": ("daemon", (f"{token}.5",)),  # a sleep of that many seconds, found by its argument
        **{("connect", call[1][0]): call for call in listeners.calls()},
        # A NumPy exercise's child (these tests forbid nothing, in the plain worker) cannot reach SciPy.
        **{("numerical", how): ("numerical", (how, importlib.util.find_spec("scipy").origin))
           for how in ("import", "finders removed", "by path")},
    }
    # Then the next submission graded in the same sandbox, as a batch's grading process does.
    next_one = {"traces": ("traces", (f"planted-{token}", f"{token}.5")), "user": ("who", ())}
    try:
        path = write_walls(folder)
        sandbox = runner.open_sandbox(FAST, [LAB])
        try:
            started = time.monotonic()
            result, values = grade_calls(path, list(named.values()), sandbox=sandbox)
            seconds = time.monotonic() - started
            forged, forged_values = grade_forged_later(path, sandbox)
            sandbox.clear()
            _, later = grade_calls(path, list(next_one.values()), sandbox=sandbox)
        finally:
            sandbox.close()
        later = dict(zip(next_one, later))
        said = dict(zip(named, values))
        found = [str(Path(place) / f"planted-{token}") for place in outside
                 if (Path(place) / f"planted-{token}").exists()]
        for path in found:
            os.unlink(path)
        time.sleep(0.5)
        return {
            "confinement": confine.environment().describe(),
            "read": {str(path): said["read", str(path)] for path in project},
            "write": {place: said["write", place] for place in outside},
            "planted outside": found,
            "write work folder": said["write", "."],
            "signal grader": said["signal grader"],
            "harness": said["harness"],
            "forged later": {"values": forged_values, "message": forged.tests[0].message},
            "daemon running": running_with(f"{token}.5"),
            "network": {kind: said["connect", kind] for kind in ("tcp", "udp", "unix", "named unix")},
            "network reached": listeners.reached(),
            "numerical": {how: said["numerical", how] for how in ("import", "finders removed", "by path")},
            "failed tests": {test.number: test.message for test in result.tests if not test.passed},
            "seconds": seconds,
            "next submission found": later["traces"],
            "users": [said["user"], later["user"]],
        }
    finally:
        listeners.close()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    out, token = sys.argv[1], sys.argv[2]  # token: digits, unique to the run
    Path(out).write_text(json.dumps(claims(token)))


# A Dask cluster of real processes, as `batch --scheduler` meets it.

START_SECONDS = 60  # a scheduler or worker not up by then will not come up


class DaskCluster:
    """A scheduler and its workers, run from the checkout as a course's machines run them, in `folder`."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.folder.mkdir()
        self.file = self.folder / "scheduler.json"
        self.log = open(self.folder / "cluster.log", "w")
        self.workers = []
        self.scheduler = self._start("scheduler", "--scheduler-file", str(self.file), "--port", "0", "--no-dashboard")
        deadline = time.monotonic() + START_SECONDS
        while not self.file.exists():
            assert time.monotonic() < deadline, f"the scheduler did not start: see {self.log.name}"
            time.sleep(0.2)
        self.address = json.loads(self.file.read_text())["address"]

    def _start(self, *arguments):
        # Its own process group: killing it kills the nanny and the worker process it runs.
        return subprocess.Popen([sys.executable, "-m", "dask", *arguments], cwd=course.ROOT, stdout=self.log,
                                stderr=subprocess.STDOUT, start_new_session=True)

    def add_workers(self, count):
        from distributed import Client

        for _ in range(count):
            self.workers.append(self._start("worker", self.address, "--nthreads", "1", "--no-dashboard",
                                            "--local-directory", str(self.folder / f"worker{len(self.workers)}")))
        with Client(self.address, timeout=START_SECONDS) as client:
            client.wait_for_workers(len(self.workers), timeout=START_SECONDS)

    def close(self):
        for process in [*self.workers, self.scheduler]:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        self.log.close()
