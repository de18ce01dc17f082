"""Landlock: the kernel's unprivileged allowlist for files, TCP ports and signals.

A process that calls `restrict` can from then on open only the paths it
listed (and what lies below them), bind or connect no TCP port, and, on
kernels with ABI 6 or later, signal no process and reach no abstract Unix
socket outside its own sandbox. It cannot undo this, its children inherit it,
and it cannot ptrace a process that is less restricted than itself. No
privilege is needed, and it works inside Docker (kernel 5.13 or later).

The grading child applies it to itself, after the fork and before the
student's module is imported: `ruleset` while it may still open every path,
`restrict` once it has become the sandbox user. This file is loaded by path in the sandbox, so
it imports only the standard library.
"""

import ctypes
import os

SYS_CREATE_RULESET, SYS_ADD_RULE, SYS_RESTRICT_SELF = 444, 445, 446
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH, RULE_NET_PORT = 1, 2
PR_SET_NO_NEW_PRIVS = 38

# Filesystem rights, by the ABI that introduced them.
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR, MAKE_REG = 1 << 4, 1 << 5, 1 << 6, 1 << 7, 1 << 8
MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 9, 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
FS_RIGHTS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}
NET_BIND_TCP, NET_CONNECT_TCP = 1, 2
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1, 2

READ = EXECUTE | READ_FILE | READ_DIR
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV  # those that apply to a file itself


class RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class PathBeneathAttr(ctypes.Structure):
    _pack_ = 1  # the kernel's struct is packed
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def abi_version():
    """The kernel's Landlock ABI version, 0 where Landlock is absent or disabled."""
    version = _libc.syscall(SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(CREATE_RULESET_VERSION))
    return max(int(version), 0)


def _fail(what):
    error = ctypes.get_errno()
    raise OSError(error, f"landlock {what}: {os.strerror(error)}")


def _fs_rights(abi):
    return FS_RIGHTS_BY_ABI[max(version for version in FS_RIGHTS_BY_ABI if version <= abi)]


def ruleset(read=(), write=(), abi=None):
    """A ruleset (a file descriptor) for `restrict`: `read` paths readable, `write` paths writable too.

    Made apart from `restrict` so that a process can open the paths while it
    still may (as root), then change user, then restrict itself.

    Args:
        read: paths (files or folders, with what lies below them) it may read and execute.
        write: folders where it may also create, write and remove files.
        abi: the ABI to use (default: the kernel's).
    Raises:
        OSError: Landlock is not available, or a rule could not be added.
    """
    abi = abi_version() if abi is None else abi
    if abi < 1:
        raise OSError("landlock is not available on this kernel")
    handled = _fs_rights(abi)
    attr = RulesetAttr(handled, (NET_BIND_TCP | NET_CONNECT_TCP) if abi >= 4 else 0,
                       (SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL) if abi >= 6 else 0)
    size = ctypes.sizeof(RulesetAttr) if abi >= 6 else (16 if abi >= 4 else 8)
    rules = _libc.syscall(SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if rules < 0:
        _fail("create_ruleset")
    try:
        for paths, rights in ((read, READ), (write, handled)):
            for path in paths:
                _allow(rules, path, rights & handled)
    except BaseException:
        os.close(rules)
        raise
    return rules


def restrict(rules):
    """Confine this process for good with a `ruleset` (which is then closed)."""
    try:
        if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            _fail("no_new_privs")
        if _libc.syscall(SYS_RESTRICT_SELF, ctypes.c_int(rules), ctypes.c_uint32(0)) != 0:
            _fail("restrict_self")
    finally:
        os.close(rules)


def _allow(ruleset, path, rights):
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except FileNotFoundError:
        return  # nothing there to allow
    try:
        if not os.path.isdir(path):
            rights &= FILE_RIGHTS
        rule = PathBeneathAttr(rights, fd)
        if _libc.syscall(SYS_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(RULE_PATH_BENEATH),
                         ctypes.byref(rule), ctypes.c_uint32(0)) != 0:
            _fail(f"add_rule {path}")
    finally:
        os.close(fd)
