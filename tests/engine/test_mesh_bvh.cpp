#include "engine/mesh_bvh.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <random>

namespace rs {
namespace {

const uint8_t kGrey[4] = {128, 128, 128, 255};

void add_triangle(SceneMesh & mesh, const Vec3 & a, const Vec3 & b, const Vec3 & c, uint32_t id) {
    uint32_t base = uint32_t(mesh.vertices.size());
    for (const Vec3 & p : {a, b, c}) {
        MeshVertex v{};
        v.position[0] = float(p.x);
        v.position[1] = float(p.y);
        v.position[2] = float(p.z);
        v.color[0] = uint8_t(id * 37);
        v.instance_id = id;
        mesh.vertices.push_back(v);
    }
    mesh.indices.insert(mesh.indices.end(), {base, base + 1, base + 2});
}

Vec3 vertex(const SceneMesh & mesh, uint32_t triangle, int corner) {
    const float * p = mesh.vertices[mesh.indices[3 * triangle + corner]].position;
    return {p[0], p[1], p[2]};
}

// Reference: double-precision Moller-Trumbore over every triangle, ties to the lower index.
struct BruteHit {
    uint32_t triangle = kNoTriangle;
    double t = std::numeric_limits<double>::infinity();
};

BruteHit brute_force(const SceneMesh & mesh, const Vec3 & o, const Vec3 & dir, double max_distance) {
    Vec3 d = dir.normalized();
    BruteHit best;
    best.t = max_distance;
    for (uint32_t i = 0; i < mesh.triangle_count(); ++i) {
        Vec3 a = vertex(mesh, i, 0), e1 = vertex(mesh, i, 1) - a, e2 = vertex(mesh, i, 2) - a;
        Vec3 p = d.cross(e2);
        double det = e1.dot(p);
        if (det == 0) continue;
        Vec3 s = o - a;
        double u = s.dot(p) / det;
        if (u < 0 || u > 1) continue;
        Vec3 q = s.cross(e1);
        double v = d.dot(q) / det;
        if (v < 0 || u + v > 1) continue;
        double t = e2.dot(q) / det;
        if (t > 0 && t < best.t) best = {i, t};
    }
    return best;
}

SceneMesh random_triangles(std::mt19937 & rng, int count, uint32_t first_id) {
    std::uniform_real_distribution<double> pos(-20, 20), off(-2, 2);
    SceneMesh mesh;
    for (int i = 0; i < count; ++i) {
        Vec3 c{pos(rng), pos(rng), pos(rng)};
        add_triangle(mesh, c + Vec3{off(rng), off(rng), off(rng)}, c + Vec3{off(rng), off(rng), off(rng)},
                     c + Vec3{off(rng), off(rng), off(rng)}, first_id + uint32_t(i % 13));
    }
    return mesh;
}

Vec3 random_direction(std::mt19937 & rng) {
    std::normal_distribution<double> n(0, 1);
    for (;;) {
        Vec3 d{n(rng), n(rng), n(rng)};
        if (d.norm() > 1e-3) return d.normalized();
    }
}

TEST(MeshBvh, MatchesBruteForceOnRandomTriangles) {
    std::mt19937 rng(7);
    SceneMesh mesh = random_triangles(rng, 3000, 1);
    MeshBvh bvh(mesh);
    EXPECT_EQ(bvh.triangle_count(), mesh.triangle_count());
    std::uniform_real_distribution<double> pos(-30, 30);
    int hits = 0, near_ties = 0;
    for (int r = 0; r < 20000; ++r) {
        Vec3 o{pos(rng), pos(rng), pos(rng)};
        Vec3 d = random_direction(rng);
        double max_distance = r % 4 == 0 ? 15.0 : std::numeric_limits<double>::infinity();
        RayHit h = bvh.intersect(o, d * (1 + r % 3), max_distance);  // non-unit directions too
        BruteHit ref = brute_force(mesh, o, d, max_distance);
        ASSERT_EQ(h.hit(), ref.triangle != kNoTriangle) << "ray " << r;
        if (!h.hit()) continue;
        ++hits;
        EXPECT_NEAR(h.distance, ref.t, 1e-4 * std::max(1.0, ref.t)) << "ray " << r;
        if (h.triangle != ref.triangle) {
            // Only acceptable when two triangles are hit at the same distance within float precision.
            ++near_ties;
            EXPECT_NEAR(h.distance, ref.t, 1e-5 * std::max(1.0, ref.t)) << "ray " << r;
            continue;
        }
        EXPECT_EQ(h.instance_id, mesh.vertices[mesh.indices[3 * h.triangle]].instance_id);
        EXPECT_EQ(h.color[0], mesh.vertices[mesh.indices[3 * h.triangle]].color[0]);
        EXPECT_EQ(h.mesh, 0);
        Vec3 a = vertex(mesh, h.triangle, 0);
        EXPECT_NEAR(h.normal.norm(), 1.0, 1e-9);
        EXPECT_NEAR(h.normal.dot(vertex(mesh, h.triangle, 1) - a), 0.0, 1e-4);
        EXPECT_NEAR(h.normal.dot(vertex(mesh, h.triangle, 2) - a), 0.0, 1e-4);
        EXPECT_LE(h.normal.dot(d), 0.0);  // faces the origin
    }
    std::printf("[ info ] %d of 20000 rays hit, %d float-precision ties\n", hits, near_ties);
    EXPECT_GT(hits, 5000);
    EXPECT_LE(near_ties, 2);
}

TEST(MeshBvh, ClosestOfTwoHierarchies) {
    std::mt19937 rng(11);
    SceneMesh a = random_triangles(rng, 1500, 1), b = random_triangles(rng, 1500, 100);
    SceneMesh both = a;
    both.append(b);
    MeshBvh bvh_a(a), bvh_b(b);
    const uint32_t na = uint32_t(a.triangle_count());
    std::uniform_real_distribution<double> pos(-30, 30);
    int from_b = 0;
    for (int r = 0; r < 10000; ++r) {
        Vec3 o{pos(rng), pos(rng), pos(rng)};
        Vec3 d = random_direction(rng);
        RayHit h = intersect_closest(bvh_a, bvh_b, o, d, 60.0);
        BruteHit ref = brute_force(both, o, d, 60.0);
        ASSERT_EQ(h.hit(), ref.triangle != kNoTriangle) << "ray " << r;
        if (!h.hit()) continue;
        EXPECT_NEAR(h.distance, ref.t, 1e-4 * std::max(1.0, ref.t));
        uint32_t combined = h.mesh == 0 ? h.triangle : na + h.triangle;
        if (combined != ref.triangle) {
            EXPECT_NEAR(h.distance, ref.t, 1e-5 * std::max(1.0, ref.t)) << "ray " << r;
            continue;
        }
        EXPECT_EQ(h.instance_id, both.vertices[both.indices[3 * combined]].instance_id);
        from_b += h.mesh == 1;
    }
    EXPECT_GT(from_b, 1000);
}

TEST(MeshBvh, EmptyMeshesAndRange) {
    MeshBvh empty;
    EXPECT_TRUE(empty.empty());
    EXPECT_FALSE(empty.intersect({0, 0, 0}, {1, 0, 0}).hit());
    MeshBvh built_empty(SceneMesh{});
    EXPECT_FALSE(intersect_closest(empty, built_empty, {0, 0, 0}, {1, 0, 0}).hit());

    SceneMesh wall;
    add_triangle(wall, {10, -5, -5}, {10, 5, -5}, {10, 0, 5}, 3);
    MeshBvh bvh(wall);
    RayHit h = intersect_closest(empty, bvh, {0, 0, 0}, {2, 0, 0});
    ASSERT_TRUE(h.hit());
    EXPECT_NEAR(h.distance, 10.0, 1e-5);
    EXPECT_EQ(h.mesh, 1);
    EXPECT_EQ(h.instance_id, 3u);
    EXPECT_NEAR(h.normal.x, -1.0, 1e-6);
    EXPECT_FALSE(bvh.intersect({0, 0, 0}, {1, 0, 0}, 9.99).hit());
    EXPECT_FALSE(bvh.intersect({0, 0, 0}, {-1, 0, 0}).hit());  // behind the origin

    // A tie between the two hierarchies goes to the first.
    h = intersect_closest(bvh, bvh, {0, 0, 0}, {1, 0, 0});
    EXPECT_EQ(h.mesh, 0);

    SceneMesh broken = wall;
    broken.indices[1] = 99;
    EXPECT_THROW(MeshBvh{broken}, std::out_of_range);
}

TEST(MeshBvh, NoGapsAlongSharedEdgesOfAFlatGrid) {
    // Axis-aligned flat tiles make zero-thickness boxes; rays aimed at shared edges and corners
    // must still find a tile.
    SceneMesh ground;
    for (int i = -10; i < 10; ++i)
        for (int j = -10; j < 10; ++j) {
            Vec2 c[4] = {{double(i), double(j)}, {i + 1.0, double(j)}, {i + 1.0, j + 1.0}, {double(i), j + 1.0}};
            ground.add_quad_z(c, 0.0, kGrey, 0);
        }
    MeshBvh bvh(ground);
    Vec3 o{0.3, 0.2, 1.84};
    int misses = 0;
    for (int i = -9; i <= 9; ++i)
        for (int j = -9; j <= 9; ++j)
            for (double dx : {0.0, 0.5})
                misses += !bvh.intersect(o, Vec3{i + dx, j + 0.0, 0.0} - o).hit();
    EXPECT_EQ(misses, 0);
}

// A town of about `target` triangles on a 25 m grid: 4 m ground tiles, one building per cell with
// streets between them, and street trees (32-sided cones) filling up the count.
SceneMesh synthetic_town(size_t target) {
    std::mt19937 rng(3);
    std::uniform_real_distribution<double> u(0, 1);
    const int cells = 32;
    const double cell = 25, half = cells * cell / 2;
    SceneMesh mesh;
    for (double x = -half; x < half; x += 4)
        for (double y = -half; y < half; y += 4) {
            Vec2 c[4] = {{x, y}, {x + 4, y}, {x + 4, y + 4}, {x, y + 4}};
            mesh.add_quad_z(c, 0.0, kGrey, 0);
        }
    for (int i = 0; i < cells; ++i)
        for (int j = 0; j < cells; ++j) {
            Vec3 h{6 + 2 * u(rng), 6 + 2 * u(rng), 2 + 8 * u(rng)};
            Vec3 centre{-half + (i + 0.5) * cell, -half + (j + 0.5) * cell, h.z};
            mesh.add_box({centre, Quat{}}, h, kGrey, 0);
        }
    uint32_t id = 1;
    while (mesh.triangle_count() < target) {
        // Along a kerb: 3.5 m off a street centre line, anywhere along it.
        double along = -half + u(rng) * 2 * half;
        double across = -half + std::floor(u(rng) * cells) * cell + (u(rng) < 0.5 ? 3.5 : -3.5);
        Vec3 at = u(rng) < 0.5 ? Vec3{along, across, 0} : Vec3{across, along, 0};
        mesh.add_cone(at, 0.4 + 0.6 * u(rng), 4 + 4 * u(rng), 32, kGrey, id++);
    }
    return mesh;
}

TEST(MeshBvh, BuildAndQueryThroughputOnATown) {
    SceneMesh town = synthetic_town(300000);
    auto t0 = std::chrono::steady_clock::now();
    MeshBvh bvh(town);
    auto t1 = std::chrono::steady_clock::now();
    // Lidar-like sweeps (coherent rays from one origin) from ten street crossings.
    std::mt19937 rng(5);
    std::uniform_int_distribution<int> crossing(-12, 12);
    int rays = 0, hits = 0;
    for (int place = 0; place < 10; ++place) {
        Vec3 o{25.0 * crossing(rng), 25.0 * crossing(rng), 1.84};
        for (int step = 0; step < 1080; ++step)
            for (int ring = 0; ring < 32; ++ring) {
                double el = (-30.67 + 41.34 * ring / 31) * kPi / 180, az = 2 * kPi * step / 1080;
                Vec3 d{std::cos(el) * std::sin(az), std::cos(el) * std::cos(az), std::sin(el)};
                hits += bvh.intersect(o, d, 70.0).hit();
                ++rays;
            }
    }
    auto t2 = std::chrono::steady_clock::now();
    double build_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
    double query_s = std::chrono::duration<double>(t2 - t1).count();
    std::printf("[ info ] %zu triangles: build %.1f ms, %zu nodes; %d rays (%d hits) at %.2f M rays/s\n",
                town.triangle_count(), build_ms, bvh.node_count(), rays, hits, rays / query_s / 1e6);
    EXPECT_GT(hits, rays / 2);
}

}  // namespace
}  // namespace rs
