// Dense velocity supervision of the BEV features (config.bev_velocity; ours, off in the official
// configs, used in training only). The decoder's velocity is trained through one L1 term on a few
// matched queries, and from scratch on a few thousand frames it learns nothing (`eval detection`'s
// AVE@0 baseline: the same mAVE as velocities of 0). CenterPoint regresses each object's velocity
// at its centre cell of the BEV map; this head does the same from the BEV features, so the encoder
// is told to carry motion, which only temporal self-attention on the previous BEV can see.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>

#include "models/bevformer/bevformer_config.h"

namespace rs {

class BevVelocityHeadImpl : public torch::nn::Module {
public:
    // Throws std::invalid_argument for a config that fails validate().
    explicit BevVelocityHeadImpl(const BevformerConfig & cfg);

    // bev [B, bev_h * bev_w, C] -> [B, 2, bev_h, bev_w]: vx, vy in m/s, lidar frame.
    torch::Tensor forward(const torch::Tensor & bev);

    torch::nn::Sequential branch{nullptr};  // Conv3x3 ReLU Conv1x1

private:
    int64_t bev_h_, bev_w_, embed_dims_;
};
TORCH_MODULE(BevVelocityHead);

// Where and what the head is trained on: each box centred on the grid gives its centre cell
// (row * bev_w + col, as bev_heatmap_target places it) and its velocity (box_code.h columns 7, 8);
// a later box in the same cell replaces an earlier one.
struct BevVelocityTarget {
    torch::Tensor cells;     // [K] int64
    torch::Tensor velocity;  // [K, 2] float
};
BevVelocityTarget bev_velocity_target(const torch::Tensor & gt_boxes, const BevformerConfig & cfg);

// Mean L1 over the target cells of both components (0, still attached to `pred`, with none).
// pred [1, 2, bev_h, bev_w].
torch::Tensor bev_velocity_loss(const torch::Tensor & pred, const BevVelocityTarget & target);

}  // namespace rs
