#!/usr/bin/env python3
"""Safetensors files in plain Python and NumPy, written from the format's specification.

No torch and no safetensors package: this is the independent side of extensor's interop
test (tests/interop/), and the way to bring tensors from any framework to ex::load as
NumPy arrays (or to read ex::save's files without extensor).

    import safetensors_numpy as st
    st.write("m.safetensors", {"fc.weight": np.ones((2, 3), np.float32)}, {"epoch": "3"})
    tensors, metadata = st.read("m.safetensors")  # {name: Entry(dtype, array)}, header order

The format: an 8-byte little-endian length N, N bytes of JSON mapping each name to
{"dtype", "shape", "data_offsets": [begin, end]} (offsets into the data after the header)
plus an optional "__metadata__" object of strings, then the little-endian row-major data.
NumPy has no bfloat16: a BF16 tensor is an Entry("BF16", array of its uint16 bits), both
when read and when written (bf16_bits / bf16_to_float32 convert).

The writer lays the file out as ex::save does (compact JSON, "__metadata__" first with its
keys sorted, fields in the order dtype, shape, data_offsets, tensors back to back in the
given order, the header padded with spaces to a multiple of 8 bytes), so both give the
same bytes. The reader refuses what ex::load refuses, raising ValueError.

Command line: `safetensors_numpy.py FILE` prints each tensor's name, dtype and shape.
"""
import collections
import json
import struct
import sys

import numpy as np

MAX_HEADER_BYTES = 100_000_000
METADATA_KEY = "__metadata__"

# Safetensors dtype code -> NumPy dtype (little-endian); BF16 travels as its uint16 bits.
DTYPES = {
    "BOOL": np.dtype("?"), "U8": np.dtype("u1"), "I8": np.dtype("i1"), "U16": np.dtype("<u2"),
    "I16": np.dtype("<i2"), "U32": np.dtype("<u4"), "I32": np.dtype("<i4"), "U64": np.dtype("<u8"),
    "I64": np.dtype("<i8"), "F16": np.dtype("<f2"), "BF16": np.dtype("<u2"), "F32": np.dtype("<f4"),
    "F64": np.dtype("<f8"),
}

Entry = collections.namedtuple("Entry", ["dtype", "array"])


def bf16_bits(values):
    """float32 values -> their bfloat16 bits (uint16), rounding to nearest even; NaN stays NaN."""
    bits = np.ascontiguousarray(values, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)
    nan = np.isnan(np.asarray(values, dtype=np.float32))
    return np.where(nan, ((bits >> 16) | 0x40).astype(np.uint16), rounded)


def bf16_to_float32(bits):
    """bfloat16 bits (uint16) -> float32 values, exactly."""
    return (np.asarray(bits, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)


def code_of(array):
    """The safetensors code of a NumPy array's dtype, in either byte order."""
    little = array.dtype.newbyteorder("<")
    for code, dtype in DTYPES.items():
        if code != "BF16" and little == dtype:
            return code
    raise ValueError("no safetensors dtype for numpy dtype %s" % array.dtype)


def _entry(value):
    """An Entry for a value given to write(): an Entry, or a NumPy array (or array-like)."""
    if isinstance(value, Entry):
        if value.dtype not in DTYPES:
            raise ValueError("unknown dtype %r" % value.dtype)
        return Entry(value.dtype, np.asarray(value.array, dtype=DTYPES[value.dtype]))
    array = np.asarray(value)
    return Entry(code_of(array), array)


def _compact(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def dumps(tensors, metadata=None):
    """The bytes of a safetensors file holding tensors ({name: array or Entry}) and metadata."""
    entries = [(name, _entry(value)) for name, value in tensors.items()]
    parts, blobs, offset = [], [], 0
    if metadata:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise ValueError("metadata keys and values must be strings")
        parts.append(_compact(METADATA_KEY) + ":" + _compact(dict(sorted(metadata.items()))))
    for name, (code, array) in entries:
        if name == METADATA_KEY or not name:
            raise ValueError("invalid tensor name %r" % name)
        blob = np.ascontiguousarray(array, dtype=DTYPES[code]).tobytes()
        parts.append("%s:{\"dtype\":\"%s\",\"shape\":%s,\"data_offsets\":[%d,%d]}" %
                     (_compact(name), code, _compact(list(array.shape)), offset, offset + len(blob)))
        blobs.append(blob)
        offset += len(blob)
    header = ("{" + ",".join(parts) + "}").encode("utf-8")
    header += b" " * ((8 - len(header) % 8) % 8)
    return struct.pack("<Q", len(header)) + header + b"".join(blobs)


def write(path, tensors, metadata=None):
    with open(path, "wb") as f:
        f.write(dumps(tensors, metadata))


def _no_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError("the key %r appears twice" % key)
        seen[key] = value
    return seen


def _is_uint(value):
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**64


def loads(data, name="<bytes>"):
    """Parses a safetensors file's bytes: ({name: Entry}, metadata) in header order."""
    def fail(why):
        raise ValueError("%s: %s" % (name, why))

    if len(data) < 8:
        fail("the file has %d bytes, fewer than the 8 of the header length" % len(data))
    (length,) = struct.unpack("<Q", data[:8])
    if length > MAX_HEADER_BYTES:
        fail("the header length %d is above the %d-byte limit" % (length, MAX_HEADER_BYTES))
    if length > len(data) - 8:
        fail("the header length %d runs past the end of the file" % length)
    try:
        header = json.loads(data[8:8 + length].decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, ValueError) as e:
        fail("the header is not valid JSON: %s" % e)
    if not isinstance(header, dict):
        fail("the header is not a JSON object")
    metadata = header.pop(METADATA_KEY, {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        fail("__metadata__ is not an object of strings")
    body = data[8 + length:]
    spans, tensors = [], collections.OrderedDict()
    for key, info in header.items():
        if not key:
            fail("a tensor name is empty")
        if not isinstance(info, dict) or set(info) != {"dtype", "shape", "data_offsets"}:
            fail("entry %r is not an object of exactly dtype, shape and data_offsets" % key)
        code, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
        if not isinstance(code, str) or code not in DTYPES:
            fail("entry %r: unknown dtype %r" % (key, code))
        if not isinstance(shape, list) or not all(_is_uint(d) and d < 2**63 for d in shape):
            fail("entry %r: the shape is not a list of non-negative integers" % key)
        if not isinstance(offsets, list) or len(offsets) != 2 or not all(_is_uint(o) for o in offsets):
            fail("entry %r: data_offsets is not [begin, end]" % key)
        begin, end = offsets
        nbytes = 0 if 0 in shape else DTYPES[code].itemsize * int(np.prod(shape, dtype=object))
        if nbytes > 2**62:
            fail("entry %r: shape %s needs more than 2^62 bytes" % (key, shape))
        if not begin <= end <= len(body) or end - begin != nbytes:
            fail("entry %r: data_offsets %s do not span the %d bytes of shape %s inside the %d bytes of data" %
                 (key, offsets, nbytes, shape, len(body)))
        spans.append((begin, end, key))
        if nbytes == 0:
            try:
                tensors[key] = Entry(code, np.zeros(shape, dtype=DTYPES[code]))
            except ValueError:  # an empty shape with dims whose product NumPy refuses
                fail("entry %r: NumPy cannot make an array of shape %s" % (key, shape))
            continue
        if code == "BOOL" and np.any(np.frombuffer(body, np.uint8, nbytes, begin) > 1):
            fail("entry %r: a BOOL byte is not 0 or 1" % key)
        array = np.frombuffer(body, dtype=DTYPES[code], count=nbytes // DTYPES[code].itemsize, offset=begin)
        tensors[key] = Entry(code, array.reshape(shape).copy())
    covered = 0
    for begin, end, key in sorted(spans):
        if begin != covered:
            fail("entry %r starts at %d, but the tensors before it end at %d" % (key, begin, covered))
        covered = end
    if covered != len(body):
        fail("%d trailing bytes after the last tensor" % (len(body) - covered))
    return tensors, metadata


def read(path):
    with open(path, "rb") as f:
        return loads(f.read(), path)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: safetensors_numpy.py FILE")
    found, meta = read(sys.argv[1])
    for tensor_name, (dtype_code, values) in found.items():
        print("%s %s %s" % (tensor_name, dtype_code, list(values.shape)))
    for key, value in meta.items():
        print("metadata %s = %s" % (key, value))
