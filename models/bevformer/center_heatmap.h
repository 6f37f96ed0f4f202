// CenterNet-style centre heatmaps, shared by the BEV proposal head and the perspective head:
// Gaussian peaks drawn at object centres, and the penalty-reduced focal loss that trains them.
#pragma once

#include <torch/nn/modules/container/sequential.h>
#include <torch/types.h>

#include <cstdint>

namespace rs {

// Conv3x3 ReLU Conv1x1: a [B, channels, h, w] map -> [B, classes, h, w] centre logits, the last
// bias at CenterPoint's -2.19 so every cell starts near probability 0.1.
torch::nn::Sequential center_heatmap_branch(int64_t channels, int64_t classes);

// Draws exp(-(dr^2 + dc^2) / (2 sigma^2)), sigma = (2 radius + 1) / 6, over the (2 radius + 1)^2
// cells around (row, col) of a row-major h × w map, keeping the maximum where peaks overlap. The
// centre gets exactly 1; cells off the map are skipped.
void draw_center_gaussian(float * map, int64_t h, int64_t w, int64_t row, int64_t col, int64_t radius);

// CornerNet/CenterNet's penalty-reduced focal loss (alpha 2, beta 4), summed and divided by the
// number of peaks (cells equal to 1, at least 1). logits and targets of the same shape.
torch::Tensor heatmap_focal_loss(const torch::Tensor & logits, const torch::Tensor & targets);

}  // namespace rs
