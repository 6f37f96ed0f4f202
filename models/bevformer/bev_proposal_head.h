// Two-stage object queries for small models trained from scratch (config.bev_proposals; not in
// the official BEVFormer, which learns its 900 reference points, so off in tiny/small/base). A
// dense class heatmap over the BEV grid, trained CenterPoint-style on Gaussian peaks at box
// centres, proposes the decoder's starting points: its top-k cells become the reference points,
// and each cell's BEV feature and positional encoding join the learned query. Deformable DETR's
// two-stage variant and BEVFormer v2 seed their decoders with first-stage proposals the same way;
// the dense loss also gives the BEV encoder a direct localisation signal from the first step.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include "models/bevformer/bevformer_config.h"

namespace rs {

struct BevProposals {
    torch::Tensor heatmap;    // [B, num_classes, bev_h, bev_w] logits
    torch::Tensor cells;      // [B, K] int64: BEV cell q = row * bev_w + col, best first
    torch::Tensor reference;  // [B, K, 2] x, y of the cell centres in [0, 1] (decoder reference space)
    torch::Tensor query;      // [B, K, C] content from the cells' BEV features
    torch::Tensor query_pos;  // [B, K, C] the cells' BEV positional encoding
};

class BevProposalHeadImpl : public torch::nn::Module {
public:
    // Throws std::invalid_argument for a config that fails validate().
    explicit BevProposalHeadImpl(const BevformerConfig & cfg);

    // bev and bev_pos [B, bev_h * bev_w, C] -> the heatmap and the config's num_queries best cells
    // (by their highest class score; the pick is not differentiable, the gathered features are).
    BevProposals forward(const torch::Tensor & bev, const torch::Tensor & bev_pos);

    torch::nn::Sequential heatmap{nullptr};  // Conv3x3 ReLU Conv1x1 on the [B, C, H, W] BEV
    torch::nn::Linear content_proj{nullptr};
    torch::nn::LayerNorm content_norm{nullptr};

private:
    int64_t bev_h_, bev_w_, embed_dims_, num_queries_;
};
TORCH_MODULE(BevProposalHead);

// CenterPoint's heatmap target: per box a Gaussian peak (center_heatmap.h) at the cell holding
// its centre on its class's map, radius max(1, round(max(w, l) / 2 / cell)). gt_boxes [M, 9]
// lidar frame (box_code.h), gt_labels [M]; boxes centred off the grid are skipped.
// -> [num_classes, bev_h, bev_w].
torch::Tensor bev_heatmap_target(const torch::Tensor & gt_boxes, const torch::Tensor & gt_labels,
                                 const BevformerConfig & cfg);

}  // namespace rs
