// Map-segmentation head beside BEVFormer's detection head (the paper's multi-task variant):
// one learned query per map class (drivable area, lane lines, crossings) reads the BEV features
// through a small mask decoder, and each class's mask is the dot product of its query embedding
// with every BEV cell's projected feature. No official weights exist, so the names are ours.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "models/bevformer/bevformer_config.h"
#include "models/bevformer/positional_encoding.h"

namespace rs {

class SegmentationHeadImpl : public torch::nn::Module {
public:
    static constexpr int kDecoderLayers = 2;

    // Uses embed_dims, num_heads, ffn_dims, dropout, bev_h, bev_w and seg_classes; throws
    // std::invalid_argument for a config that fails validate().
    explicit SegmentationHeadImpl(const BevformerConfig & cfg);

    // bev [B, bev_h * bev_w, C] (cell q = row * bev_w + col) -> mask logits
    // [B, seg_classes, bev_h, bev_w].
    torch::Tensor forward(const torch::Tensor & bev);

    torch::nn::Embedding class_queries{nullptr};  // [seg_classes, C]
    LearnedPositionalEncoding positional_encoding{nullptr};
    torch::nn::ModuleList layers{nullptr};         // kDecoderLayers SegmentationDecoderLayer
    torch::nn::Sequential mask_embed{nullptr};     // per-query MLP: Linear ReLU Linear ReLU Linear
    torch::nn::Linear pixel_proj{nullptr};         // BEV feature projection

private:
    int64_t bev_h_, bev_w_, embed_dims_;
};
TORCH_MODULE(SegmentationHead);

}  // namespace rs
