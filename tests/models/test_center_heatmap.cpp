// The centre heatmap pieces shared by the proposal and perspective heads, on hand-computed cases.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "models/bevformer/center_heatmap.h"

using namespace rs;

TEST(CenterGaussian, PeakNeighboursAndEdges) {
    std::vector<float> map(5 * 4, 0.f);
    draw_center_gaussian(map.data(), 5, 4, 0, 3, 1);  // a corner: only 4 of its 9 cells are on the map
    EXPECT_FLOAT_EQ(map[0 * 4 + 3], 1.f);
    // Radius 1, sigma 0.5: exp(-1 / 0.5) beside, exp(-2 / 0.5) diagonally.
    EXPECT_NEAR(map[1 * 4 + 3], std::exp(-2.0), 1e-6);
    EXPECT_NEAR(map[0 * 4 + 2], std::exp(-2.0), 1e-6);
    EXPECT_NEAR(map[1 * 4 + 2], std::exp(-4.0), 1e-6);
    int nonzero = 0;
    for (float v : map) nonzero += v > 0;
    EXPECT_EQ(nonzero, 4);
    // A second, weaker overlap keeps the first peak's values where they are higher.
    draw_center_gaussian(map.data(), 5, 4, 2, 3, 1);
    EXPECT_FLOAT_EQ(map[0 * 4 + 3], 1.f);
    EXPECT_FLOAT_EQ(map[2 * 4 + 3], 1.f);
    EXPECT_NEAR(map[1 * 4 + 3], std::exp(-2.0), 1e-6);
    // Radius 2: sigma 5 / 6.
    std::vector<float> wide(5 * 5, 0.f);
    draw_center_gaussian(wide.data(), 5, 5, 2, 2, 2);
    EXPECT_NEAR(wide[0 * 5 + 0], std::exp(-8.0 / (2 * 25.0 / 36.0)), 1e-6);
}

TEST(HeatmapFocalLoss, HandComputedCase) {
    // p = 0.5 everywhere. Peak: -(0.5)^2 ln 0.5; t = 0.5: -(0.5)^4 0.5^2 ln 0.5; t = 0: -0.5^2 ln 0.5.
    const torch::Tensor logits = torch::zeros({1, 1, 1, 3});
    const torch::Tensor targets = torch::tensor({1.f, 0.5f, 0.f}).view({1, 1, 1, 3});
    const double ln2 = std::log(2.0);
    EXPECT_NEAR(heatmap_focal_loss(logits, targets).item<double>(), 0.25 * ln2 + 0.0625 * 0.25 * ln2 + 0.25 * ln2, 1e-6);
    // Two peaks halve the per-peak normalisation; none keeps the divisor at 1.
    const torch::Tensor two = torch::tensor({1.f, 1.f, 0.f}).view({1, 1, 1, 3});
    EXPECT_NEAR(heatmap_focal_loss(logits, two).item<double>(), (0.5 * ln2 + 0.25 * ln2) / 2, 1e-6);
    EXPECT_NEAR(heatmap_focal_loss(logits, torch::zeros({1, 1, 1, 3})).item<double>(), 0.75 * ln2, 1e-6);
    // Confident and right costs almost nothing.
    const torch::Tensor sure = torch::tensor({12.f, -12.f, -12.f}).view({1, 1, 1, 3});
    EXPECT_LT(heatmap_focal_loss(sure, targets).item<double>(), 1e-4);
    EXPECT_THROW(heatmap_focal_loss(logits, torch::zeros({1, 1, 3, 1})), std::invalid_argument);
}

