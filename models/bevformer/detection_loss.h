// BEVFormer's training loss for the detection head (BEVFormerHead.loss / loss_single): for every
// decoder layer's output, match queries to GT (HungarianAssigner3D), then
//   loss_cls  = loss_cls_weight · Σ sigmoid focal loss over all queries × classes / max(P, 1)
//               (one-hot targets on matched queries, all zeros elsewhere),
//   loss_bbox = loss_bbox_weight · Σ |pred - normalize_boxes(gt)| · code_weights / max(P, 1)
//               over matched queries,
// P being the number of matched queries in the batch. Layers are summed with equal weight.
#pragma once

#include <torch/types.h>

#include <string>
#include <utility>
#include <vector>

#include "models/bevformer/bevformer_config.h"

namespace rs {

// Elementwise sigmoid focal loss (mmdet's, with the mmcv formula): for p = sigmoid(x) and target t
// in {0, 1}, BCE(x, t) · (alpha·t + (1-alpha)·(1-t)) · (t·(1-p) + (1-t)·p)^gamma. Same shape in and out.
torch::Tensor sigmoid_focal_loss(const torch::Tensor & logits, const torch::Tensor & targets, double alpha, double gamma);

struct DetectionLoss {
    torch::Tensor total;  // scalar, the sum of all parts
    // The reference's keys in its order: loss_cls, loss_bbox (last layer), then d0.loss_cls,
    // d0.loss_bbox, ... for the earlier layers.
    std::vector<std::pair<std::string, torch::Tensor>> parts;
    int64_t matched_last_layer = 0;  // P of the last layer

    // The part with this key; throws std::out_of_range naming it otherwise.
    const torch::Tensor & part(const std::string & key) const;
};

// all_cls_scores [L, B, Q, K] logits, all_bbox_preds [L, B, Q, 10] codes (x, y, z in metres);
// per batch item gt_boxes [M, 9] (box_code.h convention, gravity centre) and gt_labels [M] int64,
// M may be 0. A matched GT whose code is not finite (unknown velocity stored as NaN) drops out of
// loss_bbox entirely, as the reference's isnotnan row mask does, but still counts in P and in
// loss_cls. Throws std::invalid_argument on inconsistent shapes, labels or config.
DetectionLoss compute_detection_loss(const torch::Tensor & all_cls_scores, const torch::Tensor & all_bbox_preds,
                                     const std::vector<torch::Tensor> & gt_boxes, const std::vector<torch::Tensor> & gt_labels,
                                     const BevformerConfig & config);

}  // namespace rs
