#include "app/shell/box_projection.h"

#include <array>

namespace rs {

namespace {

// Corner pairs in Box3D::corners() order: front face, back face, then the four lengthwise edges.
constexpr std::array<std::array<int, 2>, 12> kEdges = {{
    {0, 1}, {1, 2}, {2, 3}, {3, 0},
    {4, 5}, {5, 6}, {6, 7}, {7, 4},
    {0, 4}, {1, 5}, {2, 6}, {3, 7},
}};

}  // namespace

std::vector<PixelSegment> project_box_edges(const Box3D & box_world, const CameraView & view) {
    std::array<Vec3, 8> cam;
    std::array<Vec3, 8> corners = box_world.corners();
    bool any_in_front = false;
    for (int i = 0; i < 8; ++i) {
        cam[i] = view.camera_to_world.apply_inverse(corners[i]);
        any_in_front = any_in_front || cam[i].z > view.near_plane;
    }
    std::vector<PixelSegment> out;
    if (!any_in_front) return out;
    out.reserve(kEdges.size());
    const double near = view.near_plane;
    for (size_t e = 0; e < kEdges.size(); ++e) {
        Vec3 p = cam[kEdges[e][0]], q = cam[kEdges[e][1]];
        if (p.z < near && q.z < near) continue;
        // Move the endpoint behind the plane onto it, along the edge.
        if (p.z < near) p = p + (q - p) * ((near - p.z) / (q.z - p.z));
        if (q.z < near) q = q + (p - q) * ((near - q.z) / (p.z - q.z));
        out.push_back({view.intrinsics.project(p), view.intrinsics.project(q), e < 4});
    }
    return out;
}

std::optional<Vec2> project_world_point(const Vec3 & p_world, const CameraView & view) {
    Vec3 c = view.camera_to_world.apply_inverse(p_world);
    if (c.z <= view.near_plane) return std::nullopt;
    return view.intrinsics.project(c);
}

}  // namespace rs
