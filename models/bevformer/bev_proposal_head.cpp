#include "models/bevformer/bev_proposal_head.h"

#include <c10/util/StringUtil.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/bevformer/center_heatmap.h"

namespace rs {

BevProposalHeadImpl::BevProposalHeadImpl(const BevformerConfig & cfg)
    : bev_h_(cfg.bev_h), bev_w_(cfg.bev_w), embed_dims_(cfg.embed_dims), num_queries_(cfg.num_queries) {
    cfg.validate();
    const int64_t c = cfg.embed_dims;
    heatmap = register_module("heatmap", center_heatmap_branch(c, cfg.num_classes));
    content_proj = register_module("content_proj", torch::nn::Linear(c, c));
    content_norm = register_module("content_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c})));
}

BevProposals BevProposalHeadImpl::forward(const torch::Tensor & bev, const torch::Tensor & bev_pos) {
    const int64_t q = bev_h_ * bev_w_;
    if (bev.dim() != 3 || bev.size(1) != q || bev.size(2) != embed_dims_)
        throw std::invalid_argument("BevProposalHead: bev " + c10::str(bev.sizes()) + " is not [B, " + std::to_string(q) +
                                    ", " + std::to_string(embed_dims_) + "]");
    if (!bev_pos.sizes().equals(bev.sizes()))
        throw std::invalid_argument("BevProposalHead: bev_pos " + c10::str(bev_pos.sizes()) + " does not match bev " +
                                    c10::str(bev.sizes()));
    const int64_t b = bev.size(0), c = embed_dims_;
    BevProposals out;
    out.heatmap = heatmap->forward(bev.transpose(1, 2).reshape({b, c, bev_h_, bev_w_}));
    // The logits order cells as their probabilities do.
    const torch::Tensor score = std::get<0>(out.heatmap.detach().max(1)).flatten(1);
    out.cells = std::get<1>(score.topk(num_queries_, 1));
    const torch::Tensor index = out.cells.unsqueeze(-1).expand({b, num_queries_, c});
    out.query = content_norm->forward(content_proj->forward(bev.gather(1, index)));
    out.query_pos = bev_pos.gather(1, index);
    const torch::Tensor rows = out.cells.div(bev_w_, "floor");
    const torch::Tensor cols = out.cells - rows * bev_w_;
    out.reference = torch::stack({(cols.to(bev.dtype()) + 0.5) / double(bev_w_), (rows.to(bev.dtype()) + 0.5) / double(bev_h_)}, -1);
    return out;
}

torch::Tensor bev_heatmap_target(const torch::Tensor & gt_boxes, const torch::Tensor & gt_labels, const BevformerConfig & cfg) {
    if (gt_boxes.dim() != 2 || gt_boxes.size(1) < 6)
        throw std::invalid_argument("bev_heatmap_target: gt_boxes " + c10::str(gt_boxes.sizes()) + " is not [M, 9]");
    if (gt_labels.dim() != 1 || gt_labels.size(0) != gt_boxes.size(0))
        throw std::invalid_argument("bev_heatmap_target: gt_labels " + c10::str(gt_labels.sizes()) + " is not [" +
                                    std::to_string(gt_boxes.size(0)) + "]");
    const int64_t h = cfg.bev_h, w = cfg.bev_w, classes = cfg.num_classes;
    const double x0 = cfg.pc_range[0], y0 = cfg.pc_range[1];
    const double cell_x = (double(cfg.pc_range[3]) - x0) / double(w), cell_y = (double(cfg.pc_range[4]) - y0) / double(h);
    std::vector<float> target(size_t(classes * h * w), 0.f);
    const torch::Tensor boxes = gt_boxes.to(torch::kFloat64).contiguous();
    const torch::Tensor labels = gt_labels.to(torch::kLong).contiguous();
    const auto bx = boxes.accessor<double, 2>();
    const auto lb = labels.accessor<int64_t, 1>();
    for (int64_t m = 0; m < boxes.size(0); ++m) {
        if (lb[m] < 0 || lb[m] >= classes)
            throw std::invalid_argument("bev_heatmap_target: label " + std::to_string(lb[m]) + " of box " + std::to_string(m) +
                                        " is outside 0.." + std::to_string(classes - 1));
        const double u = (bx[m][0] - x0) / cell_x, v = (bx[m][1] - y0) / cell_y;
        if (!std::isfinite(u) || !std::isfinite(v) || u < 0 || v < 0 || u >= double(w) || v >= double(h)) continue;
        const int64_t col = int64_t(u), row = int64_t(v);
        const double extent = std::max(bx[m][3], bx[m][4]) / 2.0 / std::min(cell_x, cell_y);
        const int64_t radius = std::max<int64_t>(1, std::llround(std::isfinite(extent) ? std::min(extent, 8.0) : 1.0));
        draw_center_gaussian(target.data() + lb[m] * h * w, h, w, row, col, radius);
    }
    return torch::from_blob(target.data(), {classes, h, w}, torch::kFloat32).clone();
}

}  // namespace rs
