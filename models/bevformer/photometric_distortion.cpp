#include "models/bevformer/photometric_distortion.h"

#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <cfloat>
#include <stdexcept>

namespace rs {

namespace {

double uniform(std::mt19937 & rng, double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); }
bool coin(std::mt19937 & rng) { return std::uniform_int_distribution<int>(0, 1)(rng) == 1; }

}  // namespace

torch::Tensor rgb_to_hsv(const torch::Tensor & rgb) {
    torch::Tensor r = rgb.select(-3, 0), g = rgb.select(-3, 1), b = rgb.select(-3, 2);
    torch::Tensor v = torch::max(torch::max(r, g), b);
    torch::Tensor diff = v - torch::min(torch::min(r, g), b);
    torch::Tensor s = diff / (v.abs() + FLT_EPSILON);
    torch::Tensor k = 60.0 / (diff + FLT_EPSILON);
    // OpenCV's order of tests: red wins ties, then green.
    torch::Tensor h = torch::where(v == r, (g - b) * k, torch::where(v == g, (b - r) * k + 120.0, (r - g) * k + 240.0));
    h = torch::where(h < 0, h + 360.0, h);
    return torch::stack({h, s, v}, -3);
}

torch::Tensor hsv_to_rgb(const torch::Tensor & hsv) {
    torch::Tensor h = hsv.select(-3, 0) / 60.0, s = hsv.select(-3, 1), v = hsv.select(-3, 2);
    h = h - 6.0 * torch::floor(h / 6.0);  // into [0, 6)
    torch::Tensor sector = torch::floor(h).clamp(0, 5);
    torch::Tensor f = h - sector;
    torch::Tensor p = v * (1.0 - s), q = v * (1.0 - s * f), t = v * (1.0 - s * (1.0 - f));
    // Per sector, which of v, p, q, t is R, G, B.
    const std::array<std::array<const torch::Tensor *, 3>, 6> table = {{{&v, &t, &p}, {&q, &v, &p}, {&p, &v, &t},
                                                                         {&p, &q, &v}, {&t, &p, &v}, {&v, &p, &q}}};
    std::array<torch::Tensor, 3> out = {torch::zeros_like(v), torch::zeros_like(v), torch::zeros_like(v)};
    for (int i = 0; i < 6; ++i) {
        torch::Tensor in_sector = sector == double(i);
        for (int c = 0; c < 3; ++c) out[c] = torch::where(in_sector, *table[i][c], out[c]);
    }
    return torch::stack({out[0], out[1], out[2]}, -3);
}

torch::Tensor apply_photometric_distortion(const torch::Tensor & images, std::mt19937 & rng, bool bgr,
                                           const PhotometricDistortion & p) {
    if (images.dim() != 4 || images.size(1) != 3)
        throw std::invalid_argument("photometric distortion needs [N, 3, H, W] images");
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> out;
    for (int64_t n = 0; n < images.size(0); ++n) {
        torch::Tensor img = images[n].to(torch::kFloat32).clone();
        if (coin(rng)) img += uniform(rng, -p.brightness_delta, p.brightness_delta);
        const bool contrast_first = coin(rng);
        if (contrast_first && coin(rng)) img *= uniform(rng, p.contrast_lower, p.contrast_upper);
        torch::Tensor hsv = rgb_to_hsv(bgr ? img.flip(0) : img);
        if (coin(rng)) hsv[1] *= uniform(rng, p.saturation_lower, p.saturation_upper);
        if (coin(rng)) {
            torch::Tensor h = hsv[0] + uniform(rng, -p.hue_delta, p.hue_delta);
            h = torch::where(h > 360.0, h - 360.0, h);
            hsv[0] = torch::where(h < 0, h + 360.0, h);
        }
        img = hsv_to_rgb(hsv);
        if (bgr) img = img.flip(0);
        if (!contrast_first && coin(rng)) img *= uniform(rng, p.contrast_lower, p.contrast_upper);
        if (coin(rng)) {
            std::array<int64_t, 3> perm = {0, 1, 2};
            std::shuffle(perm.begin(), perm.end(), rng);
            img = img.index_select(0, torch::tensor({perm[0], perm[1], perm[2]}));
        }
        out.push_back(img);
    }
    return torch::stack(out);
}

}  // namespace rs
