// BEVFormer's temporal self-attention (modules/temporal_self_attention.py): each BEV query samples
// a 2-entry queue of BEV maps, (previous BEV aligned to now, current queries), with deformable
// attention; the two results are averaged. Parameter names follow the official checkpoints.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "models/bevformer/bevformer_config.h"

namespace rs {

class TemporalSelfAttentionImpl : public torch::nn::Module {
public:
    explicit TemporalSelfAttentionImpl(const BevformerConfig & config);

    // query      [B, Q, C] current BEV queries, Q = bev_h * bev_w, q = row * bev_w + col
    // query_pos  [B, Q, C] positional embedding, added to the query (not to the values)
    // queue      [B, 2, Q, C] (previous BEV, current BEV), or undefined: (query, query)
    // ref_2d     [B, 2, Q, 2] (x, y) in [0, 1] per queue entry
    // Returns [B, Q, C]: dropout(output_proj(mean over the queue)) + query.
    // The offsets are predicted from concat(previous BEV of the same item, query + pos). The
    // reference takes the first B rows of the batch-major queue there, which is that only for
    // B = 1 (bevformer.md §11.3); config.quirk_tsa_first_rows reproduces it.
    torch::Tensor forward(const torch::Tensor & query, const torch::Tensor & query_pos, const torch::Tensor & queue,
                          const torch::Tensor & ref_2d);

    // The reference's init_weights: ray-pattern offsets, uniform weights, Xavier projections.
    void reset_parameters();

    torch::nn::Linear sampling_offsets{nullptr};
    torch::nn::Linear attention_weights{nullptr};
    torch::nn::Linear value_proj{nullptr};
    torch::nn::Linear output_proj{nullptr};

private:
    static constexpr int64_t kQueue = 2;
    int64_t embed_dims_, heads_, points_, bev_h_, bev_w_;
    bool first_rows_;
    torch::nn::Dropout dropout_{nullptr};
};

TORCH_MODULE(TemporalSelfAttention);

}  // namespace rs
