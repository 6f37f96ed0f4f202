#include "models/bevformer/bev_velocity_head.h"

#include <c10/util/StringUtil.h>

#include <cmath>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/conv.h>

namespace rs {

BevVelocityHeadImpl::BevVelocityHeadImpl(const BevformerConfig & cfg)
    : bev_h_(cfg.bev_h), bev_w_(cfg.bev_w), embed_dims_(cfg.embed_dims) {
    cfg.validate();
    const int64_t c = cfg.embed_dims;
    branch = register_module("branch", torch::nn::Sequential(torch::nn::Conv2d(torch::nn::Conv2dOptions(c, c, 3).padding(1)),
                                                             torch::nn::ReLU(), torch::nn::Conv2d(torch::nn::Conv2dOptions(c, 2, 1))));
}

torch::Tensor BevVelocityHeadImpl::forward(const torch::Tensor & bev) {
    if (bev.dim() != 3 || bev.size(1) != bev_h_ * bev_w_ || bev.size(2) != embed_dims_)
        throw std::invalid_argument("BevVelocityHead: bev " + c10::str(bev.sizes()) + " is not [B, " +
                                    std::to_string(bev_h_ * bev_w_) + ", " + std::to_string(embed_dims_) + "]");
    const int64_t b = bev.size(0);
    return branch->forward(bev.transpose(1, 2).reshape({b, embed_dims_, bev_h_, bev_w_}));
}

BevVelocityTarget bev_velocity_target(const torch::Tensor & gt_boxes, const BevformerConfig & cfg) {
    if (gt_boxes.dim() != 2 || gt_boxes.size(1) != 9)
        throw std::invalid_argument("bev_velocity_target: gt_boxes " + c10::str(gt_boxes.sizes()) + " is not [M, 9]");
    const int64_t h = cfg.bev_h, w = cfg.bev_w;
    const double x0 = cfg.pc_range[0], y0 = cfg.pc_range[1];
    const double cell_x = (double(cfg.pc_range[3]) - x0) / double(w), cell_y = (double(cfg.pc_range[4]) - y0) / double(h);
    const torch::Tensor boxes = gt_boxes.to(torch::kFloat64).contiguous();
    const auto bx = boxes.accessor<double, 2>();
    std::map<int64_t, std::pair<double, double>> by_cell;
    for (int64_t m = 0; m < boxes.size(0); ++m) {
        const double u = (bx[m][0] - x0) / cell_x, v = (bx[m][1] - y0) / cell_y;
        if (!std::isfinite(u) || !std::isfinite(v) || u < 0 || v < 0 || u >= double(w) || v >= double(h)) continue;
        if (!std::isfinite(bx[m][7]) || !std::isfinite(bx[m][8])) continue;
        by_cell[int64_t(v) * w + int64_t(u)] = {bx[m][7], bx[m][8]};
    }
    std::vector<int64_t> cells;
    std::vector<float> velocity;
    for (const auto & [cell, vel] : by_cell) {
        cells.push_back(cell);
        velocity.push_back(float(vel.first));
        velocity.push_back(float(vel.second));
    }
    const int64_t k = int64_t(cells.size());
    BevVelocityTarget t;
    t.cells = torch::tensor(cells, torch::kLong).view({k});
    t.velocity = torch::tensor(velocity, torch::kFloat32).view({k, 2});
    return t;
}

torch::Tensor bev_velocity_loss(const torch::Tensor & pred, const BevVelocityTarget & target) {
    if (pred.dim() != 4 || pred.size(0) != 1 || pred.size(1) != 2)
        throw std::invalid_argument("bev_velocity_loss: pred " + c10::str(pred.sizes()) + " is not [1, 2, H, W]");
    if (target.cells.numel() == 0) return pred.sum() * 0.0;
    const torch::Tensor at = pred[0].flatten(1).index_select(1, target.cells.to(pred.device())).t();  // [K, 2]
    return (at - target.velocity.to(pred.options())).abs().mean();
}

}  // namespace rs
