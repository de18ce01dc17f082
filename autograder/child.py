"""The grading child: imports one student lab and answers the grader's calls.

This script runs in its own process (`python -I -u child.py ...`), started and
watched by `autograder.sandbox`. It imports only the standard library and
NumPy before the student's module, sees neither the course repository nor its
tests on `sys.path`, and sends back plain data only (see `wire.py`). It judges
nothing: every comparison happens in the parent.

Arguments: request fd, response fd, lab module name, submission folder,
packages folder, probes file ("" for none).
"""

import contextlib
import importlib
import importlib.util
import inspect
import os
import random
import sys
import traceback
from pathlib import Path

import numpy as np

SEED = 0
TRACEBACK_CHARS = 3000


def load_by_path(name, path):
    """Import a module from a file without putting its folder on sys.path."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


wire = load_by_path("_grader_wire", Path(__file__).with_name("wire.py"))


def read_exact(fd, n):
    """n bytes from fd, or None at end of file."""
    chunks = []
    while n:
        chunk = os.read(fd, n)
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def receive(fd):
    """The next request from the grader, or None when it has closed the pipe."""
    header = read_exact(fd, wire.HEADER.size)
    if header is None:
        return None
    return wire.decode(read_exact(fd, wire.HEADER.unpack(header)[0]))


def send(fd, message):
    """Send a reply; a value that cannot cross becomes an "unreadable" reply."""
    try:
        data = wire.encode(message)
    except Exception as error:  # WireError, RecursionError, a student's odd object
        data = wire.encode({"ok": False, "unreadable": str(error)})
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def describe(error, submission_dir):
    """Plain-data account of an exception, with the student's frames only."""
    kind = type(error)
    try:
        message = str(error)
    except BaseException:  # a student's __str__ may itself fail
        message = "<the error's message could not be printed>"
    frames = [
        frame for frame in traceback.extract_tb(error.__traceback__)
        if frame.filename.startswith(submission_dir)
    ]
    lines = traceback.format_list(frames)
    return {
        "type": kind.__name__,
        "mro": [cls.__name__ for cls in kind.__mro__],
        "message": message[:TRACEBACK_CHARS],
        "traceback": "".join(lines).replace(submission_dir + os.sep, "")[-TRACEBACK_CHARS:],
    }


class ForbiddenCall(Exception):
    """Raised by a call the exercise does not allow (the grader is told too)."""


def resolve(dotted):
    """(owner, attribute, object) for a dotted name such as "keras.optimizers.Adam"."""
    parts = dotted.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            owner = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:-1]:
            owner = getattr(owner, attribute)
        return owner, parts[-1], getattr(owner, parts[-1])
    raise ImportError(f"cannot resolve {dotted}")


def tripwire(name, used):
    """A stand-in that records `name` as used and raises ForbiddenCall."""
    def forbidden(*args, **kwargs):
        used.append(name)
        raise ForbiddenCall(f"{name} is not allowed in this exercise")

    return forbidden


@contextlib.contextmanager
def forbidding(names, lab, used):
    """Make each named function, or every method of each named class, a tripwire.

    A class is caught however the student reached it (its methods are
    replaced on the class itself); a function where it is looked up: its
    module, and the student's module if it was imported by name.
    """
    patches = []  # (owner, attribute, original, forbidden name)
    for name in names:
        owner, attribute, target = resolve(name)
        if isinstance(target, type):
            places = [(target, key) for key, value in vars(target).items() if inspect.isfunction(value)]
        else:
            places = [(owner, attribute)] + [(lab, key) for key, value in vars(lab).items() if value is target]
        patches += [(where, key, getattr(where, key), name) for where, key in places]
    for owner, attribute, _, name in patches:
        setattr(owner, attribute, tripwire(name, used))
    try:
        yield
    finally:
        for owner, attribute, original, _ in reversed(patches):
            setattr(owner, attribute, original)


def reset_random_state():
    """Same seeds before every test, so a submission's grade never varies."""
    random.seed(SEED)
    np.random.seed(SEED)
    keras = sys.modules.get("keras")
    if keras is not None:
        keras.utils.set_random_seed(SEED)
    tensorflow = sys.modules.get("tensorflow")
    if tensorflow is not None:
        tensorflow.config.experimental.enable_op_determinism()


def main():
    """Import the student's lab, then answer requests until the grader closes the pipe."""
    request_fd, response_fd = int(sys.argv[1]), int(sys.argv[2])
    lab_name, submission_dir, packages_dir, probes_file = sys.argv[3:7]
    for fd in (request_fd, response_fd):
        os.set_inheritable(fd, False)  # student subprocesses get no grader pipe
    sys.path[:0] = [submission_dir, packages_dir]
    sys.dont_write_bytecode = True

    try:
        reset_random_state()
        lab = importlib.import_module(lab_name)
        probes = load_by_path("_grader_probes", probes_file) if probes_file else None
    except BaseException as error:
        send(response_fd, {"ok": False, "error": describe(error, submission_dir)})
        return
    send(response_fd, {"ok": True})

    while (request := receive(request_fd)) is not None:
        owner = probes if request["op"] == "probe" else lab
        name = request["name"]
        if not hasattr(owner, name):
            send(response_fd, {"ok": False, "missing": name})
            continue
        used = []
        try:
            reset_random_state()
            target = getattr(owner, name)
            args = (lab, *request["args"]) if owner is probes else request["args"]
            with forbidding(request["forbid"], lab, used):
                reply = {"ok": True, "value": target(*args, **request["kwargs"])}
        except BaseException as error:  # SystemExit and KeyboardInterrupt too
            reply = {"ok": False, "error": describe(error, submission_dir)}
        reply["forbidden"] = sorted(set(used))
        send(response_fd, reply)


if __name__ == "__main__":
    main()
