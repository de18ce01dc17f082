"""The sandbox's messages: each constructor's output passes its checker, and the checkers refuse other shapes.

Every grading sends real ones (a spawn is checked as it is built and again by the worker).
"""

import pytest

from autograder.sandbox.runtime import protocol

LIMITS = {"file_size": 1 << 20, "open_files": 256, "processes": 64}
STUDENT = {"work": "/sandbox/work/student-1", "limits": LIMITS, "lab": "lab01_gradient_descent",
           "submission": "/sandbox/labs/lab01/submission", "probes": "", "packages": "/sandbox/packages",
           "forbid": [], "block": ["scipy"], "numpy_alone": True, "read": ["/usr"], "beneath": ["/usr"],
           "landlock": True, "libraries": ["numpy"], "uid": None}


def test_a_student_spawn_with_its_fields_passes():
    assert protocol.check_spawn(protocol.spawn("student", **STUDENT))["lab"] == "lab01_gradient_descent"


@pytest.mark.parametrize("change", [
    {"lab": None}, {"forbid": "numpy.linalg.inv"}, {"landlock": "yes"}, {"uid": "1000"},
    {"limits": {**LIMITS, "processes": 6.5}}, {"limits": {"file_size": 1}},
], ids=["no lab name", "forbid not a list", "landlock not a bool", "uid a string", "a fractional limit",
        "limits missing"])
def test_a_spawn_with_a_field_of_the_wrong_type_is_refused(change):
    with pytest.raises(protocol.ProtocolError):
        protocol.spawn("student", **{**STUDENT, **change})


@pytest.mark.parametrize("fields", [
    {key: value for key, value in STUDENT.items() if key != "block"},
    {**STUDENT, "shell": "/bin/sh"},
], ids=["a field missing", "a field too many"])
def test_a_spawn_without_exactly_its_fields_is_refused(fields):
    with pytest.raises(protocol.ProtocolError, match="fields"):
        protocol.spawn("student", **fields)


@pytest.mark.parametrize(("message", "check"), [
    (protocol.ready(7), protocol.check_ready),
    (protocol.spawned(8), protocol.check_spawned),
    (protocol.returncode(None), protocol.check_ended),
    (protocol.returncode(-9), protocol.check_ended),
    (protocol.load("/sandbox/references/lab05_keras_mlp.py"), protocol.check_load),
    (protocol.ended(8), protocol.check_control),
    (protocol.value([1.0, 2.0]), protocol.check_reply),
    (protocol.loaded(), protocol.check_reply),
    (protocol.missing("sigmoid"), protocol.check_reply),
    (protocol.unreadable("a generator"), protocol.check_reply),
    (protocol.failed(protocol.exception_record(ValueError("lr"), "")), protocol.check_reply),
    (protocol.confined("/usr/lib cannot be read"), protocol.check_confined),
], ids=["ready", "spawned", "not ended", "killed", "load", "ended", "value", "loaded", "missing", "unreadable",
        "failed", "confined"])
def test_each_constructor_makes_what_its_checker_accepts(message, check):
    check(message)  # raises ProtocolError otherwise


def test_a_worker_that_refuses_says_why_to_the_grader():
    with pytest.raises(protocol.ProtocolError, match="could not start a child: not a spawn message"):
        protocol.check_spawned(protocol.refused("not a spawn message"))


@pytest.mark.parametrize("message", [{"path": "/x.py"}, {"op": "load", "path": 3}, None],
                         ids=["no op", "a path that is no text", "nothing"])
def test_a_reference_childs_first_message_must_be_a_load(message):
    with pytest.raises(protocol.ProtocolError):
        protocol.check_load(message)
