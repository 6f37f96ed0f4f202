// BEVFormer's detection head (dense_heads/bevformer_head.py with box refinement): the learned BEV
// and object queries, the BEV positional encoding, and per decoder layer a classification and a
// box-regression branch. The PerceptionTransformer is registered beside these by its owner.
#pragma once

#include <array>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/pimpl.h>

#include "models/bevformer/bevformer_config.h"
#include "models/bevformer/positional_encoding.h"
#include "models/bevformer/reference_refinement.h"

namespace rs {

struct HeadOutputs {
    torch::Tensor all_cls_scores;  // [layers, B, queries, num_classes], logits
    torch::Tensor all_bbox_preds;  // [layers, B, queries, 10]: box code with cx, cy, cz in metres
};

class DetectionHeadImpl : public torch::nn::Module {
public:
    // Throws std::invalid_argument for a config that fails validate().
    explicit DetectionHeadImpl(const BevformerConfig & cfg);

    // reg_branches[layer] on hidden [..., C] -> [..., 10] (raw: offsets in logit space), for the
    // decoder's refinement between layers.
    torch::Tensor reg_branch(int layer, const torch::Tensor & hidden);
    // cls_branches[layer] on hidden [..., C] -> [..., num_classes] logits.
    torch::Tensor cls_branch(int layer, const torch::Tensor & hidden);

    // hidden_states [L, B, Q, C] (L = decoder_layers), init_reference [B, Q, 3] and
    // inter_references [L, B, Q, 3] (sigmoid space) as the decoder returns them. Layer l refines
    // init_reference (l = 0) or inter_references[l - 1], then maps x, y, z to metres over pc_range.
    HeadOutputs predict(const torch::Tensor & hidden_states, const torch::Tensor & init_reference,
                        const torch::Tensor & inter_references);

    // Official state_dict names (pts_bbox_head.*).
    torch::Tensor code_weights;                    // [10], no gradient: L1 loss weights per code entry
    torch::nn::Embedding bev_embedding{nullptr};   // [bev_h * bev_w, C], the BEV queries
    torch::nn::Embedding query_embedding{nullptr};  // [num_queries, 2C]: query_pos then query
    LearnedPositionalEncoding positional_encoding{nullptr};
    torch::nn::ModuleList cls_branches{nullptr};   // per layer: Linear LN ReLU Linear LN ReLU Linear
    torch::nn::ModuleList reg_branches{nullptr};   // per layer: Linear ReLU Linear ReLU Linear

private:
    std::vector<torch::nn::Sequential> cls_, reg_;  // the same modules, typed
    std::array<float, 6> pc_range_;
    int64_t embed_dims_;
};
TORCH_MODULE(DetectionHead);

}  // namespace rs
