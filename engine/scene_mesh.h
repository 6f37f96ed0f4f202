// Triangle soup that the world hands to renderers and the lidar ray caster. Every vertex carries
// the instance id of the object it belongs to (0 = background: ground, road, sky, scenery), so a
// renderer can write an instance-id image and the lidar can count points per object honestly.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/geometry.h"

namespace rs {

struct MeshVertex {
    float position[3];     // world frame, metres
    float normal[3];
    uint8_t color[4];      // linear-ish sRGB albedo
    uint32_t instance_id;  // 0 = background
};

struct SceneMesh {
    std::vector<MeshVertex> vertices;
    std::vector<uint32_t> indices;  // triangle list

    void clear() { vertices.clear(); indices.clear(); }
    size_t triangle_count() const { return indices.size() / 3; }
    void append(const SceneMesh & other);

    // Primitive builders used by the world's mesh builder. Colours are RGBA8.
    // Axis-aligned box in its local frame (centre, half extents), transformed by `pose`.
    void add_box(const Pose & pose, const Vec3 & half_extents, const uint8_t color[4], uint32_t instance_id);
    // Flat quad on the plane z = height, given 4 corners in counter-clockwise order seen from above.
    void add_quad_z(const Vec2 corners[4], double height, const uint8_t color[4], uint32_t instance_id);
    // Tapered vertical prism (a cone approximated with `sides` faces) standing on `base`.
    void add_cone(const Vec3 & base, double radius, double height, int sides, const uint8_t color[4],
                  uint32_t instance_id);
};

}  // namespace rs
