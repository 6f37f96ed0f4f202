// Bounding-volume hierarchy over a SceneMesh's triangles for closest-hit ray queries (the lidar,
// and anything else that needs to ask "what does this ray hit first"). Built once per mesh with a
// binned surface-area heuristic; nodes are stored flat. Queries are const and thread-safe.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "engine/geometry.h"
#include "engine/scene_mesh.h"

namespace rs {

constexpr uint32_t kNoTriangle = 0xffffffffu;

struct RayHit {
    double distance = std::numeric_limits<double>::infinity();  // metres along the ray
    uint32_t triangle = kNoTriangle;  // index into the source mesh's triangle list
    uint32_t instance_id = 0;         // of the hit triangle (0 = background)
    Vec3 normal;                      // unit geometric normal, turned to face the ray origin
    uint8_t color[4] = {0, 0, 0, 0};  // albedo of the hit triangle (its first vertex)
    int mesh = -1;                    // which BVH of intersect_closest() was hit: 0 or 1

    bool hit() const { return triangle != kNoTriangle; }
};

class MeshBvh {
public:
    MeshBvh() = default;
    explicit MeshBvh(const SceneMesh & mesh) { build(mesh); }

    // Replaces the hierarchy with one over `mesh`. The mesh may be destroyed afterwards: the
    // BVH keeps its own copy of the triangle data it needs.
    void build(const SceneMesh & mesh);

    // Closest triangle hit strictly closer than `max_distance` (metres); `direction` need not be
    // unit length. Equal distances resolve to the lower triangle index, so the answer does not
    // depend on how the tree was split. Sets `mesh` to 0.
    RayHit intersect(const Vec3 & origin, const Vec3 & direction,
                     double max_distance = std::numeric_limits<double>::infinity()) const;

    bool empty() const { return tris_.empty(); }
    size_t triangle_count() const { return tris_.size(); }
    size_t node_count() const { return nodes_.size(); }

private:
    struct Node {
        float box[6];    // low corner x, y, z, then high corner x, y, z
        uint32_t start;  // leaf: first entry in tris_; interior: index of the first of two children
        uint32_t count;  // triangles in a leaf; 0 marks an interior node
    };
    struct Tri {
        float v[3][3];
        uint32_t source;  // triangle index in the mesh
        uint32_t instance_id;
        uint8_t color[4];
    };

    // Updates best_t / best_index when a closer triangle is found; ray in float, unit direction.
    void traverse(const float origin[3], const float direction[3], float & best_t, uint32_t & best_index) const;
    void fill_hit(uint32_t index, const Vec3 & direction, float t, RayHit & hit) const;

    friend RayHit intersect_closest(const MeshBvh &, const MeshBvh &, const Vec3 &, const Vec3 &, double);

    std::vector<Node> nodes_;
    std::vector<Tri> tris_;
};

// Closest hit over two hierarchies, typically the static town and this frame's dynamic objects.
// A tie at equal distance goes to `first`. RayHit::mesh says which one was hit.
RayHit intersect_closest(const MeshBvh & first, const MeshBvh & second, const Vec3 & origin, const Vec3 & direction,
                         double max_distance = std::numeric_limits<double>::infinity());

}  // namespace rs
