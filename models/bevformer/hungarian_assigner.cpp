#include "models/bevformer/hungarian_assigner.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "engine/linear_assignment.h"
#include "models/bevformer/box_code.h"

namespace rs {

namespace {

void check_inputs(const torch::Tensor & cls_logits, const torch::Tensor & bbox_preds, const torch::Tensor & gt_boxes,
                  const torch::Tensor & gt_labels) {
    if (cls_logits.dim() != 2)
        throw std::invalid_argument("HungarianAssigner3D: cls_logits must be [Q, K], got " + c10::str(cls_logits.sizes()));
    if (bbox_preds.dim() != 2 || bbox_preds.size(0) != cls_logits.size(0) || bbox_preds.size(1) < 8)
        throw std::invalid_argument("HungarianAssigner3D: bbox_preds must be [Q, >=8] with Q = " + std::to_string(cls_logits.size(0)) +
                                    ", got " + c10::str(bbox_preds.sizes()));
    if (gt_boxes.dim() != 2 || gt_boxes.size(1) != kBoxDims)
        throw std::invalid_argument("HungarianAssigner3D: gt_boxes must be [M, 9], got " + c10::str(gt_boxes.sizes()));
    if (gt_labels.dim() != 1 || gt_labels.size(0) != gt_boxes.size(0))
        throw std::invalid_argument("HungarianAssigner3D: gt_labels must be [M] with M = " + std::to_string(gt_boxes.size(0)) +
                                    ", got " + c10::str(gt_labels.sizes()));
}

}  // namespace

torch::Tensor focal_loss_cost(const torch::Tensor & cls_logits, const torch::Tensor & gt_labels, double alpha, double gamma) {
    if (gt_labels.scalar_type() != torch::kLong)
        throw std::invalid_argument("focal_loss_cost: gt_labels must be int64, got " + std::string(c10::toString(gt_labels.scalar_type())));
    const int64_t classes = cls_logits.size(-1);
    if (gt_labels.numel() > 0) {
        const int64_t lo = gt_labels.min().item<int64_t>(), hi = gt_labels.max().item<int64_t>();
        if (lo < 0 || hi >= classes)
            throw std::invalid_argument("focal_loss_cost: gt label " + std::to_string(lo < 0 ? lo : hi) + " outside [0, " +
                                        std::to_string(classes) + ")");
    }
    constexpr double eps = 1e-12;
    const torch::Tensor p = cls_logits.sigmoid();
    const torch::Tensor pos = -(p + eps).log() * alpha * (1 - p).pow(gamma);
    const torch::Tensor neg = -(1 - p + eps).log() * (1 - alpha) * p.pow(gamma);
    const torch::Tensor labels = gt_labels.to(cls_logits.device());
    return pos.index_select(1, labels) - neg.index_select(1, labels);
}

HungarianAssigner3D::HungarianAssigner3D(const BevformerConfig & config)
    : HungarianAssigner3D(config.loss_cls_weight, config.loss_bbox_weight, config.focal_alpha, config.focal_gamma) {}

HungarianAssigner3D::HungarianAssigner3D(double cls_weight, double bbox_weight, double alpha, double gamma)
    : cls_weight_(cls_weight), bbox_weight_(bbox_weight), alpha_(alpha), gamma_(gamma) {}

torch::Tensor HungarianAssigner3D::cost(const torch::Tensor & cls_logits, const torch::Tensor & bbox_preds, const torch::Tensor & gt_boxes,
                                        const torch::Tensor & gt_labels) const {
    check_inputs(cls_logits, bbox_preds, gt_boxes, gt_labels);
    using torch::indexing::Slice;
    const torch::Tensor gt_codes = normalize_boxes(gt_boxes.to(bbox_preds.options()));
    const torch::Tensor l1 = torch::cdist(bbox_preds.index({Slice(), Slice(0, 8)}), gt_codes.index({Slice(), Slice(0, 8)}), 1.0);
    return cls_weight_ * focal_loss_cost(cls_logits, gt_labels, alpha_, gamma_) + bbox_weight_ * l1;
}

torch::Tensor HungarianAssigner3D::assign(const torch::Tensor & cls_logits, const torch::Tensor & bbox_preds,
                                          const torch::Tensor & gt_boxes, const torch::Tensor & gt_labels) const {
    torch::NoGradGuard no_grad;
    check_inputs(cls_logits, bbox_preds, gt_boxes, gt_labels);
    const int64_t queries = cls_logits.size(0), boxes = gt_boxes.size(0);
    std::vector<int64_t> assigned(size_t(queries), -1);
    if (boxes > 0 && queries > 0) {
        // As the reference: a diverging prediction (NaN or infinite cost) is pushed to the back of
        // the queue rather than stopping training.
        const torch::Tensor c = torch::nan_to_num(cost(cls_logits, bbox_preds, gt_boxes, gt_labels).to(torch::kCPU, torch::kDouble), 100.0,
                                                  100.0, -100.0)
                                    .contiguous();
        const double * data = c.data_ptr<double>();
        assigned = linear_assignment(std::vector<double>(data, data + c.numel()), queries, boxes).row_to_col;
    }
    return torch::tensor(assigned, torch::kLong).to(cls_logits.device());
}

}  // namespace rs
