#include "engine/lidar.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>

#include "engine/camera_rig.h"

namespace rs {
namespace {

const uint8_t kGrey[4] = {128, 128, 128, 255};
const uint8_t kRed[4] = {200, 30, 30, 255};
constexpr double kHeight = 1.84;

SceneMesh ground_plane(double half = 500) {
    SceneMesh m;
    Vec2 c[4] = {{-half, -half}, {half, -half}, {half, half}, {-half, half}};
    m.add_quad_z(c, 0.0, kGrey, 0);
    return m;
}

std::string temp_path(const std::string & name) {
    return ::testing::TempDir() + "roadsight_lidar_" + std::to_string(::getpid()) + "_" + name;
}

std::string slurp(const std::string & path) {
    std::ifstream f(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), {}};
}

void write_bytes(const std::string & path, const std::string & bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

std::string error_of(const std::string & path) {
    try {
        read_pcd_bin(path);
    } catch (const std::runtime_error & e) {
        return e.what();
    }
    return "";
}

TEST(Lidar, BeamGeometry) {
    LidarConfig cfg;
    EXPECT_NEAR(lidar_beam_elevation(cfg, 0) * 180 / kPi, -30.67, 1e-12);
    EXPECT_NEAR(lidar_beam_elevation(cfg, 31) * 180 / kPi, 10.67, 1e-12);
    EXPECT_NEAR((lidar_beam_elevation(cfg, 1) - lidar_beam_elevation(cfg, 0)) * 180 / kPi, 1.3335, 1e-3);
    EXPECT_THROW(lidar_beam_elevation(cfg, 32), std::out_of_range);
    // Step 0 looks forward (+y); a quarter turn clockwise looks right (+x).
    Vec3 fwd = lidar_beam_direction(cfg, 0, 0), right = lidar_beam_direction(cfg, 0, cfg.azimuth_steps / 4);
    EXPECT_NEAR(fwd.x, 0.0, 1e-12);
    EXPECT_GT(fwd.y, 0.8);
    EXPECT_GT(right.x, 0.8);
    EXPECT_NEAR(right.y, 0.0, 1e-12);
    EXPECT_NEAR(fwd.norm(), 1.0, 1e-12);
}

TEST(Lidar, GroundPlaneRangesMatchTheBeamAngles) {
    MeshBvh ground(ground_plane()), nothing;
    LidarConfig cfg;
    Pose sensor{{3, -2, kHeight}, Quat{}};
    LidarScan scan = scan_lidar(ground, nothing, sensor, cfg);
    ASSERT_EQ(scan.points.size(), scan.instance_ids.size());

    int expected_rings = 0;
    for (int ring = 0; ring < kLidarBeams; ++ring) {
        double el = lidar_beam_elevation(cfg, ring);
        expected_rings += el < 0 && kHeight / std::sin(-el) < cfg.max_range;
    }
    EXPECT_EQ(expected_rings, 22);  // the 23rd beam (-1.33 deg) meets the ground at 79 m
    EXPECT_EQ(scan.points.size(), size_t(expected_rings) * cfg.azimuth_steps);

    std::vector<int> per_ring(kLidarBeams, 0);
    for (const LidarPoint & p : scan.points) {
        int ring = int(p.ring);
        ASSERT_EQ(float(ring), p.ring);
        ++per_ring[ring];
        double el = lidar_beam_elevation(cfg, ring);
        double range = std::sqrt(double(p.x) * p.x + double(p.y) * p.y + double(p.z) * p.z);
        EXPECT_NEAR(range, kHeight / std::sin(-el), 1e-4 * range);
        EXPECT_NEAR(p.z, -kHeight, 1e-4);
        double expected_intensity = std::round(100.0 * (128.0 / 255.0) * std::sin(-el));
        EXPECT_NEAR(p.intensity, expected_intensity, 1.0);
        EXPECT_EQ(p.intensity, std::round(p.intensity));
    }
    for (int ring = 0; ring < kLidarBeams; ++ring)
        EXPECT_EQ(per_ring[ring], ring < expected_rings ? cfg.azimuth_steps : 0) << "ring " << ring;
    for (uint32_t id : scan.instance_ids) EXPECT_EQ(id, 0u);
}

TEST(Lidar, NuScenesMountSeesTheGroundBelowTheCar) {
    // Through the real LIDAR_TOP mount the same returns must land on z = 0 in the world.
    MeshBvh ground(ground_plane()), nothing;
    Pose ego{{100, 50, 0}, Quat::from_yaw(0.7)};
    Pose sensor_to_world = ego * nuscenes_lidar_mount();
    LidarScan scan = scan_lidar(ground, nothing, sensor_to_world);
    EXPECT_GT(scan.points.size(), 20u * 1080u);
    for (const LidarPoint & p : scan.points) EXPECT_NEAR(sensor_to_world.apply({p.x, p.y, p.z}).z, 0.0, 1e-3);
}

TEST(Lidar, PointCountPerRevolution) {
    // Inside a closed room every firing returns.
    SceneMesh room;
    room.add_box({{0, 0, 5}, Quat{}}, {20, 20, 8}, kGrey, 0);
    MeshBvh walls(room), nothing;
    for (int steps : {1080, 360}) {
        LidarConfig cfg;
        cfg.azimuth_steps = steps;
        LidarScan scan = scan_lidar(walls, nothing, {{1, 2, kHeight}, Quat::from_yaw(0.2)}, cfg);
        ASSERT_EQ(scan.points.size(), size_t(kLidarBeams) * steps);
        // Ordered by azimuth step, then ring.
        for (size_t i = 0; i < scan.points.size(); ++i) EXPECT_EQ(scan.points[i].ring, float(i % kLidarBeams));
    }
    LidarConfig bad;
    bad.azimuth_steps = 0;
    EXPECT_THROW(scan_lidar(walls, nothing, {}, bad), std::invalid_argument);
}

TEST(Lidar, BoxInFrontAndPointsInBox) {
    MeshBvh ground(ground_plane());
    Pose box{{12, 1, 0.8}, Quat::from_yaw(0.3)};
    Vec3 size{1.9, 4.5, 1.6};  // w, l, h
    Pose far_box{{-70, 20, 0.8}, Quat{}};  // 72.8 m away: beyond max range
    Pose edge_box{{0, -60, 0.8}, Quat{}};  // 60 m away: only the near-horizontal beams reach it
    SceneMesh dynamic;
    dynamic.add_box(box, {size.y / 2, size.x / 2, size.z / 2}, kRed, 7);
    dynamic.add_box(far_box, {size.y / 2, size.x / 2, size.z / 2}, kRed, 8);
    dynamic.add_box(edge_box, {size.y / 2, size.x / 2, size.z / 2}, kRed, 9);
    MeshBvh agents(dynamic);

    Pose sensor_to_world = nuscenes_lidar_mount();  // ego at the origin
    LidarScan scan = scan_lidar(ground, agents, sensor_to_world);
    int hits[10] = {};
    for (uint32_t id : scan.instance_ids) ++hits[id];
    EXPECT_GT(hits[7], 300);
    EXPECT_EQ(hits[8], 0);
    EXPECT_GT(hits[9], 5);

    int strict = count_points_in_box(scan, sensor_to_world, box, size);
    int padded = count_points_in_box(scan, sensor_to_world, box, size, 1.02);
    std::printf("[ info ] %d returns on the box; points_in_box %d (wlh 1.0), %d (wlh 1.02)\n", hits[7], strict,
                padded);
    // Returns lie on the box surface; a 2 % margin catches them all plus a few ground points at its foot.
    EXPECT_GE(padded, hits[7]);
    EXPECT_LE(padded, hits[7] + std::max(3, hits[7] / 20));
    EXPECT_LE(strict, padded);
    EXPECT_EQ(count_points_in_box(scan, sensor_to_world, far_box, size, 1.02), 0);
}

TEST(Lidar, PointsInBoxIsInclusiveLikeTheDevkit) {
    std::vector<LidarPoint> pts = {
        {2, 1, 3, 0, 0},        // a corner: l/2, w/2, h/2
        {-2, -1, -3, 0, 0},     // the opposite corner
        {0, 0, 0, 0, 0},        // centre
        {2.001f, 0, 0, 0, 0},   // just outside the front face
        {0, 1.001f, 0, 0, 0},   // just outside the left face
    };
    EXPECT_EQ(count_points_in_box(pts, {0, 0, 0}, {2, 4, 6}, Quat{}), 3);
    EXPECT_EQ(count_points_in_box(pts, {0, 0, 0}, {2, 4, 6}, Quat{}, 1.01), 5);
    // Turned 90 degrees the length runs along y: (0, 1.9) is inside, (1.9, 0) is not.
    std::vector<LidarPoint> turned = {{0, 1.9f, 0, 0, 0}, {1.9f, 0, 0, 0, 0}, {0.9f, 0, 2.9f, 0, 0}};
    EXPECT_EQ(count_points_in_box(turned, {0, 0, 0}, {2, 4, 6}, Quat::from_yaw(kPi / 2)), 2);
    // A translated box.
    EXPECT_EQ(count_points_in_box(turned, {10, 0, 0}, {2, 4, 6}, Quat{}), 0);
}

TEST(Lidar, Deterministic) {
    MeshBvh ground(ground_plane());
    SceneMesh dynamic;
    dynamic.add_box({{8, 3, 1}, Quat::from_yaw(1)}, {2, 1, 1}, kRed, 4);
    MeshBvh agents(dynamic);
    Pose pose = Pose{{1, 2, 0}, Quat::from_yaw(0.1)} * nuscenes_lidar_mount();
    LidarScan a = scan_lidar(ground, agents, pose), b = scan_lidar(ground, agents, pose);
    ASSERT_EQ(a.points.size(), b.points.size());
    EXPECT_EQ(std::memcmp(a.points.data(), b.points.data(), a.points.size() * sizeof(LidarPoint)), 0);
    EXPECT_EQ(a.instance_ids, b.instance_ids);
}

TEST(Lidar, PcdBinRoundTripIsByteExact) {
    MeshBvh ground(ground_plane());
    SceneMesh dynamic;
    dynamic.add_box({{-6, 3, 1}, Quat::from_yaw(0.4)}, {2, 1, 1}, kRed, 4);
    MeshBvh agents(dynamic);
    LidarScan scan = scan_lidar(ground, agents, nuscenes_lidar_mount());
    std::string path = temp_path("scan.pcd.bin"), again = temp_path("again.pcd.bin");
    write_pcd_bin(path, scan.points);
    std::string bytes = slurp(path);
    ASSERT_EQ(bytes.size(), scan.points.size() * 20);
    EXPECT_FALSE(std::ifstream(path + ".tmp").good());

    // Little-endian float32 x of the first point, decoded by hand.
    uint32_t u = 0;
    for (int i = 3; i >= 0; --i) u = (u << 8) | uint8_t(bytes[i]);
    float x0;
    std::memcpy(&x0, &u, 4);
    EXPECT_EQ(x0, scan.points[0].x);

    std::vector<LidarPoint> back = read_pcd_bin(path);
    ASSERT_EQ(back.size(), scan.points.size());
    EXPECT_EQ(std::memcmp(back.data(), scan.points.data(), back.size() * sizeof(LidarPoint)), 0);
    write_pcd_bin(again, back);
    EXPECT_EQ(slurp(again), bytes);

    write_pcd_bin(again, {});
    EXPECT_TRUE(read_pcd_bin(again).empty());
    std::remove(path.c_str());
    std::remove(again.c_str());
}

TEST(Lidar, BadPcdBinFilesAreRejectedByName) {
    std::string odd = temp_path("odd.pcd.bin");
    write_bytes(odd, std::string(23, '\0'));
    std::string msg = error_of(odd);
    EXPECT_NE(msg.find(odd), std::string::npos) << msg;
    EXPECT_NE(msg.find("multiple of 20"), std::string::npos) << msg;

    std::string missing = temp_path("missing.pcd.bin");
    msg = error_of(missing);
    EXPECT_NE(msg.find(missing), std::string::npos) << msg;

    std::string nan_file = temp_path("nan.pcd.bin");
    float nan_point[5] = {1, 2, std::nanf(""), 4, 5};
    write_bytes(nan_file, std::string(reinterpret_cast<const char *>(nan_point), 20));
    msg = error_of(nan_file);
    EXPECT_NE(msg.find(nan_file), std::string::npos) << msg;
    EXPECT_NE(msg.find("non-finite"), std::string::npos) << msg;

    std::string unwritable = temp_path("no_such_dir") + "/scan.pcd.bin";
    try {
        write_pcd_bin(unwritable, {LidarPoint{}});
        ADD_FAILURE() << "writing into a missing folder succeeded";
    } catch (const std::runtime_error & e) {
        EXPECT_NE(std::string(e.what()).find(unwritable), std::string::npos) << e.what();
    }
    std::remove(odd.c_str());
    std::remove(nan_file.c_str());
}

// A grid town: finely tiled ground, buildings along the blocks, street trees and parked cars.
void build_town(SceneMesh & statics, SceneMesh & dynamic) {
    std::mt19937 rng(17);
    std::uniform_real_distribution<double> u(0, 1);
    const uint8_t asphalt[4] = {70, 70, 75, 255}, facade[4] = {180, 170, 150, 255}, leaves[4] = {60, 120, 50, 255};
    const double tile = 2.0, half = 200.0, pitch = 100.0, street = 14.0;
    for (double x = -half; x < half; x += tile)
        for (double y = -half; y < half; y += tile) {
            Vec2 c[4] = {{x, y}, {x + tile, y}, {x + tile, y + tile}, {x, y + tile}};
            statics.add_quad_z(c, 0.0, asphalt, 0);
        }
    uint32_t id = 1;
    for (double bx = -half; bx < half; bx += pitch)
        for (double by = -half; by < half; by += pitch) {
            // Block interior spans [bx + street/2, bx + pitch - street/2] on both axes.
            double lo_x = bx + street / 2 + 3, hi_x = bx + pitch - street / 2 - 3;
            double lo_y = by + street / 2 + 3, hi_y = by + pitch - street / 2 - 3;
            for (double s = lo_x; s < hi_x - 8; s += 14) {
                for (double y : {lo_y + 6, hi_y - 6}) {
                    Vec3 h{6, 6, 4 + 12 * u(rng)};
                    statics.add_box({{s + 6, y, h.z}, Quat{}}, h, facade, 0);
                }
                for (double y : {lo_y - 2, hi_y + 2}) statics.add_cone({s + 3, y, 0}, 1.5, 7, 24, leaves, 0);
            }
            for (double s = lo_y + 14; s < hi_y - 20; s += 14)
                for (double x : {lo_x + 6, hi_x - 6}) {
                    Vec3 h{6, 6, 4 + 12 * u(rng)};
                    statics.add_box({{x, s + 6, h.z}, Quat{}}, h, facade, 0);
                }
            for (int k = 0; k < 6; ++k) {
                const uint8_t paint[4] = {uint8_t(255 * u(rng)), uint8_t(255 * u(rng)), uint8_t(255 * u(rng)), 255};
                Vec3 at{bx + street / 2 - 1.5, by + 20 + 10 * k, 0.8};
                dynamic.add_box({at, Quat::from_yaw(kPi / 2)}, {2.25, 0.95, 0.8}, paint, id++);
            }
        }
}

TEST(Lidar, ThroughputOnASyntheticTown) {
    SceneMesh statics, dynamic;
    build_town(statics, dynamic);
    auto t0 = std::chrono::steady_clock::now();
    MeshBvh static_bvh(statics), dynamic_bvh(dynamic);
    auto t1 = std::chrono::steady_clock::now();
    // Ego driving down a street between two blocks.
    Pose ego{{0, 37, 0}, Quat::from_yaw(kPi / 2 + 0.05)};
    Pose sensor = ego * nuscenes_lidar_mount();
    const int repeats = 5;
    size_t points = 0;
    for (int r = 0; r < repeats; ++r) points = scan_lidar(static_bvh, dynamic_bvh, sensor).points.size();
    auto t2 = std::chrono::steady_clock::now();
    double build_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
    double scan_ms = std::chrono::duration<double, std::milli>(t2 - t1).count() / repeats;
    double rays = double(kLidarBeams) * LidarConfig{}.azimuth_steps;
    std::printf("[ info ] town %zu static + %zu dynamic triangles, BVH build %.1f ms; scan %.0f rays -> %zu "
                "points in %.1f ms (%.2f M rays/s)\n",
                statics.triangle_count(), dynamic.triangle_count(), build_ms, rays, points, scan_ms,
                rays / scan_ms / 1e3);
    EXPECT_GT(points, size_t(rays / 2));
}

}  // namespace
}  // namespace rs
