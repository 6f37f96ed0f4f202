#include "models/bevformer/detection_loss.h"

#include <torch/nn/functional/loss.h>

#include <algorithm>
#include <stdexcept>

#include "models/bevformer/box_code.h"
#include "models/bevformer/hungarian_assigner.h"

namespace rs {

namespace {

void check_inputs(const torch::Tensor & cls, const torch::Tensor & box, const std::vector<torch::Tensor> & gt_boxes,
                  const std::vector<torch::Tensor> & gt_labels, const BevformerConfig & config) {
    if (cls.dim() != 4 || cls.size(0) < 1 || cls.size(3) != config.num_classes)
        throw std::invalid_argument("compute_detection_loss: all_cls_scores must be [L >= 1, B, Q, num_classes=" +
                                    std::to_string(config.num_classes) + "], got " + c10::str(cls.sizes()));
    if (box.dim() != 4 || box.size(0) != cls.size(0) || box.size(1) != cls.size(1) || box.size(2) != cls.size(2) ||
        box.size(3) != kBoxCodeDims)
        throw std::invalid_argument("compute_detection_loss: all_bbox_preds must be [L, B, Q, 10] matching all_cls_scores " +
                                    c10::str(cls.sizes()) + ", got " + c10::str(box.sizes()));
    if (int64_t(gt_boxes.size()) != cls.size(1) || int64_t(gt_labels.size()) != cls.size(1))
        throw std::invalid_argument("compute_detection_loss: batch of " + std::to_string(cls.size(1)) + " but " +
                                    std::to_string(gt_boxes.size()) + " gt_boxes and " + std::to_string(gt_labels.size()) + " gt_labels");
    if (config.code_weights.size() != size_t(kBoxCodeDims))
        throw std::invalid_argument("compute_detection_loss: code_weights has " + std::to_string(config.code_weights.size()) +
                                    " entries, expected 10");
}

}  // namespace

torch::Tensor sigmoid_focal_loss(const torch::Tensor & logits, const torch::Tensor & targets, double alpha, double gamma) {
    namespace F = torch::nn::functional;
    const torch::Tensor p = logits.sigmoid();
    const torch::Tensor pt = (1 - p) * targets + p * (1 - targets);
    const torch::Tensor weight = (alpha * targets + (1 - alpha) * (1 - targets)) * pt.pow(gamma);
    return F::binary_cross_entropy_with_logits(logits, targets, F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kNone)) *
           weight;
}

const torch::Tensor & DetectionLoss::part(const std::string & key) const {
    for (const auto & [name, value] : parts)
        if (name == key) return value;
    throw std::out_of_range("DetectionLoss: no part named '" + key + "'");
}

DetectionLoss compute_detection_loss(const torch::Tensor & all_cls_scores, const torch::Tensor & all_bbox_preds,
                                     const std::vector<torch::Tensor> & gt_boxes, const std::vector<torch::Tensor> & gt_labels,
                                     const BevformerConfig & config) {
    check_inputs(all_cls_scores, all_bbox_preds, gt_boxes, gt_labels, config);
    const int64_t layers = all_cls_scores.size(0), batch = all_cls_scores.size(1);
    const auto options = all_bbox_preds.options();
    const torch::Tensor code_weights = torch::tensor(config.code_weights).to(options);

    // Targets depend only on the GT, not the layer: normalise once.
    std::vector<torch::Tensor> gt_codes, labels;
    for (int64_t b = 0; b < batch; ++b) {
        const torch::Tensor & boxes = gt_boxes[size_t(b)];
        const torch::Tensor & lab = gt_labels[size_t(b)];
        if (boxes.dim() != 2 || boxes.size(1) != kBoxDims)
            throw std::invalid_argument("compute_detection_loss: gt_boxes[" + std::to_string(b) + "] must be [M, 9], got " +
                                        c10::str(boxes.sizes()));
        if (lab.dim() != 1 || lab.size(0) != boxes.size(0) || lab.scalar_type() != torch::kLong)
            throw std::invalid_argument("compute_detection_loss: gt_labels[" + std::to_string(b) + "] must be int64 [" +
                                        std::to_string(boxes.size(0)) + "], got " + c10::str(lab.sizes()) + " " +
                                        std::string(c10::toString(lab.scalar_type())));
        gt_codes.push_back(normalize_boxes(boxes.to(options)));
        labels.push_back(lab.to(all_cls_scores.device()));
    }

    const HungarianAssigner3D assigner(config);
    DetectionLoss out;
    std::vector<std::pair<std::string, torch::Tensor>> earlier;
    torch::Tensor total = torch::zeros({}, options);
    for (int64_t l = 0; l < layers; ++l) {
        const torch::Tensor cls = all_cls_scores[l], box = all_bbox_preds[l];
        torch::Tensor onehot = torch::zeros_like(cls);
        std::vector<torch::Tensor> matched_preds, matched_targets;
        int64_t matched = 0;
        for (int64_t b = 0; b < batch; ++b) {
            const torch::Tensor assigned = assigner.assign(cls[b], box[b], gt_boxes[size_t(b)], gt_labels[size_t(b)]);
            const torch::Tensor rows = (assigned >= 0).nonzero().squeeze(1);
            const torch::Tensor cols = assigned.index_select(0, rows);
            onehot[b].index_put_({rows, labels[size_t(b)].index_select(0, cols)}, 1.0);
            matched_preds.push_back(box[b].index_select(0, rows));
            matched_targets.push_back(gt_codes[size_t(b)].index_select(0, cols));
            matched += rows.numel();
        }
        const double avg = double(std::max<int64_t>(matched, 1));
        const torch::Tensor loss_cls =
            config.loss_cls_weight * sigmoid_focal_loss(cls, onehot, config.focal_alpha, config.focal_gamma).sum() / avg;

        const torch::Tensor preds = torch::cat(matched_preds), targets = torch::cat(matched_targets);
        const torch::Tensor finite = torch::isfinite(targets).all(-1);
        const torch::Tensor loss_bbox =
            config.loss_bbox_weight * ((preds.index({finite}) - targets.index({finite})).abs() * code_weights).sum() / avg;

        total = total + loss_cls + loss_bbox;
        if (l + 1 == layers) {
            out.parts.emplace_back("loss_cls", loss_cls);
            out.parts.emplace_back("loss_bbox", loss_bbox);
            out.matched_last_layer = matched;
        } else {
            earlier.emplace_back("d" + std::to_string(l) + ".loss_cls", loss_cls);
            earlier.emplace_back("d" + std::to_string(l) + ".loss_bbox", loss_bbox);
        }
    }
    out.parts.insert(out.parts.end(), earlier.begin(), earlier.end());
    out.total = total;
    return out;
}

}  // namespace rs
