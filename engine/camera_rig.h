// The six-camera nuScenes rig and the LIDAR_TOP mount: calibration (sensor -> ego) and pinhole
// intrinsics, scalable to any image size. Camera frame: x right, y down, z forward.
#pragma once

#include <array>
#include <string>

#include "engine/geometry.h"

namespace rs {

struct Intrinsics {
    double fx = 0, fy = 0, cx = 0, cy = 0;

    Mat3 matrix() const;
    // Pixel of a point in the camera frame (z > 0 assumed): K p / z.
    Vec2 project(const Vec3 & p_cam) const { return {fx * p_cam.x / p_cam.z + cx, fy * p_cam.y / p_cam.z + cy}; }
    Intrinsics scaled(double sx, double sy) const { return {fx * sx, fy * sy, cx * sx, cy * sy}; }
};

struct CameraSpec {
    std::string channel;    // CAM_FRONT, ...
    Pose sensor_to_ego;     // calibrated_sensor translation / rotation
    Intrinsics intrinsics;  // at width x height
    int width = 1600, height = 900;
};

constexpr int kNumCameras = 6;

// Cameras in nuScenes channel order (and BEVFormer's): FRONT, FRONT_RIGHT, FRONT_LEFT, BACK,
// BACK_LEFT, BACK_RIGHT. Calibration follows nuScenes v1.0 (scene-0061's car), rounded.
std::array<CameraSpec, kNumCameras> nuscenes_camera_rig(int width = 1600, int height = 900);

// LIDAR_TOP sensor -> ego, as mounted on the nuScenes car (x right, y forward, z up).
Pose nuscenes_lidar_mount();

// World -> camera view used by renderers: the camera's pose in the world plus its intrinsics.
struct CameraView {
    Pose camera_to_world;
    Intrinsics intrinsics;
    int width = 0, height = 0;
    double near_plane = 0.5, far_plane = 250.0;
};

CameraView make_camera_view(const CameraSpec & spec, const Pose & ego_to_world);

}  // namespace rs
