#!/usr/bin/env python3
"""Writes the hand-made seed inputs of the fuzz corpora (corpus/<name>/seed-*).

The fuzzers' own finds sit beside them under libFuzzer's hash names. Rerun this after
changing a harness's input format; it only rewrites seed-* files.
"""
import gzip
import json
import pathlib
import struct
import zlib

HERE = pathlib.Path(__file__).resolve().parent


def write(folder, name, data):
    path = HERE / "corpus" / folder / ("seed-" + name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


# ---- IDX: the harness reads each input as is and gzip-compressed ----

def idx(type_code, dims, payload=b""):
    return bytes([0, 0, type_code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + payload


def idx_seeds():
    valid = {
        "uint8": idx(0x08, [2, 3], bytes([0, 1, 2, 253, 254, 255])),
        "int8": idx(0x09, [3], bytes([0x7F, 0x80, 0xFF])),
        "int16": idx(0x0B, [3], struct.pack(">3h", 258, -2, -32768)),
        "int32": idx(0x0C, [1, 2], struct.pack(">2i", 65536, -3)),
        "float32": idx(0x0D, [2], struct.pack(">2f", 1.5, -0.25)),
        "float64": idx(0x0E, [1], struct.pack(">d", 0.1)),
        "images": idx(0x08, [2, 4, 4], bytes(range(32))),
        "scalar": idx(0x08, [], bytes([42])),
        "empty": idx(0x08, [0, 5]),
    }
    for name, data in valid.items():
        write("idx", name, data)
        write("idx", name + ".gz", gzip.compress(data, mtime=0))
    whole = valid["images"]
    gz = gzip.compress(whole, mtime=0)
    seeds = {
        "empty-file": b"",
        "truncated-magic": b"\x00\x00",
        "truncated-dims": idx(0x08, [2, 3])[:9],
        "truncated-payload": whole[:-5],
        "trailing-data": whole + b"\x01\x02",
        "bad-magic-leading": b"\x01" + whole[1:],
        "bad-magic-type": bytes([0, 0, 0x0A, 1]) + struct.pack(">I", 1) + b"\x00",
        "huge-dim": idx(0x08, [0xFFFFFFFF], b"\x00" * 8),
        "dim-product-overflows": idx(0x0E, [0xFFFFFFFF] * 4, b"\x00" * 8),
        # The nonzero dims multiply past 2^63: an empty tensor must still be valid.
        "zero-dim-with-huge-dims": idx(0x0D, [0, 0xFFFFFFFF, 0xFFFFFFFF]),
        "rank-255": idx(0x08, [1] * 255, b"\x07"),
        "gz-truncated": gz[:-6],
        "gz-bad-crc": gz[:-8] + bytes([gz[-8] ^ 0xFF]) + gz[-7:],
        "gz-two-members": gzip.compress(whole[:10], mtime=0) + gzip.compress(whole[10:], mtime=0),
        "gz-trailing-garbage": gz + b"garbage",
        "gz-corrupt-deflate": gz[:10] + b"\xff" * 8 + gz[18:],
        "zlib-not-gzip": zlib.compress(whole),
    }
    for name, data in seeds.items():
        write("idx", name, data)


# ---- state dicts: the byte layout fuzz_state_dict.cpp's header describes ----

MODEL_DTYPES = {"float32": 0, "float64": 1, "float16": 2, "bfloat16": 3}
ITEMSIZE = {"float32": 4, "float64": 8, "float16": 2, "bfloat16": 2}
DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16",
          "bfloat16", "float32", "float64"]
DTYPE_ITEMSIZE = [1, 1, 2, 4, 8, 1, 2, 4, 8, 2, 2, 4, 8]
SAME_AS_MODEL = 13
KEYS = {"0.weight": (0, [4, 3]), "0.bias": (1, [4]), "2.weight": (2, [2, 4]), "2.bias": (3, [2])}
CONTIGUOUS, TRANSPOSED, SLICED, EXPANDED, OFFSET, PERMUTED, UNDEFINED = 0, 2, 3, 4, 5, 6, 7


def dim_code(d):
    if 0 <= d <= 8:
        return bytes([d])
    if -32 <= d < 0:
        return bytes([0xC0 | (-1 - d)])
    return b"\xe0" + struct.pack("<q", d)


def entry(name, dtype=SAME_AS_MODEL, shape=None, layout=CONTIGUOUS, value_bytes=0, fill=0x3C):
    """name: a real key or any bytes; shape None means the real key's shape."""
    out = b""
    if isinstance(name, str) and name in KEYS:
        out += b"\x01" + bytes([KEYS[name][0]])
    else:
        raw = name.encode() if isinstance(name, str) else name
        out += b"\x00" + bytes([len(raw)]) + raw
    out += bytes([dtype])
    if shape is None:
        out += b"\x00"
    else:
        out += b"\x01" + bytes([len(shape)]) + b"".join(dim_code(d) for d in shape)
    out += bytes([layout])
    return out + bytes((fill + i) & 0xFF for i in range(value_bytes))


def state_dict(model_dtype, entries):
    return bytes([MODEL_DTYPES[model_dtype], len(entries)]) + b"".join(entries)


def numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def real(model_dtype, layout=CONTIGUOUS, skip=(), wrong=None):
    """The model's four keys with their real shapes (values filling each tensor)."""
    out = []
    for name, (_, shape) in KEYS.items():
        if name in skip:
            continue
        if wrong and name in wrong:
            out.append(wrong[name])
            continue
        n = numel(shape)
        if layout == SLICED:
            n = n // shape[0] * (2 * shape[0] + 1)
        elif layout == EXPANDED:
            n = n // shape[-1]
        elif layout == OFFSET:
            n += 3
        out.append(entry(name, layout=layout, value_bytes=n * ITEMSIZE[model_dtype]))
    return out


def state_dict_seeds():
    for dtype in MODEL_DTYPES:
        write("state_dict", "full-" + dtype, state_dict(dtype, real(dtype)))
    for layout, name in [(TRANSPOSED, "transposed"), (SLICED, "sliced"), (EXPANDED, "expanded"), (OFFSET, "offset"),
                         (PERMUTED, "permuted")]:
        write("state_dict", "views-" + name, state_dict("float32", real("float32", layout)))
    write("state_dict", "missing-key", state_dict("float32", real("float32", skip={"2.bias"})))
    write("state_dict", "unexpected-key",
          state_dict("float32", real("float32") + [entry("3.weight", shape=[2], value_bytes=8)]))
    write("state_dict", "wrong-shape",
          state_dict("float32", real("float32", wrong={"0.weight": entry("0.weight", shape=[3, 4], value_bytes=48)})))
    write("state_dict", "wrong-dtype",
          state_dict("float64", real("float64", wrong={"0.bias": entry("0.bias", dtype=4, value_bytes=32)})))
    write("state_dict", "undefined-tensor",
          state_dict("float32", real("float32", wrong={"2.bias": entry("2.bias", layout=UNDEFINED)})))
    write("state_dict", "empty-and-dotted-names",
          state_dict("float32", [entry(b""), entry(b"a.b.c", shape=[]), entry(b"\x00\xff", shape=[0, 3])]))
    write("state_dict", "duplicate-key",
          state_dict("float32", [entry("0.bias", value_bytes=16), entry("0.bias", value_bytes=16)]))
    write("state_dict", "negative-dims",
          state_dict("float32", [entry("0.weight", shape=[4, -1]), entry("0.bias", shape=[-32])]))
    write("state_dict", "numel-overflows",
          state_dict("float32", [entry("0.weight", shape=[1 << 40, 1 << 40]), entry("0.bias", shape=[-(1 << 62)]),
                                 entry("2.weight", shape=[(1 << 63) - 1, 2])]))
    write("state_dict", "too-big",
          state_dict("float32", [entry("0.weight", shape=[1 << 30, 1 << 30]), entry("0.bias", shape=[1 << 20])]))
    # Huge dims beside a 0, multiplying past 2^63, as for the IDX seed above.
    write("state_dict", "empty-dims",
          state_dict("float32", [entry("0.weight", shape=[0, 1 << 40, 1 << 40]), entry("0.bias", shape=[0])]))
    # Every dtype once, under names the model does not have.
    for start in range(0, len(DTYPES), 5):
        entries = [entry("t" + DTYPES[i], dtype=i, shape=[2, 3], value_bytes=6 * DTYPE_ITEMSIZE[i])
                   for i in range(start, min(start + 5, len(DTYPES)))]
        write("state_dict", "dtypes-%d" % start, state_dict("float32", entries))


# ---- safetensors: the harness loads each input as a file ----

def safetensors(header, data=b"", length=None, pad=True):
    """A safetensors file: header (a dict, dumped compactly, or raw text), then data."""
    text = header if isinstance(header, (str, bytes)) else json.dumps(header, separators=(",", ":"))
    raw = text.encode() if isinstance(text, str) else text
    if pad:
        raw += b" " * ((8 - len(raw) % 8) % 8)
    return struct.pack("<Q", len(raw) if length is None else length) + raw + data


def tensor(dtype, shape, begin, end):
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


def safetensors_seeds():
    f32 = struct.pack("<2f", 1.5, -2.0)
    valid = {
        "valid-f32": safetensors({"a": tensor("F32", [2], 0, 8)}, f32),
        "valid-metadata": safetensors({"__metadata__": {"format": "pt", "epoch": "3"}, "w": tensor("I16", [1, 2], 0, 4)},
                                      struct.pack("<2h", -1, 300)),
        "valid-empty-dict": safetensors({}),
        "valid-scalar-and-empty": safetensors({"s": tensor("F64", [], 0, 8), "e": tensor("U8", [0, 3], 8, 8)},
                                              struct.pack("<d", 0.1)),
        "valid-out-of-order": safetensors({"b": tensor("U8", [2], 2, 4), "a": tensor("U8", [2], 0, 2)}, b"\x01\x02\x03\x04"),
        "valid-huge-empty": safetensors({"e": tensor("F32", [0, 1 << 62, 1 << 62], 0, 0)}),
        "valid-bool": safetensors({"m": tensor("BOOL", [3], 0, 3)}, b"\x01\x00\x01"),
    }
    itemsize = {"BOOL": 1, "U8": 1, "I8": 1, "U16": 2, "I16": 2, "U32": 4, "I32": 4, "U64": 8, "I64": 8, "F16": 2,
                "BF16": 2, "F32": 4, "F64": 8}
    header, data = {}, b""
    for code, size in itemsize.items():
        header["t" + code] = tensor(code, [2], len(data), len(data) + 2 * size)
        data += bytes((i * 37 + 5) & (1 if code == "BOOL" else 0xFF) for i in range(2 * size))
    valid["valid-every-dtype"] = safetensors(header, data)
    a = tensor("F32", [2], 0, 8)
    bad = {
        "empty-file": b"",
        "short-file": b"\x08\x00\x00",
        "length-beyond-file": safetensors("{}", length=64),
        "length-above-limit": safetensors("{}", length=100_000_001),
        "length-max": safetensors("{}", length=2**64 - 1),
        "invalid-json": safetensors('{"a":', pad=False),
        "text-after-object": safetensors("{} x"),
        "not-an-object": safetensors("[1,2]"),
        "entry-not-object": safetensors('{"a":5}'),
        "missing-dtype": safetensors({"a": {"shape": [2], "data_offsets": [0, 8]}}, f32),
        "missing-shape": safetensors({"a": {"dtype": "F32", "data_offsets": [0, 8]}}, f32),
        "missing-offsets": safetensors({"a": {"dtype": "F32", "shape": [2]}}, f32),
        "repeated-field": safetensors('{"a":{"dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]}}', f32),
        "unknown-field": safetensors({"a": dict(a, extra=1)}, f32),
        "dtype-not-string": safetensors({"a": dict(a, dtype=4)}, f32),
        "unknown-dtype": safetensors({"a": dict(a, dtype="F8_E4M3", shape=[8])}, f32),
        "shape-not-array": safetensors({"a": dict(a, shape="2")}, f32),
        "float-dim": safetensors({"a": dict(a, shape=[2.0])}, f32),
        "nested-shape": safetensors({"a": dict(a, shape=[[2]])}, f32),
        "negative-dim": safetensors({"a": dict(a, shape=[-2])}, f32),
        "dim-above-int64": safetensors({"a": dict(a, dtype="U8", shape=[2**63])}, f32),
        "dim-beyond-uint64": safetensors({"a": dict(a, dtype="U8", shape=[2**64])}, f32),
        "numel-overflows": safetensors({"a": dict(a, dtype="U8", shape=[2**32, 2**32])}, f32),
        "bytes-overflow": safetensors({"a": dict(a, dtype="F64", shape=[2**60])}, f32),
        "offsets-not-array": safetensors({"a": dict(a, data_offsets="0,8")}, f32),
        "float-offsets": safetensors({"a": dict(a, data_offsets=[0, 8.0])}, f32),
        "negative-offset": safetensors({"a": dict(a, data_offsets=[-8, 0])}, f32),
        "one-offset": safetensors({"a": dict(a, data_offsets=[8])}, f32),
        "three-offsets": safetensors({"a": dict(a, data_offsets=[0, 8, 8])}, f32),
        "offsets-reversed": safetensors({"a": dict(a, shape=[0], data_offsets=[8, 0])}, f32),
        "offsets-past-end": safetensors({"a": dict(a, shape=[4], data_offsets=[0, 16])}, f32),
        "size-mismatch": safetensors({"a": dict(a, shape=[3])}, f32),
        "overlapping": safetensors({"a": a, "b": tensor("F32", [2], 4, 12)}, f32 + f32[:4]),
        "hole": safetensors({"a": tensor("U8", [4], 0, 4), "b": tensor("U8", [2], 6, 8)}, f32),
        "hole-at-start": safetensors({"a": tensor("U8", [4], 4, 8)}, f32),
        "trailing-bytes": safetensors({"a": a}, f32 + b"\x00\x00\x00\x00"),
        "repeated-name": safetensors('{"a":%s,"a":%s}' % (json.dumps(a), json.dumps(a)), f32),
        "empty-name": safetensors({"": a}, f32),
        "metadata-not-object": safetensors({"__metadata__": "x"}),
        "metadata-number": safetensors({"__metadata__": {"epoch": 3}}),
        "metadata-repeated-key": safetensors('{"__metadata__":{"k":"1","k":"2"}}'),
        "bool-byte-2": safetensors({"m": tensor("BOOL", [3], 0, 3)}, b"\x01\x00\x02"),
        "invalid-utf8-name": safetensors(b'{"\xff":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', b"\x00"),
    }
    for name, data in {**valid, **bad}.items():
        write("safetensors", name, data)


idx_seeds()
state_dict_seeds()
safetensors_seeds()
