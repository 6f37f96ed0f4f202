#include "engine/box3d.h"

namespace rs {

std::array<Vec3, 8> Box3D::corners() const {
    static constexpr double kX[8] = {1, 1, 1, 1, -1, -1, -1, -1};
    static constexpr double kY[8] = {1, -1, -1, 1, 1, -1, -1, 1};
    static constexpr double kZ[8] = {1, 1, -1, -1, 1, 1, -1, -1};
    const Mat3 r = rotation.matrix();
    const double hl = size.y / 2, hw = size.x / 2, hh = size.z / 2;
    std::array<Vec3, 8> out;
    for (int i = 0; i < 8; ++i) out[i] = r * Vec3{kX[i] * hl, kY[i] * hw, kZ[i] * hh} + center;
    return out;
}

Box3D Box3D::in_frame(const Pose & frame) const {
    return {frame.apply_inverse(center), size, frame.rotation.conjugate() * rotation};
}

Box3D Box3D::transformed(const Pose & pose) const {
    return {pose.apply(center), size, pose.rotation * rotation};
}

Vec2 view_point(const Mat3 & intrinsic, const Vec3 & p_camera) {
    Vec3 h = intrinsic * p_camera;
    return {h.x / h.z, h.y / h.z};
}

ProjectedBox project_box(const Box3D & box_in_camera, const Mat3 & intrinsic) {
    ProjectedBox out;
    out.center = view_point(intrinsic, box_in_camera.center);
    out.depth = box_in_camera.center.z;
    std::array<Vec3, 8> c = box_in_camera.corners();
    for (int i = 0; i < 8; ++i) out.corners[i] = view_point(intrinsic, c[i]);
    return out;
}

}  // namespace rs
