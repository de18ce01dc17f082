"""The warm worker: imports a lab's libraries once, then forks each child on request.

Started by `autograder.sandbox` inside the sandbox (`python -I -u worker.py
CONTROL_FD MODULE...`), it imports the named modules (NumPy, and Keras with
TensorFlow for the Keras labs), so that no child pays for them again: a
fork starts a child in milliseconds with everything already loaded, and
the pages they share are counted once. The worker itself never runs
student code, never holds a test's data, and computes nothing: for each
`protocol.spawn` message on its control socket it forks, and the child
(`child.run`) takes the pipes that came with the message; to a
`protocol.ended` message it answers how that child ended.

This file runs inside the sandbox and imports only the standard library
and the runtime files beside it.
"""

import ctypes
import gc
import importlib
import importlib.util
import json
import os
import signal
import socket
import sys
from pathlib import Path

MAX_CONTROL_BYTES = 1 << 20
FDS_PER_CHILD = 3
PR_SET_CHILD_SUBREAPER = 36


ENDED = {}  # pid -> return code, for the grader's "how did it end" question


def _reap(signum, frame):
    """Collect every child that has ended (children of the worker, and orphans of its sandbox)."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        ENDED[pid] = os.waitstatus_to_exitcode(status)


def main():
    """Import the modules named on the command line, say so, then fork a child per request."""
    control = socket.socket(fileno=int(sys.argv[1]))
    # Orphans of the children come back to the worker, so the grader finds and kills them.
    ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    for name in sys.argv[2:]:
        importlib.import_module(name)
    spec = importlib.util.spec_from_file_location("_grader_child", Path(__file__).with_name("child.py"))
    child = importlib.util.module_from_spec(spec)
    sys.modules["_grader_child"] = child  # where its tripwires report
    spec.loader.exec_module(child)
    signal.signal(signal.SIGCHLD, _reap)
    # What is loaded now is shared with every child until written; the children's collections
    # would write to every object's header (copying most of TensorFlow's heap), so they skip it.
    gc.freeze()
    control.send(json.dumps(child.protocol.ready(os.getpid())).encode())
    while True:
        data, fds, _, _ = socket.recv_fds(control, MAX_CONTROL_BYTES, FDS_PER_CHILD)
        if not data:
            return  # the grader closed the socket: the grading is over
        control.send(json.dumps(_act(control, child, data, fds)).encode())


def _act(control, child, data, fds):
    """Do what the control message `data` asks, with the descriptors `fds`; return the answer."""
    protocol = child.protocol
    try:
        message = protocol.check_control(json.loads(data))
        if message["op"] == "spawn" and len(fds) != FDS_PER_CHILD:
            raise protocol.ProtocolError(f"expected {FDS_PER_CHILD} descriptors, got {len(fds)}")
    except (ValueError, protocol.ProtocolError) as error:
        message, answer = None, protocol.refused(str(error))
    if message is not None and message["op"] == "spawn":
        try:
            layer = child.exclusion_layer(message)
        except OSError:
            layer = None  # the child leaves the packages out in its own ruleset
        pid = os.fork()
        if pid == 0:
            control.close()
            child.run(message, fds, layer)
        answer = protocol.spawned(pid)
    elif message is not None:
        answer = protocol.returncode(ENDED.pop(message["pid"], None))
    for fd in fds:
        os.close(fd)
    return answer


if __name__ == "__main__":
    main()
