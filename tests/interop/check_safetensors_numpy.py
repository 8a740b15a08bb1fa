#!/usr/bin/env python3
"""Safetensors interop between ex::save / ex::load and tools/safetensors_numpy.py.

    check_safetensors_numpy.py SAFETENSORS_INTEROP WORK_DIR

1. safetensors_interop writes cpp.safetensors; the NumPy reader must find exactly the
   tensors and metadata below (the same table as safetensors_interop.cpp).
2. The NumPy writer writes python.safetensors from that table; safetensors_interop
   must load exactly it, and the two files must be byte for byte the same.
Exits 77 (CTest's skip) when NumPy is missing.
"""
import os
import pathlib
import subprocess
import sys

try:
    import numpy as np
except ImportError:
    print("check_safetensors_numpy.py: NumPy is not installed: skipped")
    sys.exit(77)

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tools"))
import safetensors_numpy as st  # noqa: E402


def bits(values, dtype, shape):
    return np.array(values, dtype=dtype).reshape(shape)


def expected():
    e = st.Entry
    return {
        "bool": e("BOOL", np.array([1, 0, 0, 1, 1, 0], np.bool_).reshape(2, 3)),
        "u8": e("U8", np.array([0, 1, 127, 128, 254, 255], np.uint8)),
        "i8": e("I8", np.array([-128, -1, 0, 1, 126, 127], np.int8).reshape(3, 2)),
        "u16": e("U16", np.array([0, 1, 255, 256, 65534, 65535], np.uint16).reshape(2, 3)),
        "i16": e("I16", np.array([-32768, -1, 0, 1, 32766, 32767], np.int16).reshape(2, 3)),
        "u32": e("U32", np.array([0, 1, 65536, 2**31, 2**32 - 2, 2**32 - 1], np.uint32)),
        "i32": e("I32", np.array([-2**31, -1, 0, 1, 2**31 - 2, 2**31 - 1], np.int32).reshape(2, 3)),
        "u64": e("U64", np.array([0, 1, 2**32, 2**63, 2**64 - 2, 2**64 - 1], np.uint64)),
        "i64": e("I64", np.array([-2**63, -1, 0, 1, 2**63 - 2, 2**63 - 1], np.int64)),
        "f16": e("F16", bits([0x0000, 0x8000, 0x3C00, 0x7BFF, 0x0001, 0x7C00], np.uint16, [6]).view(np.float16)),
        "bf16": e("BF16", bits([0x3F80, 0xC020, 0x7F7F, 0x0001, 0xFF80, 0x7FC0], np.uint16, [2, 3])),
        "f32": e("F32", bits([0x3DCCCCCD, 0x80000001, 0x7F7FFFFF, 0x3F800000, 0xFF800000, 0x7FC00000], np.uint32,
                             [6]).view(np.float32)),
        "f64": e("F64", bits([0x3FB999999999999A, 0xC004000000000000, 0x7FEFFFFFFFFFFFFF, 0x0000000000000001,
                              0x4340000000000000, 0xFFF0000000000000], np.uint64, [3, 2]).view(np.float64)),
        "scalar": e("F64", np.array(3.25, np.float64)),
        "empty": e("F32", np.zeros((0, 4), np.float32)),
        "expanded": e("I32", np.broadcast_to(np.array([[7, -7]], np.int32), (3, 2))),
    }


METADATA = {"format": "pt", "producer": "extensor", "unicode": "h\u00e9llo \u2713"}


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: check_safetensors_numpy.py SAFETENSORS_INTEROP WORK_DIR")
    program, work = sys.argv[1], pathlib.Path(sys.argv[2])
    work.mkdir(parents=True, exist_ok=True)
    cpp_file, python_file = work / "cpp.safetensors", work / "python.safetensors"
    failures = []

    subprocess.run([program, "write", str(cpp_file)], check=True)
    tensors, metadata = st.read(cpp_file)
    want = expected()
    if list(tensors) != list(want):
        failures.append("C++ wrote the names %s, expected %s" % (list(tensors), list(want)))
    for name, (code, array) in want.items():
        got = tensors.get(name)
        if got is None:
            continue
        if got.dtype != code or got.array.shape != array.shape:
            failures.append("%s: C++ wrote %s %s, expected %s %s" % (name, got.dtype, list(got.array.shape), code,
                                                                     list(array.shape)))
        elif got.array.tobytes() != np.ascontiguousarray(array).tobytes():
            failures.append("%s: C++ wrote other bytes" % name)
    if metadata != METADATA:
        failures.append("C++ wrote the metadata %r, expected %r" % (metadata, METADATA))

    st.write(python_file, want, METADATA)
    if subprocess.run([program, "check", str(python_file)]).returncode != 0:
        failures.append("ex::load did not read the NumPy writer's file as expected")
    if python_file.read_bytes() != cpp_file.read_bytes():
        failures.append("the NumPy writer and ex::save laid the same tensors out differently")

    for failure in failures:
        print("check_safetensors_numpy.py: " + failure, file=sys.stderr)
    if not failures:
        print("check_safetensors_numpy.py: %d tensors both ways, files identical (%d bytes)" %
              (len(want), os.path.getsize(cpp_file)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
