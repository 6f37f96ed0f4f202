#include "engine/visibility.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <random>

namespace rs {
namespace {

const uint8_t kGrey[4] = {128, 128, 128, 255};

std::vector<CameraView> rig_views(const Pose & ego = {}) {
    std::vector<CameraView> views;
    for (const CameraSpec & spec : nuscenes_camera_rig(800, 450)) views.push_back(make_camera_view(spec, ego));
    return views;
}

double edge(const Vec2 & a, const Vec2 & b, const Vec2 & p) {
    return (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
}

// Test-only z-buffer renderer of instance ids. Triangles reaching past the near or far plane are
// skipped, so the scenes below keep every triangle wholly in front of or behind each camera.
CameraImage render_ids(const SceneMesh & mesh, const CameraView & view) {
    CameraImage im;
    im.width = view.width;
    im.height = view.height;
    im.instance_ids.assign(size_t(view.width) * view.height, 0);
    std::vector<double> inv_depth(im.instance_ids.size(), 0.0);
    Pose to_cam = view.camera_to_world.inverse();
    for (size_t t = 0; t < mesh.triangle_count(); ++t) {
        Vec3 p[3];
        Vec2 s[3];
        bool in_front = true;
        for (int c = 0; c < 3; ++c) {
            const float * w = mesh.vertices[mesh.indices[3 * t + c]].position;
            p[c] = to_cam.apply({w[0], w[1], w[2]});
            in_front = in_front && p[c].z > view.near_plane && p[c].z < view.far_plane;
            s[c] = view.intrinsics.project(p[c]);
        }
        double area = edge(s[0], s[1], s[2]);
        if (!in_front || area == 0) continue;
        int x0 = std::max(0, int(std::floor(std::min({s[0].x, s[1].x, s[2].x}))));
        int x1 = std::min(view.width - 1, int(std::ceil(std::max({s[0].x, s[1].x, s[2].x}))));
        int y0 = std::max(0, int(std::floor(std::min({s[0].y, s[1].y, s[2].y}))));
        int y1 = std::min(view.height - 1, int(std::ceil(std::max({s[0].y, s[1].y, s[2].y}))));
        uint32_t id = mesh.vertices[mesh.indices[3 * t]].instance_id;
        for (int y = y0; y <= y1; ++y)
            for (int x = x0; x <= x1; ++x) {
                Vec2 c{x + 0.5, y + 0.5};
                double b0 = edge(s[1], s[2], c) / area, b1 = edge(s[2], s[0], c) / area;
                double b2 = edge(s[0], s[1], c) / area;
                if (b0 < 0 || b1 < 0 || b2 < 0) continue;
                double iz = b0 / p[0].z + b1 / p[1].z + b2 / p[2].z;  // 1/z is linear on screen
                size_t i = size_t(y) * view.width + x;
                if (iz > inv_depth[i]) {
                    inv_depth[i] = iz;
                    im.instance_ids[i] = id;
                }
            }
    }
    return im;
}

std::vector<CameraImage> render_all(const SceneMesh & mesh, const std::vector<CameraView> & views) {
    std::vector<CameraImage> images;
    for (const CameraView & v : views) images.push_back(render_ids(mesh, v));
    return images;
}

TEST(Visibility, LevelBands) {
    EXPECT_STREQ(visibility_level(0.0), "1");
    EXPECT_STREQ(visibility_level(0.399), "1");
    EXPECT_STREQ(visibility_level(0.4), "2");
    EXPECT_STREQ(visibility_level(0.599), "2");
    EXPECT_STREQ(visibility_level(0.6), "3");
    EXPECT_STREQ(visibility_level(0.799), "3");
    EXPECT_STREQ(visibility_level(0.8), "4");
    EXPECT_STREQ(visibility_level(1.0), "4");
}

TEST(Visibility, UnoccludedBoxIsFullyVisible) {
    SceneMesh dynamic;
    dynamic.add_box({{15, 2, 0.8}, Quat::from_yaw(0.4)}, {2.25, 0.95, 0.8}, kGrey, 5);
    std::vector<CameraView> views = rig_views();
    std::vector<VisibilityResult> r = compute_visibility(dynamic, views, render_all(dynamic, views), {5});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].instance_id, 5u);
    EXPECT_GT(r[0].total_px, 1000);
    EXPECT_GT(r[0].fraction, 0.95);
    EXPECT_LE(r[0].fraction, 1.0);
    EXPECT_EQ(r[0].level, "4");
}

TEST(Visibility, HalfHiddenBox) {
    // A board 20 m ahead, and 10 m ahead a wall covering its left half (+y is left).
    SceneMesh dynamic;
    dynamic.add_box({{20, 0, 1.5}, Quat{}}, {0.1, 1, 1}, kGrey, 1);
    dynamic.add_box({{10, 1.25, 1.5}, Quat{}}, {0.1, 1.25, 1.5}, kGrey, 2);
    std::vector<CameraView> views = rig_views();
    std::vector<VisibilityResult> r = compute_visibility(dynamic, views, render_all(dynamic, views), {1, 2});
    ASSERT_EQ(r.size(), 2u);
    std::printf("[ info ] half-hidden board: %lld of %lld px, fraction %.3f\n", (long long)r[0].visible_px,
                (long long)r[0].total_px, r[0].fraction);
    EXPECT_NEAR(r[0].fraction, 0.5, 0.05);
    EXPECT_EQ(r[0].level, "2");
    EXPECT_GT(r[1].fraction, 0.95);
}

TEST(Visibility, OutOfViewAndMissingInstances) {
    SceneMesh dynamic;
    dynamic.add_box({{300, 0, 1}, Quat{}}, {2, 1, 1}, kGrey, 3);   // beyond the far plane
    dynamic.add_box({{0.5, 0, 60}, Quat{}}, {2, 1, 1}, kGrey, 4);  // high above the car
    dynamic.add_box({{-12, 0, 0.8}, Quat{}}, {2, 1, 0.8}, kGrey, 6);  // behind: CAM_BACK sees it
    std::vector<CameraView> views = rig_views();
    std::vector<VisibilityResult> r =
        compute_visibility(dynamic, views, render_all(dynamic, views), {3, 4, 99, 6, 3});
    ASSERT_EQ(r.size(), 5u);
    for (int i : {0, 1, 2, 4}) {
        EXPECT_EQ(r[i].visible_px, 0) << i;
        EXPECT_EQ(r[i].total_px, 0) << i;
        EXPECT_EQ(r[i].fraction, 0.0) << i;
        EXPECT_EQ(r[i].level, "1") << i;
    }
    EXPECT_EQ(r[2].instance_id, 99u);
    EXPECT_EQ(r[4].instance_id, 3u);
    EXPECT_GT(r[3].total_px, 500);
    EXPECT_EQ(r[3].level, "4");
}

TEST(Visibility, CoverageMatchesAnalyticAreas) {
    // Camera at the world origin looking down +z (camera frame = world frame).
    CameraView view;
    view.intrinsics = {100, 100, 400, 225};
    view.width = 800;
    view.height = 450;
    SceneMesh mesh;
    // A 2 x 2 m square 10 m ahead spans u, v in [390, 410] x [215, 235]: 20 x 20 pixel centres.
    MeshVertex v{};
    v.instance_id = 1;
    for (auto xy : {std::pair<float, float>{-1, -1}, {1, -1}, {1, 1}, {-1, 1}}) {
        v.position[0] = xy.first;
        v.position[1] = xy.second;
        v.position[2] = 10;
        mesh.vertices.push_back(v);
    }
    mesh.indices = {0, 1, 2, 0, 2, 3};
    // A floor strip 2 m below the camera (y down), from behind the camera to 30 m ahead: clipped
    // at the near plane, it fills the lower image up to where it ends.
    v.instance_id = 2;
    for (auto xz : {std::pair<float, float>{-5, -10}, {5, -10}, {5, 30}, {-5, 30}}) {
        v.position[0] = xz.first;
        v.position[1] = 2;
        v.position[2] = xz.second;
        mesh.vertices.push_back(v);
    }
    mesh.indices.insert(mesh.indices.end(), {4, 5, 6, 4, 6, 7});

    CameraImage blank;
    blank.width = view.width;
    blank.height = view.height;
    blank.instance_ids.assign(size_t(view.width) * view.height, 0);
    for (int y = 0; y < 10; ++y) blank.instance_ids[size_t(220 + y) * view.width + 395] = 1;
    std::vector<VisibilityResult> r = compute_visibility(mesh, {view}, {blank}, {1, 2});
    EXPECT_EQ(r[0].total_px, 400);
    EXPECT_EQ(r[0].visible_px, 10);
    EXPECT_EQ(r[0].level, "1");

    // Reference for the floor: cast each pixel centre onto the plane y = 2.
    int64_t expected = 0;
    for (int y = 0; y < view.height; ++y)
        for (int x = 0; x < view.width; ++x) {
            double dy = (y + 0.5 - 225) / 100, dx = (x + 0.5 - 400) / 100;
            if (dy <= 0) continue;
            double z = 2 / dy;
            expected += z >= view.near_plane && z <= 30 && std::fabs(dx * z) <= 5;
        }
    EXPECT_NEAR(double(r[1].total_px), double(expected), 0.002 * expected);
    EXPECT_GT(expected, 10000);

    EXPECT_THROW(compute_visibility(mesh, {view, view}, {blank}, {1}), std::invalid_argument);
    blank.instance_ids.pop_back();
    EXPECT_THROW(compute_visibility(mesh, {view}, {blank}, {1}), std::invalid_argument);
}

TEST(Visibility, TwoHundredInstancesSixCameras) {
    std::mt19937 rng(9);
    std::uniform_real_distribution<double> u(0, 1);
    SceneMesh dynamic;
    std::vector<uint32_t> ids;
    for (uint32_t id = 1; id <= 200; ++id) {
        double range = 8 + 42 * u(rng), bearing = 2 * kPi * u(rng);
        Vec3 at{range * std::cos(bearing), range * std::sin(bearing), 0.8};
        dynamic.add_box({at, Quat::from_yaw(2 * kPi * u(rng))}, {2.25, 0.95, 0.8}, kGrey, id);
        ids.push_back(id);
    }
    std::vector<CameraView> views = rig_views();
    std::vector<CameraImage> images = render_all(dynamic, views);
    auto t0 = std::chrono::steady_clock::now();
    std::vector<VisibilityResult> r = compute_visibility(dynamic, views, images, ids);
    auto t1 = std::chrono::steady_clock::now();
    int levels[5] = {};
    for (const VisibilityResult & v : r) {
        EXPECT_LE(v.visible_px, v.total_px + 2) << v.instance_id;
        ++levels[v.level[0] - '0'];
    }
    std::printf("[ info ] visibility for 200 instances x 6 cameras at 800x450: %.2f ms; levels 1-4: %d %d %d %d\n",
                std::chrono::duration<double, std::milli>(t1 - t0).count(), levels[1], levels[2], levels[3],
                levels[4]);
    // Two hundred cars within 50 m wall each other off: most are hidden, the nearest ring is not.
    EXPECT_GT(levels[4], 3);
    EXPECT_GT(levels[1], 100);
}

}  // namespace
}  // namespace rs
