"""Confine the grading child when the grader runs as root (as on Gradescope).

The child then runs as an unprivileged user (default "nobody", or
AUTOGRADER_SANDBOX_USER), so it cannot signal the grader, read its /proc
entries or files that are not world-readable. Where the kernel lets the
grader make a private mount namespace (root with CAP_SYS_ADMIN), the child
also gets its own view of the file system: the tests, the solutions and the
results folder become empty, and /tmp, /var/tmp and /dev/shm become empty,
read-only for it, so that the only place it can write is its scratch folder.
Inside a container without that capability, file permissions are the only
guard: `export` makes the tests readable by root alone.

Everything here but `Confinement.enter` runs in the grader; `enter` runs in
the forked child before it executes Python, and must stay async-signal-light:
plain system calls, no imports.
"""

import ctypes
import os
import pwd
import sys
import sysconfig
from dataclasses import dataclass
from functools import cache

from autograder import course

CLONE_NEWNS = 0x00020000
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
WORLD_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm")
HIDDEN = (course.ROOT / "tests", course.SOLUTIONS, course.ROOT / "notebooks" / "solutions")
USER_VARIABLE = "AUTOGRADER_SANDBOX_USER"


class ConfinementError(RuntimeError):
    """The grader runs as root but cannot confine the child safely."""


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _check(result, what):
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def _in_a_child(action):
    """Run `action` in a forked child; True if it returned without raising."""
    pid = os.fork()
    if pid == 0:
        try:
            action()
            status = 0
        except BaseException:
            status = 1
        os._exit(status)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0


@cache
def namespaces_available():
    """Whether this process may make a private mount namespace (tried in a child)."""
    return _in_a_child(lambda: _check(_libc().unshare(CLONE_NEWNS), "unshare"))


@dataclass(frozen=True)
class Confinement:
    """Who the child runs as, and which folders it must not see.

    Args:
        uid, gid: the unprivileged user and group.
        hidden: folders emptied in the child's view (when namespaces are available).
        private_mounts: whether to make that view at all.
    """

    uid: int
    gid: int
    hidden: tuple
    private_mounts: bool

    def prepare(self, scratch, work):
        """Let the user read the scratch folder and write only its work folder."""
        for folder, _, files in os.walk(scratch):
            os.chmod(folder, 0o755)
            for name in files:
                os.chmod(os.path.join(folder, name), 0o644)
        os.chown(work, self.uid, self.gid)
        os.chmod(work, 0o700)

    def enter(self, scratch):
        """In the forked child, as root: hide folders, then become the user for good."""
        if self.private_mounts:
            libc = _libc()
            _check(libc.unshare(CLONE_NEWNS), "unshare")
            _check(libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "make mounts private")
            keep = os.open(scratch, os.O_RDONLY | os.O_DIRECTORY)  # in the new namespace, before covering
            for folder in (*self.hidden, *WORLD_WRITABLE):
                if os.path.isdir(folder):
                    _check(libc.mount(b"tmpfs", os.fsencode(folder), b"tmpfs", 0, b"size=64k,mode=0755"),
                           f"hide {folder}")
            # The scratch folder may have just been covered (it lives in /tmp): put it back.
            os.makedirs(scratch, exist_ok=True)
            _check(libc.mount(f"/proc/self/fd/{keep}".encode(), os.fsencode(scratch), None, MS_BIND, None),
                   "mount the scratch folder")
            os.close(keep)
        os.setgroups([])
        os.setgid(self.gid)
        os.setuid(self.uid)


@cache
def _warn_once(message):
    print(f"warning: {message}", file=sys.stderr)


@cache
def _can_run_python(uid, gid):
    # What the child's `python -I` needs: the interpreter, the standard library, site-packages.
    places = (sys.executable, *sysconfig.get_paths().values())
    needed = [path for path in places if os.path.exists(path)]

    def check():
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
        if not all(os.access(path, os.R_OK | os.X_OK) for path in needed):
            raise PermissionError

    return _in_a_child(check)


def confinement(hidden=()):
    """The `Confinement` for a grader running as root, or None for any other user.

    Args:
        hidden: folders to hide besides the tests and solutions (a results folder).
    Raises:
        ConfinementError: AUTOGRADER_SANDBOX_USER names a user that does not
            exist or cannot run this Python. Left unset, the default user
            "nobody" is tried, and if it cannot run this Python the child
            runs unconfined, with a warning.
    """
    if os.geteuid() != 0:
        return None
    name = os.environ.get(USER_VARIABLE, "nobody")
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise ConfinementError(f"{USER_VARIABLE}: no user named {name!r} on this machine") from None
    if entry.pw_uid == 0:
        return None  # explicitly asked for: student code runs as root, unconfined
    if not _can_run_python(entry.pw_uid, entry.pw_gid):
        problem = (f"the grader runs as root, so student code should run as {name!r}, but {name!r} cannot "
                   f"run {sys.executable} and its packages (is a parent folder such as /root closed? "
                   f"`chmod o+x /root` opens it for traversal only)")
        if USER_VARIABLE in os.environ:
            raise ConfinementError(problem)
        _warn_once(f"{problem}; student code runs as root, unconfined. Set {USER_VARIABLE} to insist.")
        return None
    folders = tuple(str(path) for path in (*HIDDEN, *hidden))
    return Confinement(entry.pw_uid, entry.pw_gid, folders, namespaces_available())
