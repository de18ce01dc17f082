"""The messages between the grader and the processes of its sandbox: one home for their shapes.

Two channels, both plain data framed by `wire`:

- a *call channel* (a pair of pipes) to each child: the grader sends
  `request(op, name, args, kwargs)`; the child answers with one reply:
  `{"ok": True, "value": ...}`, or `{"ok": False, ...}` with one of
  `error` (an exception record, see `exception_record`), `missing` (no such
  function) or `unreadable` (its value cannot cross). A student child may add
  `forbidden`, the forbidden names its code touched: that can only fail a
  test, never pass one. A student child sends two messages before any
  request: once confined, before any student code runs, `confined(...)`
  (`{"ok": True}`, or `{"ok": False, "environment": text}` when it cannot
  read a library of the grader's, or `{"ok": False, "error": ...}` when it
  could not confine itself); then, after importing the lab, `{"ok": True}`
  or `{"ok": False, "error": ...}`. Being first on the pipe, the confined
  message cannot be forged by the lab's code.
- a *control channel* (a Unix socket that carries file descriptors) to each
  worker: `spawn(...)` asks it to fork a child onto the pipes sent with it;
  the worker answers `{"pid": <its pid in the sandbox>}` or `{"error": text}`;
  `ended(pid)` asks how a child ended: `{"returncode": int or None}`.

The grader validates every message it receives with `check_reply` or
`check_spawned` before it reads a field. This file is loaded by path inside
the sandbox, so it imports only the standard library and `wire`.
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


def confined(unreadable="", error=None):
    """A student child's first message: confined, and the libraries it needs are readable (or why not)."""
    if error is not None:
        return {"ok": False, "error": error}
    return {"ok": False, "environment": unreadable} if unreadable else {"ok": True}


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
    if fields in ({"missing"}, {"unreadable"}) and isinstance(reply[fields.pop()], str):
        return reply
    raise ProtocolError("a failure reply of an unknown shape")


def spawn(kind, **fields):
    """A control message asking a worker to fork a child of `kind` ("student" or "reference")."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    return {"op": "spawn", "kind": kind, **fields}


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
