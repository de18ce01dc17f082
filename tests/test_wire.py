"""Only plain data crosses between the grading child and the grader."""

import numpy as np
import pytest

from autograder.sandbox.runtime import wire


def round_trip(value):
    data = wire.encode({"value": value})
    (size,) = wire.HEADER.unpack_from(data)
    assert size == len(data) - wire.HEADER.size, "the header gives the body's length"
    return wire.decode(data[wire.HEADER.size:])["value"]


@pytest.mark.parametrize("value", [
    None, True, 3, -2**70, 2.5, float("inf"), "text", [1, [2.0]], (1, (2, "x")), {"a": (1, None)},
])
def test_plain_values_survive(value):
    assert round_trip(value) == value and type(round_trip(value)) is type(value)


def test_nan_survives():
    assert np.isnan(round_trip(float("nan")))


@pytest.mark.parametrize("dtype", ["bool", "int8", "int64", "uint16", "float16", "float32", "float64", "complex128"])
def test_arrays_keep_dtype_shape_and_values(dtype):
    array = (np.arange(12).reshape(3, 4) % 3).astype(dtype)
    back = round_trip(array)
    assert back.dtype == array.dtype and back.shape == (3, 4) and np.array_equal(back, array)


def test_big_endian_and_non_contiguous_arrays_arrive_as_values():
    array = np.arange(10, dtype=">f8")[::2]
    back = round_trip(array)
    assert np.array_equal(back, [0, 2, 4, 6, 8]) and back.dtype == np.float64


def test_numpy_scalars_become_python_numbers():
    assert type(round_trip(np.float32(1.5))) is float and type(round_trip(np.int16(3))) is int


def test_array_subclass_arrives_as_a_plain_array():
    class Anything(np.ndarray):
        def __eq__(self, other):
            return True

    back = round_trip(np.zeros(2).view(Anything))
    assert type(back) is np.ndarray and not np.array_equal(back, [1, 1])


@pytest.mark.parametrize("value", [
    object(), np.array(["a"]), np.array([None], dtype=object), {1: 2}, lambda: 1, type("F", (float,), {})(1.0),
])
def test_other_objects_are_refused(value):
    with pytest.raises(wire.WireError):
        wire.encode({"value": value})


def test_deep_nesting_is_refused():
    value = []
    for _ in range(wire.MAX_DEPTH + 5):
        value = [value]
    with pytest.raises(wire.WireError, match="nested"):
        wire.encode({"value": value})


def test_huge_arrays_are_refused_before_encoding():
    with pytest.raises(wire.WireError, match="MiB"):
        wire.encode({"value": np.zeros(wire.MAX_MESSAGE_BYTES // 8)})


@pytest.mark.parametrize("body", [
    b"\xff\xfe", b"{not json", b'{"__ndarray__": "AAAA", "dtype": "|O", "shape": [1]}',
    b'{"__ndarray__": "AAAA", "dtype": "<f8", "shape": [7]}', b'{"__ndarray__": "!!", "dtype": "<f8", "shape": [0]}',
    b'{"__tuple__": 5}', b'{"__pickle__": "x"}', b"[" * 100000 + b"]" * 100000,
], ids=["not utf-8", "not json", "object dtype", "short data", "bad base64", "bad tuple", "unknown tag",
        "nested too deep"])
def test_malformed_messages_raise_wire_error(body):
    with pytest.raises(wire.WireError):
        wire.decode(body)
