#include "models/bevformer/center_heatmap.h"

#include <c10/util/StringUtil.h>
#include <torch/nn/functional/activation.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/conv.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace rs {

torch::nn::Sequential center_heatmap_branch(int64_t channels, int64_t classes) {
    torch::nn::Conv2d out(torch::nn::Conv2dOptions(channels, classes, 1));
    {
        torch::NoGradGuard no_grad;
        out->bias.fill_(-2.19);
    }
    return torch::nn::Sequential(torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, channels, 3).padding(1)),
                                 torch::nn::ReLU(), out);
}

void draw_center_gaussian(float * map, int64_t h, int64_t w, int64_t row, int64_t col, int64_t radius) {
    const double sigma = double(2 * radius + 1) / 6.0;
    for (int64_t dr = -radius; dr <= radius; ++dr)
        for (int64_t dc = -radius; dc <= radius; ++dc) {
            const int64_t r = row + dr, c = col + dc;
            if (r < 0 || c < 0 || r >= h || c >= w) continue;
            const float g = float(std::exp(-double(dr * dr + dc * dc) / (2 * sigma * sigma)));
            map[r * w + c] = std::max(map[r * w + c], g);
        }
}

torch::Tensor heatmap_focal_loss(const torch::Tensor & logits, const torch::Tensor & targets) {
    if (!logits.sizes().equals(targets.sizes()))
        throw std::invalid_argument("heatmap_focal_loss: targets " + c10::str(targets.sizes()) + " do not match logits " +
                                    c10::str(logits.sizes()));
    namespace F = torch::nn::functional;
    const torch::Tensor t = targets.to(logits.options());
    const torch::Tensor p = logits.sigmoid();
    const torch::Tensor pos = t.eq(1).to(logits.dtype());
    const torch::Tensor pos_loss = -(1 - p).pow(2) * F::logsigmoid(logits) * pos;
    const torch::Tensor neg_loss = -(1 - t).pow(4) * p.pow(2) * F::logsigmoid(-logits) * (1 - pos);
    return (pos_loss.sum() + neg_loss.sum()) / pos.sum().clamp_min(1);
}

}  // namespace rs
