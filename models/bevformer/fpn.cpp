#include "models/bevformer/fpn.h"

#include <torch/nn/functional/upsampling.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/container/sequential.h>

#include <stdexcept>
#include <string>

namespace rs {
namespace {

namespace nn = torch::nn;

// A ConvModule without norm or activation: a biased conv registered as "conv", xavier-uniform
// initialised as mmdet's FPN init_cfg.
nn::Sequential conv_module(int64_t in, int64_t out, int64_t kernel, int64_t stride, nn::Conv2d & conv) {
    conv = nn::Conv2d(nn::Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2).bias(true));
    nn::init::xavier_uniform_(conv->weight);
    nn::init::zeros_(conv->bias);
    nn::Sequential wrapper;
    wrapper->push_back("conv", conv);
    return wrapper;
}

}  // namespace

FpnImpl::FpnImpl(std::vector<int64_t> in_channels, int64_t out_channels, int num_outs, bool relu_before_extra_convs)
    : in_channels_(std::move(in_channels)), relu_before_extra_(relu_before_extra_convs) {
    if (in_channels_.empty()) throw std::invalid_argument("FPN in_channels is empty");
    for (int64_t c : in_channels_)
        if (c <= 0) throw std::invalid_argument("FPN in_channels value " + std::to_string(c) + " is not positive");
    if (out_channels <= 0) throw std::invalid_argument("FPN out_channels " + std::to_string(out_channels) + " is not positive");
    if (num_outs < int(in_channels_.size()))
        throw std::invalid_argument("FPN num_outs " + std::to_string(num_outs) + " is less than the " +
                                    std::to_string(in_channels_.size()) + " inputs");
    lateral_convs = register_module("lateral_convs", nn::ModuleList());
    fpn_convs = register_module("fpn_convs", nn::ModuleList());
    for (int64_t c : in_channels_) {
        nn::Conv2d lateral{nullptr}, output{nullptr};
        lateral_convs->push_back(conv_module(c, out_channels, 1, 1, lateral));
        fpn_convs->push_back(conv_module(out_channels, out_channels, 3, 1, output));
        lateral_.push_back(lateral);
        output_.push_back(output);
    }
    for (int i = int(in_channels_.size()); i < num_outs; ++i) {
        nn::Conv2d extra{nullptr};
        fpn_convs->push_back(conv_module(out_channels, out_channels, 3, 2, extra));
        output_.push_back(extra);
    }
}

FpnImpl::FpnImpl(const BevformerConfig & config, std::vector<int64_t> in_channels)
    : FpnImpl(std::move(in_channels), config.embed_dims, config.neck_outs, config.neck_relu_before_extra) {}

std::vector<torch::Tensor> FpnImpl::forward(const std::vector<torch::Tensor> & inputs) {
    if (inputs.size() != in_channels_.size())
        throw std::invalid_argument("FPN expects " + std::to_string(in_channels_.size()) + " inputs, got " +
                                    std::to_string(inputs.size()));
    std::vector<torch::Tensor> laterals;
    for (size_t i = 0; i < inputs.size(); ++i) {
        if (inputs[i].dim() != 4 || inputs[i].size(1) != in_channels_[i])
            throw std::invalid_argument("FPN input " + std::to_string(i) + " must be [B," + std::to_string(in_channels_[i]) +
                                        ",h,w], got " + c10::str(inputs[i].sizes()));
        laterals.push_back(lateral_[i]->forward(inputs[i]));
    }
    namespace F = torch::nn::functional;
    for (size_t i = laterals.size() - 1; i > 0; --i) {
        const std::vector<int64_t> size = {laterals[i - 1].size(2), laterals[i - 1].size(3)};
        laterals[i - 1] = laterals[i - 1] +
                          F::interpolate(laterals[i], F::InterpolateFuncOptions().size(size).mode(torch::kNearest));
    }
    std::vector<torch::Tensor> outs;
    for (size_t i = 0; i < laterals.size(); ++i) outs.push_back(output_[i]->forward(laterals[i]));
    for (size_t i = laterals.size(); i < output_.size(); ++i) {
        const bool relu = relu_before_extra_ && i > laterals.size();
        outs.push_back(output_[i]->forward(relu ? torch::relu(outs.back()) : outs.back()));
    }
    return outs;
}

}  // namespace rs
