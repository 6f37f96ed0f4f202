#!/usr/bin/env python3
"""Independent reference for tests/models/test_ms_deform_attn.cpp.

Reads value, spatial_shapes, level_start_index, sampling_locations, attention_weights and
grad_output from a safetensors file, computes multi-scale deformable attention with
torch.nn.functional.grid_sample (bilinear, zero padding, align_corners=False at 2 * loc - 1) and
the gradients of sum(output * grad_output) with autograd, and writes output, grad_value,
grad_sampling_locations and grad_attention_weights to another safetensors file. The safetensors
reading and writing here is a few lines of struct and json, independent of the C++ code.

usage: msda_reference.py INPUTS.safetensors OUTPUTS.safetensors
"""
import json
import struct
import sys

import torch
import torch.nn.functional as F

DTYPES = {"F64": torch.float64, "F32": torch.float32, "I64": torch.int64, "I32": torch.int32}
NAMES = {v: k for k, v in DTYPES.items()}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    buffer = data[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = bytearray(buffer[begin:end])
        out[name] = torch.frombuffer(raw, dtype=DTYPES[info["dtype"]]).reshape(info["shape"]).clone()
    return out


def write_safetensors(path, tensors):
    header = {}
    blobs = []
    pos = 0
    for name, t in tensors.items():
        blob = t.detach().contiguous().numpy().tobytes()
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [pos, pos + len(blob)]}
        blobs.append(blob)
        pos += len(blob)
    text = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def msda(value, shapes, locations, weights):
    batch, _, heads, channels = value.shape
    _, queries, _, levels, points, _ = locations.shape
    sizes = [int(h) * int(w) for h, w in shapes.tolist()]
    per_level = value.split(sizes, dim=1)
    grids = 2 * locations - 1
    samples = []
    for level, (h, w) in enumerate(shapes.tolist()):
        # (batch, h*w, heads, channels) -> (batch*heads, channels, h, w)
        v = per_level[level].flatten(2).transpose(1, 2).reshape(batch * heads, channels, h, w)
        # (batch, queries, heads, points, 2) -> (batch*heads, queries, points, 2)
        g = grids[:, :, :, level].transpose(1, 2).flatten(0, 1)
        samples.append(F.grid_sample(v, g, mode="bilinear", padding_mode="zeros", align_corners=False))
    stacked = torch.stack(samples, dim=-2).flatten(-2)  # (batch*heads, channels, queries, levels*points)
    w = weights.transpose(1, 2).reshape(batch * heads, 1, queries, levels * points)
    out = (stacked * w).sum(-1).view(batch, heads * channels, queries)
    return out.transpose(1, 2).contiguous()


def main():
    inputs = read_safetensors(sys.argv[1])
    value = inputs["value"].requires_grad_(True)
    locations = inputs["sampling_locations"].requires_grad_(True)
    weights = inputs["attention_weights"].requires_grad_(True)
    out = msda(value, inputs["spatial_shapes"], locations, weights)
    (out * inputs["grad_output"]).sum().backward()
    write_safetensors(sys.argv[2], {
        "output": out,
        "grad_value": value.grad,
        "grad_sampling_locations": locations.grad,
        "grad_attention_weights": weights.grad,
    })


if __name__ == "__main__":
    main()
