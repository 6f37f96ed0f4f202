// BEVFormer's NMS-free decoding (core/bbox/coders/nms_free_coder.py): the best class-query pairs
// of the last decoder layer as lidar-frame boxes, and their conversion to nuScenes boxes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "engine/detection_boxes.h"
#include "engine/geometry.h"
#include "models/bevformer/bevformer_config.h"

namespace rs {

// Detections of one sample, best first.
struct Detections {
    torch::Tensor boxes;   // [M, 9] lidar frame, box_code.h convention (gravity-centre z)
    torch::Tensor scores;  // [M], sigmoid probabilities
    torch::Tensor labels;  // [M] int64, BEVFormer class order (kBevformerClasses)
};

// cls_logits [B, Q, K] and bbox_preds [B, Q, 10] (the head's last layer, centres in metres).
// Per sample: the top max_detections of sigmoid(cls) over all Q·K pairs (label = index mod K,
// query = index div K), decoded with denormalize_boxes, keeping centres inside
// cfg.post_center_range (bounds included). With a score_threshold, boxes must also score above
// it; if none does, the threshold is lowered by factors of 0.9 (then >=) until some box passes,
// and below 0.01 every box is kept, as the reference coder does. Throws std::invalid_argument
// for mismatched shapes.
std::vector<Detections> decode_detections(const torch::Tensor & cls_logits, const torch::Tensor & bbox_preds,
                                          const BevformerConfig & cfg,
                                          std::optional<float> score_threshold = std::nullopt);

// One sample's detections as nuScenes submission boxes in the global frame (engine
// lidar_boxes_to_global: yaw_nus = -yaw - pi/2, velocity rotated lidar -> ego -> global, the
// mmdet3d attribute rule).
std::vector<EvalBox> to_nuscenes_boxes(const Detections & detections, const Pose & lidar2ego, const Pose & ego2global,
                                       const std::string & sample_token);

}  // namespace rs
