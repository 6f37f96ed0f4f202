// VulkanBevRasterizer against the CPU rasterizer: the same quads give the same cells (exactly for
// quads whose edges keep clear of cell centres, to within edge ties on a whole town), flags OR
// where layers overlap, and bad sizes are refused. Skips without a Vulkan device, except on CI.
#include <gtest/gtest.h>

#include <array>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/bev_raster.h"
#include "engine/world.h"
#include "render/vulkan_bev_rasterizer.h"
#include "render/vulkan_context.h"
#include "render/vulkan_error.h"

namespace rs {
namespace {

class VulkanBevRasterizerTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        try {
            VulkanContextOptions options;
            options.validation = true;
            context_ = std::make_shared<VulkanContext>(options);
            gpu_ = std::make_unique<VulkanBevRasterizer>(context_);
        } catch (const VulkanError & e) {
            unavailable_ = e.what();
        }
    }
    static void TearDownTestSuite() {
        gpu_.reset();
        context_.reset();
    }
    void SetUp() override {
        if (gpu_) return;
        const char * ci = std::getenv("CI");
        if (ci && std::string(ci) == "true") FAIL() << "CI=true but no Vulkan BEV rasterizer: " << unavailable_;
        GTEST_SKIP() << "no Vulkan BEV rasterizer (" << unavailable_ << ")";
    }
    void TearDown() override {
        if (context_) {
            EXPECT_EQ(context_->validation_error_count(), 0) << "see the [vulkan error] lines above";
        }
    }

    static std::shared_ptr<VulkanContext> context_;
    static std::unique_ptr<VulkanBevRasterizer> gpu_;
    static std::string unavailable_;
    CpuBevRasterizer cpu_;
};

std::shared_ptr<VulkanContext> VulkanBevRasterizerTest::context_;
std::unique_ptr<VulkanBevRasterizer> VulkanBevRasterizerTest::gpu_;
std::string VulkanBevRasterizerTest::unavailable_;

BevQuad rect(double x0, double y0, double x1, double y1, uint8_t layer) {
    return {{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}, layer};
}

size_t count_with(const BevRaster & r, uint8_t flag) {
    size_t n = 0;
    for (uint8_t c : r.cells) n += (c & flag) != 0;
    return n;
}

TEST_F(VulkanBevRasterizerTest, MatchesTheCpuCellForCellAwayFromEdgeTies) {
    // Edges at a third of a cell off the centres; a turned centre so rows and columns both move.
    const std::vector<BevQuad> quads = {rect(-3.3, -2.3, 4.7, 1.7, kBevDrivable), rect(0.7, -0.3, 2.7, 5.7, kBevBox),
                                        {{{-6.3, 6.3}, {-1.3, 3.7}, {0.3, 6.7}, {-4.7, 8.3}}, kBevCrossing}};
    for (const Pose & centre : {Pose{}, Pose{{0.5, -1.0, 0}, Quat::from_yaw(kPi / 2)}}) {
        BevRaster want = cpu_.rasterize(quads, centre, 1.0, 24);
        BevRaster got = gpu_->rasterize(quads, centre, 1.0, 24);
        ASSERT_EQ(got.size, 24);
        EXPECT_EQ(got.resolution, 1.0);
        EXPECT_GT(count_with(want, kBevDrivable), 20u);
        EXPECT_GT(count_with(want, kBevCrossing), 5u);
        EXPECT_EQ(got.cells, want.cells);
    }
}

TEST_F(VulkanBevRasterizerTest, OverlappingLayersKeepEveryFlag) {
    const std::vector<BevQuad> quads = {rect(-5.2, -5.2, 5.2, 5.2, kBevDrivable), rect(-1.2, -1.2, 1.2, 1.2, kBevBox),
                                        rect(-3.2, -0.3, 3.2, 0.3, kBevLane)};
    BevRaster r = gpu_->rasterize(quads, Pose{}, 0.5, 32);
    // Cell (16, 16) has its centre at 0.25 m behind and 0.25 m right of the origin: all three layers.
    EXPECT_EQ(r.cells[16 * 32 + 16], kBevDrivable | kBevBox | kBevLane);
    EXPECT_EQ(r.cells[16 * 32 + 17], kBevDrivable | kBevBox);  // 0.75 m right: off the lane
    EXPECT_EQ(r.cells[0], 0);                                   // 8 m out: nothing
    EXPECT_EQ(r.cells, cpu_.rasterize(quads, Pose{}, 0.5, 32).cells);
}

TEST_F(VulkanBevRasterizerTest, KeepsPrecisionKilometresFromTheOrigin) {
    const Vec2 far{4321.0, -2345.0};
    std::vector<BevQuad> near_quads = {rect(-3.3, -2.3, 4.7, 1.7, kBevDrivable)}, far_quads = near_quads;
    for (Vec2 & p : far_quads[0].corners) p = {p.x + far.x, p.y + far.y};
    BevRaster near_raster = gpu_->rasterize(near_quads, Pose{}, 0.5, 32);
    BevRaster far_raster = gpu_->rasterize(far_quads, Pose{{far.x, far.y, 0}, Quat{}}, 0.5, 32);
    EXPECT_GT(count_with(near_raster, kBevDrivable), 100u);
    EXPECT_EQ(far_raster.cells, near_raster.cells);
}

TEST_F(VulkanBevRasterizerTest, AgreesWithTheCpuOnAWholeTown) {
    Scenario scenario;
    scenario.seed = 17;
    World world(scenario);
    for (int i = 0; i < 60; ++i) world.step();
    const double resolution = 0.25;
    const std::vector<BevQuad> quads = bev_quads(world.road_network(), world.agents(), resolution);
    Pose turned = world.ego().pose;
    turned.rotation = Quat::from_yaw(turned.rotation.yaw() + 0.4);
    for (const Pose & centre : {world.ego().pose, turned}) {
        BevRaster want = cpu_.rasterize(quads, centre, resolution, 400);
        BevRaster got = gpu_->rasterize(quads, centre, resolution, 400);
        ASSERT_EQ(got.cells.size(), want.cells.size());
        size_t same = 0;
        for (size_t i = 0; i < want.cells.size(); ++i) same += got.cells[i] == want.cells[i];
        EXPECT_GE(double(same) / want.cells.size(), 0.995);
        for (uint8_t flag : {kBevDrivable, kBevLane, kBevCrossing, kBevBox, kBevSidewalk}) {
            double n_want = double(count_with(want, flag)), n_got = double(count_with(got, flag));
            EXPECT_NEAR(n_got, n_want, 0.02 * n_want + 4) << "layer flag " << int(flag);
        }
        EXPECT_GT(count_with(want, kBevDrivable), want.cells.size() / 10);
        EXPECT_GT(count_with(want, kBevLane), 100u);
    }
}

TEST_F(VulkanBevRasterizerTest, EmptyAndBadRequests) {
    const std::vector<BevQuad> quads = {rect(-1, -1, 1, 1, kBevBox)};
    EXPECT_EQ(gpu_->rasterize(quads, Pose{}, 1.0, 0).cells.size(), 0u);
    BevRaster no_resolution = gpu_->rasterize(quads, Pose{}, 0.0, 8);
    EXPECT_EQ(no_resolution.cells, std::vector<uint8_t>(64, 0));
    EXPECT_EQ(gpu_->rasterize({}, Pose{}, 1.0, 8).cells, std::vector<uint8_t>(64, 0));
    const uint32_t limit = context_->properties().limits.maxFramebufferWidth;
    EXPECT_THROW(gpu_->rasterize(quads, Pose{}, 1.0, int(limit) + 1), std::invalid_argument);
    // A NaN corner drops its quad rather than poisoning the raster.
    std::vector<BevQuad> with_nan = {rect(-1, -1, 1, 1, kBevBox), rect(std::nan(""), 0, 1, 1, kBevLane)};
    EXPECT_EQ(count_with(gpu_->rasterize(with_nan, Pose{}, 0.5, 16), kBevLane), 0u);
    EXPECT_NE(gpu_->name().find(context_->device_name()), std::string::npos);
}

}  // namespace
}  // namespace rs
