// Multi-scale deformable attention (Deformable DETR, used by BEVFormer's encoder and decoder) as
// a differentiable LibTorch op with its own CPU kernels and, in CUDA builds, CUDA kernels.
#pragma once

#include <torch/types.h>

namespace rs {

// value              (batch, keys, heads, channels), float or double
// spatial_shapes     (levels, 2) integer, (H, W) of each level; keys = sum of H * W
// level_start_index  (levels) integer, first key of each level
// sampling_locations (batch, queries, heads, levels, points, 2), (x, y) normalised to [0, 1]
// attention_weights  (batch, queries, heads, levels, points)
// Returns (batch, queries, heads * channels): for each head, the attention-weighted sum of
// bilinear samples, zero outside each map, with the semantics of grid_sample(align_corners=False)
// at 2 * location - 1. Differentiable in value, sampling_locations and attention_weights.
torch::Tensor ms_deform_attn(const torch::Tensor & value, const torch::Tensor & spatial_shapes,
                             const torch::Tensor & level_start_index, const torch::Tensor & sampling_locations,
                             const torch::Tensor & attention_weights);

}  // namespace rs
