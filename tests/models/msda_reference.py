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
import sys

import torch
import torch.nn.functional as F

from torch_safetensors import read_safetensors, write_safetensors


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
