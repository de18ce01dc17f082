"""A seccomp filter that refuses sockets: the network wall where no namespace can be made.

Without a network namespace (a container without CAP_SYS_ADMIN, such as
Gradescope's, or an ordinary user without user namespaces), Landlock stops
TCP but not UDP, netlink or a Unix socket bound to a path. A student child
therefore installs this filter on itself before its module loads: from then
on socket(2) and socketpair(2) fail with EACCES for every family, in it and
in every process it starts, and it cannot be lifted. A pair reaches no one
outside, but its buffers are kernel memory that no meter counts (about 250
KiB a socket, more through descriptors passed in flight); pipes remain, for
`subprocess` and `multiprocessing`. Any other system call ABI (32-bit calls,
x32) kills the process: the filter could not read its numbers.

The filter is a classic BPF program, as <linux/seccomp.h> and
<linux/filter.h> define it. This file is loaded by path in the sandbox, so
it imports only the standard library.
"""

import ctypes
import errno
import os
import platform

PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_ERRNO, SECCOMP_RET_ALLOW = 0x80000000, 0x00050000, 0x7FFF0000
BPF_LD_W_ABS, BPF_JEQ_K, BPF_JGE_K, BPF_RET_K = 0x20, 0x15, 0x35, 0x06
NR_OFFSET, ARCH_OFFSET = 0, 4  # struct seccomp_data: int nr; __u32 arch; ...
X32_SYSCALL_BIT = 0x40000000
# The machine -> (its AUDIT_ARCH_* value, socket's and socketpair's system call numbers).
ARCHITECTURES = {"x86_64": (0xC000003E, 41, 53), "aarch64": (0xC00000B7, 198, 199)}


class SockFilter(ctypes.Structure):
    """One BPF instruction (struct sock_filter)."""

    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class SockFprog(ctypes.Structure):
    """A BPF program: its length and its instructions (struct sock_fprog)."""

    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]


_libc = ctypes.CDLL(None, use_errno=True)


def supported():
    """Whether this machine's system call numbers are known here."""
    return platform.machine() in ARCHITECTURES


def program():
    """The filter's instructions for this machine, as (code, jump if true, jump if false, constant)."""
    arch, socket_call, pair_call = ARCHITECTURES[platform.machine()]
    return [
        (BPF_LD_W_ABS, 0, 0, ARCH_OFFSET),
        (BPF_JEQ_K, 1, 0, arch),  # this ABI: go on; any other: kill
        (BPF_RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
        (BPF_LD_W_ABS, 0, 0, NR_OFFSET),
        (BPF_JGE_K, 3, 0, X32_SYSCALL_BIT),  # an x32 call on x86_64 (never made by this Python): kill
        (BPF_JEQ_K, 3, 0, socket_call),
        (BPF_JEQ_K, 2, 0, pair_call),
        (BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
        (BPF_RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
        (BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | errno.EACCES),
    ]


def refuse_sockets():
    """Install the filter on this process (one thread: call it before any thread starts)."""
    steps = program()
    instructions = (SockFilter * len(steps))(*[SockFilter(*step) for step in steps])
    prog = SockFprog(len(instructions), instructions)
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"seccomp no_new_privs: {os.strerror(ctypes.get_errno())}")
    if _libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"seccomp filter: {os.strerror(ctypes.get_errno())}")
