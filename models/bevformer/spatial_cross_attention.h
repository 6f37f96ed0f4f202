// BEVFormer's spatial cross-attention (modules/spatial_cross_attention.py): every BEV query lifts
// pillar_points heights into each camera and, for the cameras it lands in, samples their feature
// maps with deformable attention around those projections; results are averaged over the hit
// cameras. Only the queries that hit a camera are evaluated for it (the reference's "rebatch").
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "models/bevformer/bevformer_config.h"

namespace rs {

// MSDeformableAttention3D: sca_points points per head and level, split evenly over the
// pillar_points height anchors of a query; no output projection of its own.
class MsDeformableAttention3DImpl : public torch::nn::Module {
public:
    explicit MsDeformableAttention3DImpl(const BevformerConfig & config);

    // query [M, Nq, C], value [M, Nv, C], reference_points [M, Nq, D, 2] (x, y) in [0, 1] per
    // anchor, spatial_shapes [L, 2] int64 (h, w), level_start_index [L]. Returns [M, Nq, C].
    torch::Tensor forward(const torch::Tensor & query, const torch::Tensor & value,
                          const torch::Tensor & reference_points, const torch::Tensor & spatial_shapes,
                          const torch::Tensor & level_start_index);

    // The reference's init_weights: ray-pattern offsets, uniform weights, Xavier value projection.
    void reset_parameters();

    torch::nn::Linear sampling_offsets{nullptr};
    torch::nn::Linear attention_weights{nullptr};
    torch::nn::Linear value_proj{nullptr};

private:
    int64_t embed_dims_, heads_, levels_, points_, anchors_;
};

TORCH_MODULE(MsDeformableAttention3D);

class SpatialCrossAttentionImpl : public torch::nn::Module {
public:
    explicit SpatialCrossAttentionImpl(const BevformerConfig & config);

    // query                [B, Q, C] BEV queries (no positional embedding: the reference passes none)
    // value                [B, N, Lv, C] camera features of all levels, flattened per camera
    // reference_points_cam [N, B, Q, D, 2] projections of the D anchors, normalised to the padded image
    // bev_mask             [N, B, Q, D] bool, anchor d of query q lands in camera n
    // Returns dropout(output_proj(sum over hit cameras / max(1, hit count))) + query, [B, Q, C].
    torch::Tensor forward(const torch::Tensor & query, const torch::Tensor & value,
                          const torch::Tensor & reference_points_cam, const torch::Tensor & bev_mask,
                          const torch::Tensor & spatial_shapes, const torch::Tensor & level_start_index);

    // Resets deformable_attention and makes output_proj Xavier, as the reference's init_weight.
    void reset_parameters();

    MsDeformableAttention3D deformable_attention{nullptr};
    torch::nn::Linear output_proj{nullptr};

private:
    int64_t embed_dims_;
    // config.quirk_sca_first_item_mask: the reference chooses the queries of every batch item by
    // item 0's mask (bevformer.md §11.4); the hit count still uses each item's own mask.
    bool first_item_mask_;
    torch::nn::Dropout dropout_{nullptr};
};

TORCH_MODULE(SpatialCrossAttention);

}  // namespace rs
