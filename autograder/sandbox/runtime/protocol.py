"""The messages between the grader and the processes of its sandbox: one home for their shapes.

Every message has a constructor here, used by its sender, and a checker,
used by its receiver before it reads a field. Two channels:

- a *call channel* (a pair of pipes, each message framed by `wire`) to each
  child. The grader sends `request(op, name, args, kwargs)`; the child
  answers each with one reply: `value(...)`, or a failure: `failed(record)`
  (an exception record, see `exception_record`), `missing(name)` (no such
  function) or `unreadable(why)` (its value cannot cross). A student child may
  add `forbidden`, the forbidden names its code touched: that can only fail a
  test, never pass one (`check_reply`). Before any request a student child
  sends two messages: once confined, before any student code runs,
  `confined(...)` (`check_confined`); then, after importing the lab,
  `loaded()` or `failed(record)`. A student child's pipes are held by its
  harness, which never runs student code: it passes on the lab's process's
  frames, one per message owed, and answers `out_of_turn(why)` where that
  process wrote when nothing was owed. A reference child is first sent
  `load(path)`, the references module to import, and answers `loaded()` or
  `failed(record)`.
- a *control channel* (a Unix socket of packets, each one JSON message,
  carrying the pipes' descriptors) to each worker. The worker first says
  `ready(pid)` (`check_ready`). `spawn(kind, ...)` asks it to fork a child
  onto the pipes sent with it (its fields are `SPAWN_FIELDS`, checked by
  `check_spawn` on both sides); the worker answers `spawned(pid)` or
  `refused(why)` (`check_spawned`). `ended(pid)` asks how a child ended:
  `returncode(code)` (`check_ended`). `check_control` is the worker's check of
  what it is asked.

This file is loaded by path inside the sandbox, so it imports only the
standard library.
"""

import os
import traceback

OPS = ("call", "probe", "reference")
KINDS = ("student", "reference")
TRACEBACK_CHARS = 3000
EXCEPTION_FIELDS = {"type": str, "mro": list, "message": str, "traceback": str}


class ProtocolError(ValueError):
    """A message of the wrong shape: the process that sent it is not to be trusted further."""


def request(op, name, args, kwargs):
    """A call request: run `name` (a lab function, a probe or a reference) on plain data."""
    if op not in OPS:
        raise ValueError(f"op must be one of {OPS}, got {op!r}")
    return {"op": op, "name": name, "args": list(args), "kwargs": dict(kwargs)}


def check_request(message):
    """`message` if it is a well-formed request (the child's side of the check)."""
    if not (isinstance(message, dict) and message.get("op") in OPS and isinstance(message.get("name"), str)
            and isinstance(message.get("args"), list) and isinstance(message.get("kwargs"), dict)):
        raise ProtocolError("a malformed request")
    return message


def value(result):
    """A call's reply: the function returned `result` (plain data; `wire` checks it as it is sent)."""
    return {"ok": True, "value": result}


def loaded():
    """The module (the student's lab, or the references) imported: the child waits for requests."""
    return {"ok": True}


def failed(record):
    """A failure reply: the import or the call raised; `record` is an `exception_record`."""
    return {"ok": False, "error": record}


def missing(name):
    """A failure reply: the module has no function `name`."""
    return {"ok": False, "missing": name}


def unreadable(why):
    """A failure reply: the value cannot cross (`why`, e.g. a `wire.WireError`'s message)."""
    return {"ok": False, "unreadable": why}


def out_of_turn(why):
    """A failure reply, from a student child's harness alone: the lab's process wrote when no reply was due."""
    return {"ok": False, "out_of_turn": why}


def load(path):
    """A reference child's first message: the references module to import."""
    return {"op": "load", "path": path}


def check_load(message):
    """The path from a `load` message; ProtocolError otherwise."""
    if isinstance(message, dict) and set(message) == {"op", "path"} and message["op"] == "load" and isinstance(
            message["path"], str):
        return message["path"]
    raise ProtocolError("a reference child's first message should name its module")


def confined(unreadable="", error=None):
    """A student child's first message: confined, and the libraries it needs are readable (or why not)."""
    if error is not None:
        return failed(error)
    return {"ok": False, "environment": unreadable} if unreadable else loaded()


def check_confined(reply):
    """`reply` if it has a shape `confined` makes; else ProtocolError."""
    if isinstance(reply, dict) and set(reply) == {"ok", "environment"} and reply["ok"] is False and isinstance(
            reply["environment"], str):
        return reply
    return check_reply(reply)


def _is_exception_record(value):
    return (isinstance(value, dict) and set(value) == set(EXCEPTION_FIELDS)
            and all(isinstance(value[key], kind) for key, kind in EXCEPTION_FIELDS.items())
            and all(isinstance(name, str) for name in value["mro"]))


def check_reply(reply):
    """`reply` if it has one of the reply shapes above; else ProtocolError."""
    if not isinstance(reply, dict) or not isinstance(reply.get("ok"), bool):
        raise ProtocolError("a reply that is not {'ok': ...}")
    forbidden = reply.get("forbidden", [])
    if not (isinstance(forbidden, list) and all(isinstance(name, str) for name in forbidden)):
        raise ProtocolError("a reply whose 'forbidden' is not a list of names")
    fields = set(reply) - {"ok", "forbidden"}
    if reply["ok"]:
        if fields not in (set(), {"value"}):
            raise ProtocolError(f"a reply with unexpected fields {sorted(fields)}")
        return reply
    if fields == {"error"} and _is_exception_record(reply["error"]):
        return reply
    if fields in ({"missing"}, {"unreadable"}, {"out_of_turn"}) and isinstance(reply[fields.pop()], str):
        return reply
    raise ProtocolError("a failure reply of an unknown shape")


# The fields of a `spawn` message, by the child's kind, with their types.
LIMIT_FIELDS = {"file_size": int, "open_files": int, "processes": int}
_COMMON_FIELDS = {"work": str, "limits": dict}  # its own work folder (made by the child), LIMIT_FIELDS
SPAWN_FIELDS = {
    "reference": _COMMON_FIELDS,
    "student": {
        **_COMMON_FIELDS,
        "lab": str,  # the module to import
        "submission": str,  # the folder that holds it
        "probes": str,  # the probes file ("" when the lab has none)
        "packages": str,  # the folder of the course's packages (labkit, custom_layers)
        "forbid": list,  # dotted names to tripwire
        "block": list,  # top-level packages to make unimportable and unreadable
        "numpy_alone": bool,  # the numerical libraries beyond NumPy are blocked (a plain worker's child)
        "read": list,  # what Landlock lets it read
        "beneath": list,  # folders holding every path of "read": the worker's shared Landlock layer allows them
        "landlock": bool,  # whether to apply Landlock
        "libraries": list,  # dotted modules to check it can read before the lab loads
        "uid": (int, type(None)),  # the user to become (None: stay the worker's)
    },
}


def spawn(kind, **fields):
    """A control message asking a worker to fork a child of `kind` ("student" or "reference"); see SPAWN_FIELDS."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    return check_spawn({"op": "spawn", "kind": kind, **fields})


def check_spawn(message):
    """`message` if it is a `spawn` with exactly its kind's fields, of their types; ProtocolError otherwise."""
    if not (isinstance(message, dict) and message.get("op") == "spawn" and message.get("kind") in KINDS):
        raise ProtocolError("not a spawn message")
    wanted = SPAWN_FIELDS[message["kind"]]
    fields = {key: value for key, value in message.items() if key not in ("op", "kind")}
    if set(fields) != set(wanted):
        raise ProtocolError(f"a spawn message whose fields are not {sorted(wanted)}: {sorted(fields)}")
    for key, kind in wanted.items():
        if not isinstance(fields[key], kind):
            raise ProtocolError(f"a spawn message whose {key} is a {type(fields[key]).__name__}")
    limits = fields["limits"]
    if set(limits) != set(LIMIT_FIELDS) or not all(type(limits[key]) is int for key in LIMIT_FIELDS):
        raise ProtocolError(f"a spawn message whose limits are not the integers {sorted(LIMIT_FIELDS)}")
    return message


def check_control(message):
    """`message` if it is one the worker is asked (`spawn` or `ended`); ProtocolError otherwise."""
    if isinstance(message, dict) and message.get("op") == "ended" and set(message) == {"op", "pid"} and type(
            message["pid"]) is int:
        return message
    return check_spawn(message)


def ready(pid):
    """The worker's first message: its modules are imported; `pid` is its own, as it sees it."""
    return {"ready": True, "pid": pid}


def spawned(pid):
    """The worker's answer to `spawn`: the child's pid, as the worker sees it."""
    return {"pid": pid}


def refused(why):
    """The worker's answer to a control message it cannot act on."""
    return {"error": why}


def returncode(code):
    """The worker's answer to `ended`: the child's return code, or None (not ended, or not known)."""
    return {"returncode": code}


def check_ready(reply):
    """The worker's own pid (as it sees it) from its first message; ProtocolError otherwise."""
    if (isinstance(reply, dict) and set(reply) == {"ready", "pid"} and reply["ready"] is True
            and type(reply["pid"]) is int and reply["pid"] > 0):
        return reply["pid"]
    raise ProtocolError("the worker did not say it was ready")


def check_spawned(reply):
    """The child's pid from a worker's answer to `spawn`; ProtocolError otherwise."""
    if isinstance(reply, dict) and set(reply) == {"pid"} and type(reply["pid"]) is int and reply["pid"] > 0:
        return reply["pid"]
    if isinstance(reply, dict) and set(reply) == {"error"} and isinstance(reply["error"], str):
        raise ProtocolError(f"the worker could not start a child: {reply['error'][:500]}")
    raise ProtocolError("a malformed answer from the worker")


def ended(pid):
    """A control message asking a worker how its child `pid` (as the worker sees it) ended."""
    return {"op": "ended", "pid": pid}


def check_ended(reply):
    """The return code from a worker's answer to `ended` (None: not ended, or not known)."""
    if isinstance(reply, dict) and set(reply) == {"returncode"} and (
            reply["returncode"] is None or type(reply["returncode"]) is int):
        return reply["returncode"]
    raise ProtocolError("a malformed answer from the worker")


def exception_record(error, own_folder):
    """Plain-data account of an exception, keeping only the frames of files under `own_folder`."""
    try:
        message = str(error)
    except BaseException:  # a student's __str__ may itself fail
        message = "<the error's message could not be printed>"
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if frame.filename.startswith(own_folder)]
    lines = traceback.format_list(frames)
    return {
        "type": type(error).__name__,
        "mro": [cls.__name__ for cls in type(error).__mro__],
        "message": message[:TRACEBACK_CHARS],
        "traceback": "".join(lines).replace(own_folder + os.sep, "")[-TRACEBACK_CHARS:],
    }
