// BEVFormer's encoder (modules/encoder.py): reference points of the BEV grid, their projection
// into the cameras, and the stack of layers (temporal self-attention, norm, spatial
// cross-attention, norm, FFN, norm) that turns BEV queries into the BEV feature map.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <array>

#include "models/bevformer/bevformer_config.h"
#include "models/bevformer/spatial_cross_attention.h"
#include "models/bevformer/temporal_self_attention.h"
#include "models/bevformer/transformer_ffn.h"

namespace rs {

// [B, D, Q, 3] normalised (x, y, z) of the pillar_points height anchors of every BEV cell centre,
// q = row * bev_w + col (row along y, col along x); z anchors at linspace(0.5, Z - 0.5, D) / Z with
// Z the height of pc_range in metres.
torch::Tensor bev_reference_3d(const BevformerConfig & config, int64_t batch, const torch::TensorOptions & options);

// [B, Q, 2] normalised (x, y) of every BEV cell centre.
torch::Tensor bev_reference_2d(const BevformerConfig & config, int64_t batch, const torch::TensorOptions & options);

struct CameraProjection {
    torch::Tensor reference_points_cam;  // [N, B, Q, D, 2] float, (u / padded width, v / padded height)
    torch::Tensor bev_mask;              // [N, B, Q, D] bool: in front (z > 1e-5) and strictly inside (0, 1)
};

// Projects ref_3d [B, D, Q, 3] (normalised over pc_range) into the cameras with lidar2img
// [B, N, 4, 4], which maps lidar metres to pixels of the scaled image. Always in fp32.
CameraProjection point_sampling(const torch::Tensor & ref_3d, const std::array<float, 6> & pc_range,
                                const torch::Tensor & lidar2img, std::array<int64_t, 2> padded_image_hw);

class BevEncoderLayerImpl : public torch::nn::Module {
public:
    explicit BevEncoderLayerImpl(const BevformerConfig & config);

    // query [B, Q, C]; bev_pos [B, Q, C]; queue [B, 2, Q, C] or undefined (temporal attention on
    // (query, query)); ref_2d [B, 2, Q, 2]; value [B, N, Lv, C] camera features; projection of
    // the 3D references; spatial_shapes [L, 2], level_start_index [L]. Returns [B, Q, C].
    torch::Tensor forward(const torch::Tensor & query, const torch::Tensor & bev_pos, const torch::Tensor & queue,
                          const torch::Tensor & ref_2d, const torch::Tensor & value, const CameraProjection & projection,
                          const torch::Tensor & spatial_shapes, const torch::Tensor & level_start_index);

    torch::nn::ModuleList attentions{nullptr};  // 0: TemporalSelfAttention, 1: SpatialCrossAttention
    torch::nn::ModuleList norms{nullptr};       // LayerNorm after each of the three blocks
    torch::nn::ModuleList ffns{nullptr};        // one TransformerFfn

private:
    TemporalSelfAttention temporal_{nullptr};
    SpatialCrossAttention spatial_{nullptr};
    TransformerFfn ffn_{nullptr};
    std::array<torch::nn::LayerNorm, 3> norm_{nullptr, nullptr, nullptr};
};

TORCH_MODULE(BevEncoderLayer);

class BevEncoderImpl : public torch::nn::Module {
public:
    explicit BevEncoderImpl(const BevformerConfig & config);

    // bev_query [B, Q, C] (CAN-bus embedding already added); bev_pos [B, Q, C];
    // value [B, N, Lv, C] camera features (camera and level embeddings added);
    // spatial_shapes [L, 2] int64 (h, w) and level_start_index [L] of Lv;
    // lidar2img [B, N, 4, 4] into the scaled image, padded_image_hw its padded (height, width);
    // prev_bev [B, Q, C] already rotated to the current heading, or undefined;
    // shift [B, 2] (x, y) ego motion in normalised BEV units. Returns the BEV features [B, Q, C].
    torch::Tensor forward(const torch::Tensor & bev_query, const torch::Tensor & bev_pos, const torch::Tensor & value,
                          const torch::Tensor & spatial_shapes, const torch::Tensor & level_start_index,
                          const torch::Tensor & lidar2img, std::array<int64_t, 2> padded_image_hw,
                          const torch::Tensor & prev_bev, const torch::Tensor & shift);

    torch::nn::ModuleList layers{nullptr};

private:
    BevformerConfig config_;
};

TORCH_MODULE(BevEncoder);

}  // namespace rs
