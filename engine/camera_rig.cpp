#include "engine/camera_rig.h"

namespace rs {

Mat3 Intrinsics::matrix() const {
    Mat3 k;
    k.m = {fx, 0, cx, 0, fy, cy, 0, 0, 1};
    return k;
}

std::array<CameraSpec, kNumCameras> nuscenes_camera_rig(int width, int height) {
    // translation (m), rotation (w, x, y, z), fx = fy, cx, cy at 1600 x 900.
    struct Row { const char * channel; double t[3]; double q[4]; double f, cx, cy; };
    static const Row rows[kNumCameras] = {
        {"CAM_FRONT", {1.7008, 0.0159, 1.5110}, {0.49980, -0.50303, 0.49978, -0.49737}, 1266.42, 816.27, 491.51},
        {"CAM_FRONT_RIGHT", {1.5508, -0.4934, 1.4957}, {0.20603, -0.20269, 0.68245, -0.67136}, 1260.85, 807.97, 495.33},
        {"CAM_FRONT_LEFT", {1.5239, 0.4946, 1.5093}, {0.67573, -0.67363, 0.21214, -0.21123}, 1272.60, 826.62, 479.75},
        {"CAM_BACK", {0.0283, 0.0035, 1.5791}, {0.50379, -0.49740, -0.49419, 0.50455}, 809.22, 829.22, 481.78},
        {"CAM_BACK_LEFT", {1.0357, 0.4848, 1.5910}, {0.69242, -0.70316, -0.11648, 0.11203}, 1256.74, 792.11, 492.78},
        {"CAM_BACK_RIGHT", {1.0149, -0.4806, 1.5624}, {0.12281, -0.13240, -0.70043, 0.69050}, 1259.51, 807.25, 501.20},
    };
    std::array<CameraSpec, kNumCameras> rig;
    double sx = width / 1600.0, sy = height / 900.0;
    for (int i = 0; i < kNumCameras; ++i) {
        const Row & r = rows[i];
        rig[i].channel = r.channel;
        rig[i].sensor_to_ego = {{r.t[0], r.t[1], r.t[2]}, Quat{r.q[0], r.q[1], r.q[2], r.q[3]}.normalized()};
        rig[i].intrinsics = Intrinsics{r.f, r.f, r.cx, r.cy}.scaled(sx, sy);
        rig[i].width = width;
        rig[i].height = height;
    }
    return rig;
}

Pose nuscenes_lidar_mount() {
    return {{0.9437, 0.0, 1.8402}, Quat{0.70780, -0.00649, 0.01065, -0.70631}.normalized()};
}

CameraView make_camera_view(const CameraSpec & spec, const Pose & ego_to_world) {
    CameraView v;
    v.camera_to_world = ego_to_world * spec.sensor_to_ego;
    v.intrinsics = spec.intrinsics;
    v.width = spec.width;
    v.height = spec.height;
    return v;
}

}  // namespace rs
