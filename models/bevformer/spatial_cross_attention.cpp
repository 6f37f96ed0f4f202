#include "models/bevformer/spatial_cross_attention.h"

#include <c10/util/StringUtil.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "models/bevformer/deformable_init.h"
#include "models/ops/ms_deform_attn.h"

namespace rs {

MsDeformableAttention3DImpl::MsDeformableAttention3DImpl(const BevformerConfig & config)
    : embed_dims_(config.embed_dims),
      heads_(config.num_heads),
      levels_(config.levels()),
      points_(config.sca_points),
      anchors_(config.pillar_points) {
    if (points_ % anchors_ != 0)
        throw std::invalid_argument("MsDeformableAttention3D: sca_points " + std::to_string(points_) +
                                    " is not a multiple of pillar_points " + std::to_string(anchors_));
    const int64_t c = embed_dims_;
    sampling_offsets = register_module("sampling_offsets", torch::nn::Linear(c, heads_ * levels_ * points_ * 2));
    attention_weights = register_module("attention_weights", torch::nn::Linear(c, heads_ * levels_ * points_));
    value_proj = register_module("value_proj", torch::nn::Linear(c, c));
    reset_parameters();
}

void MsDeformableAttention3DImpl::reset_parameters() {
    init_sampling_offsets(sampling_offsets, heads_, levels_, points_);
    init_zero_linear(attention_weights);
    init_xavier_linear(value_proj);
}

torch::Tensor MsDeformableAttention3DImpl::forward(const torch::Tensor & query, const torch::Tensor & value,
                                                   const torch::Tensor & reference_points,
                                                   const torch::Tensor & spatial_shapes,
                                                   const torch::Tensor & level_start_index) {
    if (query.dim() != 3 || query.size(2) != embed_dims_ || value.dim() != 3 || value.size(0) != query.size(0) ||
        value.size(2) != embed_dims_)
        throw std::invalid_argument("MsDeformableAttention3D: query " + c10::str(query.sizes()) + " and value " +
                                    c10::str(value.sizes()) + " are not [M, Nq, C] and [M, Nv, C]");
    const int64_t m = query.size(0), nq = query.size(1);
    if (!reference_points.sizes().equals({m, nq, anchors_, 2}))
        throw std::invalid_argument("MsDeformableAttention3D: reference_points " + c10::str(reference_points.sizes()) +
                                    " is not [M, Nq, pillar_points, 2]");
    if (spatial_shapes.dim() != 2 || spatial_shapes.size(0) != levels_)
        throw std::invalid_argument("MsDeformableAttention3D: spatial_shapes " + c10::str(spatial_shapes.sizes()) +
                                    " does not have " + std::to_string(levels_) + " levels");
    const torch::Tensor v = value_proj(value).view({m, value.size(1), heads_, -1});
    torch::Tensor offsets = sampling_offsets(query).view({m, nq, heads_, levels_, points_, 2});
    const torch::Tensor weights =
        attention_weights(query).view({m, nq, heads_, levels_ * points_}).softmax(-1).view({m, nq, heads_, levels_, points_});
    // Offsets are in cells of each level; (w, h) turns them into normalised units.
    const torch::Tensor normalizer = spatial_shapes.flip({1}).to(offsets.options()).view({1, 1, 1, levels_, 1, 2});
    offsets = (offsets / normalizer).view({m, nq, heads_, levels_, points_ / anchors_, anchors_, 2});
    // Point p belongs to anchor p mod D: the anchor index runs fastest.
    const torch::Tensor locations =
        (reference_points.view({m, nq, 1, 1, 1, anchors_, 2}) + offsets).view({m, nq, heads_, levels_, points_, 2});
    return ms_deform_attn(v, spatial_shapes, level_start_index, locations.contiguous(), weights.contiguous());
}

SpatialCrossAttentionImpl::SpatialCrossAttentionImpl(const BevformerConfig & config)
    : embed_dims_(config.embed_dims), first_item_mask_(config.quirk_sca_first_item_mask) {
    deformable_attention = register_module("deformable_attention", MsDeformableAttention3D(config));
    output_proj = register_module("output_proj", torch::nn::Linear(embed_dims_, embed_dims_));
    dropout_ = register_module("dropout", torch::nn::Dropout(config.dropout));
    init_xavier_linear(output_proj);
}

void SpatialCrossAttentionImpl::reset_parameters() {
    deformable_attention->reset_parameters();
    init_xavier_linear(output_proj);
}

torch::Tensor SpatialCrossAttentionImpl::forward(const torch::Tensor & query, const torch::Tensor & value,
                                                 const torch::Tensor & reference_points_cam,
                                                 const torch::Tensor & bev_mask, const torch::Tensor & spatial_shapes,
                                                 const torch::Tensor & level_start_index) {
    if (query.dim() != 3 || query.size(2) != embed_dims_)
        throw std::invalid_argument("SpatialCrossAttention: query " + c10::str(query.sizes()) + " is not [B, Q, C]");
    const int64_t b = query.size(0), q_len = query.size(1);
    if (value.dim() != 4 || value.size(0) != b || value.size(3) != embed_dims_)
        throw std::invalid_argument("SpatialCrossAttention: value " + c10::str(value.sizes()) + " is not [B, N, Lv, C]");
    const int64_t cams = value.size(1);
    if (reference_points_cam.dim() != 5 || reference_points_cam.size(0) != cams || reference_points_cam.size(1) != b ||
        reference_points_cam.size(2) != q_len || reference_points_cam.size(4) != 2)
        throw std::invalid_argument("SpatialCrossAttention: reference_points_cam " +
                                    c10::str(reference_points_cam.sizes()) + " is not [N, B, Q, D, 2]");
    const int64_t anchors = reference_points_cam.size(3);
    if (!bev_mask.sizes().equals({cams, b, q_len, anchors}) || bev_mask.scalar_type() != torch::kBool)
        throw std::invalid_argument("SpatialCrossAttention: bev_mask " + c10::str(bev_mask.sizes()) +
                                    " is not a bool [N, B, Q, D]");

    const torch::Tensor hit = bev_mask.any(-1);  // [N, B, Q]
    // Per (item, camera): the queries evaluated for it, padded to the longest list.
    std::vector<torch::Tensor> lists(size_t(b * cams));
    int64_t max_len = 0;
    for (int64_t j = 0; j < b; ++j)
        for (int64_t i = 0; i < cams; ++i) {
            torch::Tensor idx = hit[i][first_item_mask_ ? 0 : j].nonzero().squeeze(-1);
            max_len = std::max(max_len, idx.size(0));
            lists[size_t(j * cams + i)] = idx;
        }
    torch::Tensor slots = torch::zeros({b * q_len, embed_dims_}, query.options());
    if (max_len > 0) {
        const auto long_opt = torch::TensorOptions().dtype(torch::kLong).device(query.device());
        std::vector<torch::Tensor> query_rows, ref_rows, valid_rows;
        for (int64_t j = 0; j < b; ++j)
            for (int64_t i = 0; i < cams; ++i) {
                const torch::Tensor & idx = lists[size_t(j * cams + i)];
                const int64_t pad = max_len - idx.size(0);
                const torch::Tensor padded = torch::cat({idx, torch::zeros({pad}, long_opt)});
                query_rows.push_back(padded + j * q_len);
                ref_rows.push_back(padded + (j * cams + i) * q_len);
                valid_rows.push_back(torch::cat({torch::ones({idx.size(0)}, long_opt), torch::zeros({pad}, long_opt)}));
            }
        const torch::Tensor query_index = torch::cat(query_rows);
        const torch::Tensor valid = torch::cat(valid_rows).to(query.scalar_type()).unsqueeze(-1);
        // Padding rows are zero queries at zero reference points, as in the reference; their
        // outputs are dropped below.
        const torch::Tensor queries =
            (query.reshape({b * q_len, embed_dims_}).index_select(0, query_index) * valid).view({b * cams, max_len, embed_dims_});
        const torch::Tensor refs_all = reference_points_cam.transpose(0, 1).reshape({b * cams * q_len, anchors * 2});
        const torch::Tensor refs = (refs_all.index_select(0, torch::cat(ref_rows)).to(query.scalar_type()) * valid)
                                       .view({b * cams, max_len, anchors, 2});
        const torch::Tensor out = deformable_attention(queries, value.reshape({b * cams, value.size(2), embed_dims_}),
                                                       refs, spatial_shapes, level_start_index)
                                      .reshape({b * cams * max_len, embed_dims_});
        const torch::Tensor keep = valid.squeeze(-1).nonzero().squeeze(-1);
        slots = slots.index_add(0, query_index.index_select(0, keep), out.index_select(0, keep));
    }
    const torch::Tensor count = hit.permute({1, 2, 0}).sum(-1).clamp_min(1).to(query.scalar_type());  // [B, Q]
    slots = slots.view({b, q_len, embed_dims_}) / count.unsqueeze(-1);
    return dropout_(output_proj(slots)) + query;
}

}  // namespace rs
