// GridMask, the image augmentation BEVFormer trains with (projects/mmdet3d_plugin/models/utils/
// grid_mask.py as the detector builds it: use_h, use_w, rotate 1, no offset, ratio 0.5, mode 1,
// prob 0.7). With probability `prob` one mask is drawn for the whole batch: a period d in
// [2, H), stripes of width l = clamp(round(d·ratio), 1, d - 1) at random phases along both axes on
// a 1.5× canvas whose centre is cropped; mode 1 keeps the stripes and zeroes the squares between
// them (a quarter of the image at ratio 0.5). Applied to normalised images, so zero is the mean.
#pragma once

#include <torch/types.h>

#include <random>

namespace rs {

// `images` [..., H, W]; returns them masked, or unchanged when the draw says no.
torch::Tensor apply_grid_mask(const torch::Tensor & images, std::mt19937 & rng, double prob = 0.7, double ratio = 0.5);

}  // namespace rs
