"""A child of the warm worker: a student's lab behind its walls, or a trusted reference.

`run` takes over the process the worker just forked. A student child splits
in two at once (`_serve_student`): the *harness*, which alone holds the
grader's pipes and never runs a line of the student's, and the *lab's
process*, which gets pipes of its own to the harness. The harness passes
each request on and each reply back, one reply per message the grader is
owed and never one out of turn (`_relay`); it is not dumpable, so the lab's
process cannot reach its descriptors or memory (`/proc/PID/fd`, ptrace).

Everything the lab's process does before `_serve_lab` imports the student's
module is the grader's own code: it blocks the packages a test forbids,
turns forbidden callables into tripwires (with no original left in reach),
drops to the sandbox user, applies Landlock and refuses itself new sockets
(`seccomp.py`). Only then does the student's module load. The child judges
nothing: it sends back raw values, and every comparison happens in the
grader.

A reference child never loads student code: it runs the functions of a
lab's references (course/<lab>/references.py), whose text the grader sends it.

This file is loaded by path inside the sandbox, so it imports only the
standard library, NumPy and the runtime files beside it.
"""

import contextlib
import ctypes
import gc
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import inspect
import os
import random
import resource
import select
import signal
import sys
import traceback
from pathlib import Path

import numpy as np
import numpy.random  # NumPy loads it on first use: here, in the worker, not in every child

SEED = 0
OOM_FIRST = 1000  # the highest oom_score_adj
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
RELAY_CHUNK = 1 << 20
HERE = Path(__file__).parent


def load_by_path(name, path):
    """Import a module from a file without putting its folder on sys.path."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


wire = load_by_path("_grader_wire", HERE / "wire.py")
protocol = load_by_path("_grader_protocol", HERE / "protocol.py")
landlock = load_by_path("_grader_landlock", HERE / "landlock.py")
seccomp = load_by_path("_grader_seccomp", HERE / "seccomp.py")


def read_exact(fd, n):
    """n bytes from fd, or None at end of file."""
    chunks = []
    while n:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def receive(fd):
    """The next message from the grader, or None when it has closed the pipe."""
    header = read_exact(fd, wire.HEADER.size)
    if header is None:
        return None
    body = read_exact(fd, wire.HEADER.unpack(header)[0])
    return None if body is None else wire.decode(body)


def send(fd, message):
    """Send a reply; a value that cannot cross becomes an "unreadable" reply."""
    try:
        data = wire.encode(message)
    except Exception as error:  # WireError, RecursionError, a student's odd object
        data = wire.encode(protocol.unreadable(str(error)[:1000]))
    _write_all(fd, data)


class ForbiddenCall(Exception):
    """Raised by a call the exercise does not allow."""


class _Blocked(importlib.abc.MetaPathFinder):
    """Makes the named top-level packages unimportable, saying so in words.

    It gives the words; the wall is the file view, which leaves their folders out (Landlock), so
    code that removes this finder, or loads a package's files by path, finds nothing to read.
    """

    def __init__(self, packages, numpy_alone):
        self.packages = frozenset(packages)
        self.numpy_alone = numpy_alone

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.packages:
            rule = ": it is to be written with NumPy alone" if self.numpy_alone else ""
            # An ImportError, so that code which tries an optional import goes on without it.
            raise ModuleNotFoundError(f"your code imported {name}, which is not available in this exercise{rule}",
                                      name=name)
        return None


def resolve(dotted):
    """The object a dotted name such as "keras.optimizers.Adam" names (importing what it must)."""
    parts = dotted.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            owner = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            owner = getattr(owner, attribute)
        return owner
    raise ImportError(f"cannot resolve {dotted}")


USED = []  # the forbidden names the student's code touched, reported with each reply
CLASS_HOOKS = ("__init_subclass__", "__class_getitem__", "__subclasshook__", "__set_name__")


def hit(name):
    """What every tripwire does: note the forbidden name, and refuse."""
    USED.append(name)
    raise ForbiddenCall(f"{name} is not allowed in this exercise")


def tripwire(name):
    """A stand-in for a callable that cannot be changed in place (a builtin)."""
    def forbidden(*args, **kwargs):
        hit(name)

    return forbidden


def _tripwire_code(name, free):
    """The code of a tripwire with `free` free variables, to put in place of a function's own."""
    dummies = [f"_unused{index}" for index in range(free)]
    lines = ["def outer():"]
    if free:
        lines.append(f"    {', '.join(dummies)} = {', '.join(['None'] * free)}")
    lines.append("    def forbidden(*args, **kwargs):")
    if free:
        lines.append(f"        {', '.join(dummies)}")
    lines += ["        import sys", f"        sys.modules['_grader_child'].hit({name!r})", "    return forbidden"]
    namespace = {}
    exec("\n".join(lines), namespace)
    return namespace["outer"]().__code__


def _neuter(function, name):
    """Turn a Python function into a tripwire in place, so that every reference to it is one."""
    function.__code__ = _tripwire_code(name, len(function.__closure__ or ()))


def disarm(names):
    """Make each named function, or every method of each named class, a tripwire, everywhere.

    Python functions are changed in place (their code replaced), so that no
    reference to the original, however it was kept, still works: an alias, a
    subclass, `super()`, a dict, the garbage collector. A builtin is replaced
    in every module namespace that holds it. Returns the source files of
    what was disarmed, which the child's file view then leaves out.
    """
    # The namespaces of every loaded module, found only when a builtin needs them: the walk writes to
    # each module's reference count, so copy-on-write copies thousands of the worker's pages.
    modules = None
    sources = set()
    for name in names:
        try:
            target = resolve(name)
        except (ImportError, AttributeError):
            continue  # a blocked or absent package: nothing to disarm
        with contextlib.suppress(TypeError, OSError):
            sources.add(os.path.realpath(inspect.getsourcefile(target)))
        if isinstance(target, type):
            for key, value in vars(target).items():
                function = getattr(value, "__func__", value)
                if inspect.isfunction(function) and key not in CLASS_HOOKS:
                    _neuter(function, name)
            continue
        implementation = getattr(target, "_implementation", None)  # NumPy's dispatching wrappers
        if inspect.isfunction(implementation):
            _neuter(implementation, name)
        if inspect.isfunction(target):
            _neuter(target, name)
            continue
        stand_in = tripwire(name)
        if modules is None:
            modules = {id(vars(module)) for module in list(sys.modules.values()) if module is not None}
        for holder in gc.get_referrers(target):
            if isinstance(holder, dict) and id(holder) in modules:
                for key, value in list(holder.items()):
                    if value is target:
                        holder[key] = stand_in
    return sources


def _package_folders(packages):
    """The folders (or files) of the named top-level packages, found without importing them."""
    found = set()
    for package in packages:
        with contextlib.suppress(ImportError, ValueError):
            spec = importlib.util.find_spec(package)
            if spec is not None and spec.origin:
                origin = os.path.realpath(spec.origin)
                found.add(os.path.dirname(origin) if spec.submodule_search_locations else origin)
    return found


def allowlist(roots, excluded, real=False):
    """Paths that cover `roots` but none of `excluded` (a folder is split into its entries where needed).

    `real`: the roots are entries of a folder already resolved, so only a link among them needs resolving
    (a child splits hundreds of entries: resolving each path in full would cost it a tenth of a second).
    """
    allowed = []
    for root in roots:
        root = os.path.realpath(root) if not real or os.path.islink(root) else root
        inside = [path for path in excluded if path == root or path.startswith(root + os.sep)]
        if not inside:
            allowed.append(root)
        elif root not in inside and os.path.isdir(root):
            allowed += allowlist([os.path.join(root, entry) for entry in sorted(os.listdir(root))], inside, True)
    return allowed


# (excluded folders, the folders the rules are beneath) -> a Landlock ruleset that allows those folders
# without the excluded ones: made by the worker once for every child that leaves out the same packages
# (hundreds of rules, one per entry of the folders split around them), inherited by each fork, and
# closed in the child before any other code runs.
EXCLUSION_LAYERS = {}


def _blocked(message):
    """The packages of `message["block"]` this process has not loaded (a loaded one is tripwired instead)."""
    return [package for package in message["block"]
            if package not in sys.modules and package not in sys.stdlib_module_names]


def _top_level(packages):
    """Those of `packages` that are top-level (found without importing anything)."""
    return [package for package in packages if "." not in package]


def exclusion_layer(message):
    """In the worker, before it forks a student child: the ruleset (fd) that allows `message["beneath"]`
    (folders that hold every path of the child's own ruleset, the same for every child) without the
    top-level packages it blocks, made once per set; None if there are none or Landlock is not used.

    Applied as a layer of its own, under the child's own ruleset (`_confine`): a path is open only if
    both allow it, so the two together allow what one ruleset without the excluded folders would.
    """
    if message["kind"] != "student" or not message["landlock"]:
        return None
    excluded = frozenset(_package_folders(_top_level(_blocked(message))))
    key = (excluded, tuple(message["beneath"]))
    if excluded and key not in EXCLUSION_LAYERS:
        EXCLUSION_LAYERS[key] = landlock.ruleset(write=allowlist(message["beneath"], excluded))
    return EXCLUSION_LAYERS.get(key)


def reset_random_state():
    """Same seeds before every call, so a submission's grade never varies."""
    random.seed(SEED)
    np.random.seed(SEED)
    keras = sys.modules.get("keras")
    if keras is not None:
        keras.utils.set_random_seed(SEED)


def _settle(fds):
    """Become the child: own session, output to the grader, nothing of the worker's signal handling."""
    request_fd, response_fd, output_fd = fds
    os.setsid()
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    os.close(output_fd)
    for fd in (request_fd, response_fd):
        os.set_inheritable(fd, False)  # the student's subprocesses get no grader pipe
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    # SIGINT raises KeyboardInterrupt however the grader was started (a background job inherits it
    # ignored, or blocked).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    sys.dont_write_bytecode = True
    return request_fd, response_fd


def _work_folder(message):
    """Make the child's own work folder (writable by the sandbox user) and make it home."""
    work = message["work"]
    os.makedirs(work, mode=0o700)
    if message.get("uid") is not None:
        os.chmod(work, 0o777)  # the worker may not chown; the folder is reachable by this child alone
    os.chdir(work)
    os.environ.update(HOME=work, TMPDIR=work, MPLCONFIGDIR=work)
    return work


def _tasks_of(uid):
    """How many tasks (threads included) whose real user is `uid` this process can see in /proc.

    A task of that user whose /proc entry is not its own (a set-user-id program, say) is left out, which
    only makes the limit set from this count stricter.
    """
    count = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            # /proc/<pid> belongs to the process's user: the others' status files are not read at all.
            if entry.stat().st_uid != uid:
                continue
            with open(f"/proc/{entry.name}/status") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
        except OSError:
            continue  # it exited while we looked
        if int(fields["Uid"].split()[0]) == uid:
            count += int(fields["Threads"])
    return count


def _limit_tasks(processes):
    """Let this child's tree add at most `processes` tasks to those its real user runs now.

    RLIMIT_NPROC counts every task of the real user (in its user namespace),
    threads too, and the kernel checks it at each fork or clone against the
    forking process's own limit: so it bounds this child's tree even where
    the user is shared with the worker and the grader (an ordinary user
    without namespaces), whose own limits stay as they were. The child itself
    is counted, so its tree may hold one task more than the grader's watch
    allows, and the watch names the limit. Under bubblewrap's user and PID
    namespaces the count is of the sandbox's processes alone.
    """
    wanted = _tasks_of(os.getuid()) + processes
    _, hard = resource.getrlimit(resource.RLIMIT_NPROC)
    cap = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_NPROC, (cap, cap))


def _become_user(message):
    """Limits, then the sandbox user for good (if any), then die with the worker."""
    limits = message["limits"]
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_size"], limits["file_size"]))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits["open_files"], limits["open_files"]))
    if message.get("uid") is not None:
        os.setgroups([])
        os.setgid(message["uid"])
        os.setuid(message["uid"])
    _limit_tasks(limits["processes"])  # after the change of user: it counts the user the child runs as
    # Set after the change of user (which clears it): when its parent dies, so does the child.
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _prctl(option, value):
    """prctl(2) with one argument; its result is not checked (every option used here is always accepted)."""
    ctypes.CDLL(None).prctl(option, value, 0, 0, 0)


def run(message, fds, layer=None):
    """Serve as the child `message` (a `protocol.spawn`) describes, on the pipes `fds`; never returns.

    `layer`: its `exclusion_layer`, if any (the worker's other rulesets are closed here: a process that
    holds a ruleset may add rules to it, and so to every later child's).
    """
    status = 0
    for rules in EXCLUSION_LAYERS.values():
        if rules != layer:
            os.close(rules)
    EXCLUSION_LAYERS.clear()
    try:
        request_fd, response_fd = _settle(fds)
        if message["kind"] == "reference":
            _work_folder(message)
            _become_user({**message, "uid": None})
            _serve_reference(request_fd, response_fd)
        else:
            status = _serve_student(message, request_fd, response_fd, layer)
    except BaseException:
        traceback.print_exc()  # the grader's own failure: shown in the test's output
        status = 70
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


def _confine(message, layer):
    """Block, disarm, then close the file view and drop privileges: all before any student code runs.

    `layer`: the worker's `exclusion_layer`, which leaves out the top-level blocked packages (None:
    the child's own ruleset leaves them out).
    """
    # A package the worker has loaded (or the standard library) stays, its forbidden names
    # tripwired; the others become unreachable.
    blocked = _blocked(message)
    left = sorted(set(blocked) - set(_top_level(blocked))) if layer is not None else blocked
    excluded = _package_folders(left)  # found before the finder that refuses them is in place
    sys.meta_path.insert(0, _Blocked(blocked, message["numpy_alone"]))
    excluded |= disarm(message["forbid"])
    work = _work_folder(message)
    rules = None
    if message["landlock"]:
        read = allowlist(message["read"], excluded) + [f"/proc/{os.getpid()}"]
        rules = landlock.ruleset(read=read, write=[work])  # opened while every path still can be
    with open("/proc/self/oom_score_adj", "w") as adjust:
        adjust.write(str(OOM_FIRST))  # when memory runs out, the kernel kills a student's child first
    _become_user(message)
    if layer is not None:
        landlock.restrict(layer)
    if rules is not None:
        landlock.restrict(rules)
    if seccomp.supported():  # in every mode, so that the modes without a network namespace have the wall too
        seccomp.refuse_sockets()


def _unreadable_library(names):
    """What of the modules `names` (dotted) this process cannot read ("" if it can read them all).

    Looked up on the path as the importer would, without importing anything: each level's file,
    and each package's folder (a closed home folder or a 0600 install shows here).
    """
    for name in names:
        if name.split(".")[0] in sys.builtin_module_names or importlib.machinery.FrozenImporter.find_spec(name):
            continue  # inside the interpreter: no file to read
        locations = None
        parts = name.split(".")
        for depth in range(1, len(parts) + 1):
            dotted = ".".join(parts[:depth])
            spec = importlib.machinery.PathFinder.find_spec(dotted, locations)
            if spec is None:
                return f"the module {dotted} cannot be found"
            if spec.has_location and not os.access(spec.origin, os.R_OK):
                return f"{spec.origin} cannot be read"
            locations = spec.submodule_search_locations
            if locations is None:
                break
            for folder in locations:
                if not os.access(folder, os.R_OK | os.X_OK):
                    return f"{folder} cannot be read"
    return ""


def _serve_student(message, request_fd, response_fd, layer):
    """Fork the lab's process, and relay between it and the grader as its harness; return the exit status.

    The lab's process runs `_serve_lab` on pipes of its own and returns 0 when it is done; the harness
    returns how the lab's process ended (a signal that ended it ends the harness too, so the grader reads
    the same end either way).
    """
    requests_read, requests_write = os.pipe()
    replies_read, replies_write = os.pipe()
    _prctl(PR_SET_DUMPABLE, 0)  # before the fork: no instant in which the lab's process could reach it
    pid = os.fork()
    if pid == 0:
        _prctl(PR_SET_DUMPABLE, 1)  # as the child was (a change of user clears it again)
        for fd in (request_fd, response_fd, requests_write, replies_read):
            os.close(fd)
        _serve_lab(message, requests_read, replies_write, layer)
        return 0
    for fd in (requests_read, replies_write) + (() if layer is None else (layer,)):
        os.close(fd)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if seccomp.supported():
        seccomp.refuse_sockets()
    if not _relay(request_fd, response_fd, requests_write, replies_read):
        os.kill(pid, signal.SIGKILL)  # it broke the protocol: nothing more of it is heard
        os.waitpid(pid, 0)
        return 0
    os.close(requests_write)  # end of file: the lab's process leaves its loop
    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    if code < 0:
        if -code != signal.SIGKILL:  # whose action cannot be set, and is to end
            signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    return code


def _relay(from_grader, to_grader, to_lab, from_lab):
    """Pass the grader's requests to the lab's process and its replies back, until either side ends.

    The lab's process owes two messages before any request (`protocol.confined`, then the import's
    reply) and one reply per request. Each owed frame is copied to the grader as it comes; a byte
    the lab's process writes when it owes nothing is never passed on: the harness tells the grader
    (`protocol.out_of_turn`, which fails the test that reads it) and returns False.
    """
    owed = 2
    poller = select.poll()
    poller.register(from_grader, select.POLLIN)
    poller.register(from_lab, select.POLLIN)
    while True:
        for fd, _ in poller.poll():
            if fd == from_grader:
                if not _copy_frame(from_grader, to_lab):
                    return True  # the grader closed the pipe: the test is over
                owed += 1
            elif owed == 0:
                if read_exact(from_lab, 1) is None:
                    return True  # the lab's process ended
                send(to_grader, protocol.out_of_turn("your code wrote on the reply channel when no reply was due"))
                return False
            else:
                if not _copy_frame(from_lab, to_grader):
                    return True
                owed -= 1


def _copy_frame(source, target):
    """Copy one whole frame (header and body) from `source` to `target`; False at end of file.

    The body is copied as it comes, never decoded here: the grader checks each frame's budget and shape.
    """
    header = read_exact(source, wire.HEADER.size)
    if header is None:
        return False
    _write_all(target, header)
    left = wire.HEADER.unpack(header)[0]
    while left:
        chunk = os.read(source, min(left, RELAY_CHUNK))
        if not chunk:
            return False
        _write_all(target, chunk)
        left -= len(chunk)
    return True


def _write_all(fd, data):
    """Write all of `data` on the (blocking) descriptor `fd`."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _serve_lab(message, request_fd, response_fd, layer):
    """Confine (within the worker's `layer`), import the student's lab (and the probes), then serve it."""
    submission = message["submission"]
    try:
        _confine(message, layer)
    except BaseException as error:
        send(response_fd, protocol.confined(error=protocol.exception_record(error, "")))
        return
    unreadable = _unreadable_library(message["libraries"])
    send(response_fd, protocol.confined(unreadable))
    if unreadable:
        return
    sys.path[:0] = [submission, message["packages"]]
    try:
        reset_random_state()
        lab = importlib.import_module(message["lab"])
        probes = load_by_path("_grader_probes", message["probes"]) if message["probes"] else None
    except BaseException as error:
        send(response_fd, protocol.failed(protocol.exception_record(error, submission)))
        return
    send(response_fd, protocol.loaded())
    _serve(request_fd, response_fd, {"call": (lab, ()), "probe": (probes, (lab,))}, submission)


def _serve_reference(request_fd, response_fd):
    """Import the references module whose path the grader sends first, then serve it."""
    path = protocol.check_load(receive(request_fd))
    folder = os.path.dirname(path)
    sys.path.insert(0, str(HERE))  # the grader modules staged for the references (`autograder.textbook`)
    try:
        module = load_by_path("_grader_references", path)
    except BaseException as error:
        send(response_fd, protocol.failed(protocol.exception_record(error, folder)))
        return
    send(response_fd, protocol.loaded())
    _serve(request_fd, response_fd, {"reference": (module, ())}, folder)


def _serve(request_fd, response_fd, owners, own_folder):
    """Answer each request until the grader closes the pipe.

    Args:
        owners: op -> (module, leading arguments): where a request's function is found, and what it is
            given before the request's arguments (a probe gets the student's lab).
        own_folder: the folder whose frames an exception record keeps.
    """
    while (request := receive(request_fd)) is not None:
        request = protocol.check_request(request)
        owner, leading = owners.get(request["op"], (None, ()))
        name = request["name"]
        if owner is None or not hasattr(owner, name):
            send(response_fd, protocol.missing(name))
            continue
        try:
            reset_random_state()
            reply = protocol.value(getattr(owner, name)(*leading, *request["args"], **request["kwargs"]))
        except BaseException as error:  # SystemExit and KeyboardInterrupt too
            reply = protocol.failed(protocol.exception_record(error, own_folder))
        if USED:
            reply["forbidden"] = sorted(set(USED))
            USED.clear()
        send(response_fd, reply)
