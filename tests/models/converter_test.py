#!/usr/bin/env python3
"""Test of packaging/convert_bevformer_checkpoint.py (registered with ctest).

Builds a checkpoint with every official BEVFormer-tiny state_dict key and shape, generated here
from bevformer.md §2, §5, §7, §8, §10 and §12 (ResNet-50, FPN 2048 -> 256 with one output,
3 encoder and 6 decoder layers, embed 256, 8 heads, 1 level, 50×50 BEV, 900 queries), saves it as
an mmcv checkpoint with meta and optimizer, converts it and reads the safetensors back with the
small parser below. Also checks the committed key list tests/models/fixtures/bevformer_tiny_keys.txt
(one "name shape" line per tensor, shape as comma-separated sizes, "scalar" for 0-d) against the
generator, and that every error case exits non-zero naming the file or key.

usage: converter_test.py [SOURCE_DIR]   (default: two folders up from this file)
       converter_test.py --write-fixture   regenerate the key list
"""
import contextlib
import datetime
import importlib.util
import io
import json
import os
import struct
import subprocess
import sys
import tempfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "fixtures", "bevformer_tiny_keys.txt")

EMBED, HEADS, LEVELS, FFN, POS = 256, 8, 1, 512, 128
BEV_H = BEV_W = 50
QUERIES, CLASSES, CODE = 900, 10, 10
TSA_POINTS, SCA_POINTS, DEC_POINTS = 4, 8, 4
ENCODER_LAYERS, DECODER_LAYERS = 3, 6


def batchnorm(prefix, n):
    return [(f"{prefix}.{s}", [n]) for s in ("weight", "bias", "running_mean", "running_var")] + \
           [(f"{prefix}.num_batches_tracked", [])]


def linear(prefix, out_features, in_features):
    return [(f"{prefix}.weight", [out_features, in_features]), (f"{prefix}.bias", [out_features])]


def layernorm(prefix, n):
    return [(f"{prefix}.weight", [n]), (f"{prefix}.bias", [n])]


def resnet50(prefix):
    keys = [(f"{prefix}.conv1.weight", [64, 3, 7, 7])] + batchnorm(f"{prefix}.bn1", 64)
    inplanes = 64
    for stage, blocks in enumerate((3, 4, 6, 3)):
        planes = 64 * 2 ** stage
        for b in range(blocks):
            p = f"{prefix}.layer{stage + 1}.{b}"
            keys += [(f"{p}.conv1.weight", [planes, inplanes, 1, 1])] + batchnorm(f"{p}.bn1", planes)
            keys += [(f"{p}.conv2.weight", [planes, planes, 3, 3])] + batchnorm(f"{p}.bn2", planes)
            keys += [(f"{p}.conv3.weight", [planes * 4, planes, 1, 1])] + batchnorm(f"{p}.bn3", planes * 4)
            if b == 0:
                keys += [(f"{p}.downsample.0.weight", [planes * 4, inplanes, 1, 1])]
                keys += batchnorm(f"{p}.downsample.1", planes * 4)
            inplanes = planes * 4
    return keys


def fpn(prefix):
    return [(f"{prefix}.lateral_convs.0.conv.weight", [EMBED, 2048, 1, 1]), (f"{prefix}.lateral_convs.0.conv.bias", [EMBED]),
            (f"{prefix}.fpn_convs.0.conv.weight", [EMBED, EMBED, 3, 3]), (f"{prefix}.fpn_convs.0.conv.bias", [EMBED])]


def ffn_and_norms(p):
    return linear(f"{p}.ffns.0.layers.0.0", FFN, EMBED) + linear(f"{p}.ffns.0.layers.1", EMBED, FFN) + \
        [k for i in range(3) for k in layernorm(f"{p}.norms.{i}", EMBED)]


def encoder_layer(p):
    tsa, sca = f"{p}.attentions.0", f"{p}.attentions.1"
    msda3d = f"{sca}.deformable_attention"
    # TSA sees [prev_bev; query] (2C) and samples 2 queue entries.
    keys = linear(f"{tsa}.sampling_offsets", 2 * HEADS * 1 * TSA_POINTS * 2, 2 * EMBED)
    keys += linear(f"{tsa}.attention_weights", 2 * HEADS * 1 * TSA_POINTS, 2 * EMBED)
    keys += linear(f"{tsa}.value_proj", EMBED, EMBED) + linear(f"{tsa}.output_proj", EMBED, EMBED)
    keys += linear(f"{sca}.output_proj", EMBED, EMBED)
    keys += linear(f"{msda3d}.sampling_offsets", HEADS * LEVELS * SCA_POINTS * 2, EMBED)
    keys += linear(f"{msda3d}.attention_weights", HEADS * LEVELS * SCA_POINTS, EMBED)
    keys += linear(f"{msda3d}.value_proj", EMBED, EMBED)
    return keys + ffn_and_norms(p)


def decoder_layer(p):
    mha, cross = f"{p}.attentions.0.attn", f"{p}.attentions.1"
    keys = [(f"{mha}.in_proj_weight", [3 * EMBED, EMBED]), (f"{mha}.in_proj_bias", [3 * EMBED])]
    keys += linear(f"{mha}.out_proj", EMBED, EMBED)
    keys += linear(f"{cross}.sampling_offsets", HEADS * 1 * DEC_POINTS * 2, EMBED)
    keys += linear(f"{cross}.attention_weights", HEADS * 1 * DEC_POINTS, EMBED)
    keys += linear(f"{cross}.value_proj", EMBED, EMBED) + linear(f"{cross}.output_proj", EMBED, EMBED)
    return keys + ffn_and_norms(p)


def head(prefix):
    keys = [(f"{prefix}.code_weights", [CODE]), (f"{prefix}.bev_embedding.weight", [BEV_H * BEV_W, EMBED]),
            (f"{prefix}.query_embedding.weight", [QUERIES, 2 * EMBED]),
            (f"{prefix}.positional_encoding.row_embed.weight", [BEV_H, POS]),
            (f"{prefix}.positional_encoding.col_embed.weight", [BEV_W, POS])]
    for i in range(DECODER_LAYERS):
        c = f"{prefix}.cls_branches.{i}"
        keys += linear(f"{c}.0", EMBED, EMBED) + layernorm(f"{c}.1", EMBED) + linear(f"{c}.3", EMBED, EMBED) + \
            layernorm(f"{c}.4", EMBED) + linear(f"{c}.6", CLASSES, EMBED)
    for i in range(DECODER_LAYERS):
        r = f"{prefix}.reg_branches.{i}"
        keys += linear(f"{r}.0", EMBED, EMBED) + linear(f"{r}.2", EMBED, EMBED) + linear(f"{r}.4", CODE, EMBED)
    t = f"{prefix}.transformer"
    keys += [(f"{t}.level_embeds", [4, EMBED]), (f"{t}.cams_embeds", [6, EMBED])]
    keys += linear(f"{t}.reference_points", 3, EMBED)
    keys += linear(f"{t}.can_bus_mlp.0", EMBED // 2, 18) + linear(f"{t}.can_bus_mlp.2", EMBED, EMBED // 2)
    keys += layernorm(f"{t}.can_bus_mlp.norm", EMBED)
    for i in range(ENCODER_LAYERS):
        keys += encoder_layer(f"{t}.encoder.layers.{i}")
    for i in range(DECODER_LAYERS):
        keys += decoder_layer(f"{t}.decoder.layers.{i}")
    return keys


def tiny_keys():
    keys = resnet50("img_backbone") + fpn("img_neck") + head("pts_bbox_head")
    names = [k for k, _ in keys]
    assert len(names) == len(set(names)), "duplicate key in the generator"
    return keys


def fixture_lines(keys):
    return [f"{name} {','.join(map(str, shape)) if shape else 'scalar'}" for name, shape in keys]


def random_state(keys, generator):
    state = {}
    for name, shape in keys:
        if name.endswith("num_batches_tracked"):
            state[name] = torch.randint(0, 10 ** 6, shape, generator=generator, dtype=torch.int64)
        else:
            state[name] = torch.randn(shape, generator=generator)
    return state


def read_safetensors(path):
    """(metadata, {name: tensor}) with the dtype strings kept for checking."""
    dtypes = {"F32": torch.float32, "I64": torch.int64}
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        t = torch.frombuffer(bytearray(body[begin:end]), dtype=dtypes[info["dtype"]]) if end > begin else \
            torch.empty(0, dtype=dtypes[info["dtype"]])
        tensors[name] = (info["dtype"], t.reshape(info["shape"]))
    return metadata, tensors


class Runner:
    """Runs the converter's main() in this process (importing torch once per run is slow on
    small CI machines); `process` runs it as a real command to check exit codes end to end."""

    def __init__(self, source_dir, tmp):
        self.script = os.path.join(source_dir, "packaging", "convert_bevformer_checkpoint.py")
        spec = importlib.util.spec_from_file_location("convert_bevformer_checkpoint", self.script)
        self.converter = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(self.converter)
        self.tmp = tmp
        self.failures = []

    def run(self, *args):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = self.converter.main(list(args))
            except SystemExit as e:  # argparse: --help, usage errors
                code = e.code
        return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())

    def process(self, *args):
        return subprocess.run([sys.executable, self.script, *args], capture_output=True, text=True)

    def check(self, condition, what):
        print(("ok   " if condition else "FAIL ") + what)
        if not condition:
            self.failures.append(what)

    def expect_error(self, what, path, *needles, extra=()):
        r = self.run(path, "--out", os.path.join(self.tmp, "never.safetensors"), *extra)
        self.check(r.returncode != 0, f"{what}: exits non-zero")
        for needle in needles:
            self.check(needle in r.stderr, f"{what}: message names {needle!r} (got: {r.stderr.strip()})")
        self.check(not os.path.exists(os.path.join(self.tmp, "never.safetensors")), f"{what}: writes nothing")


def main():
    if sys.argv[1:] == ["--write-fixture"]:
        with open(FIXTURE, "w") as f:
            f.write("\n".join(fixture_lines(tiny_keys())) + "\n")
        return 0
    source_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(HERE))
    keys = tiny_keys()
    with tempfile.TemporaryDirectory(prefix="roadsight_converter_") as tmp:
        t = Runner(source_dir, tmp)
        with open(FIXTURE) as f:
            t.check(f.read().splitlines() == fixture_lines(keys), f"{FIXTURE} lists the generated keys")
        t.check(len(keys) == 643, f"643 tiny keys generated (got {len(keys)})")

        generator = torch.Generator().manual_seed(5)
        state = random_state(keys, generator)
        # A half-precision tensor and a non-contiguous one must come out as contiguous F32.
        state["pts_bbox_head.bev_embedding.weight"] = state["pts_bbox_head.bev_embedding.weight"].half()
        state["pts_bbox_head.query_embedding.weight"] = torch.randn(2 * EMBED, QUERIES, generator=generator).t()
        meta = {"mmcv_version": "1.4.0", "CLASSES": ("car", "truck"), "epoch": 24, "iter": 84408, "config": "..."}
        optimizer = {"state": {0: {"step": 3, "exp_avg": torch.zeros(4)}}, "param_groups": [{"lr": 2e-4, "params": [0]}]}
        ckpt = os.path.join(tmp, "bevformer_tiny_epoch_24.pth")
        torch.save({"meta": meta, "state_dict": state, "optimizer": optimizer}, ckpt)

        out = os.path.join(tmp, "converted.safetensors")
        r = t.process(ckpt, "--out", out)
        t.check(r.returncode == 0, f"converts the tiny checkpoint ({r.stderr.strip()})")
        metadata, tensors = read_safetensors(out)
        t.check(metadata == {"source": "bevformer_tiny_epoch_24.pth", "config": "tiny",
                             "converter": metadata.get("converter", "")} and metadata["converter"],
                f"metadata source/config/converter ({metadata})")
        t.check(len(tensors) == len(keys), f"{len(keys)} tensors written (got {len(tensors)})")
        t.check(set(tensors) == {k for k, _ in keys}, "names are the official keys, nothing added or dropped")
        bad = []
        for name, shape in keys:
            dtype, value = tensors[name]
            want_dtype = "I64" if name.endswith("num_batches_tracked") else "F32"
            expected = state[name].to(value.dtype)
            if dtype != want_dtype or list(value.shape) != shape or not torch.equal(value, expected):
                bad.append(name)
        t.check(not bad, f"every dtype, shape and value as in the checkpoint (bad: {bad[:5]})")
        t.check(not [f for f in os.listdir(tmp) if f.endswith(".tmp")], "no temporary file left behind")

        # Dry run: the key -> name table, nothing written.
        dry_out = os.path.join(tmp, "dry.safetensors")
        r = t.run(ckpt, "--out", dry_out, "--dry-run")
        t.check(r.returncode == 0 and not os.path.exists(dry_out), "--dry-run succeeds and writes nothing")
        t.check("img_backbone.layer4.2.bn3.num_batches_tracked -> img_backbone.layer4.2.bn3.num_batches_tracked  I64  []"
                in r.stdout and "pts_bbox_head.transformer.level_embeds -> pts_bbox_head.transformer.level_embeds  F32  "
                "[4, 256]" in r.stdout, "--dry-run prints key -> name, dtype and shape")
        t.check(len(r.stdout.splitlines()) == len(keys) + 1, "--dry-run prints one line per key plus a summary")

        # A bare state dict converts the same way; the default output sits beside the input.
        bare = os.path.join(tmp, "bare.pth")
        torch.save({k: state[k] for k in list(state)[:20]}, bare)
        r = t.run(bare)
        t.check(r.returncode == 0 and len(read_safetensors(os.path.join(tmp, "bare.safetensors"))[1]) == 20,
                f"bare state dict converts to bare.safetensors ({r.stderr.strip()})")
        t.check(read_safetensors(os.path.join(tmp, "bare.safetensors"))[0]["config"] == "unknown",
                "config 'unknown' without bev_embedding")

        r = t.run("--help")
        t.check(r.returncode == 0 and "--dry-run" in r.stdout and "--out" in r.stdout, "--help lists the options")

        # Other serialisations: pickle protocol 4 (STACK_GLOBAL imports) and torch's legacy format.
        for label, kwargs in (("protocol 4", {"pickle_protocol": 4}),
                              ("legacy format", {"_use_new_zipfile_serialization": False})):
            path = os.path.join(tmp, label.replace(" ", "_") + ".pth")
            torch.save({"meta": meta, "state_dict": {k: state[k] for k in list(state)[:8]}}, path, **kwargs)
            r = t.run(path, "--out", path + ".safetensors")
            t.check(r.returncode == 0 and len(read_safetensors(path + ".safetensors")[1]) == 8,
                    f"{label} checkpoint converts ({r.stderr.strip()})")
            pickled = os.path.join(tmp, "pickled_" + label.replace(" ", "_") + ".pth")
            torch.save({"meta": {"time": datetime.datetime(2022, 6, 1)}, "state_dict": {"a": torch.ones(2)}},
                       pickled, **kwargs)
            t.expect_error(f"pickled object, {label}", pickled, "datetime.datetime", "--trust-pickle")

        # Error cases, each naming the file or the key.
        text = os.path.join(tmp, "notes.pth")
        with open(text, "w") as f:
            f.write("not a checkpoint\n")
        t.expect_error("text file", text, "notes.pth", "not a PyTorch checkpoint")
        t.expect_error("missing file", os.path.join(tmp, "absent.pth"), "absent.pth", "no such file")
        listing = os.path.join(tmp, "list.pth")
        torch.save([torch.zeros(1)], listing)
        t.expect_error("list instead of dict", listing, "list.pth", "not a checkpoint")
        no_state = os.path.join(tmp, "no_state.pth")
        torch.save({"meta": meta, "optimizer": optimizer}, no_state)
        t.expect_error("no state_dict", no_state, "no_state.pth", "state_dict")
        non_tensor = os.path.join(tmp, "non_tensor.pth")
        torch.save({"state_dict": {"img_neck.fpn_convs.0.conv.bias": torch.zeros(2), "pts_bbox_head.step": 3}},
                   non_tensor)
        t.expect_error("non-tensor value", non_tensor, "non_tensor.pth", "pts_bbox_head.step")
        dcn = os.path.join(tmp, "r101_dcn.pth")
        dcn_state = dict(state)
        dcn_state["img_backbone.layer3.0.conv2.conv_offset.weight"] = torch.zeros(27, 256, 3, 3)
        torch.save({"meta": meta, "state_dict": dcn_state}, dcn)
        t.expect_error("DCN backbone", dcn, "r101_dcn.pth", "img_backbone.layer3.0.conv2.conv_offset.weight",
                       "DCN backbones are not supported")
        r = t.process(dcn, "--out", os.path.join(tmp, "never.safetensors"))
        t.check(r.returncode == 1 and "conv_offset" in r.stderr, "the command exits 1 with the message on stderr")
        pickled = os.path.join(tmp, "pickled.pth")
        torch.save({"meta": {"time": datetime.datetime(2022, 6, 1)}, "state_dict": {"a": torch.ones(2)}}, pickled)
        t.expect_error("pickled object", pickled, "pickled.pth", "datetime.datetime", "--trust-pickle")
        trusted = os.path.join(tmp, "trusted.safetensors")
        r = t.run(pickled, "--out", trusted, "--trust-pickle")
        t.check(r.returncode == 0 and os.path.exists(trusted), "--trust-pickle loads it")

    if t.failures:
        print(f"{len(t.failures)} check(s) failed", file=sys.stderr)
        return 1
    print("all converter checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
