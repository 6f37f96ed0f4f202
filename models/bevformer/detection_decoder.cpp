#include "models/bevformer/detection_decoder.h"

#include <algorithm>
#include <stdexcept>

#include "engine/lidar_box_conversion.h"
#include "models/bevformer/box_code.h"

namespace rs {

namespace {

// The reference coder's fallback when no box clears the threshold.
torch::Tensor threshold_mask(const torch::Tensor & scores, float threshold) {
    torch::Tensor mask = scores > threshold;
    float t = threshold;
    while (mask.sum().item<int64_t>() == 0) {
        t *= 0.9f;
        if (t < 0.01f) return torch::ones_like(mask);
        mask = scores >= t;
    }
    return mask;
}

}  // namespace

std::vector<Detections> decode_detections(const torch::Tensor & cls_logits, const torch::Tensor & bbox_preds,
                                          const BevformerConfig & cfg, std::optional<float> score_threshold) {
    if (cls_logits.dim() != 3 || bbox_preds.dim() != 3 || bbox_preds.size(0) != cls_logits.size(0) ||
        bbox_preds.size(1) != cls_logits.size(1) || bbox_preds.size(2) != kBoxCodeDims)
        throw std::invalid_argument("decode_detections: cls_logits [B, Q, K] and bbox_preds [B, Q, 10] expected, got " +
                                    c10::str(cls_logits.sizes()) + " and " + c10::str(bbox_preds.sizes()));
    if (cfg.max_detections <= 0)
        throw std::invalid_argument("decode_detections: max_detections must be positive, got " +
                                    std::to_string(cfg.max_detections));
    torch::NoGradGuard no_grad;
    const int64_t k = cls_logits.size(2);
    const int64_t top = std::min<int64_t>(cfg.max_detections, cls_logits.size(1) * k);
    const auto & r = cfg.post_center_range;
    const torch::Tensor lo = torch::tensor({r[0], r[1], r[2]}, bbox_preds.options());
    const torch::Tensor hi = torch::tensor({r[3], r[4], r[5]}, bbox_preds.options());

    std::vector<Detections> out;
    for (int64_t b = 0; b < cls_logits.size(0); ++b) {
        const auto best = cls_logits[b].sigmoid().reshape({-1}).topk(top);
        const torch::Tensor scores = std::get<0>(best), index = std::get<1>(best);
        const torch::Tensor labels = index.remainder(k);
        const torch::Tensor boxes = denormalize_boxes(bbox_preds[b].index_select(0, index.div(k, "floor")));
        const torch::Tensor centre = boxes.narrow(1, 0, 3);
        torch::Tensor keep = (centre >= lo).all(1).logical_and((centre <= hi).all(1));
        if (score_threshold) keep = keep.logical_and(threshold_mask(scores, *score_threshold));
        out.push_back({boxes.index({keep}), scores.index({keep}), labels.index({keep})});
    }
    return out;
}

std::vector<EvalBox> to_nuscenes_boxes(const Detections & detections, const Pose & lidar2ego, const Pose & ego2global,
                                       const std::string & sample_token) {
    const int64_t m = detections.boxes.size(0);
    if (detections.boxes.dim() != 2 || detections.boxes.size(1) != kBoxDims || detections.scores.sizes() != torch::IntArrayRef({m}) ||
        detections.labels.sizes() != torch::IntArrayRef({m}))
        throw std::invalid_argument("to_nuscenes_boxes: boxes [M, 9], scores [M] and labels [M] expected, got " +
                                    c10::str(detections.boxes.sizes()) + ", " + c10::str(detections.scores.sizes()) + " and " +
                                    c10::str(detections.labels.sizes()));
    const torch::Tensor boxes = detections.boxes.detach().to(torch::kCPU, torch::kDouble).contiguous();
    const torch::Tensor scores = detections.scores.detach().to(torch::kCPU, torch::kDouble).contiguous();
    const torch::Tensor labels = detections.labels.detach().to(torch::kCPU, torch::kLong).contiguous();
    const auto bx = boxes.accessor<double, 2>();
    const auto sc = scores.accessor<double, 1>();
    const auto lb = labels.accessor<int64_t, 1>();
    std::vector<LidarBox> lidar(m);
    for (int64_t i = 0; i < m; ++i) {
        LidarBox & l = lidar[i];
        l.center = {bx[i][0], bx[i][1], bx[i][2]};
        l.size = {bx[i][3], bx[i][4], bx[i][5]};
        l.yaw = bx[i][6];
        l.velocity = {bx[i][7], bx[i][8]};
        l.label = static_cast<int>(lb[i]);
        l.score = sc[i];
    }
    return lidar_boxes_to_global(lidar, lidar2ego, ego2global, sample_token);
}

}  // namespace rs
