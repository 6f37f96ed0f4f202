// 3-D boxes into a pinhole camera: the 12 edges of a box, each clipped at the near plane before
// projection, so boxes partly behind the camera still draw correctly (the devkit does not clip).
#pragma once

#include <optional>
#include <vector>

#include "engine/box3d.h"
#include "engine/camera_rig.h"

namespace rs {

struct PixelSegment {
    Vec2 a, b;
    bool front = false;  // an edge of the box's forward face
};

// Edges (pixels of `view`) of a world-frame box; empty when the box lies wholly behind the near plane.
std::vector<PixelSegment> project_box_edges(const Box3D & box_world, const CameraView & view);

// Pixel of a world point, none when it is behind the near plane.
std::optional<Vec2> project_world_point(const Vec3 & p_world, const CameraView & view);

}  // namespace rs
