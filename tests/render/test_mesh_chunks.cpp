// Spatial chunks of the static mesh and their per-view culling (CPU only, no Vulkan device needed).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <vector>

#include "render/mesh_chunks.h"

namespace rs {
namespace {

const uint8_t kWhite[4] = {255, 255, 255, 255};

// A 400 m ground quad plus a row of boxes along the x axis every 20 m, ids 1, 2, ...
SceneMesh street() {
    SceneMesh mesh;
    const Vec2 ground[4] = {{-200, -200}, {200, -200}, {200, 200}, {-200, 200}};
    mesh.add_quad_z(ground, 0.0, kWhite, 0);
    uint32_t id = 1;
    for (double x = -190; x < 200; x += 20) mesh.add_box({{x, 0, 1}, Quat{}}, {1, 1, 1}, kWhite, id++);
    return mesh;
}

std::vector<std::array<uint32_t, 3>> sorted_triangles(const std::vector<uint32_t> & indices) {
    std::vector<std::array<uint32_t, 3>> t;
    for (size_t i = 0; i + 2 < indices.size(); i += 3) t.push_back({indices[i], indices[i + 1], indices[i + 2]});
    std::sort(t.begin(), t.end());
    return t;
}

// A camera at the origin, 1.5 m up, looking along +x (camera z) with y down.
CameraView forward_view() {
    CameraView view;
    Mat3 r;  // columns: camera x -> world -y, camera y -> world -z, camera z -> world +x
    r.m = {0, 0, 1, -1, 0, 0, 0, -1, 0};
    view.camera_to_world = {{0, 0, 1.5}, Quat::from_matrix(r)};
    view.intrinsics = {400, 400, 400, 225};
    view.width = 800;
    view.height = 450;
    view.near_plane = 0.5;
    view.far_plane = 100;
    return view;
}

TEST(MeshChunks, KeepEveryTriangleAndBoundIt) {
    SceneMesh mesh = street();
    std::vector<uint32_t> indices = mesh.indices;
    std::vector<MeshChunk> chunks = build_mesh_chunks(mesh.vertices, indices, 8);
    ASSERT_GT(chunks.size(), 2u);
    EXPECT_EQ(sorted_triangles(indices), sorted_triangles(mesh.indices));

    uint32_t next = 0;
    for (const MeshChunk & c : chunks) {
        EXPECT_EQ(c.first_index, next);  // contiguous, in order, covering everything
        EXPECT_EQ(c.index_count % 3, 0u);
        next += c.index_count;
        for (uint32_t i = c.first_index; i < c.first_index + c.index_count; ++i) {
            const float * p = mesh.vertices[indices[i]].position;
            EXPECT_TRUE(p[0] >= c.min.x && p[0] <= c.max.x && p[1] >= c.min.y && p[1] <= c.max.y && p[2] >= c.min.z &&
                        p[2] <= c.max.z);
        }
    }
    EXPECT_EQ(next, indices.size());
    // Only the ground is larger than a cell.
    auto oversized = std::count_if(chunks.begin(), chunks.end(), [](const MeshChunk & c) { return c.oversized; });
    EXPECT_EQ(oversized, 1);
    for (const MeshChunk & c : chunks) {
        if (c.oversized) {
            EXPECT_EQ(c.index_count, 6u);
        }
    }
}

TEST(MeshChunks, EmptyMeshHasNoChunks) {
    std::vector<uint32_t> indices;
    EXPECT_TRUE(build_mesh_chunks({}, indices).empty());
}

TEST(MeshChunks, CullsOutsideTheFrustumAndSortsNearestFirst) {
    SceneMesh mesh = street();
    std::vector<uint32_t> indices = mesh.indices;
    std::vector<MeshChunk> chunks = build_mesh_chunks(mesh.vertices, indices, 8);
    std::vector<uint32_t> order;
    visible_chunks(chunks, forward_view(), order);
    ASSERT_FALSE(order.empty());

    // The ground is visible and drawn last.
    EXPECT_TRUE(chunks[order.back()].oversized);
    for (size_t i = 0; i + 1 < order.size(); ++i) EXPECT_FALSE(chunks[order[i]].oversized);

    for (size_t i = 0; i < chunks.size(); ++i) {
        const MeshChunk & c = chunks[i];
        bool kept = std::find(order.begin(), order.end(), uint32_t(i)) != order.end();
        if (c.oversized) continue;
        // Wholly behind the camera or past the far plane: dropped. Overlapping x in (0.5, 100): kept.
        if (c.max.x < 0 || c.min.x > 100) {
            EXPECT_FALSE(kept) << "chunk " << c.min.x << ".." << c.max.x;
        } else if (c.max.x > 1 && c.min.x < 99) {
            EXPECT_TRUE(kept) << "chunk " << c.min.x << ".." << c.max.x;
        }
    }
    // Nearest first.
    for (size_t i = 0; i + 2 < order.size(); ++i) EXPECT_LE(chunks[order[i]].min.x, chunks[order[i + 1]].min.x + 1e-9);
}

TEST(MeshChunks, CullsToTheSidesAndAboveTheView) {
    SceneMesh mesh;
    mesh.add_box({{30, 0, 1}, Quat{}}, {1, 1, 1}, kWhite, 1);    // straight ahead
    mesh.add_box({{30, 40, 1}, Quat{}}, {1, 1, 1}, kWhite, 2);   // far to the left
    mesh.add_box({{30, -40, 1}, Quat{}}, {1, 1, 1}, kWhite, 3);  // far to the right
    mesh.add_box({{30, 10, 60}, Quat{}}, {1, 1, 1}, kWhite, 4);  // high above
    std::vector<uint32_t> indices = mesh.indices;
    std::vector<MeshChunk> chunks = build_mesh_chunks(mesh.vertices, indices, 16);
    std::vector<uint32_t> order;
    visible_chunks(chunks, forward_view(), order);
    ASSERT_FALSE(order.empty());
    for (uint32_t c : order)
        for (uint32_t i = chunks[c].first_index; i < chunks[c].first_index + chunks[c].index_count; ++i)
            EXPECT_EQ(mesh.vertices[indices[i]].instance_id, 1u);
}

}  // namespace
}  // namespace rs
