#!/usr/bin/env python3
"""Independent reference for tests/models/test_detection_loss.cpp.

Recomputes BEVFormer's detection loss the way the reference head does it (mmdet's
FocalLossCost + L1 cdist matching, then labels with a background class, one-hot focal loss
averaged over positives, and normalize_bbox of zero-filled targets with an isfinite row mask
for the code-weighted L1), with the matching found by trying every injection of GT boxes into
queries instead of the Hungarian method, so only tiny sizes work. Writes every loss part and the
gradients of the total with respect to the class logits and box predictions.

usage: detection_loss_reference.py INPUTS.safetensors OUTPUTS.safetensors
"""
import itertools
import sys

import torch
import torch.nn.functional as F

from torch_safetensors import read_safetensors, write_safetensors


def normalize_bbox(b):
    return torch.cat([b[:, 0:2], b[:, 3:5].log(), b[:, 2:3], b[:, 5:6].log(), b[:, 6:7].sin(), b[:, 6:7].cos(), b[:, 7:9]], dim=1)


def brute_force_match(cost):
    queries, boxes = cost.shape
    best, best_rows = None, []
    for rows in itertools.permutations(range(queries), boxes):
        total = sum(float(cost[r, g]) for g, r in enumerate(rows))
        if best is None or total < best:
            best, best_rows = total, list(rows)
    return best_rows


def layer_loss(cls, box, gts, labels, p):
    batch, queries, classes = cls.shape
    label_t, box_t, box_w = [], [], []
    for b in range(batch):
        gt, lab = gts[b], labels[b]
        lab_full = torch.full((queries,), classes, dtype=torch.long)
        target = torch.zeros(queries, 9, dtype=box.dtype)
        weight = torch.zeros(queries, 10, dtype=box.dtype)
        if gt.shape[0] > 0:
            prob = cls[b].detach().sigmoid()
            pos = -(prob + 1e-12).log() * p["alpha"] * (1 - prob).pow(p["gamma"])
            neg = -(1 - prob + 1e-12).log() * (1 - p["alpha"]) * prob.pow(p["gamma"])
            l1 = torch.cdist(box[b].detach()[:, :8], normalize_bbox(gt)[:, :8], p=1)
            cost = p["cls_w"] * (pos[:, lab] - neg[:, lab]) + p["bbox_w"] * l1
            for g, r in enumerate(brute_force_match(cost)):
                lab_full[r] = lab[g]
                target[r] = gt[g]
                weight[r] = 1.0
        label_t.append(lab_full)
        box_t.append(target)
        box_w.append(weight)
    labels_all = torch.cat(label_t)
    positives = int((labels_all < classes).sum())
    avg = max(positives, 1)
    logits = cls.reshape(-1, classes)
    onehot = F.one_hot(labels_all, classes + 1)[:, :classes].to(logits.dtype)
    prob = logits.sigmoid()
    pt = (1 - prob) * onehot + prob * (1 - onehot)
    balance = p["alpha"] * onehot + (1 - p["alpha"]) * (1 - onehot)
    focal = F.binary_cross_entropy_with_logits(logits, onehot, reduction="none") * balance * pt.pow(p["gamma"])
    loss_cls = p["cls_w"] * focal.sum() / avg
    targets = normalize_bbox(torch.cat(box_t))  # zero rows turn into -inf log sizes and drop out below
    keep = torch.isfinite(targets).all(dim=-1)
    weights = torch.cat(box_w) * p["code_weights"]
    preds = box.reshape(-1, 10)
    loss_bbox = p["bbox_w"] * ((preds[keep] - targets[keep]).abs() * weights[keep]).sum() / avg
    return loss_cls, loss_bbox


def main():
    t = read_safetensors(sys.argv[1])
    cls = t["all_cls_scores"].requires_grad_(True)
    box = t["all_bbox_preds"].requires_grad_(True)
    batch = cls.shape[1]
    gts = [t[f"gt_boxes_{b}"] for b in range(batch)]
    labels = [t[f"gt_labels_{b}"] for b in range(batch)]
    s = t["scalars"].tolist()
    p = {"alpha": s[0], "gamma": s[1], "cls_w": s[2], "bbox_w": s[3], "code_weights": t["code_weights"]}
    out, total = {}, 0
    layers = cls.shape[0]
    for l in range(layers):
        loss_cls, loss_bbox = layer_loss(cls[l], box[l], gts, labels, p)
        prefix = "" if l == layers - 1 else f"d{l}."
        out[prefix + "loss_cls"] = loss_cls
        out[prefix + "loss_bbox"] = loss_bbox
        total = total + loss_cls + loss_bbox
    total.backward()
    out = {k: v.detach().reshape(1) for k, v in out.items()}
    out["grad_cls"] = cls.grad
    out["grad_bbox"] = box.grad
    write_safetensors(sys.argv[2], out)


if __name__ == "__main__":
    main()
