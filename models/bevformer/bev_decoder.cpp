#include "models/bevformer/bev_decoder.h"

#include <c10/util/StringUtil.h>

#include <stdexcept>
#include <vector>

#include "models/bevformer/deformable_init.h"
#include "models/bevformer/reference_refinement.h"
#include "models/ops/ms_deform_attn.h"

namespace rs {

DecoderSelfAttentionImpl::DecoderSelfAttentionImpl(const BevformerConfig & config) {
    attn = register_module(
        "attn", torch::nn::MultiheadAttention(
                    torch::nn::MultiheadAttentionOptions(config.embed_dims, config.num_heads).dropout(config.dropout)));
    dropout_ = register_module("dropout", torch::nn::Dropout(config.dropout));
}

torch::Tensor DecoderSelfAttentionImpl::forward(const torch::Tensor & query, const torch::Tensor & query_pos) {
    // torch's attention is sequence-first.
    const torch::Tensor q = (query + query_pos).transpose(0, 1);
    const torch::Tensor out = std::get<0>(attn->forward(q, q, query.transpose(0, 1), torch::Tensor(), false));
    return query + dropout_(out.transpose(0, 1));
}

BevDeformableAttentionImpl::BevDeformableAttentionImpl(const BevformerConfig & config)
    : embed_dims_(config.embed_dims),
      heads_(config.num_heads),
      points_(config.decoder_points),
      bev_h_(config.bev_h),
      bev_w_(config.bev_w) {
    const int64_t c = embed_dims_;
    sampling_offsets = register_module("sampling_offsets", torch::nn::Linear(c, heads_ * points_ * 2));
    attention_weights = register_module("attention_weights", torch::nn::Linear(c, heads_ * points_));
    value_proj = register_module("value_proj", torch::nn::Linear(c, c));
    output_proj = register_module("output_proj", torch::nn::Linear(c, c));
    dropout_ = register_module("dropout", torch::nn::Dropout(config.dropout));
    reset_parameters();
}

void BevDeformableAttentionImpl::reset_parameters() {
    init_sampling_offsets(sampling_offsets, heads_, 1, points_);
    init_zero_linear(attention_weights);
    init_xavier_linear(value_proj);
    init_xavier_linear(output_proj);
}

torch::Tensor BevDeformableAttentionImpl::forward(const torch::Tensor & query, const torch::Tensor & query_pos,
                                                  const torch::Tensor & bev, const torch::Tensor & reference_points) {
    if (query.dim() != 3 || query.size(2) != embed_dims_ || !query_pos.sizes().equals(query.sizes()))
        throw std::invalid_argument("BevDeformableAttention: query " + c10::str(query.sizes()) + " and query_pos " +
                                    c10::str(query_pos.sizes()) + " are not both [B, Nq, C]");
    const int64_t b = query.size(0), nq = query.size(1), q_bev = bev_h_ * bev_w_;
    if (!bev.sizes().equals({b, q_bev, embed_dims_}))
        throw std::invalid_argument("BevDeformableAttention: bev " + c10::str(bev.sizes()) + " is not [" +
                                    std::to_string(b) + ", " + std::to_string(q_bev) + ", " + std::to_string(embed_dims_) + "]");
    if (!reference_points.sizes().equals({b, nq, 2}))
        throw std::invalid_argument("BevDeformableAttention: reference_points " + c10::str(reference_points.sizes()) +
                                    " is not [B, Nq, 2]");
    const torch::Tensor q = query + query_pos;
    const torch::Tensor value = value_proj(bev).view({b, q_bev, heads_, -1});
    const torch::Tensor offsets = sampling_offsets(q).view({b, nq, heads_, 1, points_, 2});
    const torch::Tensor weights = attention_weights(q).view({b, nq, heads_, points_}).softmax(-1).view({b, nq, heads_, 1, points_});
    const torch::Tensor normalizer = torch::tensor({double(bev_w_), double(bev_h_)}, offsets.options());
    const torch::Tensor locations = reference_points.view({b, nq, 1, 1, 1, 2}) + offsets / normalizer;
    const auto long_opt = torch::TensorOptions().dtype(torch::kLong).device(query.device());
    const torch::Tensor shapes = torch::tensor({int64_t(bev_h_), int64_t(bev_w_)}, long_opt).view({1, 2});
    const torch::Tensor out =
        ms_deform_attn(value, shapes, torch::zeros({1}, long_opt), locations.contiguous(), weights.contiguous());
    return query + dropout_(output_proj(out));
}

BevDecoderLayerImpl::BevDecoderLayerImpl(const BevformerConfig & config) {
    self_attention_ = DecoderSelfAttention(config);
    cross_attention_ = BevDeformableAttention(config);
    ffn_ = TransformerFfn(config.embed_dims, config.ffn_dims, config.dropout);
    attentions = register_module("attentions", torch::nn::ModuleList(self_attention_, cross_attention_));
    ffns = register_module("ffns", torch::nn::ModuleList(ffn_));
    norms = register_module("norms", torch::nn::ModuleList());
    for (auto & norm : norm_) {
        norm = torch::nn::LayerNorm(torch::nn::LayerNormOptions({config.embed_dims}));
        norms->push_back(norm);
    }
}

torch::Tensor BevDecoderLayerImpl::forward(const torch::Tensor & query, const torch::Tensor & query_pos,
                                           const torch::Tensor & bev, const torch::Tensor & reference_points) {
    torch::Tensor x = norm_[0](self_attention_(query, query_pos));
    x = norm_[1](cross_attention_(x, query_pos, bev, reference_points));
    return norm_[2](ffn_(x));
}

BevDecoderImpl::BevDecoderImpl(const BevformerConfig & config) : embed_dims_(config.embed_dims) {
    layers = register_module("layers", torch::nn::ModuleList());
    for (int i = 0; i < config.decoder_layers; ++i) layers->push_back(BevDecoderLayer(config));
}

DecoderOutputs BevDecoderImpl::forward(const torch::Tensor & query, const torch::Tensor & query_pos,
                                       const torch::Tensor & bev, const torch::Tensor & reference_points,
                                       const RegressionCallback & regression) {
    if (query.dim() != 3 || query.size(2) != embed_dims_)
        throw std::invalid_argument("BevDecoder: query " + c10::str(query.sizes()) + " is not [B, Nq, " +
                                    std::to_string(embed_dims_) + "]");
    if (!reference_points.sizes().equals({query.size(0), query.size(1), 3}))
        throw std::invalid_argument("BevDecoder: reference_points " + c10::str(reference_points.sizes()) +
                                    " is not [B, Nq, 3]");
    std::vector<torch::Tensor> states, refs;
    torch::Tensor x = query;
    torch::Tensor ref = reference_points;
    int layer_index = 0;
    for (const auto & layer : *layers) {
        x = layer->as<BevDecoderLayerImpl>()->forward(x, query_pos, bev, ref.narrow(-1, 0, 2));
        if (regression) {
            const torch::Tensor code = regression(layer_index, x);
            if (code.dim() != 3 || code.size(0) != x.size(0) || code.size(1) != x.size(1) || code.size(2) < 5)
                throw std::invalid_argument("BevDecoder: regression output " + c10::str(code.sizes()) +
                                            " of layer " + std::to_string(layer_index) + " is not [B, Nq, >= 5]");
            ref = refine_reference(code, ref).detach();
        }
        states.push_back(x);
        refs.push_back(ref);
        ++layer_index;
    }
    return {torch::stack(states), reference_points, torch::stack(refs)};
}

}  // namespace rs
