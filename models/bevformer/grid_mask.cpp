#include "models/bevformer/grid_mask.h"

#include <algorithm>
#include <vector>

namespace rs {

torch::Tensor apply_grid_mask(const torch::Tensor & images, std::mt19937 & rng, double prob, double ratio) {
    if (std::uniform_real_distribution<double>(0.0, 1.0)(rng) > prob) return images;
    const int64_t h = images.size(-2), w = images.size(-1);
    if (h < 3) return images;  // no period fits
    const int64_t hh = int64_t(1.5 * double(h)), ww = int64_t(1.5 * double(w));
    const int64_t d = std::uniform_int_distribution<int64_t>(2, h - 1)(rng);
    const int64_t l = std::min(std::max(int64_t(double(d) * ratio + 0.5), int64_t{1}), d - 1);
    const int64_t st_h = std::uniform_int_distribution<int64_t>(0, d - 1)(rng);
    const int64_t st_w = std::uniform_int_distribution<int64_t>(0, d - 1)(rng);
    // Stripe k covers [d·k + st, min(d·k + st + l, extent)) for k < extent / d on the canvas.
    const auto striped = [&](int64_t p, int64_t st, int64_t extent) {
        const int64_t q = p - st;
        return q >= 0 && q / d < extent / d && q % d < l;
    };
    std::vector<float> mask(size_t(h * w));
    const int64_t oy = (hh - h) / 2, ox = (ww - w) / 2;
    for (int64_t y = 0; y < h; ++y) {
        const bool row = striped(y + oy, st_h, hh);
        for (int64_t x = 0; x < w; ++x) mask[size_t(y * w + x)] = (row || striped(x + ox, st_w, ww)) ? 1.f : 0.f;
    }
    const torch::Tensor m = torch::from_blob(mask.data(), {h, w}, torch::kFloat32).to(images.options());
    return images * m;
}

}  // namespace rs
