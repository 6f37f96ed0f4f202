#include "models/bevformer/deformable_init.h"

#include <torch/nn/init.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace rs {

void init_sampling_offsets(torch::nn::Linear & sampling_offsets, int64_t heads, int64_t groups, int64_t points) {
    const int64_t expected = heads * groups * points * 2;
    if (sampling_offsets->weight.size(0) != expected)
        throw std::invalid_argument("init_sampling_offsets: sampling_offsets has " +
                                    std::to_string(sampling_offsets->weight.size(0)) + " outputs, expected " +
                                    std::to_string(expected));
    torch::NoGradGuard no_grad;
    sampling_offsets->weight.zero_();
    torch::Tensor theta = torch::arange(heads, torch::kDouble) * (2.0 * M_PI / double(heads));
    torch::Tensor dir = torch::stack({theta.cos(), theta.sin()}, -1);
    dir = dir / std::get<0>(dir.abs().max(-1, true));
    torch::Tensor scale = torch::arange(1, points + 1, torch::kDouble).view({1, 1, points, 1});
    torch::Tensor bias = dir.view({heads, 1, 1, 2}).expand({heads, groups, points, 2}) * scale;
    sampling_offsets->bias.copy_(bias.reshape(-1));
}

void init_xavier_linear(torch::nn::Linear & linear) {
    torch::NoGradGuard no_grad;
    torch::nn::init::xavier_uniform_(linear->weight);
    linear->bias.zero_();
}

void init_zero_linear(torch::nn::Linear & linear) {
    torch::NoGradGuard no_grad;
    linear->weight.zero_();
    linear->bias.zero_();
}

}  // namespace rs
