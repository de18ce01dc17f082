"""Plain-data messages between the grader and the child that runs student code.

Only data crosses: None, bools, ints, floats, strings, lists, tuples, dicts
with string keys, and NumPy arrays of a plain dtype (bool, integers, floats,
complex). Messages are JSON, so decoding never runs code (no pickle); arrays
travel as base64 bytes with their dtype and shape. Each message is framed by
an 8-byte big-endian length.

This file is loaded by path inside the child, so it imports only the standard
library and NumPy.
"""

import base64
import json
import struct

import numpy as np

HEADER = struct.Struct(">Q")
# Budgets a message must keep before it is decoded (the grader trusts no byte).
MAX_MESSAGE_BYTES = 64 * 2**20
MAX_DEPTH = 64
MAX_ITEMS = 1_000_000  # list items, dict entries and strings, all told
MAX_STRING_CHARS = 2**20  # a string that is not an array's data

# dtype.str values that may cross, little-endian as NumPy writes them here.
PLAIN_DTYPES = frozenset(
    np.dtype(name).str
    for name in (
        "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
        "uint64", "float16", "float32", "float64", "complex64", "complex128",
    )
)


class WireError(ValueError):
    """A value that cannot cross, or a message that cannot be read."""


def to_plain(value, depth=0):
    """Convert `value` to JSON-ready data; raise WireError for anything else."""
    if depth > MAX_DEPTH:
        raise WireError(f"nested more than {MAX_DEPTH} levels deep")
    # Exact type checks: a subclass of float or list could redefine anything.
    kind = type(value)
    if value is None or kind in (bool, str):
        return value
    if kind in (int, float):
        return value  # json writes inf and nan as Infinity and NaN, and reads them back
    if kind in (list, tuple):
        items = [to_plain(item, depth + 1) for item in value]
        return items if kind is list else {"__tuple__": items}
    if kind is dict:
        if not all(type(key) is str for key in value):
            raise WireError("a dict whose keys are not all strings")
        return {"__dict__": {key: to_plain(item, depth + 1) for key, item in value.items()}}
    if isinstance(value, np.generic) and np.dtype(type(value)).str in PLAIN_DTYPES:
        return to_plain(value.item(), depth)
    if isinstance(value, np.ndarray):
        # A subclass's methods (an __eq__ that says yes to anything) stay behind.
        return _array(value.view(np.ndarray))
    raise WireError(f"a {kind.__module__}.{kind.__qualname__} object")


def _array(value):
    if value.nbytes > MAX_MESSAGE_BYTES // 2:
        raise WireError(f"an array of {value.nbytes / 2**20:.0f} MiB (the limit is {MAX_MESSAGE_BYTES // 2**21} MiB)")
    dtype = value.dtype.newbyteorder("<") if value.dtype.byteorder == ">" else value.dtype
    if dtype.str not in PLAIN_DTYPES:
        raise WireError(f"a NumPy array of dtype {value.dtype} (only numbers and bools can be graded)")
    data = np.ascontiguousarray(value, dtype=dtype).tobytes()
    return {"__ndarray__": base64.b64encode(data).decode("ascii"), "dtype": dtype.str, "shape": list(value.shape)}


def from_plain(value, depth=0):
    """Rebuild tuples, dicts and arrays from what `to_plain` produced."""
    if depth > MAX_DEPTH:
        raise WireError(f"nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, list):
        return [from_plain(item, depth + 1) for item in value]
    if isinstance(value, str) and len(value) > MAX_STRING_CHARS:
        raise WireError(f"a string of more than {MAX_STRING_CHARS} characters")
    if not isinstance(value, dict):
        return value
    if set(value) == {"__tuple__"}:
        return tuple(from_plain(item, depth + 1) for item in _expect(value["__tuple__"], list))
    if set(value) == {"__dict__"}:
        return {key: from_plain(item, depth + 1) for key, item in _expect(value["__dict__"], dict).items()}
    if set(value) == {"__ndarray__", "dtype", "shape"}:
        return _read_array(value)
    raise WireError("an object the grader does not know")


def _expect(value, kind):
    if not isinstance(value, kind):
        raise WireError(f"expected a {kind.__name__}")
    return value


def _read_array(value):
    dtype_str = _expect(value["dtype"], str)
    if dtype_str not in PLAIN_DTYPES:
        raise WireError(f"an array of dtype {dtype_str!r}")
    shape = _expect(value["shape"], list)
    if len(shape) > MAX_DEPTH or not all(type(n) is int and n >= 0 for n in shape):
        raise WireError("an array with a malformed shape")
    data = base64.b64decode(_expect(value["__ndarray__"], str), validate=True)
    dtype = np.dtype(dtype_str)
    if len(data) != int(np.prod(shape, dtype=np.int64)) * dtype.itemsize:
        raise WireError("an array whose data does not match its shape")
    return np.frombuffer(data, dtype=dtype).reshape(shape).copy()


def encode(message):
    """Frame a message (a dict of plain data) as bytes."""
    body = json.dumps(to_plain(message), separators=(",", ":")).encode("utf-8")
    if len(body) > MAX_MESSAGE_BYTES:
        raise WireError(f"{len(body) / 2**20:.0f} MiB of data (the limit is {MAX_MESSAGE_BYTES // 2**20} MiB)")
    return HEADER.pack(len(body)) + body


def decode(body):
    """Read one message body (without its header) back into plain data.

    The body's size and its count of items are checked before it is parsed,
    so a small message cannot unfold into gigabytes of Python objects.
    """
    if len(body) > MAX_MESSAGE_BYTES:
        raise WireError(f"{len(body) / 2**20:.0f} MiB of data (the limit is {MAX_MESSAGE_BYTES // 2**20} MiB)")
    if sum(body.count(mark) for mark in (b",", b"[", b"{", b":")) > MAX_ITEMS:
        raise WireError(f"more than {MAX_ITEMS} values")
    try:
        return from_plain(json.loads(body.decode("utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError, ValueError, TypeError) as error:
        raise WireError(f"an unreadable message ({error})") from None
