#include "models/bevformer/resnet.h"

#include <torch/nn/init.h>

#include <stdexcept>
#include <string>

namespace rs {
namespace {

namespace nn = torch::nn;

nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride) {
    return nn::Conv2d(nn::Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2).bias(false));
}

// Blocks per stage; the first block of each stage changes stride and channels.
std::array<int, 4> stage_blocks(int depth) {
    switch (depth) {
        case 18: return {2, 2, 2, 2};
        case 34: case 50: return {3, 4, 6, 3};
        case 101: return {3, 4, 23, 3};
        default:
            throw std::invalid_argument("ResNet depth " + std::to_string(depth) + " is not one of 18, 34, 50, 101");
    }
}

}  // namespace

ResNetBlockImpl::ResNetBlockImpl(int64_t in_channels, int64_t planes, int64_t stride, bool bottleneck)
    : out_channels_(bottleneck ? planes * 4 : planes) {
    if (bottleneck) {
        conv1 = register_module("conv1", conv(in_channels, planes, 1, 1));
        bn1 = register_module("bn1", nn::BatchNorm2d(planes));
        conv2 = register_module("conv2", conv(planes, planes, 3, stride));
        bn2 = register_module("bn2", nn::BatchNorm2d(planes));
        conv3 = register_module("conv3", conv(planes, out_channels_, 1, 1));
        bn3 = register_module("bn3", nn::BatchNorm2d(out_channels_));
    } else {
        conv1 = register_module("conv1", conv(in_channels, planes, 3, stride));
        bn1 = register_module("bn1", nn::BatchNorm2d(planes));
        conv2 = register_module("conv2", conv(planes, planes, 3, 1));
        bn2 = register_module("bn2", nn::BatchNorm2d(planes));
    }
    if (stride != 1 || in_channels != out_channels_) {
        nn::Sequential proj;
        proj->push_back(conv(in_channels, out_channels_, 1, stride));
        proj->push_back(nn::BatchNorm2d(out_channels_));
        downsample = register_module("downsample", proj);
    }
}

torch::Tensor ResNetBlockImpl::forward(torch::Tensor x) {
    torch::Tensor identity = downsample ? downsample->forward(x) : x;
    torch::Tensor y = torch::relu(bn1(conv1(x)));
    y = bn2(conv2(y));
    if (conv3) y = bn3(conv3(torch::relu(y)));
    return torch::relu(y + identity);
}

ResNetImpl::ResNetImpl(int depth, bool frozen_bn, int frozen_stages, std::vector<int> out_stages)
    : out_stages_(std::move(out_stages)) {
    const std::array<int, 4> blocks = stage_blocks(depth);
    if (frozen_stages < -1 || frozen_stages > 4)
        throw std::invalid_argument("ResNet frozen_stages " + std::to_string(frozen_stages) + " is not in -1..4");
    if (out_stages_.empty()) throw std::invalid_argument("ResNet out_stages is empty");
    for (size_t i = 0; i < out_stages_.size(); ++i) {
        const int s = out_stages_[i];
        if (s < 0 || s > 3) throw std::invalid_argument("ResNet out_stages value " + std::to_string(s) + " is not in 0..3");
        if (i > 0 && s <= out_stages_[i - 1])
            throw std::invalid_argument("ResNet out_stages must be strictly ascending, got " +
                                        std::to_string(out_stages_[i - 1]) + " then " + std::to_string(s));
    }

    const bool bottleneck = depth >= 50;
    conv1 = register_module("conv1", nn::Conv2d(nn::Conv2dOptions(3, 64, 7).stride(2).padding(3).bias(false)));
    bn1 = register_module("bn1", nn::BatchNorm2d(64));
    int64_t channels = 64;
    // Stages past the last output are never run; not building them keeps small models small.
    for (int s = 0; s <= out_stages_.back(); ++s) {
        const int64_t planes = int64_t(64) << s;
        nn::Sequential stage;
        for (int b = 0; b < blocks[size_t(s)]; ++b) {
            ResNetBlock block(channels, planes, b == 0 && s > 0 ? 2 : 1, bottleneck);
            channels = block->out_channels();
            stage->push_back(block);
        }
        stage_channels_[size_t(s)] = channels;
        layers_[size_t(s)] = register_module("layer" + std::to_string(s + 1), stage);
    }

    // Initialisation as torchvision (the usual ImageNet checkpoints replace it anyway).
    for (auto & m : modules(/*include_self=*/false)) {
        if (auto * c = m->as<nn::Conv2d>()) {
            nn::init::kaiming_normal_(c->weight, 0.0, torch::kFanOut, torch::kReLU);
        } else if (auto * bn = m->as<nn::BatchNorm2d>()) {
            nn::init::ones_(bn->weight);
            nn::init::zeros_(bn->bias);
            if (frozen_bn) {
                bn->weight.set_requires_grad(false);
                bn->bias.set_requires_grad(false);
                always_eval_.push_back(m);
            }
        }
    }
    if (frozen_stages >= 0) {
        std::vector<std::shared_ptr<nn::Module>> frozen = {conv1.ptr(), bn1.ptr()};
        for (int s = 0; s < frozen_stages && s <= out_stages_.back(); ++s) frozen.push_back(layers_[size_t(s)].ptr());
        for (auto & m : frozen) {
            for (auto & p : m->parameters()) p.set_requires_grad(false);
            always_eval_.push_back(m);
        }
    }
    train(is_training());
}

ResNetImpl::ResNetImpl(const BevformerConfig & config)
    : ResNetImpl(config.resnet_depth, config.backbone_frozen_bn, config.backbone_frozen_stages,
                 config.backbone_out_stages) {}

std::vector<torch::Tensor> ResNetImpl::forward(torch::Tensor x) {
    if (x.dim() != 4 || x.size(1) != 3)
        throw std::invalid_argument("ResNet input must be [B,3,H,W], got " + c10::str(x.sizes()));
    x = torch::relu(bn1(conv1(x)));
    x = torch::max_pool2d(x, /*kernel_size=*/3, /*stride=*/2, /*padding=*/1);
    std::vector<torch::Tensor> outs;
    // Stages past the last requested one are skipped: C5-only configs still need all four,
    // but C2..C3 users do not pay for the deep stages.
    for (int s = 0; s <= out_stages_.back(); ++s) {
        x = layers_[size_t(s)]->forward(x);
        for (int want : out_stages_)
            if (want == s) outs.push_back(x);
    }
    return outs;
}

std::vector<int64_t> ResNetImpl::out_channels() const {
    std::vector<int64_t> out;
    for (int s : out_stages_) out.push_back(stage_channels_[size_t(s)]);
    return out;
}

void ResNetImpl::train(bool on) {
    nn::Module::train(on);
    if (on)
        for (auto & m : always_eval_) m->eval();
}

}  // namespace rs
