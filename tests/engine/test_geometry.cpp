#include <gtest/gtest.h>

#include <cstring>

#include "engine/camera_rig.h"
#include "engine/geometry.h"
#include "engine/png_writer.h"
#include "engine/token.h"

using namespace rs;

TEST(Geometry, QuaternionMatrixRoundTrip) {
    Quat q = Quat{0.3, -0.5, 0.7, 0.2}.normalized();
    Quat r = Quat::from_matrix(q.matrix());
    // Same rotation up to sign.
    double d = std::abs(q.w * r.w + q.x * r.x + q.y * r.y + q.z * r.z);
    EXPECT_NEAR(d, 1.0, 1e-12);
}

TEST(Geometry, YawFollowsNuScenesDefinition) {
    EXPECT_NEAR(Quat::from_yaw(0.7).yaw(), 0.7, 1e-12);
    EXPECT_NEAR(Quat::from_yaw(-3.0).yaw(), -3.0, 1e-12);
    EXPECT_EQ(Quat({0, 0, 0, 0}).yaw(), 0.0);  // zero quaternion -> zero matrix -> atan2(0, 0)
}

TEST(Geometry, PoseComposeAndInverse) {
    Pose a{{1, 2, 3}, Quat::from_axis_angle({0.2, 1, 0.1}, 0.8)};
    Pose b{{-4, 0.5, 2}, Quat::from_yaw(2.1)};
    Vec3 p{0.3, -1.2, 5.0};
    Vec3 lhs = (a * b).apply(p), rhs = a.apply(b.apply(p));
    EXPECT_NEAR((lhs - rhs).norm(), 0, 1e-12);
    Vec3 back = a.inverse().apply(a.apply(p));
    EXPECT_NEAR((back - p).norm(), 0, 1e-12);
    EXPECT_NEAR((a.apply_inverse(a.apply(p)) - p).norm(), 0, 1e-12);
}

TEST(Geometry, WrapAngle) {
    EXPECT_NEAR(wrap_angle(3 * kPi / 2), -kPi / 2, 1e-12);
    EXPECT_NEAR(wrap_angle(-3 * kPi / 2), kPi / 2, 1e-12);
    EXPECT_NEAR(wrap_angle(0.25), 0.25, 1e-15);
}

TEST(CameraRig, OpticalAxesPointWhereTheChannelSays) {
    auto rig = nuscenes_camera_rig(800, 450);
    // Camera z (optical axis) in the ego frame; expected heading of each channel in degrees.
    const double expected_deg[kNumCameras] = {0, -55, 55, 180, 110, -110};
    for (int i = 0; i < kNumCameras; ++i) {
        Vec3 axis = rig[i].sensor_to_ego.rotation.rotate({0, 0, 1});
        double heading = std::atan2(axis.y, axis.x) * 180 / kPi;
        EXPECT_NEAR(std::abs(wrap_angle((heading - expected_deg[i]) * kPi / 180)), 0, 0.1) << rig[i].channel;
        EXPECT_NEAR(axis.z, 0, 0.05) << rig[i].channel;  // nearly level
        EXPECT_EQ(rig[i].width, 800);
        EXPECT_NEAR(rig[i].intrinsics.cx, 400, 20);
    }
    EXPECT_STREQ(rig[0].channel.c_str(), "CAM_FRONT");
    EXPECT_STREQ(rig[5].channel.c_str(), "CAM_BACK_RIGHT");
}

TEST(Token, DeterministicHex) {
    std::string t = make_token("scene-0001");
    EXPECT_EQ(t.size(), 32u);
    EXPECT_EQ(t, make_token("scene-0001"));
    EXPECT_NE(t, make_token("scene-0002"));
    EXPECT_EQ(t.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(Png, Crc32AndSignature) {
    const char * s = "123456789";
    EXPECT_EQ(crc32(reinterpret_cast<const uint8_t *>(s), 9), 0xCBF43926u);
    uint8_t px[2 * 2 * 3] = {255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255};
    auto png = encode_png(px, 2, 2, 3);
    ASSERT_GT(png.size(), 8u);
    EXPECT_EQ(std::memcmp(png.data(), "\x89PNG\r\n\x1a\n", 8), 0);
    EXPECT_THROW(encode_png(px, 0, 2, 3), std::invalid_argument);
}
