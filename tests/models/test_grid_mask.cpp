// GridMask as BEVFormer trains with it: one separable stripe mask for the whole batch, a quarter
// of the pixels zeroed on average at ratio 0.5, applied with the given probability, reproducible
// from the generator's state.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "models/bevformer/grid_mask.h"

using namespace rs;

namespace {

// The mask a draw applied to an all-ones batch: [H, W], after checking every image and channel
// got the same one.
torch::Tensor mask_of(const torch::Tensor & out) {
    const torch::Tensor first = out.reshape({-1, out.size(-2), out.size(-1)})[0];
    EXPECT_TRUE(torch::equal(out, first.expand_as(out)));
    return first;
}

}  // namespace

TEST(GridMask, OneSeparableStripeMaskForTheBatch) {
    std::mt19937 rng(7);
    const torch::Tensor ones = torch::ones({2, 6, 3, 96, 160});
    int masked = 0;
    double zero_fraction = 0;
    for (int draw = 0; draw < 200; ++draw) {
        const torch::Tensor out = apply_grid_mask(ones, rng, 0.7);
        const torch::Tensor m = mask_of(out);
        ASSERT_TRUE(torch::logical_or(m == 0, m == 1).all().item<bool>());
        if (m.eq(1).all().item<bool>()) continue;
        ++masked;
        zero_fraction += 1.0 - m.mean().item<double>();
        // Kept pixels are the union of full rows and full columns (the stripes).
        const torch::Tensor rows = m.eq(1).all(1), cols = m.eq(1).all(0);
        const torch::Tensor rebuilt = torch::logical_or(rows.unsqueeze(1), cols.unsqueeze(0));
        ASSERT_TRUE(torch::equal(rebuilt, m.eq(1))) << "draw " << draw;
    }
    EXPECT_NEAR(masked / 200.0, 0.7, 0.1);
    EXPECT_NEAR(zero_fraction / masked, 0.25, 0.08);
}

TEST(GridMask, ProbabilityZeroAndReproducibility) {
    const torch::Tensor images = torch::randn({1, 6, 3, 32, 48});
    std::mt19937 never(1);
    EXPECT_TRUE(torch::equal(apply_grid_mask(images, never, 0.0), images));
    std::mt19937 a(99), b(99);
    EXPECT_TRUE(torch::equal(apply_grid_mask(images, a, 1.0), apply_grid_mask(images, b, 1.0)));
    // Masked pixels are zero (the mean after normalisation), the rest untouched.
    std::mt19937 c(5);
    const torch::Tensor out = apply_grid_mask(images, c, 1.0);
    EXPECT_TRUE(torch::logical_or(out == 0, out == images).all().item<bool>());
    EXPECT_FALSE(torch::equal(out, images));
}
