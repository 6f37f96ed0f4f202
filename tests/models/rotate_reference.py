#!/usr/bin/env python3
"""Independent reference for RotateBev in tests/models/test_bev_encoder.cpp.

Rotates images [B, C, H, W] by angles [B] degrees about center [2] (x, y pixels) with
torchvision.transforms.functional.rotate called as BEVFormer's PerceptionTransformer calls it
(default nearest interpolation, no expand, no fill), and writes the result.

usage: rotate_reference.py INPUTS.safetensors OUTPUTS.safetensors
"""
import sys

import torch
from torchvision.transforms.functional import rotate

from torch_safetensors import read_safetensors, write_safetensors


def main():
    inputs = read_safetensors(sys.argv[1])
    images, angles = inputs["images"], inputs["angles"]
    center = [float(v) for v in inputs["center"].tolist()]
    out = torch.stack([rotate(images[i], float(angles[i]), center=center) for i in range(images.shape[0])])
    write_safetensors(sys.argv[2], {"rotated": out})


if __name__ == "__main__":
    main()
