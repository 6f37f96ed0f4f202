#!/usr/bin/env python3
"""Independent safetensors writer for tests/engine/test_safetensors.cpp.

Written from the public format description with nothing but struct and json, and deliberately
unlike the C++ writer: header keys in insertion order with json.dumps' default spacing, tensor
data in a different order from the header, no header padding. For each file it also writes
<name>.expected.json with every tensor's dtype, shape, raw bytes (hex) and values, so the C++
reader can be checked exactly.

usage: safetensors_fixture.py OUT_DIR
"""
import json
import math
import os
import struct
import sys

# struct formats per dtype; BF16 is packed by hand from the float32 bits.
FORMATS = {
    "F64": "d", "F32": "f", "F16": "e", "I64": "q", "I32": "i", "I16": "h",
    "I8": "b", "U8": "B", "BOOL": "?",
}


def pack(dtype, values):
    if dtype == "BF16":
        out = b""
        for v in values:
            bits = struct.unpack("<I", struct.pack("<f", v))[0]
            if bits & 0xFFFF and not math.isnan(v):
                raise ValueError(f"{v} is not exact in bfloat16")
            out += struct.pack("<H", bits >> 16)
        return out
    return struct.pack("<" + FORMATS[dtype] * len(values), *values)


def write(path, tensors, metadata, data_order):
    """tensors: list of (name, dtype, shape, values) in header order; data_order: names in the
    order their bytes are laid out in the buffer."""
    blobs = {name: pack(dtype, values) for name, dtype, shape, values in tensors}
    offsets = {}
    pos = 0
    for name in data_order:
        offsets[name] = [pos, pos + len(blobs[name])]
        pos += len(blobs[name])
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, _ in tensors:
        header[name] = {"data_offsets": offsets[name], "dtype": dtype, "shape": shape}
    text = json.dumps(header).encode("utf-8")
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for name in data_order:
            f.write(blobs[name])

    expected = {"metadata": metadata or {}, "tensors": {}}
    for name, dtype, shape, values in tensors:
        expected["tensors"][name] = {
            "dtype": dtype, "shape": shape, "hex": blobs[name].hex(),
            "values": [int(v) if dtype == "BOOL" else v for v in values],
        }
    with open(path + ".expected.json", "w") as f:
        json.dump(expected, f, indent=1)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    inf = float("inf")
    mixed = [
        ("z.last", "F32", [2, 3], [0.0, -0.0, 1.5, -2.25, inf, 3.4028234663852886e38]),
        ("encoder.layers.0.weight", "F64", [3], [math.pi, -1e-300, 2.0 ** -1074]),
        ("half", "F16", [2, 2], [1.0, -0.5, 65504.0, 2.0 ** -24]),
        ("brain", "BF16", [3], [1.0, -3.0, 2.0 ** 100]),
        ("counts.i64", "I64", [2], [-(2 ** 63), 2 ** 62 + 1]),
        ("counts.i32", "I32", [1, 2], [-(2 ** 31), 2 ** 31 - 1]),
        ("counts.i16", "I16", [2], [-32768, 32767]),
        ("counts.i8", "I8", [3], [-128, 0, 127]),
        ("pixels", "U8", [2, 2, 1], [0, 1, 254, 255]),
        ("mask", "BOOL", [4], [True, False, False, True]),
        ("scalar", "F32", [], [7.0]),
        ("nothing", "F32", [0, 5], []),
    ]
    names = [t[0] for t in mixed]
    # Bytes laid out in reverse header order, so neither order is the sorted one.
    write(os.path.join(out, "mixed.safetensors"), mixed,
          {"format": "pt", "producer": "safetensors_fixture.py", "note": "unicode \u00e9\u4e2d"},
          list(reversed(names)))
    write(os.path.join(out, "empty.safetensors"), [], None, [])
    single = [("only", "I32", [2], [1, -1])]
    write(os.path.join(out, "single.safetensors"), single, {}, ["only"])


if __name__ == "__main__":
    main()
