// The render benchmark on a tiny configuration: it must run end to end and report sane figures.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

#include "render/offscreen_camera_renderer.h"
#include "render/render_bench.h"
#include "render/vulkan_error.h"

namespace rs {
namespace {

TEST(RenderBench, ReportsFramesOfSixCameras) {
    std::unique_ptr<OffscreenCameraRenderer> renderer;
    try {
        renderer = std::make_unique<OffscreenCameraRenderer>();
    } catch (const VulkanError & e) {
        const char * ci = std::getenv("CI");
        if (ci && std::string(ci) == "true") FAIL() << "CI=true but no Vulkan device: " << e.what();
        GTEST_SKIP() << "no Vulkan device (" << e.what() << ")";
    }
    RenderBenchOptions options;
    options.width = 160;
    options.height = 90;
    options.frames = 2;
    options.warmup_frames = 1;
    options.static_boxes = 100;
    options.dynamic_boxes = 20;
    RenderBenchResult r = run_render_bench(*renderer, options);

    EXPECT_EQ(r.device_name, renderer->device_name());
    EXPECT_EQ(r.cameras, 6);
    EXPECT_EQ(r.frames, 2);
    EXPECT_EQ(r.dynamic_triangles, 20u * 12);
    EXPECT_GT(r.static_triangles, 6u);
    EXPECT_GT(r.fps, 0);
    EXPECT_GT(r.seconds, 0);
    EXPECT_LE(r.best_frame_ms, r.mean_frame_ms + 1e-9);
    EXPECT_NEAR(r.megapixels_per_second, 160.0 * 90 * 6 * r.fps / 1e6, 1e-9);

    options.frames = 0;
    EXPECT_THROW(run_render_bench(*renderer, options), std::invalid_argument);
}

}  // namespace
}  // namespace rs
