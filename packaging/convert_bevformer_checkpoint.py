#!/usr/bin/env python3
"""Convert an official BEVFormer checkpoint (mmcv .pth) into a safetensors file for Roadsight.

Input: an mmcv checkpoint, a dict with "state_dict" (plus "meta" and possibly "optimizer"), or a
bare state dict (every value a tensor). Needs python3 and torch only, no mmcv.

Name map. Roadsight's C++ modules register their parameters under the official names
(img_backbone.*, img_neck.*, pts_bbox_head.*), so every state_dict key keeps its name:
  - state_dict keys:  kept unchanged, num_batches_tracked included (the C++ BatchNorms have it);
  - "meta":           dropped (its epoch, config text and class names are not weights);
  - "optimizer":      dropped (AdamW moments, only needed to resume mmcv training);
  - any other top-level entry of an mmcv checkpoint: dropped.
Refused: "*.conv_offset.*" keys, the modulated deformable convs of the R101-DCN backbones
(bevformer_small / bevformer_base), which Roadsight's ResNet cannot run.

Tensors are written contiguous, floating point as F32 (fp16 checkpoints included) and integers
as I64. The safetensors metadata holds "source" (input file name), "config" (tiny, small or base,
from the rows of pts_bbox_head.bev_embedding.weight: 2500, 22500, 40000; "unknown" otherwise) and
"converter". The output is written to a temporary file in the target folder, then renamed.

Unpickling can run code, so before torch.load the pickle's imports are listed (pickletools) and
any global beyond tensors and plain containers is refused; --trust-pickle skips that check for
files from a trusted source. (torch 1.13's weights_only loader cannot serve: it rejects the
floats that meta and optimizer hold.)
"""
import argparse
import json
import os
import pickletools
import struct
import sys
import tempfile
import zipfile

import torch

CONVERTER = "roadsight convert_bevformer_checkpoint 1"
BEV_EMBEDDING = "pts_bbox_head.bev_embedding.weight"
CONFIG_BY_BEV_QUERIES = {50 * 50: "tiny", 150 * 150: "small", 200 * 200: "base"}
DCN_MARKER = ".conv_offset."


class ConversionError(Exception):
    pass


# Globals that a state dict, mmcv's meta and an optimizer state need (plus torch.*Storage).
ALLOWED_GLOBALS = {
    ("collections", "OrderedDict"),
    ("torch._utils", "_rebuild_tensor_v2"),
    ("torch._utils", "_rebuild_parameter"),
    ("torch._utils", "_rebuild_parameter_with_state"),
}
STRING_PUSHES = {"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE", "SHORT_BINSTRING", "BINSTRING", "STRING"}
MEMO_GETS = {"GET", "BINGET", "LONG_BINGET"}
MEMO_PUTS = {"PUT", "BINPUT", "LONG_BINPUT"}


def pickle_globals(stream):
    """(module, name) of every global one pickle imports. Protocol 4's STACK_GLOBAL takes both
    from the stack; they are followed through string pushes and the memo, anything else is
    reported as unresolved (and so refused)."""
    found, recent, memo, memo_count = [], [], {}, 0
    for op, arg, _ in pickletools.genops(stream):
        name = op.name
        if name == "GLOBAL":
            found.append(tuple(arg.split(" ", 1)))
        elif name == "STACK_GLOBAL":
            found.append(tuple(recent[-2:]) if len(recent) >= 2 else ("<unresolved>", "STACK_GLOBAL"))
            recent = []
        elif name in STRING_PUSHES:
            recent.append(arg)
        elif name in MEMO_GETS:
            recent = recent + [memo[arg]] if arg in memo else []
        elif name in MEMO_PUTS or name == "MEMOIZE":
            index = arg if name in MEMO_PUTS else memo_count
            memo_count += 1
            if recent:
                memo[index] = recent[-1]
        else:
            recent = []
    return found


def checkpoint_globals(path):
    """Globals of the pickles torch.load would run: data.pkl of the zip format, or the five
    leading pickles of the legacy format (magic, protocol, sys info, object, storage keys)."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            pickles = [n for n in z.namelist() if n.endswith("/data.pkl") or n == "data.pkl"]
            if len(pickles) != 1:
                raise ConversionError(f"{path}: not a PyTorch checkpoint (zip archive without one data.pkl)")
            return pickle_globals(z.read(pickles[0]))
    found = []
    with open(path, "rb") as f:
        for _ in range(5):
            found += pickle_globals(f)
    return found


def refused_global(module, name):
    return (module, name) not in ALLOWED_GLOBALS and not (module == "torch" and name.endswith("Storage"))


def load_checkpoint(path, trust_pickle):
    if not os.path.isfile(path):
        raise ConversionError(f"{path}: no such file")
    try:
        if not trust_pickle:
            refused = sorted({f"{m}.{n}" for m, n in checkpoint_globals(path) if refused_global(m, n)})
            if refused:
                raise ConversionError(f"{path}: the checkpoint pickles Python objects other than tensors and "
                                      f"containers ({', '.join(refused)}); rerun with --trust-pickle only if you "
                                      f"trust the file")
        return torch.load(path, map_location="cpu", weights_only=False)
    except ConversionError:
        raise
    except Exception as e:  # pickletools and torch.load raise many kinds (ValueError, KeyError, ...) on foreign files
        raise ConversionError(f"{path}: not a PyTorch checkpoint ({type(e).__name__}: {e})") from None


def extract_state_dict(path, checkpoint):
    """The state dict of an mmcv checkpoint or of a bare state dict, validated."""
    if not isinstance(checkpoint, dict):
        raise ConversionError(f"{path}: not a checkpoint: the file holds a {type(checkpoint).__name__}, "
                              f"expected a dict with 'state_dict'")
    if "state_dict" in checkpoint:
        state = checkpoint["state_dict"]
        if not isinstance(state, dict):
            raise ConversionError(f"{path}: 'state_dict' is a {type(state).__name__}, expected a dict of tensors")
    elif checkpoint and any(isinstance(v, torch.Tensor) for v in checkpoint.values()):
        state = checkpoint
    else:
        keys = ", ".join(sorted(map(str, checkpoint))) or "none"
        raise ConversionError(f"{path}: missing 'state_dict' (top-level keys: {keys})")
    if not state:
        raise ConversionError(f"{path}: 'state_dict' is empty")
    for key, value in state.items():
        if not isinstance(value, torch.Tensor):
            raise ConversionError(f"{path}: key '{key}' holds a {type(value).__name__}, not a tensor")
        if DCN_MARKER in key:
            raise ConversionError(f"{path}: key '{key}': DCN backbones are not supported by Roadsight's ResNet "
                                  f"(modulated deformable convs of the R101-DCN checkpoints)")
    return state


def convert_tensor(path, key, tensor):
    if tensor.is_floating_point():
        return tensor.detach().to(torch.float32).contiguous(), "F32"
    if tensor.dtype in (torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8):
        return tensor.detach().to(torch.int64).contiguous(), "I64"
    raise ConversionError(f"{path}: key '{key}' has dtype {tensor.dtype}, which Roadsight does not load")


def guess_config(state):
    emb = state.get(BEV_EMBEDDING)
    if emb is None or emb.dim() != 2:
        return "unknown"
    return CONFIG_BY_BEV_QUERIES.get(int(emb.shape[0]), "unknown")


def write_safetensors(out_path, tensors, metadata):
    """tensors: list of (name, tensor, dtype string). Header padded with spaces to 8 bytes."""
    header = {"__metadata__": metadata}
    pos = 0
    for name, tensor, dtype in tensors:
        size = tensor.numel() * tensor.element_size()
        header[name] = {"dtype": dtype, "shape": list(tensor.shape), "data_offsets": [pos, pos + size]}
        pos += size
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    folder = os.path.dirname(os.path.abspath(out_path))
    fd, tmp = tempfile.mkstemp(prefix=".convert-", suffix=".safetensors.tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(struct.pack("<Q", len(text)))
            f.write(text)
            for _, tensor, _ in tensors:
                f.write(tensor.numpy().tobytes())
        os.replace(tmp, out_path)
    except BaseException:
        os.unlink(tmp)
        raise


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Convert an official BEVFormer checkpoint (mmcv .pth) into safetensors for Roadsight.",
        epilog="Names are kept as in the checkpoint's state_dict; meta and optimizer are dropped.")
    parser.add_argument("checkpoint", help="mmcv checkpoint (.pth) or a saved bare state dict")
    parser.add_argument("--out", help="output .safetensors (default: the checkpoint path with .safetensors)")
    parser.add_argument("--dry-run", action="store_true", help="print the key -> name, dtype, shape table; write nothing")
    parser.add_argument("--trust-pickle", action="store_true",
                        help="allow arbitrary pickled objects in the checkpoint (runs code from the file)")
    args = parser.parse_args(argv)
    try:
        checkpoint = load_checkpoint(args.checkpoint, args.trust_pickle)
        state = extract_state_dict(args.checkpoint, checkpoint)
        tensors = []
        for key in sorted(state):
            tensor, dtype = convert_tensor(args.checkpoint, key, state[key])
            tensors.append((key, tensor, dtype))
        config = guess_config(state)
        if args.dry_run:
            for key, tensor, dtype in tensors:
                print(f"{key} -> {key}  {dtype}  {list(tensor.shape)}")
            print(f"{len(tensors)} tensors, config {config}")
            return 0
        out = args.out or os.path.splitext(args.checkpoint)[0] + ".safetensors"
        metadata = {"source": os.path.basename(args.checkpoint), "config": config, "converter": CONVERTER}
        write_safetensors(out, tensors, metadata)
        print(f"wrote {out}: {len(tensors)} tensors, config {config}")
        return 0
    except (ConversionError, OSError) as e:
        print(f"convert_bevformer_checkpoint: error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
