// Lidar-frame detections to nuScenes global boxes: hand-computed cases, a round trip through the
// inverse transform, the class order and the attribute rule.
#include "engine/lidar_box_conversion.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace rs {
namespace {

// The inverse of lidar_boxes_to_global, from the same formulas: global -> ego -> lidar, then
// yaw = -yaw_nus - pi/2.
LidarBox global_to_lidar(const EvalBox & g, const Pose & lidar2ego, const Pose & ego2global) {
    const Pose global2lidar = (ego2global * lidar2ego).inverse();
    LidarBox b;
    b.center = global2lidar.apply(g.translation);
    b.size = g.size;
    const double yaw_nus = (global2lidar.rotation * g.rotation).yaw();
    b.yaw = -yaw_nus - kPi / 2;
    const Vec3 v = global2lidar.rotation.rotate({g.velocity.x, g.velocity.y, 0});
    b.velocity = {v.x, v.y};
    return b;
}

TEST(LidarBoxConversion, IdentityPosesGiveTheLegacyYawFlip) {
    LidarBox b;
    b.center = {1, 2, 3};
    b.size = {2, 4, 1.5};
    b.yaw = 0;  // legacy yaw 0: the nuScenes heading is -pi/2 (facing -y)
    b.velocity = {0.1, 0};
    b.label = 3;  // bus in BEVFormer's order
    b.score = 0.7;
    const auto out = lidar_boxes_to_global({b}, Pose{}, Pose{}, "tok");
    ASSERT_EQ(out.size(), 1u);
    const EvalBox & e = out[0];
    EXPECT_EQ(e.sample_token, "tok");
    EXPECT_DOUBLE_EQ(e.translation.x, 1);
    EXPECT_DOUBLE_EQ(e.translation.z, 3);
    EXPECT_DOUBLE_EQ(e.size.y, 4);
    EXPECT_NEAR(e.rotation.yaw(), -kPi / 2, 1e-12);
    EXPECT_NEAR(e.rotation.w, std::cos(-kPi / 4), 1e-12);
    EXPECT_NEAR(e.rotation.z, std::sin(-kPi / 4), 1e-12);
    EXPECT_EQ(e.detection_name, ObjectClass::bus);
    EXPECT_DOUBLE_EQ(e.detection_score, 0.7);
    EXPECT_EQ(e.attribute_name, "vehicle.stopped");  // 0.1 m/s is not moving
}

TEST(LidarBoxConversion, LidarRotatedLikeNuScenesLidarTop) {
    // LIDAR_TOP is about -90 degrees yaw from the ego: lidar +y (forward) is ego +x.
    const Pose lidar2ego{{0.9, 0, 1.8}, Quat::from_yaw(-kPi / 2)};
    const Pose ego2global{{100, 200, 0}, Quat::from_yaw(kPi / 2)};  // ego faces global +y
    LidarBox b;
    b.center = {0, 10, 0};  // 10 m ahead of the lidar
    b.size = {1, 1, 1};
    b.yaw = -kPi;  // yaw_nus = pi/2 in the lidar frame, i.e. heading along lidar +y
    b.velocity = {0, 5};
    b.label = 0;
    const EvalBox e = lidar_boxes_to_global({b}, lidar2ego, ego2global, "t")[0];
    // Ego: (10.9, 0, 1.8); global: rotated +90 degrees then shifted.
    EXPECT_NEAR(e.translation.x, 100, 1e-9);
    EXPECT_NEAR(e.translation.y, 210.9, 1e-9);
    EXPECT_NEAR(e.translation.z, 1.8, 1e-9);
    // Heading: ego +x, then global +y.
    EXPECT_NEAR(e.rotation.yaw(), kPi / 2, 1e-9);
    EXPECT_NEAR(e.velocity.x, 0, 1e-9);
    EXPECT_NEAR(e.velocity.y, 5, 1e-9);
    EXPECT_EQ(e.attribute_name, "vehicle.moving");
}

TEST(LidarBoxConversion, RoundTripFromGlobal) {
    const Pose lidar2ego{{0.94, 0.01, 1.84}, Quat::from_axis_angle(Vec3{0.01, -0.02, 1}.normalized(), -1.56)};
    const Pose ego2global{{411.3, 1180.9, 0.2}, Quat::from_axis_angle(Vec3{0.003, 0.01, 1}.normalized(), 2.4)};
    EvalBox g;
    g.translation = {420.5, 1175.25, 1.1};
    g.size = {1.9, 4.6, 1.7};
    g.rotation = Quat::from_yaw(0.8);
    g.velocity = {3.0, -1.5};
    LidarBox b = global_to_lidar(g, lidar2ego, ego2global);
    b.label = 8;  // pedestrian
    b.score = 0.25;
    const EvalBox e = lidar_boxes_to_global({b}, lidar2ego, ego2global, "s")[0];
    EXPECT_NEAR(e.translation.x, g.translation.x, 1e-9);
    EXPECT_NEAR(e.translation.y, g.translation.y, 1e-9);
    EXPECT_NEAR(e.size.x, 1.9, 1e-12);
    EXPECT_NEAR(e.size.y, 4.6, 1e-12);
    EXPECT_NEAR(e.size.z, 1.7, 1e-12);
    EXPECT_NEAR(e.rotation.yaw(), 0.8, 1e-2);  // the poses tilt slightly: only yaw is kept
    EXPECT_EQ(e.detection_name, ObjectClass::pedestrian);
    EXPECT_EQ(e.attribute_name, "pedestrian.moving");
}

TEST(LidarBoxConversion, RoundTripIsExactForUprightPoses) {
    const Pose lidar2ego{{0.94, 0.01, 1.84}, Quat::from_yaw(-1.56)};
    const Pose ego2global{{411.3, 1180.9, 0.2}, Quat::from_yaw(2.4)};
    EvalBox g;
    g.translation = {420.5, 1175.25, 1.1};
    g.size = {0.6, 0.7, 1.8};
    g.rotation = Quat::from_yaw(-2.9);
    g.velocity = {-0.3, 0.05};
    LidarBox b = global_to_lidar(g, lidar2ego, ego2global);
    const EvalBox e = lidar_boxes_to_global({b}, lidar2ego, ego2global, "s")[0];
    EXPECT_NEAR(e.translation.x, g.translation.x, 1e-9);
    EXPECT_NEAR(e.translation.y, g.translation.y, 1e-9);
    EXPECT_NEAR(e.translation.z, g.translation.z, 1e-9);
    EXPECT_NEAR(e.rotation.yaw(), -2.9, 1e-9);
    EXPECT_NEAR(std::abs(e.rotation.w * g.rotation.w + e.rotation.z * g.rotation.z), 1.0, 1e-9);
    EXPECT_NEAR(e.velocity.x, -0.3, 1e-9);
    EXPECT_NEAR(e.velocity.y, 0.05, 1e-9);
}

TEST(LidarBoxConversion, ClassOrderIsBevformers) {
    const char * expected[] = {"car",     "truck",      "construction_vehicle", "bus",        "trailer",
                               "barrier", "motorcycle", "bicycle",              "pedestrian", "traffic_cone"};
    for (int i = 0; i < kNumObjectClasses; ++i) EXPECT_STREQ(class_name(kBevformerClasses[i]), expected[i]);
}

TEST(LidarBoxConversion, AttributeRule) {
    EXPECT_EQ(default_attribute(ObjectClass::car, 0.2), "vehicle.parked");  // threshold is strict
    EXPECT_EQ(default_attribute(ObjectClass::car, 0.21), "vehicle.moving");
    EXPECT_EQ(default_attribute(ObjectClass::truck, 0.0), "vehicle.parked");
    EXPECT_EQ(default_attribute(ObjectClass::bus, 0.0), "vehicle.stopped");
    EXPECT_EQ(default_attribute(ObjectClass::bus, 3.0), "vehicle.moving");
    EXPECT_EQ(default_attribute(ObjectClass::bicycle, 1.0), "cycle.with_rider");
    EXPECT_EQ(default_attribute(ObjectClass::motorcycle, 0.0), "cycle.without_rider");
    EXPECT_EQ(default_attribute(ObjectClass::pedestrian, 0.0), "pedestrian.standing");
    EXPECT_EQ(default_attribute(ObjectClass::pedestrian, 1.0), "pedestrian.moving");
    EXPECT_EQ(default_attribute(ObjectClass::barrier, 5.0), "");
    EXPECT_EQ(default_attribute(ObjectClass::traffic_cone, 0.0), "");
}

TEST(LidarBoxConversion, RejectsBadLabelAndSize) {
    LidarBox b;
    b.size = {1, 1, 1};
    b.label = 10;
    EXPECT_THROW(lidar_boxes_to_global({b}, Pose{}, Pose{}, "t"), std::invalid_argument);
    b.label = -1;
    EXPECT_THROW(lidar_boxes_to_global({b}, Pose{}, Pose{}, "t"), std::invalid_argument);
    b.label = 0;
    b.size = {1, 0, 1};
    EXPECT_THROW(lidar_boxes_to_global({b}, Pose{}, Pose{}, "t"), std::invalid_argument);
}

}  // namespace
}  // namespace rs
