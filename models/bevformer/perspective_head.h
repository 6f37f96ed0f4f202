// Perspective supervision of the image backbone (config.perspective_head; ours, off in the
// official configs). Trained from scratch, the backbone otherwise learns what a car looks like
// only through the sparse sampling of spatial cross-attention; BEVFormer v2 showed that a
// perspective-view task on the image features speeds convergence. Here it is a per-camera
// centre heatmap on the first FPN level, trained on the projected centres of the 3D boxes, used
// in training only.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>

#include <array>

#include "models/bevformer/bevformer_config.h"

namespace rs {

class PerspectiveHeadImpl : public torch::nn::Module {
public:
    // Throws std::invalid_argument for a config that fails validate().
    explicit PerspectiveHeadImpl(const BevformerConfig & cfg);

    // features [B, N, C, h, w] (one FPN level) -> class heatmap logits [B, N, num_classes, h, w].
    torch::Tensor forward(const torch::Tensor & features);

    torch::nn::Sequential heatmap{nullptr};  // Conv3x3 ReLU Conv1x1

private:
    int64_t embed_dims_, num_classes_;
};
TORCH_MODULE(PerspectiveHead);

// Per camera, each box whose gravity centre projects (lidar2img [N, 4, 4], depth at least 0.5 m)
// into the image's unpadded image_hw area gets a Gaussian peak (center_heatmap.h) on its class's
// map at the feature cell holding that pixel (cells of padded_hw / feature_hw pixels). The radius,
// at least 1 cell, is a quarter of the shorter side of the projected bounds of an upright cube
// max(w, l) wide and h tall around the centre (heading-free, so no corner convention enters).
// gt_boxes [M, 9] lidar frame (box_code.h), gt_labels [M] in 0..num_classes-1.
// -> [N, num_classes, feature_h, feature_w].
torch::Tensor perspective_heatmap_target(const torch::Tensor & gt_boxes, const torch::Tensor & gt_labels,
                                         const torch::Tensor & lidar2img, std::array<int64_t, 2> image_hw,
                                         std::array<int64_t, 2> padded_hw, std::array<int64_t, 2> feature_hw,
                                         int num_classes);

}  // namespace rs
