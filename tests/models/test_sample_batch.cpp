#include "models/bevformer/sample_batch.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "engine/nuscenes_reader.h"

namespace rs {
namespace {

std::string sample_dir() { return std::string(ROADSIGHT_SOURCE_DIR) + "/../shared/data/nuscenes-sample"; }

bool have_sample() { return std::filesystem::is_directory(sample_dir() + "/v1.0-mini"); }

DetectionSample real_sample() {
    NuScenesDataset ds = load_nuscenes(sample_dir(), "v1.0-mini");
    return load_detection_samples(ds, {"scene-0061"}).at(0);
}

// Six w×h images; image c has pixel (x, y) = (x + 3c, y, (x * y + c) % 256) so every value is known.
std::vector<RgbImage> synthetic_images(int w, int h) {
    std::vector<RgbImage> out(kNumBevCameras);
    for (int c = 0; c < kNumBevCameras; ++c) {
        out[c].width = w;
        out[c].height = h;
        out[c].rgb.resize(size_t(w) * h * 3);
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                uint8_t * p = &out[c].rgb[(size_t(y) * w + x) * 3];
                p[0] = uint8_t(x + 3 * c);
                p[1] = uint8_t(y);
                p[2] = uint8_t((x * y + c) % 256);
            }
    }
    return out;
}

DetectionSample synthetic_sample(int w, int h) {
    DetectionSample s;
    s.sample_token = "tok";
    for (int c = 0; c < kNumBevCameras; ++c) {
        s.cameras[c].channel = kBevCameraChannels[c];
        s.cameras[c].width = w;
        s.cameras[c].height = h;
        for (int k = 0; k < 16; ++k) s.cameras[c].lidar2img.m[k] = 100 * c + k;
    }
    GtBox g;
    g.box = {1, 2, 3, 4, 5, 6, 0.5, NAN, NAN};
    g.label = 8;
    s.gt.push_back(g);
    g.box = {-1, -2, -3, 1, 1, 1, -0.5, 2.5, -1.5};
    g.label = 0;
    s.gt.push_back(g);
    for (int k = 0; k < 18; ++k) s.can_bus[k] = k * 1.5;
    return s;
}

TEST(SampleBatch, ShapesNormalisationAndPaddingAtScaleOne) {
    BevformerConfig cfg = BevformerConfig::tiny();
    cfg.input_width = 70;
    const DetectionSample s = synthetic_sample(70, 40);
    SampleTensors t = make_sample_tensors(s, synthetic_images(70, 40), cfg);
    EXPECT_EQ(t.images.sizes(), (std::vector<int64_t>{6, 3, 64, 96}));
    EXPECT_EQ(t.img_h, 40);
    EXPECT_EQ(t.img_w, 70);
    EXPECT_EQ(t.pad_h, 64);
    EXPECT_EQ(t.pad_w, 96);
    // Camera 2, pixel (x 10, y 7): RGB (16, 7, 72), tiny normalises in RGB order.
    EXPECT_NEAR(t.images[2][0][7][10].item<float>(), (16 - 123.675f) / 58.395f, 1e-5);
    EXPECT_NEAR(t.images[2][1][7][10].item<float>(), (7 - 116.28f) / 57.12f, 1e-5);
    EXPECT_NEAR(t.images[2][2][7][10].item<float>(), (72 - 103.53f) / 57.375f, 1e-5);
    EXPECT_EQ(t.images.narrow(2, 40, 24).abs().max().item<float>(), 0.f);
    EXPECT_EQ(t.images.narrow(3, 70, 26).abs().max().item<float>(), 0.f);
    EXPECT_GT(t.images.narrow(2, 39, 1).narrow(3, 0, 70).abs().min().item<float>(), 0.f);

    // small/base: BGR with std 1; channel 0 is blue.
    BevformerConfig bgr = BevformerConfig::small();
    bgr.input_width = 70;
    SampleTensors u = make_sample_tensors(s, synthetic_images(70, 40), bgr);
    EXPECT_NEAR(u.images[2][0][7][10].item<float>(), 72 - 103.53f, 1e-4);
    EXPECT_NEAR(u.images[2][2][7][10].item<float>(), 16 - 123.675f, 1e-4);

    EXPECT_EQ(t.gt_boxes.sizes(), (std::vector<int64_t>{2, 9}));
    EXPECT_EQ(t.gt_labels.dtype(), torch::kLong);
    EXPECT_EQ(t.gt_labels[0].item<int64_t>(), 8);
    EXPECT_EQ(t.gt_boxes[0][7].item<float>(), 0.f);  // NaN velocity -> 0
    EXPECT_EQ(t.gt_boxes[1][7].item<float>(), 2.5f);
    EXPECT_EQ(t.gt_boxes[1][6].item<float>(), -0.5f);
    EXPECT_EQ(t.can_bus[17].item<float>(), 25.5f);
    EXPECT_EQ(t.lidar2img[3][1][2].item<float>(), 306.f);
}

TEST(SampleBatch, HalfScaleAveragesPixelBlocksAndScalesLidar2Img) {
    BevformerConfig cfg = BevformerConfig::tiny();
    cfg.input_width = 35;  // s = 0.5
    const DetectionSample s = synthetic_sample(70, 41);
    SampleTensors t = make_sample_tensors(s, synthetic_images(70, 41), cfg);
    EXPECT_EQ(t.img_h, 20);  // int(41 * 0.5)
    EXPECT_EQ(t.img_w, 35);
    EXPECT_EQ(t.images.sizes(), (std::vector<int64_t>{6, 3, 32, 64}));
    // cv2 INTER_LINEAR samples source ((x + 0.5) * in / out - 0.5) with in / out = 2 across and
    // 41 / 20 = 2.05 down. Camera 1, output (x 4, y 3): source x 8.5 (mean of columns 8, 9) and
    // y 3.5 * 2.05 - 0.5 = 6.675. Red x + 3 = 11.5, green y = 6.675, blue x * y + 1 (bilinear, so
    // exact) = 8.5 * 6.675 + 1 = 57.7375.
    EXPECT_NEAR(t.images[1][0][3][4].item<float>(), (11.5f - 123.675f) / 58.395f, 1e-5);
    EXPECT_NEAR(t.images[1][1][3][4].item<float>(), (6.675f - 116.28f) / 57.12f, 1e-5);
    EXPECT_NEAR(t.images[1][2][3][4].item<float>(), (57.7375f - 103.53f) / 57.375f, 1e-5);
    for (int c = 0; c < kNumBevCameras; ++c)
        for (int r = 0; r < 4; ++r)
            for (int k = 0; k < 4; ++k)
                EXPECT_FLOAT_EQ(t.lidar2img[c][r][k].item<float>(), float((100 * c + 4 * r + k) * (r < 2 ? 0.5 : 1.0)));
}

TEST(SampleBatch, ErrorsNameTheProblem) {
    const BevformerConfig cfg = BevformerConfig::tiny();
    const DetectionSample s = synthetic_sample(64, 32);
    std::vector<RgbImage> five = synthetic_images(64, 32);
    five.pop_back();
    EXPECT_THROW(make_sample_tensors(s, five, cfg), std::invalid_argument);
    std::vector<RgbImage> odd = synthetic_images(64, 32);
    odd[4] = synthetic_images(66, 32)[4];
    try {
        make_sample_tensors(s, odd, cfg);
        ADD_FAILURE() << "mis-sized image accepted";
    } catch (const std::invalid_argument & e) {
        EXPECT_NE(std::string(e.what()).find("CAM_BACK_LEFT image is 66x32"), std::string::npos) << e.what();
    }
    EXPECT_THROW(make_sample_tensors(synthetic_sample(64, 30), synthetic_images(64, 32), cfg), std::invalid_argument);

    const std::string bad = std::filesystem::temp_directory_path().string() + "/roadsight_not_a_jpeg_" +
                            std::to_string(::getpid()) + ".jpg";
    std::ofstream(bad) << "not a jpeg";
    DetectionSample f = synthetic_sample(64, 32);
    for (CameraInput & c : f.cameras) c.image_path = bad;
    try {
        make_sample_tensors(f, cfg);
        ADD_FAILURE() << "undecodable image accepted";
    } catch (const std::runtime_error & e) {
        EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
    // The loader hands the error to the consumer.
    SampleLoader loader({f}, {0}, cfg);
    EXPECT_THROW(loader.next(), std::runtime_error);
    EXPECT_FALSE(loader.next().has_value());
    std::filesystem::remove(bad);
    EXPECT_THROW(SampleLoader({f}, {1}, cfg), std::invalid_argument);
}

TEST(SampleBatch, RealSampleDecodesAndLoaderPrefetches) {
    if (!have_sample()) GTEST_SKIP() << "nuScenes sample not found at " << sample_dir();
    const DetectionSample s = real_sample();
    const BevformerConfig cfg = BevformerConfig::tiny();
    SampleTensors t = make_sample_tensors(s, cfg);
    EXPECT_EQ(t.images.sizes(), (std::vector<int64_t>{6, 3, 480, 800}));
    EXPECT_EQ(t.images.narrow(2, 450, 30).abs().max().item<float>(), 0.f);
    // Real photographs: every camera has contrast, values within the normalised 0..255 range.
    for (int c = 0; c < kNumBevCameras; ++c) {
        torch::Tensor im = t.images[c].narrow(1, 0, 450);
        EXPECT_GT(im.std().item<float>(), 0.3f) << c;
        EXPECT_GE(im.min().item<float>(), -123.675f / 58.395f - 1e-4f);
        EXPECT_LE(im.max().item<float>(), (255 - 103.53f) / 57.375f + 1e-4f);
    }
    // Top-left output pixel of CAM_FRONT is the mean of the decoded 2×2 block.
    RgbImage front = read_jpeg_file(s.cameras[0].image_path);
    float red = 0;
    for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 2; ++x) red += front.rgb[(size_t(y) * front.width + x) * 3] / 4.f;
    EXPECT_NEAR(t.images[0][0][0][0].item<float>(), (red - 123.675f) / 58.395f, 1e-5);
    EXPECT_EQ(t.gt_boxes.size(0), 50);
    EXPECT_EQ(t.gt_boxes.narrow(1, 7, 2).abs().max().item<float>(), 0.f);  // all NaN in the sample
    EXPECT_FLOAT_EQ(t.lidar2img[0][0][0].item<float>(), float(0.5 * s.cameras[0].lidar2img(0, 0)));

    SampleLoader loader({s}, {0, 0}, cfg, 1);
    EXPECT_EQ(loader.size(), 2u);
    for (int k = 0; k < 2; ++k) {
        std::optional<SampleTensors> u = loader.next();
        ASSERT_TRUE(u.has_value());
        EXPECT_TRUE(torch::equal(u->images, t.images));
        EXPECT_TRUE(torch::equal(u->gt_boxes, t.gt_boxes));
    }
    EXPECT_FALSE(loader.next().has_value());
}

}  // namespace
}  // namespace rs
