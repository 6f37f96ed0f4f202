// torchvision-style ResNet image backbone ("pytorch style": stride on the 3×3 conv of a
// Bottleneck) with the parameter and buffer names of torchvision and mmdet, so their state_dicts
// and BEVFormer's img_backbone.* load by name. No fc: the backbone returns stage feature maps.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <array>
#include <memory>
#include <vector>

#include "models/bevformer/bevformer_config.h"

namespace rs {

// One residual unit: BasicBlock (3×3, 3×3) when !bottleneck, else Bottleneck (1×1, 3×3 with the
// stride, 1×1 expanding 4×). A downsample (1×1 conv + BN) projects the identity when the stride
// or the channel count changes.
class ResNetBlockImpl : public torch::nn::Module {
public:
    ResNetBlockImpl(int64_t in_channels, int64_t planes, int64_t stride, bool bottleneck);
    torch::Tensor forward(torch::Tensor x);
    int64_t out_channels() const { return out_channels_; }

private:
    int64_t out_channels_;
    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
    torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
    torch::nn::Sequential downsample{nullptr};
};
TORCH_MODULE(ResNetBlock);

class ResNetImpl : public torch::nn::Module {
public:
    // depth: 18, 34 (BasicBlock), 50, 101 (Bottleneck). frozen_bn: every BatchNorm stays in eval
    // mode and its affine parameters get no gradient (mmdet norm_eval + requires_grad False).
    // frozen_stages: -1 freezes nothing, N >= 0 freezes the stem and stages 1..N (no gradient,
    // eval mode), as mmdet's ResNet. out_stages: strictly ascending 0-based stages to return
    // (0 = C2 ... 3 = C5). Throws std::invalid_argument naming a bad value.
    ResNetImpl(int depth, bool frozen_bn, int frozen_stages, std::vector<int> out_stages);
    explicit ResNetImpl(const BevformerConfig & config);

    // x [B,3,H,W] -> one [B,C_s,H/2^(s+2),W/2^(s+2)] map per out stage, in out_stages order
    // (spatial sizes rounded up at each stride-2 step).
    std::vector<torch::Tensor> forward(torch::Tensor x);
    std::vector<int64_t> out_channels() const;
    const std::vector<int> & out_stages() const { return out_stages_; }

    // Module::train, then the frozen parts go back to eval mode.
    void train(bool on = true) override;

private:
    std::vector<int> out_stages_;
    std::array<int64_t, 4> stage_channels_{};
    std::vector<std::shared_ptr<torch::nn::Module>> always_eval_;

    torch::nn::Conv2d conv1{nullptr};
    torch::nn::BatchNorm2d bn1{nullptr};
    std::array<torch::nn::Sequential, 4> layers_{nullptr, nullptr, nullptr, nullptr};
};
TORCH_MODULE(ResNet);

}  // namespace rs
