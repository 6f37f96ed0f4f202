// BEVFormer's detection decoder (modules/decoder.py with mmdet's DetrTransformerDecoderLayer):
// object queries attend to each other, then sample the BEV features around their reference
// points with deformable attention; after every layer the head's regression output refines the
// reference points (iterative box refinement).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <array>
#include <functional>

#include "models/bevformer/bevformer_config.h"
#include "models/bevformer/transformer_ffn.h"

namespace rs {

// mmcv MultiheadAttention: a torch MultiheadAttention named "attn" (in_proj_weight [3C, C],
// in_proj_bias, out_proj) with the positional embedding added to queries and keys only.
class DecoderSelfAttentionImpl : public torch::nn::Module {
public:
    explicit DecoderSelfAttentionImpl(const BevformerConfig & config);

    // query, query_pos [B, Q, C] -> query + dropout(attention), [B, Q, C].
    torch::Tensor forward(const torch::Tensor & query, const torch::Tensor & query_pos);

    torch::nn::MultiheadAttention attn{nullptr};

private:
    torch::nn::Dropout dropout_{nullptr};
};

TORCH_MODULE(DecoderSelfAttention);

// CustomMSDeformableAttention: decoder_points points per head on the one-level BEV map.
class BevDeformableAttentionImpl : public torch::nn::Module {
public:
    explicit BevDeformableAttentionImpl(const BevformerConfig & config);

    // The reference's init_weights: ray-pattern offsets, uniform weights, Xavier projections.
    void reset_parameters();

    // query, query_pos [B, Nq, C]; bev [B, bev_h * bev_w, C]; reference_points [B, Nq, 2] (x, y)
    // in [0, 1]. Returns query + dropout(output_proj(attention)), [B, Nq, C].
    torch::Tensor forward(const torch::Tensor & query, const torch::Tensor & query_pos, const torch::Tensor & bev,
                          const torch::Tensor & reference_points);

    torch::nn::Linear sampling_offsets{nullptr};
    torch::nn::Linear attention_weights{nullptr};
    torch::nn::Linear value_proj{nullptr};
    torch::nn::Linear output_proj{nullptr};

private:
    int64_t embed_dims_, heads_, points_, bev_h_, bev_w_;
    torch::nn::Dropout dropout_{nullptr};
};

TORCH_MODULE(BevDeformableAttention);

class BevDecoderLayerImpl : public torch::nn::Module {
public:
    explicit BevDecoderLayerImpl(const BevformerConfig & config);

    // Post-norm: self-attention, norm, BEV cross-attention, norm, FFN, norm. [B, Nq, C].
    torch::Tensor forward(const torch::Tensor & query, const torch::Tensor & query_pos, const torch::Tensor & bev,
                          const torch::Tensor & reference_points);

    torch::nn::ModuleList attentions{nullptr};  // 0: DecoderSelfAttention, 1: BevDeformableAttention
    torch::nn::ModuleList norms{nullptr};
    torch::nn::ModuleList ffns{nullptr};

private:
    DecoderSelfAttention self_attention_{nullptr};
    BevDeformableAttention cross_attention_{nullptr};
    TransformerFfn ffn_{nullptr};
    std::array<torch::nn::LayerNorm, 3> norm_{nullptr, nullptr, nullptr};
};

TORCH_MODULE(BevDecoderLayer);

// The head's regression branch of decoder layer `layer` applied to that layer's output
// [B, Nq, C]; returns the box code [B, Nq, code_size] (cx, cy at 0..1, cz at 4).
using RegressionCallback = std::function<torch::Tensor(int layer, const torch::Tensor & hidden)>;

struct DecoderOutputs {
    torch::Tensor hidden_states;   // [L_dec, B, Nq, C], every layer's output
    torch::Tensor init_reference;  // [B, Nq, 3] reference points the first layer used
    torch::Tensor references;      // [L_dec, B, Nq, 3], the (detached) reference points after each layer's refinement
};

class BevDecoderImpl : public torch::nn::Module {
public:
    explicit BevDecoderImpl(const BevformerConfig & config);

    // query, query_pos [B, Nq, C]; bev [B, bev_h * bev_w, C]; reference_points [B, Nq, 3] in
    // [0, 1]. With a callback, after layer l: ref_xy = sigmoid(code[0:2] + inverse_sigmoid(ref_xy)),
    // ref_z = sigmoid(code[4] + inverse_sigmoid(ref_z)), detached; without one the references stay.
    DecoderOutputs forward(const torch::Tensor & query, const torch::Tensor & query_pos, const torch::Tensor & bev,
                           const torch::Tensor & reference_points, const RegressionCallback & regression = nullptr);

    torch::nn::ModuleList layers{nullptr};

private:
    int64_t embed_dims_;
};

TORCH_MODULE(BevDecoder);

}  // namespace rs
