// mmdet 2.14 FPN neck as BEVFormer configures it: 1×1 lateral convs, nearest-neighbour top-down
// sum, 3×3 output convs, and extra stride-2 3×3 convs on the last output (add_extra_convs
// 'on_output'). Each conv sits in a ConvModule, hence the ".conv" in lateral_convs.{i}.conv.weight.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <vector>

#include "models/bevformer/bevformer_config.h"

namespace rs {

class FpnImpl : public torch::nn::Module {
public:
    // in_channels: channels of each input level, finest first. num_outs >= in_channels.size();
    // outputs beyond the inputs come from stride-2 convs chained on the previous output, with a
    // ReLU in front of every extra conv but the first when relu_before_extra_convs (mmdet's loop
    // starts its ReLU at the second extra level). Throws std::invalid_argument naming a bad value.
    FpnImpl(std::vector<int64_t> in_channels, int64_t out_channels, int num_outs, bool relu_before_extra_convs);
    // in_channels from the backbone; out_channels, num_outs and the ReLU flag from the config.
    FpnImpl(const BevformerConfig & config, std::vector<int64_t> in_channels);

    // One [B,in_channels[i],h_i,w_i] map per input -> num_outs maps [B,out_channels,h,w].
    std::vector<torch::Tensor> forward(const std::vector<torch::Tensor> & inputs);

private:
    std::vector<int64_t> in_channels_;
    bool relu_before_extra_;
    std::vector<torch::nn::Conv2d> lateral_, output_;
    torch::nn::ModuleList lateral_convs, fpn_convs;
};
TORCH_MODULE(Fpn);

}  // namespace rs
