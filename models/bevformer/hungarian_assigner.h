// BEVFormer's HungarianAssigner3D (core/bbox/assigners/hungarian_assigner_3d.py): one-to-one
// matching of a sample's queries to its ground-truth boxes, minimising
//   cls_weight · FocalLossCost + bbox_weight · L1 over the first 8 box-code dims
// (centre, log sizes, sin/cos yaw; velocity is left out of the matching). Predictions are the
// head's box codes, whose x, y, z are already metres, so the GT is compared after
// normalize_boxes (models/bevformer/box_code.h).
#pragma once

#include <torch/types.h>

#include "models/bevformer/bevformer_config.h"

namespace rs {

// mmdet FocalLossCost without its weight: for p = sigmoid(logit),
//   pos = -log(p + 1e-12) · alpha · (1 - p)^gamma,  neg = -log(1 - p + 1e-12) · (1 - alpha) · p^gamma,
//   cost[q, g] = pos[q, label_g] - neg[q, label_g].
// cls_logits [Q, K], gt_labels [M] int64 in [0, K) -> [Q, M].
torch::Tensor focal_loss_cost(const torch::Tensor & cls_logits, const torch::Tensor & gt_labels, double alpha, double gamma);

class HungarianAssigner3D {
public:
    // Cost weights loss_cls_weight and loss_bbox_weight (the official configs use the same
    // numbers for matching and for the losses), focal_alpha and focal_gamma.
    explicit HungarianAssigner3D(const BevformerConfig & config);
    HungarianAssigner3D(double cls_weight, double bbox_weight, double alpha, double gamma);

    // cls_logits [Q, K], bbox_preds [Q, >= 8] codes, gt_boxes [M, 9] (box_code.h convention),
    // gt_labels [M] int64 -> weighted cost [Q, M].
    torch::Tensor cost(const torch::Tensor & cls_logits, const torch::Tensor & bbox_preds, const torch::Tensor & gt_boxes,
                       const torch::Tensor & gt_labels) const;

    // For each query the index of its GT box, or -1: int64 [Q] on the predictions' device. With
    // more boxes than queries some boxes stay unmatched. Gradients never flow through it.
    torch::Tensor assign(const torch::Tensor & cls_logits, const torch::Tensor & bbox_preds, const torch::Tensor & gt_boxes,
                         const torch::Tensor & gt_labels) const;

private:
    double cls_weight_, bbox_weight_, alpha_, gamma_;
};

}  // namespace rs
