#include "models/bevformer/temporal_self_attention.h"

#include <c10/util/StringUtil.h>

#include <stdexcept>

#include "models/bevformer/deformable_init.h"
#include "models/ops/ms_deform_attn.h"

namespace rs {

TemporalSelfAttentionImpl::TemporalSelfAttentionImpl(const BevformerConfig & config)
    : embed_dims_(config.embed_dims),
      heads_(config.num_heads),
      points_(config.tsa_points),
      bev_h_(config.bev_h),
      bev_w_(config.bev_w),
      first_rows_(config.quirk_tsa_first_rows) {
    const int64_t c = embed_dims_;
    // One level (the BEV itself); offsets and weights for both queue entries from one query.
    sampling_offsets = register_module("sampling_offsets", torch::nn::Linear(2 * c, heads_ * kQueue * points_ * 2));
    attention_weights = register_module("attention_weights", torch::nn::Linear(2 * c, heads_ * kQueue * points_));
    value_proj = register_module("value_proj", torch::nn::Linear(c, c));
    output_proj = register_module("output_proj", torch::nn::Linear(c, c));
    dropout_ = register_module("dropout", torch::nn::Dropout(config.dropout));
    reset_parameters();
}

void TemporalSelfAttentionImpl::reset_parameters() {
    init_sampling_offsets(sampling_offsets, heads_, kQueue, points_);
    init_zero_linear(attention_weights);
    init_xavier_linear(value_proj);
    init_xavier_linear(output_proj);
}

torch::Tensor TemporalSelfAttentionImpl::forward(const torch::Tensor & query, const torch::Tensor & query_pos,
                                                 const torch::Tensor & queue, const torch::Tensor & ref_2d) {
    const int64_t q_len = bev_h_ * bev_w_;
    if (query.dim() != 3 || query.size(1) != q_len || query.size(2) != embed_dims_)
        throw std::invalid_argument("TemporalSelfAttention: query " + c10::str(query.sizes()) + " is not [B, " +
                                    std::to_string(q_len) + ", " + std::to_string(embed_dims_) + "]");
    const int64_t b = query.size(0);
    if (!query_pos.sizes().equals(query.sizes()))
        throw std::invalid_argument("TemporalSelfAttention: query_pos " + c10::str(query_pos.sizes()) + " differs from query " +
                                    c10::str(query.sizes()));
    torch::Tensor values = queue.defined() ? queue : torch::stack({query, query}, 1);
    if (values.dim() != 4 || values.size(0) != b || values.size(1) != kQueue || values.size(2) != q_len ||
        values.size(3) != embed_dims_)
        throw std::invalid_argument("TemporalSelfAttention: queue " + c10::str(values.sizes()) + " is not [B, 2, Q, C]");
    if (ref_2d.dim() != 4 || ref_2d.size(0) != b || ref_2d.size(1) != kQueue || ref_2d.size(2) != q_len ||
        ref_2d.size(3) != 2)
        throw std::invalid_argument("TemporalSelfAttention: ref_2d " + c10::str(ref_2d.sizes()) + " is not [B, 2, Q, 2]");

    const int64_t bq = b * kQueue;
    const torch::Tensor history = first_rows_ ? values.reshape({bq, q_len, embed_dims_}).narrow(0, 0, b) : values.select(1, 0);
    const torch::Tensor mixed = torch::cat({history, query + query_pos}, -1);
    torch::Tensor value = value_proj(values.reshape({bq, q_len, embed_dims_})).view({bq, q_len, heads_, -1});

    // Predicted as (head, queue, point); MSDA wants the queue entries as batch items.
    torch::Tensor offsets = sampling_offsets(mixed).view({b, q_len, heads_, kQueue, 1, points_, 2});
    torch::Tensor weights = attention_weights(mixed).view({b, q_len, heads_, kQueue, points_}).softmax(-1);
    offsets = offsets.permute({0, 3, 1, 2, 4, 5, 6}).reshape({bq, q_len, heads_, 1, points_, 2});
    weights = weights.view({b, q_len, heads_, kQueue, 1, points_})
                  .permute({0, 3, 1, 2, 4, 5})
                  .reshape({bq, q_len, heads_, 1, points_})
                  .contiguous();
    const auto opt = value.options();
    const torch::Tensor normalizer = torch::tensor({double(bev_w_), double(bev_h_)}, opt);
    const torch::Tensor locations = ref_2d.reshape({bq, q_len, 1, 1, 1, 2}) + offsets / normalizer;

    const torch::Tensor shapes = torch::tensor({bev_h_, bev_w_}, torch::dtype(torch::kLong).device(query.device())).view({1, 2});
    const torch::Tensor starts = torch::zeros({1}, torch::dtype(torch::kLong).device(query.device()));
    torch::Tensor out = ms_deform_attn(value, shapes, starts, locations.contiguous(), weights);
    out = out.view({b, kQueue, q_len, embed_dims_}).mean(1);
    return dropout_(output_proj(out)) + query;
}

}  // namespace rs
