"""Whose fault a failure is, and the exit status that says so: the grader's one contract for errors.

- `CannotGrade`: nothing can be graded as asked (an instructor's mistake, a
  submission that cannot be opened, a machine whose walls cannot be raised).
  The command line prints its one line and exits with `CANNOT_GRADE`; a batch
  writes it as that student's row.
- `GraderFault`: the grader's own side failed during a test (a reference, the
  sandbox). The test says so and tells the student to tell the instructor.
- `StudentFault`: the student's code did not do what a test asks (an
  expectation that did not hold, a call that raised or gave no value, a child
  that stopped answering). A failed test, its message shown to the student.

The messages that cross the sandbox's walls have errors of their own
(`wire.WireError`, `protocol.ProtocolError`, `child.ForbiddenCall`,
`keras_models.Refused`): those files run inside the sandbox, which has only
the standard library and the runtime files.
"""

OK = 0  # graded (whatever the score), built, released, exported
NOT_UP_TO_DATE = 1  # `build --check`: a generated file differs from what its solution gives
CANNOT_GRADE = 2  # a `CannotGrade`: one line on standard error
INTERRUPTED = 130  # Ctrl-C: what was finished is written, the rest can be resumed


class CannotGrade(Exception):
    """Nothing can be graded as asked; the message is one line that names the argument or the reason."""


class GraderFault(Exception):
    """The grader's own side failed (a reference, the sandbox): the student is not to blame."""


class StudentFault(Exception):
    """The student's code did not do what a test asks; the message is for the student."""
