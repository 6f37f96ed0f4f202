#!/usr/bin/env python3
"""Independent reference for tests/models/test_backbone.cpp.

Builds torchvision resnet18 and resnet50 with a fixed seed, randomises every BatchNorm's affine
parameters and running statistics (so no BN is the identity) and num_batches_tracked, and writes
for each depth:
  resnet<depth>.weights.safetensors   the state_dict without fc (torchvision names)
  resnet<depth>.features.safetensors  "input" [2,3,64,96] and "c2".."c5", the outputs of
                                      layer1..layer4 in eval mode
The safetensors writer (torch_safetensors.py) is a few lines of struct and json, independent of the C++ code.

usage: resnet_reference.py OUT_DIR
"""
import os
import sys

import torch
import torchvision

from torch_safetensors import write_safetensors


def randomise_batchnorm(model, generator):
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            n = m.num_features
            m.weight.data = torch.rand(n, generator=generator) + 0.5
            m.bias.data = torch.randn(n, generator=generator) * 0.1
            m.running_mean = torch.randn(n, generator=generator) * 0.1
            m.running_var = torch.rand(n, generator=generator) + 0.5
            m.num_batches_tracked = torch.tensor(int(torch.randint(1, 1000, (1,), generator=generator)))


def features(model, x):
    x = model.maxpool(model.relu(model.bn1(model.conv1(x))))
    out = {}
    for i, layer in enumerate([model.layer1, model.layer2, model.layer3, model.layer4]):
        x = layer(x)
        out["c%d" % (i + 2)] = x
    return out


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(7)
    generator = torch.Generator().manual_seed(11)
    x = torch.randn(2, 3, 64, 96, generator=generator)
    for depth, build in ((18, torchvision.models.resnet18), (50, torchvision.models.resnet50)):
        model = build()
        randomise_batchnorm(model, generator)
        model.eval()
        state = {k: v for k, v in model.state_dict().items() if not k.startswith("fc.")}
        write_safetensors(os.path.join(out_dir, "resnet%d.weights.safetensors" % depth), state)
        with torch.no_grad():
            feats = features(model, x)
        write_safetensors(os.path.join(out_dir, "resnet%d.features.safetensors" % depth), {"input": x, **feats})


if __name__ == "__main__":
    main()
