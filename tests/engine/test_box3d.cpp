#include "engine/box3d.h"

#include <gtest/gtest.h>

#include <cmath>

namespace rs {
namespace {

void expect_near(const Vec3 & a, const Vec3 & b, double tol = 1e-9) {
    EXPECT_NEAR(a.x, b.x, tol);
    EXPECT_NEAR(a.y, b.y, tol);
    EXPECT_NEAR(a.z, b.z, tol);
}

TEST(Box3D, CornersFollowDevkitOrder) {
    // w = 2 (y), l = 4 (x), h = 6 (z).
    Box3D box{{10, 20, 30}, {2, 4, 6}, Quat{}};
    std::array<Vec3, 8> c = box.corners();
    const Vec3 expected[8] = {{12, 21, 33}, {12, 19, 33}, {12, 19, 27}, {12, 21, 27},
                              {8, 21, 33},  {8, 19, 33},  {8, 19, 27},  {8, 21, 27}};
    for (int i = 0; i < 8; ++i) expect_near(c[i], expected[i]);
}

TEST(Box3D, CornersRotateWithTheBox) {
    // Yaw +90 degrees: the box's forward (+x) points along global +y.
    Box3D box{{0, 0, 0}, {2, 4, 6}, Quat::from_yaw(kPi / 2)};
    std::array<Vec3, 8> c = box.corners();
    expect_near(c[0], {-1, 2, 3});
    expect_near(c[1], {1, 2, 3});
    expect_near(c[6], {1, -2, -3});
    // First four corners face forward.
    for (int i = 0; i < 4; ++i) EXPECT_GT(c[i].y, 0);
}

TEST(Box3D, InFrameUndoesTransformed) {
    Box3D box{{3, -1, 0.5}, {1.9, 4.6, 1.7}, Quat::from_axis_angle({0.2, 0.1, 1}, 0.7)};
    Pose pose{{411.4, 1181.2, 0.0}, Quat{0.572006347574845, -0.0021434842496863586, 0.011564094807842372,
                                        -0.8201648709379304}.normalized()};
    Box3D there = box.transformed(pose);
    Box3D back = there.in_frame(pose);
    expect_near(back.center, box.center);
    std::array<Vec3, 8> a = box.corners(), b = back.corners();
    for (int i = 0; i < 8; ++i) expect_near(a[i], b[i]);
    // Corners of the moved box are the moved corners.
    std::array<Vec3, 8> moved = there.corners();
    for (int i = 0; i < 8; ++i) expect_near(moved[i], pose.apply(a[i]), 1e-8);
}

TEST(Box3D, InFrameMatchesNuScenesChain) {
    // nuscenes.md section 4: p -= ego.t; p = R(ego.q)^T p; p -= cs.t; p = R(cs.q)^T p.
    Pose ego{{411.4, 1181.2, 0.0}, Quat::from_yaw(-1.9)};
    Pose cs{{1.70079, 0.01595, 1.51096}, Quat{0.4998015430554756, -0.5030316162514282, 0.4997798114411506,
                                            -0.497370838194892}};
    Box3D global{{373.26, 1130.42, 0.8}, {0.621, 0.669, 1.642}, Quat::from_yaw(0.37)};
    Box3D cam = global.in_frame(ego).in_frame(cs);
    Vec3 p = global.center - ego.translation;
    p = ego.rotation.matrix().transposed() * p;
    p = p - cs.translation;
    p = cs.rotation.matrix().transposed() * p;
    expect_near(cam.center, p);
    // Orientation: q_cam = cs.q^-1 * ego.q^-1 * q_box, so corners agree with the composed pose.
    Pose sensor_to_global = ego * cs;
    std::array<Vec3, 8> gc = global.corners(), cc = cam.corners();
    for (int i = 0; i < 8; ++i) expect_near(cc[i], sensor_to_global.apply_inverse(gc[i]), 1e-8);
}

TEST(Box3D, ViewPointDividesByTheThirdComponent) {
    Mat3 k;
    k.m = {1000, 0, 800, 0, 1000, 450, 0, 0, 1};
    Vec2 px = view_point(k, {1, 0.5, 10});
    EXPECT_DOUBLE_EQ(px.x, 900);
    EXPECT_DOUBLE_EQ(px.y, 500);
    // Behind the camera: projected anyway, mirrored, as view_points does.
    Vec2 behind = view_point(k, {1, 0.5, -10});
    EXPECT_DOUBLE_EQ(behind.x, 700);
    // A general 3x3 (third row not 0 0 1) is honoured.
    Mat3 g;
    g.m = {2, 0, 0, 0, 2, 0, 0, 0, 2};
    Vec2 q = view_point(g, {4, 6, 2});
    EXPECT_DOUBLE_EQ(q.x, 2);
    EXPECT_DOUBLE_EQ(q.y, 3);
}

TEST(Box3D, ProjectBoxGivesCentreCornersAndDepth) {
    Mat3 k;
    k.m = {1266.417203046554, 0, 816.2670197447984, 0, 1266.417203046554, 491.50706579294757, 0, 0, 1};
    // Camera frame: x right, y down, z forward; a car 20 m ahead, its length along the optical axis.
    Box3D box{{1, 0.5, 20}, {1.9, 4.6, 1.7}, Quat::from_axis_angle({0, 1, 0}, -kPi / 2)};
    ProjectedBox p = project_box(box, k);
    EXPECT_DOUBLE_EQ(p.depth, 20);
    Vec2 centre = view_point(k, box.center);
    EXPECT_DOUBLE_EQ(p.center.x, centre.x);
    EXPECT_DOUBLE_EQ(p.center.y, centre.y);
    std::array<Vec3, 8> c = box.corners();
    for (int i = 0; i < 8; ++i) {
        Vec2 e = view_point(k, c[i]);
        EXPECT_DOUBLE_EQ(p.corners[i].x, e.x);
        EXPECT_DOUBLE_EQ(p.corners[i].y, e.y);
    }
    // The box's forward axis points away from the camera, so the front face (corners 0-3) is the
    // farther one and looks smaller: compare the width edges (local y, image y).
    double front = std::abs(p.corners[0].y - p.corners[1].y);
    double rear = std::abs(p.corners[4].y - p.corners[5].y);
    EXPECT_LT(front, rear);
    EXPECT_GT(box.corners()[0].z, box.corners()[4].z);
}

}  // namespace
}  // namespace rs
