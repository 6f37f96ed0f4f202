// PhotoMetricDistortionMultiViewImage: OpenCV's float HSV conversion on hand-computed colours and
// its round trip, and the distortion's draws: every step with probability 0.5, brightness and
// contrast within their ranges, colour steps leaving a grey image grey, reproducible from the
// generator's state.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "models/bevformer/photometric_distortion.h"

using namespace rs;

namespace {

torch::Tensor pixel(float r, float g, float b) { return torch::tensor({r, g, b}).view({3, 1, 1}); }

void expect_hsv(const torch::Tensor & rgb, double h, double s, double v) {
    const torch::Tensor hsv = rgb_to_hsv(rgb).flatten();
    EXPECT_NEAR(hsv[0].item<double>(), h, 1e-3);
    EXPECT_NEAR(hsv[1].item<double>(), s, 1e-5);
    EXPECT_NEAR(hsv[2].item<double>(), v, 1e-4);
}

}  // namespace

TEST(PhotometricDistortion, HsvOfHandComputedColours) {
    expect_hsv(pixel(255, 0, 0), 0, 1, 255);
    expect_hsv(pixel(0, 255, 0), 120, 1, 255);
    expect_hsv(pixel(0, 0, 255), 240, 1, 255);
    expect_hsv(pixel(255, 128, 0), 60.0 * 128 / 255, 1, 255);
    expect_hsv(pixel(10, 200, 50), 120 + 60.0 * 40 / 190, 190.0 / 200, 200);
    expect_hsv(pixel(200, 10, 100), 360 - 60.0 * 90 / 190, 190.0 / 200, 200);  // negative hue wraps
    expect_hsv(pixel(100, 100, 100), 0, 0, 100);
    // Hue 180 at half saturation: cyan-ish, R = v(1 - s).
    const torch::Tensor rgb = hsv_to_rgb(pixel(180, 0.5, 200)).flatten();
    EXPECT_NEAR(rgb[0].item<double>(), 100, 1e-3);
    EXPECT_NEAR(rgb[1].item<double>(), 200, 1e-3);
    EXPECT_NEAR(rgb[2].item<double>(), 200, 1e-3);
}

TEST(PhotometricDistortion, HsvRoundTrip) {
    torch::manual_seed(3);
    const torch::Tensor rgb = torch::rand({4, 3, 16, 16}) * 255;
    EXPECT_TRUE(torch::allclose(hsv_to_rgb(rgb_to_hsv(rgb)), rgb, 1e-3, 1e-2));
    // Hue 360 is hue 0.
    EXPECT_TRUE(torch::allclose(hsv_to_rgb(pixel(360, 1, 255)), pixel(255, 0, 0), 0, 1e-3));
}

TEST(PhotometricDistortion, DrawsFollowTheReference) {
    std::mt19937 rng(11);
    const int n = 600;
    const torch::Tensor grey = torch::full({n, 3, 2, 2}, 100.f);
    const torch::Tensor out = apply_photometric_distortion(grey, rng, false);
    ASSERT_EQ(out.sizes(), grey.sizes());
    // Saturation, hue and the channel swap leave grey grey: only brightness then contrast act,
    // so every value lies in [(100 - 32) * 0.5, (100 + 32) * 1.5] and the image stays uniform.
    EXPECT_TRUE(torch::allclose(out, out.select(1, 0).unsqueeze(1).expand_as(out), 1e-4, 1e-3));
    EXPECT_GE(out.min().item<float>(), 34.f - 1e-3f);
    EXPECT_LE(out.max().item<float>(), 198.f + 1e-3f);
    // Untouched with probability 1/2 (no brightness) × 1/2 (no contrast).
    const double unchanged = (out - grey).abs().amax({1, 2, 3}).lt(1e-3).sum().item<double>() / n;
    EXPECT_NEAR(unchanged, 0.25, 0.06);

    // A saturated colour: hue moves by at most 18°, saturation scales by at most 1.5, and the
    // channels are permuted about half the time.
    std::mt19937 rng2(5);
    const torch::Tensor orange = pixel(240, 120, 0).unsqueeze(0).expand({n, 3, 1, 1}).contiguous();
    const torch::Tensor distorted = apply_photometric_distortion(orange, rng2, false);
    const torch::Tensor largest = distorted.argmax(1).flatten();
    const double red_largest = largest.eq(0).sum().item<double>() / n;
    // Red stays largest unless the swap moves it (2/3 of permutations do, half the time: 1/3).
    EXPECT_NEAR(red_largest, 1.0 - 1.0 / 3, 0.07);
}

TEST(PhotometricDistortion, ReproducibleAndChecked) {
    torch::manual_seed(1);
    const torch::Tensor images = torch::rand({6, 3, 8, 12}) * 255;
    std::mt19937 a(9), b(9), c(10);
    const torch::Tensor first = apply_photometric_distortion(images, a, true);
    EXPECT_TRUE(torch::equal(first, apply_photometric_distortion(images, b, true)));
    EXPECT_FALSE(torch::equal(first, apply_photometric_distortion(images, c, true)));
    EXPECT_FALSE(torch::equal(first, images));
    EXPECT_THROW(apply_photometric_distortion(images[0], a, false), std::invalid_argument);
    EXPECT_THROW(apply_photometric_distortion(torch::zeros({1, 4, 2, 2}), a, false), std::invalid_argument);
}
