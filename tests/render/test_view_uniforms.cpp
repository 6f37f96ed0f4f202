// The projection maths behind the camera shaders, checked on the CPU (no Vulkan device needed).
#include <gtest/gtest.h>

#include <cmath>

#include "engine/camera_rig.h"
#include "render/view_uniforms.h"

namespace rs {
namespace {

struct Clip {
    double x, y, z, w;
};

Clip apply(const Mat4 & m, const Vec3 & p) {
    auto row = [&](int r) { return m(r, 0) * p.x + m(r, 1) * p.y + m(r, 2) * p.z + m(r, 3); };
    return {row(0), row(1), row(2), row(3)};
}

// Framebuffer position of a clip-space point under a (0, 0, width, height) viewport.
Vec2 to_framebuffer(const Clip & c, int width, int height) {
    return {(c.x / c.w + 1) * 0.5 * width, (c.y / c.w + 1) * 0.5 * height};
}

TEST(PinholeClipMatrix, RasterPositionIsThePinholePixel) {
    Intrinsics k{1266.42, 1266.42, 816.27, 491.51};
    Mat4 m = pinhole_clip_matrix(k, 1600, 900, 0.5, 250.0);
    const Vec3 points[] = {{0, 0, 10}, {3.2, -1.1, 7.5}, {-12, 4, 40}, {0.01, 0.02, 0.6}, {50, 20, 240}};
    for (const Vec3 & p : points) {
        Vec2 expected = k.project(p);
        Vec2 got = to_framebuffer(apply(m, p), 1600, 900);
        EXPECT_NEAR(got.x, expected.x, 1e-9);
        EXPECT_NEAR(got.y, expected.y, 1e-9);
    }
}

TEST(PinholeClipMatrix, DepthIsReversedBetweenThePlanes) {
    Intrinsics k{500, 500, 320, 240};
    Mat4 m = pinhole_clip_matrix(k, 640, 480, 0.5, 250.0);
    auto depth = [&](double z) { Clip c = apply(m, {0, 0, z}); return c.z / c.w; };
    EXPECT_NEAR(depth(0.5), 1.0, 1e-12);
    EXPECT_NEAR(depth(250.0), 0.0, 1e-12);
    EXPECT_GT(depth(10.0), depth(11.0));
}

TEST(ViewUniforms, WorldPointsLandOnTheirPinholePixels) {
    // A camera far from the world origin: the float maths must still be sub-pixel exact.
    const Pose ego{{1843.7, 872.2, 0.3}, Quat::from_yaw(2.1)};
    CameraView view = make_camera_view(nuscenes_camera_rig(1600, 900)[2], ego);
    ViewUniforms u = make_view_uniforms(view, Lighting{});

    const Vec3 camera_points[] = {{0, 0, 5}, {4, -2, 20}, {-9, 1.5, 60}, {0.3, 0.4, 1.0}};
    for (const Vec3 & pc : camera_points) {
        // Mesh vertices are floats: compare against the pinhole projection of the float vertex.
        Vec3 exact = view.camera_to_world.apply(pc);
        float vertex[3] = {float(exact.x), float(exact.y), float(exact.z)};
        Vec3 world{vertex[0], vertex[1], vertex[2]};
        // What scene.vert does, in float.
        float offset[4] = {1, 1, 1, 1};
        for (int i = 0; i < 3; ++i) offset[i] = (vertex[i] - u.camera_position[i]) - u.camera_position_low[i];
        float clip[4] = {0, 0, 0, 0};
        for (int row = 0; row < 4; ++row)
            for (int col = 0; col < 4; ++col) clip[row] += u.rotation_to_clip[col * 4 + row] * offset[col];
        Vec2 got = to_framebuffer({clip[0], clip[1], clip[2], clip[3]}, view.width, view.height);
        Vec2 expected = view.intrinsics.project(view.camera_to_world.apply_inverse(world));
        EXPECT_NEAR(got.x, expected.x, 1e-3);
        EXPECT_NEAR(got.y, expected.y, 1e-3);
    }
}

TEST(ViewUniforms, CarriesCameraAxesIntrinsicsAndLighting) {
    CameraView view = make_camera_view(nuscenes_camera_rig(800, 450)[0], Pose{});
    Lighting lighting;
    lighting.sun_direction = {0, 0, 2};
    lighting.sun_intensity = 0.25f;
    ViewUniforms u = make_view_uniforms(view, lighting);

    // The sky's ray through a pixel, rotated to the world, has the elevation up_in_camera gives.
    const Vec2 pixels[] = {{0.5, 0.5}, {400, 225}, {799.5, 10.5}};
    for (const Vec2 & px : pixels) {
        Vec3 ray{px.x * u.pixel_to_ray[0] + u.pixel_to_ray[2], px.y * u.pixel_to_ray[1] + u.pixel_to_ray[3], 1.0};
        const Intrinsics & k = view.intrinsics;
        Vec3 expected{(px.x - k.cx) / k.fx, (px.y - k.cy) / k.fy, 1};
        EXPECT_NEAR(ray.x, expected.x, 1e-6);
        EXPECT_NEAR(ray.y, expected.y, 1e-6);
        double world_z = view.camera_to_world.rotation.rotate(ray).z;
        EXPECT_NEAR(ray.x * u.up_in_camera[0] + ray.y * u.up_in_camera[1] + ray.z * u.up_in_camera[2], world_z, 1e-6);
    }
    EXPECT_FLOAT_EQ(u.sun[2], 1.0f);  // normalised
    EXPECT_FLOAT_EQ(u.sun[3], 0.25f);
    EXPECT_FLOAT_EQ(u.sky_top[2], 210 / 255.0f);
    EXPECT_LT(u.fog[0], u.fog[1]);
    EXPECT_FLOAT_EQ(u.fog[1], float(view.far_plane));
}

}  // namespace
}  // namespace rs
