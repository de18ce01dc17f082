"""What a graded test is written with.

A graded test is a function in `course/<lab>/graded.py`, marked with
`@graded(points=...)`, whose docstring is the name students see. It runs in
the grader's process and receives `lab`, a stand-in for the student's module:
`lab.sigmoid(0.8)` calls the student's `sigmoid` inside the grading child and
returns the plain data it gave back; `lab.probes.name(...)` runs a helper from
`course/<lab>/probes.py` in the child, for calls that need more than data (a
callable argument, a Keras model). The test then judges that data with the
`expect_*` functions below, whose failures explain themselves in words:

    @graded(points=2)
    def sigmoid_or_gate(lab):
        "sigmoid(0.8) is the OR gate's output from the slides"
        expect_close(lab.sigmoid(0.8), 0.689974481, rtol=1e-8,
                     hint="sigmoid(z) = 1 / (1 + exp(-z))")

Expected values live only here, in the parent; the child never sees them.
A reference that needs more than a closed form (a Keras layer's output, a
reference implementation that would answer the exercise) comes from
`lab.references.name(...)`: a function of `course/<lab>/references.py`, run
where no student code ever ran, never shipped to students.
"""

import numpy as np

from autograder import errors

DEFAULT_RTOL = 1e-7
# What a test's `lab` carries besides the student's functions (see runner.RemoteLab).
LAB_HELPERS = ("probes", "references")


class ReferenceCalls:
    """`lab.references.name(*args, **kwargs)`: run course/<lab>/references.py's `name` on plain data.

    Each test's `lab` carries its own, routed to `call(name, args, kwargs)`:
    the grading's references (`runner.References`); arguments and results
    are plain data, as for the student's calls.
    """

    def __init__(self, call):
        self._call = call

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)

        def run(*args, **kwargs):
            return self._call(name, args, kwargs)

        return run


def graded(points, *, hidden=False, timeout=None, forbid=None, withhold=()):
    """Mark a function as a graded test.

    Args:
        points: what the test is worth (> 0).
        hidden: graded, but its result is shown only after the deadline.
        timeout: seconds for this test, instead of the grader's default.
        forbid: {dotted name: reason} of functions or classes the student's
            code may not use during this test, e.g.
            {"keras.optimizers.Adam": "write Adam's update rule yourself"}.
            Using one fails the test with the reason.
        withhold: dotted packages whose files the student's code cannot
            read during this test (where Landlock holds), e.g.
            "sklearn.datasets.data": the data that judges the test are
            sent by the grader, never rebuilt from a copy in reach.
    """
    if not points > 0:
        raise ValueError(f"points must be positive, got {points!r}")
    if timeout is not None and not timeout > 0:
        raise ValueError(f"timeout must be positive, got {timeout!r}")

    def mark(func):
        if not (func.__doc__ or "").strip():
            raise ValueError(f"graded test {func.__name__} needs a docstring: it is the name students see")
        func.graded = {"points": float(points), "hidden": hidden, "timeout": timeout, "forbid": dict(forbid or {}),
                       "withhold": tuple(withhold)}
        return func

    return mark


class Failure(errors.StudentFault):
    """An expectation that did not hold; its message is shown to the student."""

    def __init__(self, message, called=None):
        super().__init__(message)
        self.called = called


class RemoteError(errors.StudentFault):
    """A call into the student's code that gave no value; `explanation` says why."""

    def __init__(self, called, explanation):
        super().__init__(explanation)
        self.called = called
        self.explanation = explanation


def explain_exception(info):
    """Words for an exception the student's code raised (as the child described it)."""
    if info["type"] == "NotImplementedError":
        text = f"Not implemented yet: {info['message'] or 'NotImplementedError'}"
    elif info["type"] == "MemoryError":
        text = "Your code ran out of memory (MemoryError)."
    else:
        text = f"Your code raised {info['type']}: {info['message']}"
    return text + ("\n" + info["traceback"].rstrip() if info["traceback"] else "")


class StudentError(RemoteError):
    """The student's code raised an exception (its class names in `mro`)."""

    def __init__(self, called, info):
        self.type = info["type"]
        self.mro = info["mro"]
        self.message = info["message"]
        super().__init__(called, explain_exception(info))


def show(value):
    """A short, exact rendering of a value for a failure message."""
    if isinstance(value, np.ndarray):
        body = np.array2string(value, precision=10, threshold=24, separator=", ")
        return f"array of shape {value.shape}: {body}"
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, np.integer):
        return repr(int(value))
    if isinstance(value, (list, tuple, dict)):
        text = repr(value)
        return text if len(text) <= 300 else text[:300] + " ..."
    return repr(value)


def _message(expected, got, hint=None):
    """The standard failure text: what was expected and returned, and a hint.

    The runner puts the "Called:" line above it.
    """
    lines = [f"Expected: {expected}", f"Got:      {got}"]
    if hint:
        lines.append(f"Hint:     {hint}")
    return "\n".join(lines)


def fail(expected, got, *, hint=None, called=None):
    """Fail the test with the standard message."""
    raise Failure(_message(expected, got, hint), called)


def model_summary(lab, export, called):
    """The grader's description of a Keras model a probe exported as {"config": model.to_json(), ...}.

    Computed by `lab.references.model_summary`, from the model rebuilt of Keras's
    own layers where no student code runs (see autograder/keras_models.py),
    never by the student's process: layers, shapes, output activation and
    compile settings. A model that cannot be rebuilt fails the test in words.
    """
    # A probe patched by student code may return anything: keras_models refuses a config that is no JSON text.
    summary = lab.references.model_summary(export.get("config") if isinstance(export, dict) else export)
    if "error" in summary:
        fail("a model made of Keras's own layers", summary["error"], called=called,
             hint="build the model from keras.layers, and compile it with a keras.optimizers optimizer")
    return summary


def _as_numbers(got, expected_shape, hint, called):
    """`got` as a float array of the expected shape, or a Failure that says why not."""
    wanted = "a number" if expected_shape == () else f"an array of shape {expected_shape}"
    if got is None:
        fail(wanted, "None (did the function forget to return?)", hint=hint, called=called)
    if isinstance(got, (str, dict)):
        fail(wanted, f"{show(got)} (a {type(got).__name__})", hint=hint, called=called)
    try:
        array = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        fail(wanted, show(got), hint=hint, called=called)
    if array.shape != expected_shape:
        fail(wanted, f"shape {array.shape}: {show(got)}", hint=hint, called=called)
    return array


def expect_close(got, expected, *, rtol=DEFAULT_RTOL, atol=0.0, hint=None, called=None):
    """`got` has the shape of `expected` and |got - expected| <= atol + rtol * |expected|."""
    expected = np.asarray(expected, dtype=float)
    array = _as_numbers(got, expected.shape, hint, called)
    bad = ~(np.abs(array - expected) <= atol + rtol * np.abs(expected))
    bad &= ~(np.isnan(array) & np.isnan(expected))
    if not bad.any():
        return
    tolerance = ", ".join(text for text, value in ((f"relative {rtol:g}", rtol), (f"absolute {atol:g}", atol))
                          if value)
    want = f"{show(expected[()] if expected.ndim == 0 else expected)} ({f'tolerance: {tolerance}' if tolerance else 'exactly'})"
    have = show(array[()] if array.ndim == 0 else array)
    if array.ndim:
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        have += f"; first difference at index {where}: {float(array[where])!r} instead of {float(expected[where])!r}"
    fail(want, have, hint=hint, called=called)


def expect_equal(got, expected, *, hint=None, called=None):
    """`got` equals `expected` exactly (same type of container, same values)."""
    same = type(got) is type(expected)
    if same and isinstance(expected, np.ndarray):
        same = got.shape == expected.shape and bool(np.array_equal(got, expected))
    elif same:
        same = got == expected
    if not same:
        fail(show(expected), show(got), hint=hint, called=called)


def expect_true(condition, expected, got, *, hint=None, called=None):
    """Fail with `expected` / `got` in words unless `condition` holds."""
    if not condition:
        fail(expected, got, hint=hint, called=called)


def expect_raises(error, function, *args, mentions=(), hint=None, **kwargs):
    """Calling `function(*args, **kwargs)` raises `error` whose message names `mentions`.

    Args:
        error: an exception class, e.g. ValueError (matched by name, subclasses too).
        function: a remote function, e.g. `lab.gradient_descent`.
        mentions: words the error message must contain, e.g. the argument's name.
    """
    mentions = (mentions,) if isinstance(mentions, str) else tuple(mentions)
    name = error.__name__
    try:
        got = function(*args, **kwargs)
    except StudentError as raised:
        if raised.type == "NotImplementedError":
            raise  # reported as "not implemented yet"
        if name not in raised.mro:
            fail(name, f"{raised.type}: {raised.message}", hint=hint, called=raised.called)
        missing = [word for word in mentions if word not in raised.message]
        if missing:
            fail(f"{name} whose message names {', '.join(map(repr, missing))}",
                 f"{name}: {raised.message!r}", hint=hint, called=raised.called)
        return
    fail(f"{name} to be raised", f"no error; it returned {show(got)}", hint=hint, called=function.last_called)
