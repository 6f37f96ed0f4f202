// OffscreenCameraRenderer against the pinhole model: boxes of known instance ids in front of the
// nuScenes CAM_FRONT must appear exactly where Intrinsics::project puts them. Runs on lavapipe in CI;
// without a Vulkan device the tests skip, unless CI=true, where that is a failure.
// ROADSIGHT_TEST_IMAGE_DIR=<dir> saves the test renders there as PNG for a look.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/camera_rig.h"
#include "engine/png_writer.h"
#include "render/offscreen_camera_renderer.h"
#include "render/vulkan_context.h"
#include "render/vulkan_error.h"

namespace rs {
namespace {

bool on_ci() {
    const char * ci = std::getenv("CI");
    return ci && std::string(ci) == "true";
}

struct TestBox {
    Pose pose;
    Vec3 half;
    uint32_t id;
};

const uint8_t kGround[4] = {110, 112, 106, 255};
const uint8_t kGrey[4] = {170, 170, 170, 255};
const uint8_t kRed[4] = {200, 60, 50, 255};
const uint8_t kBlue[4] = {50, 80, 200, 255};

// Static: ground and box 7 ahead. Dynamic: box 42 ahead right, box 1000003 ahead left, turned.
const TestBox kStaticBox{{{12, 0, 0.6}, Quat::from_yaw(0)}, {1.0, 1.0, 0.6}, 7};
const TestBox kRightBox{{{18, -4, 1.0}, Quat::from_yaw(0)}, {2.0, 0.9, 1.0}, 42};
const TestBox kLeftBox{{{25, 5, 1.5}, Quat::from_yaw(-0.3)}, {1.5, 1.5, 1.5}, 1000003};

SceneMesh static_scene() {
    SceneMesh mesh;
    const Vec2 ground[4] = {{-100, -100}, {100, -100}, {100, 100}, {-100, 100}};
    mesh.add_quad_z(ground, 0.0, kGround, 0);
    mesh.add_box(kStaticBox.pose, kStaticBox.half, kGrey, kStaticBox.id);
    return mesh;
}

SceneMesh dynamic_scene() {
    SceneMesh mesh;
    mesh.add_box(kRightBox.pose, kRightBox.half, kRed, kRightBox.id);
    mesh.add_box(kLeftBox.pose, kLeftBox.half, kBlue, kLeftBox.id);
    return mesh;
}

CameraView front_view(int width, int height) {
    return make_camera_view(nuscenes_camera_rig(width, height)[0], Pose{});
}

Vec2 project(const CameraView & view, const Vec3 & world) {
    return view.intrinsics.project(view.camera_to_world.apply_inverse(world));
}

uint32_t id_at(const CameraImage & image, const Vec2 & pixel) {
    return image.instance_ids[size_t(std::floor(pixel.y)) * image.width + size_t(std::floor(pixel.x))];
}

const uint8_t * rgb_at(const CameraImage & image, int x, int y) {
    return &image.rgb[(size_t(y) * image.width + x) * 3];
}

void save_png(const CameraImage & image, const std::string & name) {
    const char * dir = std::getenv("ROADSIGHT_TEST_IMAGE_DIR");
    if (!dir) return;
    write_png_file(std::string(dir) + "/" + name + ".png", image.rgb.data(), image.width, image.height, 3);
    // Ids as a false-colour image: background black, each id its own hue.
    std::vector<uint8_t> ids(image.rgb.size());
    for (size_t i = 0; i < image.instance_ids.size(); ++i) {
        uint32_t id = image.instance_ids[i];
        if (id == 0) continue;
        uint32_t h = id * 2654435761u;
        ids[3 * i + 0] = uint8_t(64 + (h >> 24) % 192);
        ids[3 * i + 1] = uint8_t(64 + (h >> 16) % 192);
        ids[3 * i + 2] = uint8_t(64 + (h >> 8) % 192);
    }
    write_png_file(std::string(dir) + "/" + name + "_ids.png", ids.data(), image.width, image.height, 3);
}

class OffscreenCameraRendererTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        try {
            // Validation when the layer is installed: any misuse of Vulkan fails the test.
            VulkanContextOptions options;
            options.validation = true;
            renderer_ = std::make_unique<OffscreenCameraRenderer>(std::make_shared<VulkanContext>(options));
            renderer_->set_static_scene(static_scene());
        } catch (const VulkanError & e) {
            unavailable_ = e.what();
        }
    }
    static void TearDownTestSuite() { renderer_.reset(); }

    void SetUp() override {
        if (renderer_) return;
        if (on_ci()) FAIL() << "CI=true but no Vulkan device: " << unavailable_;
        GTEST_SKIP() << "no Vulkan device (" << unavailable_ << ")";
    }
    void TearDown() override {
        if (!renderer_) return;
        EXPECT_EQ(renderer_->context()->validation_error_count(), 0) << "see the [vulkan error] lines above";
    }

    std::vector<CameraImage> render(const std::vector<CameraView> & views, const Lighting & lighting = {}) {
        std::vector<CameraImage> out;
        renderer_->render(dynamic_scene(), views, lighting, out);
        return out;
    }

    static std::unique_ptr<OffscreenCameraRenderer> renderer_;
    static std::string unavailable_;
};

std::unique_ptr<OffscreenCameraRenderer> OffscreenCameraRendererTest::renderer_;
std::string OffscreenCameraRendererTest::unavailable_;

TEST_F(OffscreenCameraRendererTest, ReportsItsDevice) {
    EXPECT_FALSE(renderer_->device_name().empty());
    RecordProperty("device", renderer_->device_name());
    RecordProperty("validation", renderer_->context()->validation_enabled() ? "on" : "off");
}

TEST_F(OffscreenCameraRendererTest, BoxCentresCarryTheirIds) {
    CameraView view = front_view(800, 450);
    std::vector<CameraImage> images = render({view});
    ASSERT_EQ(images.size(), 1u);
    const CameraImage & image = images[0];
    ASSERT_EQ(image.width, 800);
    ASSERT_EQ(image.height, 450);
    ASSERT_EQ(image.rgb.size(), 800u * 450 * 3);
    ASSERT_EQ(image.instance_ids.size(), 800u * 450);
    save_png(image, "front_800x450");

    for (const TestBox & box : {kStaticBox, kRightBox, kLeftBox}) {
        Vec2 centre = project(view, box.pose.translation);
        ASSERT_GE(centre.x, 0);
        ASSERT_LT(centre.x, 800);
        EXPECT_EQ(id_at(image, centre), box.id) << "box " << box.id << " at pixel " << centre.x << ", " << centre.y;
    }
}

TEST_F(OffscreenCameraRendererTest, SilhouettesMatchProjectedCorners) {
    CameraView view = front_view(800, 450);
    const CameraImage image = render({view})[0];
    for (const TestBox & box : {kStaticBox, kRightBox, kLeftBox}) {
        double u0 = 1e9, u1 = -1e9, v0 = 1e9, v1 = -1e9;
        for (int corner = 0; corner < 8; ++corner) {
            Vec3 local{(corner & 1 ? 1 : -1) * box.half.x, (corner & 2 ? 1 : -1) * box.half.y,
                       (corner & 4 ? 1 : -1) * box.half.z};
            Vec2 p = project(view, box.pose.apply(local));
            u0 = std::min(u0, p.x), u1 = std::max(u1, p.x), v0 = std::min(v0, p.y), v1 = std::max(v1, p.y);
        }
        int c0 = image.width, c1 = -1, r0 = image.height, r1 = -1;
        for (int y = 0; y < image.height; ++y)
            for (int x = 0; x < image.width; ++x) {
                if (image.instance_ids[size_t(y) * image.width + x] != box.id) continue;
                c0 = std::min(c0, x), c1 = std::max(c1, x), r0 = std::min(r0, y), r1 = std::max(r1, y);
            }
        ASSERT_GE(c1, 0) << "box " << box.id << " not drawn";
        // Pixel i is covered when its centre i + 0.5 lies inside the projected outline.
        EXPECT_NEAR(c0 + 0.5, u0, 1.0) << "box " << box.id;
        EXPECT_NEAR(c1 + 0.5, u1, 1.0) << "box " << box.id;
        EXPECT_NEAR(r0 + 0.5, v0, 1.0) << "box " << box.id;
        EXPECT_NEAR(r1 + 0.5, v1, 1.0) << "box " << box.id;
        // Tighter: the first covered centre is the first one inside the outline (allowing the
        // rasteriser's 1/256 px snapping), which a half-pixel shift of the projection would break.
        const double snap = 0.02;
        auto first_inside = [&](int pixel, double edge) {
            return pixel + 0.5 >= edge - snap && pixel + 0.5 < edge + 1 + snap;
        };
        auto last_inside = [&](int pixel, double edge) {
            return pixel + 0.5 <= edge + snap && pixel + 0.5 > edge - 1 - snap;
        };
        EXPECT_TRUE(first_inside(c0, u0)) << "box " << box.id << " left " << c0 << " " << u0;
        EXPECT_TRUE(last_inside(c1, u1)) << "box " << box.id << " right " << c1 << " " << u1;
        EXPECT_TRUE(first_inside(r0, v0)) << "box " << box.id << " top " << r0 << " " << v0;
        EXPECT_TRUE(last_inside(r1, v1)) << "box " << box.id << " bottom " << r1 << " " << v1;
    }
}

TEST_F(OffscreenCameraRendererTest, SkyIsBackgroundWithTheSkyGradient) {
    CameraView view = front_view(800, 450);
    Lighting lighting;
    const CameraImage image = render({view}, lighting)[0];
    for (int x = 0; x < image.width; ++x) ASSERT_EQ(image.instance_ids[x], 0u) << "top row, column " << x;

    auto is_sky = [&](const uint8_t * c) {
        for (int i = 0; i < 3; ++i) {
            int lo = std::min(lighting.sky_top[i], lighting.sky_horizon[i]) - 2;
            int hi = std::max(lighting.sky_top[i], lighting.sky_horizon[i]) + 2;
            if (c[i] < lo || c[i] > hi) return false;
        }
        return true;
    };
    const uint8_t * top = rgb_at(image, 700, 0);
    // A few degrees above the horizon, clear of every box.
    int low_row = int(view.intrinsics.cy) - 30;
    ASSERT_EQ(image.instance_ids[size_t(low_row) * image.width + 780], 0u);
    const uint8_t * low = rgb_at(image, 780, low_row);
    EXPECT_TRUE(is_sky(top)) << int(top[0]) << " " << int(top[1]) << " " << int(top[2]);
    EXPECT_TRUE(is_sky(low)) << int(low[0]) << " " << int(low[1]) << " " << int(low[2]);
    // Higher is closer to sky_top: less red (92 at the top vs 196 at the horizon).
    EXPECT_LT(top[0] + 10, low[0]);
}

TEST_F(OffscreenCameraRendererTest, SunlitFaceIsBrighterThanShadedFace) {
    CameraView view = front_view(800, 450);
    Lighting lighting;
    lighting.sun_direction = {-0.8, -0.4, 0.45};  // behind the camera, to its right
    const CameraImage image = render({view}, lighting)[0];
    save_png(image, "front_low_sun");

    // The red box's -x face looks at the sun, its +y face (towards the camera's side) away from it.
    Vec2 lit = project(view, {kRightBox.pose.translation.x - kRightBox.half.x, -4.0, 1.0});
    Vec2 shaded = project(view, {18.0, kRightBox.pose.translation.y + kRightBox.half.y, 1.0});
    ASSERT_EQ(id_at(image, lit), kRightBox.id);
    ASSERT_EQ(id_at(image, shaded), kRightBox.id);
    const uint8_t * a = rgb_at(image, int(lit.x), int(lit.y));
    const uint8_t * b = rgb_at(image, int(shaded.x), int(shaded.y));
    int lit_sum = a[0] + a[1] + a[2], shaded_sum = b[0] + b[1] + b[2];
    EXPECT_GT(lit_sum, shaded_sum + 60) << "lit " << lit_sum << " shaded " << shaded_sum;
    EXPECT_GT(a[0], a[2]);  // still red

    // A dimmer sun darkens the lit face.
    lighting.sun_intensity = 0.3f;
    const CameraImage dusk = render({view}, lighting)[0];
    const uint8_t * d = rgb_at(dusk, int(lit.x), int(lit.y));
    EXPECT_LT(d[0] + d[1] + d[2] + 30, lit_sum);
}

TEST_F(OffscreenCameraRendererTest, RenderingIsDeterministic) {
    std::vector<CameraView> views = {front_view(800, 450), make_camera_view(nuscenes_camera_rig(800, 450)[3], Pose{})};
    std::vector<CameraImage> first = render(views), second = render(views);
    ASSERT_EQ(first.size(), 2u);
    for (size_t i = 0; i < first.size(); ++i) {
        EXPECT_TRUE(first[i].rgb == second[i].rgb) << "view " << i;
        EXPECT_TRUE(first[i].instance_ids == second[i].instance_ids) << "view " << i;
    }
}

TEST_F(OffscreenCameraRendererTest, ResolutionsChangeBetweenAndWithinCalls) {
    CameraView big = front_view(800, 450);
    CameraView small = front_view(400, 225);
    CameraView odd = front_view(333, 187);
    for (const auto & views : {std::vector<CameraView>{big}, std::vector<CameraView>{small},
                               std::vector<CameraView>{odd, big, small}, std::vector<CameraView>{big, small, odd}}) {
        std::vector<CameraImage> images = render(views);
        ASSERT_EQ(images.size(), views.size());
        for (size_t i = 0; i < views.size(); ++i) {
            ASSERT_EQ(images[i].width, views[i].width);
            ASSERT_EQ(images[i].height, views[i].height);
            for (const TestBox & box : {kStaticBox, kRightBox, kLeftBox})
                EXPECT_EQ(id_at(images[i], project(views[i], box.pose.translation)), box.id)
                    << views[i].width << "x" << views[i].height << " box " << box.id;
        }
    }
}

TEST_F(OffscreenCameraRendererTest, RendersMoreViewsThanOneSubmissionHolds) {
    auto rig = nuscenes_camera_rig(160, 90);
    std::vector<CameraView> views;
    for (size_t i = 0; i < OffscreenCameraRenderer::kMaxViewsPerSubmit + 3; ++i)
        views.push_back(make_camera_view(rig[i % rig.size()], Pose{}));
    std::vector<CameraImage> images = render(views);
    ASSERT_EQ(images.size(), views.size());
    for (size_t i = rig.size(); i < views.size(); ++i)
        EXPECT_TRUE(images[i].rgb == images[i % rig.size()].rgb) << "view " << i;
}

TEST_F(OffscreenCameraRendererTest, EmptyInputs) {
    std::vector<CameraImage> out(3);
    renderer_->render(dynamic_scene(), {}, Lighting{}, out);
    EXPECT_TRUE(out.empty());

    // No dynamic geometry: the static box is still there, the dynamic ones are gone.
    CameraView view = front_view(320, 180);
    renderer_->render(SceneMesh{}, {view}, Lighting{}, out);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(id_at(out[0], project(view, kStaticBox.pose.translation)), kStaticBox.id);
    EXPECT_EQ(id_at(out[0], project(view, kRightBox.pose.translation)), 0u);
}

TEST_F(OffscreenCameraRendererTest, RejectsBadInput) {
    std::vector<CameraImage> out;
    CameraView no_pixels = front_view(800, 450);
    no_pixels.width = 0;
    EXPECT_THROW(renderer_->render(SceneMesh{}, {no_pixels}, Lighting{}, out), std::invalid_argument);
    CameraView bad_planes = front_view(800, 450);
    bad_planes.near_plane = 0;
    EXPECT_THROW(renderer_->render(SceneMesh{}, {bad_planes}, Lighting{}, out), std::invalid_argument);

    SceneMesh broken = dynamic_scene();
    broken.indices.back() = uint32_t(broken.vertices.size());
    EXPECT_THROW(renderer_->render(broken, {front_view(80, 45)}, Lighting{}, out), std::invalid_argument);
}

// The static scene is culled per view in chunks and drawn nearest first; the dynamic one is drawn
// whole. A town filmed either way must give the same ids.
TEST_F(OffscreenCameraRendererTest, CulledStaticSceneMatchesUnculledDrawing) {
    SceneMesh town;
    const Vec2 ground[4] = {{-150, -150}, {150, -150}, {150, 150}, {-150, 150}};
    town.add_quad_z(ground, 0.0, kGround, 0);
    uint32_t id = 1;
    for (double x = -140; x <= 140; x += 17)
        for (double y = -140; y <= 140; y += 23) {
            if (std::abs(y) < 6) continue;  // a street for the ego
            double half_height = 2 + std::fmod(std::abs(x * y), 5.0);
            town.add_box({{x, y, half_height}, Quat::from_yaw(x * 0.01)}, {3, 4, half_height}, kGrey, id++);
        }
    std::vector<CameraView> views;
    for (const CameraSpec & spec : nuscenes_camera_rig(320, 180))
        views.push_back(make_camera_view(spec, {{3, 0, 0}, Quat::from_yaw(0.3)}));

    std::vector<CameraImage> culled, whole;
    renderer_->set_static_scene(town);
    renderer_->render(SceneMesh{}, views, Lighting{}, culled);
    renderer_->set_static_scene(SceneMesh{});
    renderer_->render(town, views, Lighting{}, whole);
    renderer_->set_static_scene(static_scene());

    for (size_t v = 0; v < views.size(); ++v) {
        size_t differing = 0, boxes = 0;
        for (size_t i = 0; i < culled[v].instance_ids.size(); ++i) {
            differing += culled[v].instance_ids[i] != whole[v].instance_ids[i];
            boxes += whole[v].instance_ids[i] != 0;
        }
        EXPECT_GT(boxes, 1000u) << "view " << v << " sees too little of the town to test anything";
        // Equal-depth ties (a box's faces meeting at an edge) may resolve differently with another
        // draw order; a dropped chunk would cost whole boxes.
        EXPECT_LE(differing, culled[v].instance_ids.size() / 2000) << "view " << v;
    }
}

// Last: replaces the suite's static scene.
TEST_F(OffscreenCameraRendererTest, StaticSceneCanBeReplaced) {
    CameraView view = front_view(320, 180);
    renderer_->set_static_scene(SceneMesh{});
    std::vector<CameraImage> out;
    renderer_->render(SceneMesh{}, {view}, Lighting{}, out);
    const std::vector<uint32_t> & ids = out[0].instance_ids;
    EXPECT_TRUE(std::all_of(ids.begin(), ids.end(), [](uint32_t id) { return id == 0; }));
    renderer_->set_static_scene(static_scene());
    renderer_->render(SceneMesh{}, {view}, Lighting{}, out);
    EXPECT_EQ(id_at(out[0], project(view, kStaticBox.pose.translation)), kStaticBox.id);
}

}  // namespace
}  // namespace rs
