"""The sandbox's memory, counted as the kernel counts it: what would get a container killed.

What counts is memory the kernel cannot drop: anonymous pages (heaps,
arrays, a trained model), shared memory, memfd files and tmpfs. Clean pages
of shared libraries (TensorFlow maps hundreds of MiB of them) do not: the
kernel drops and reloads them under pressure. Two meters, one interface:

- `CgroupMeter`, where the grader may make a memory cgroup (root with a
  writable v1 or v2 hierarchy, as on CI): the workers start inside one of
  its own, nested in the grader's, whose limit is the cap. The kernel
  enforces it (reclaiming clean pages first) and counts its OOM kills;
  watching costs nothing.
- `ProcMeter`, elsewhere (a container with a read-only cgroup tree, such as
  Gradescope's, or an ordinary user): the sum of `Pss_Anon` and `Pss_Shmem`
  over the sandbox's processes, plus memfd files and the work tmpfs.
  `smaps_rollup` walks every mapping (milliseconds for a process that has
  imported TensorFlow), so it is read at most once a second, or as soon as
  a cheap reading (`/proc/PID/status`, microseconds) says the cap may be
  passed; only such a full reading stops a child.

Either way, student children ask the kernel to kill them first when memory
runs out (`oom_score_adj`, set in `child.py`), and `oom_kills` tells the
grader that a child was killed for memory, so its message says so.
"""

import os
import time

FULL_READING_SECONDS = 1.0


def _read(path):
    try:
        with open(path) as stream:
            return stream.read()
    except OSError:
        return None


def _field(text, name):
    """The number after `name` on its line of a "name value" listing, or None."""
    for line in (text or "").splitlines():
        words = line.replace(":", " ").split()
        if len(words) >= 2 and words[0] == name:
            return int(words[1])
    return None


def own_cgroups(controller="memory"):
    """[(version, folder)] of this process's cgroups that hold `controller`, as mounted here: v2 first."""
    mounts = []
    for line in (_read("/proc/self/mountinfo") or "").splitlines():
        left, _, right = line.partition(" - ")
        fields, kind = left.split(), right.split()
        if kind and kind[0] == "cgroup2":
            mounts.append((2, fields[3], fields[4]))
        elif kind and kind[0] == "cgroup" and controller in kind[-1].split(","):
            mounts.append((1, fields[3], fields[4]))
    found = []
    for line in (_read("/proc/self/cgroup") or "").splitlines():
        number, controllers, path = line.split(":", 2)
        version = 2 if number == "0" and not controllers else 1
        if version == 1 and controller not in controllers.split(","):
            continue
        for mount_version, root, point in mounts:
            if mount_version == version:
                inside = path[len(root):] if root != "/" and path.startswith(root) else path
                found.append((version, os.path.normpath(point + "/" + inside)))
    return sorted(found, reverse=True)


def _oom_file(version, folder):
    return os.path.join(folder, "memory.events" if version == 2 else "memory.oom_control")


def memfd_bytes(pids):
    """Bytes of the memfd files `pids` hold open (each file once)."""
    files = {}
    for pid in pids:
        try:
            for fd in os.scandir(f"/proc/{pid}/fd"):
                if os.readlink(fd.path).startswith("/memfd:"):
                    info = os.stat(fd.path)
                    files[(info.st_dev, info.st_ino)] = info.st_blocks * 512
        except OSError:
            pass
    return sum(files.values())


class CgroupMeter:
    """A memory cgroup of the grader's own, nested in its current one, limited to `limit` bytes."""

    kind = "cgroup"

    def __init__(self, version, folder, limit):
        self.version, self.folder, self.limit = version, folder, limit
        if version == 2:
            self._write("memory.max", limit)
            if os.path.exists(os.path.join(folder, "memory.swap.max")):
                self._write("memory.swap.max", 0)
        else:
            self._write("memory.limit_in_bytes", limit)
            if os.path.exists(os.path.join(folder, "memory.memsw.limit_in_bytes")):
                self._write("memory.memsw.limit_in_bytes", limit)  # swap counts too, as in a container

    @classmethod
    def make(cls, limit):
        """A new cgroup for the sandbox, or None where this process may not make one."""
        for version, parent in own_cgroups():
            if version == 2 and "memory" not in (_read(os.path.join(parent, "cgroup.subtree_control")) or ""):
                continue  # the memory controller is not given to the cgroups below this one
            folder = os.path.join(parent, f"autograder-{os.getpid()}-{time.monotonic_ns()}")
            try:
                os.mkdir(folder)
            except OSError:
                continue
            try:
                return cls(version, folder, limit)
            except OSError:
                os.rmdir(folder)
        return None

    def _write(self, name, value):
        with open(os.path.join(self.folder, name), "w") as stream:
            stream.write(str(value))

    def enter(self):
        """Move the calling process into the cgroup (a worker calls it before it starts)."""
        self._write("cgroup.procs", os.getpid())

    def pids(self):
        """The pids (text) of every process in the cgroup or one below it: the sandbox's own, all of them.

        The kernel keeps the list: a process forked inside stays inside, orphaned or not, and none can
        move out (a move needs write access above the cgroup; one the sandbox could make below it counts).
        """
        found = []
        for folder, _, _ in os.walk(self.folder):
            found += (_read(os.path.join(folder, "cgroup.procs")) or "").split()
        return found

    def over(self, pids, tmpfs):
        """Whether the sandbox uses more than the cap: never seen here, the kernel acts first."""
        return False

    def oom_kills(self):
        """How many processes the kernel has killed in the cgroup for memory."""
        return _field(_read(_oom_file(self.version, self.folder)), "oom_kill") or 0

    @property
    def peak(self):
        """The most the cgroup was charged (bytes), clean file pages included."""
        name = "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"
        text = _read(os.path.join(self.folder, name))
        return int(text.split()[0]) if text else 0

    def close(self):
        """Remove the cgroup (its processes are gone by now)."""
        for _ in range(100):
            try:
                os.rmdir(self.folder)
                return
            except FileNotFoundError:
                return
            except OSError:  # processes still leaving
                time.sleep(0.01)


class ProcMeter:
    """An estimate from /proc of what the kernel would charge the sandbox, checked against `limit` bytes."""

    kind = "proc"

    def __init__(self, limit):
        self.limit = limit
        self.peak = 0
        self._at = -FULL_READING_SECONDS
        self._total, self._resident, self._tmpfs = 0, {}, 0
        # The enclosing cgroup's OOM kills, where it can be read (a container's, read-only).
        self._oom = next((_oom_file(version, folder) for version, folder in own_cgroups()
                          if _read(_oom_file(version, folder)) is not None), None)

    def enter(self):
        """Nothing to join: the estimate follows the processes wherever they are."""

    def pids(self):
        """None: nothing keeps a list of the sandbox's processes here (every process may be one)."""
        return None

    @staticmethod
    def _resident_unshared(pid):
        """Anonymous and shared-memory resident bytes of `pid` (cheap: /proc/PID/status)."""
        text = _read(f"/proc/{pid}/status")
        return ((_field(text, "RssAnon") or 0) + (_field(text, "RssShmem") or 0)) * 1024

    @staticmethod
    def _proportional(pid):
        """Anonymous and shared-memory proportional bytes of `pid` (costly: /proc/PID/smaps_rollup)."""
        text = _read(f"/proc/{pid}/smaps_rollup")
        if text is None:
            return ProcMeter._resident_unshared(pid)
        return ((_field(text, "Pss_Anon") or 0) + (_field(text, "Pss_Shmem") or 0)) * 1024

    def over(self, pids, tmpfs):
        """Whether `pids`, with `tmpfs` bytes of work files, use more than the cap (by a full reading)."""
        resident = {pid: self._resident_unshared(pid) for pid in pids}
        files = memfd_bytes(pids)
        if time.monotonic() - self._at < FULL_READING_SECONDS:
            # Growth since the last full reading; a new process counts whole (its pages shared
            # with the worker make it an overestimate, corrected by the full reading it triggers).
            grown = sum(max(0, size - self._resident.get(pid, 0)) for pid, size in resident.items())
            if self._total + grown + files + max(0, tmpfs - self._tmpfs) <= self.limit:
                return False
        self._at, self._resident, self._tmpfs = time.monotonic(), resident, tmpfs
        self._total = sum(self._proportional(pid) for pid in resident)
        used = self._total + files + tmpfs
        self.peak = max(self.peak, used)
        return used > self.limit

    def oom_kills(self):
        """How many processes the kernel has killed for memory in the enclosing cgroup (0 if unknown)."""
        if self._oom is None:
            return 0
        return _field(_read(self._oom), "oom_kill") or 0

    def close(self):
        """Nothing to remove."""


def meter(limit):
    """The best meter this process may use for a sandbox capped at `limit` bytes."""
    return CgroupMeter.make(limit) or ProcMeter(limit)
