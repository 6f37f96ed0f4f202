// Oriented 3-D boxes as the nuScenes devkit's Box class handles them: corners in the devkit's order,
// moves between frames, and projection into a pinhole camera like view_points(normalize=True).
#pragma once

#include <array>

#include "engine/geometry.h"

namespace rs {

struct Box3D {
    Vec3 center;     // geometric centre
    Vec3 size;       // width (along local y), length (local x, forward), height (local z)
    Quat rotation;   // box -> parent frame

    // Devkit Box.corners() order, in box axes with half sizes: (+x,+y,+z), (+x,-y,+z), (+x,-y,-z),
    // (+x,+y,-z), then the same four with -x; the first four face forward.
    std::array<Vec3, 8> corners() const;

    // The box seen from a child frame whose pose in the current frame is `frame`, e.g. the ego
    // pose to go global -> ego (devkit: translate(-t), then rotate(q^-1)).
    Box3D in_frame(const Pose & frame) const;
    // The box moved by `pose`, e.g. the ego pose to go ego -> global (devkit: rotate(q), translate(t)).
    Box3D transformed(const Pose & pose) const;
};

// Pixel of a camera-frame point, as view_points(normalize=True): K·p divided by its third
// component. Points behind the camera are not rejected; callers check the depth.
Vec2 view_point(const Mat3 & intrinsic, const Vec3 & p_camera);

struct ProjectedBox {
    Vec2 center;
    std::array<Vec2, 8> corners;  // Box3D::corners() order
    double depth = 0;             // camera-frame z of the centre, metres
};

// Projects a box given in the camera frame; like the devkit it does not clip corners behind the
// camera, so those pixels can be meaningless.
ProjectedBox project_box(const Box3D & box_in_camera, const Mat3 & intrinsic);

}  // namespace rs
