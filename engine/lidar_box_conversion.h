// Boxes a lidar-frame detector outputs, turned into nuScenes submission boxes in the global frame
// the way mmdet3d v0.17.1 does for BEVFormer (output_to_nusc_box, lidar_nusc_box_to_global and the
// attribute rule of NuScenesDataset._format_bbox). Plain numbers only, so no LibTorch here.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "engine/detection_boxes.h"
#include "engine/geometry.h"
#include "engine/object_class.h"

namespace rs {

// A box in the lidar frame, mmdet3d v0.17.1 convention (models/bevformer/box_code.h).
struct LidarBox {
    Vec3 center;          // gravity centre, m
    Vec3 size;            // w, l, h as nuScenes orders them, m
    double yaw = 0;       // -yaw_nus - pi/2, yaw_nus being the nuScenes heading in the lidar frame
    Vec2 velocity;        // lidar frame, m/s
    int label = 0;        // index into kBevformerClasses
    double score = 0;
};

// BEVFormer's (and mmdet3d's nuScenes) class index order, which differs from ObjectClass's.
extern const std::array<ObjectClass, kNumObjectClasses> kBevformerClasses;

// Above this speed (m/s) default_attribute calls a box moving.
constexpr double kMovingSpeed = 0.2;

// The attribute mmdet3d writes for a detection: with a speed above kMovingSpeed, vehicles are
// "vehicle.moving" and cycles "cycle.with_rider"; at or below it pedestrians are
// "pedestrian.standing" and buses "vehicle.stopped"; everything else gets the class's default
// (car, truck, trailer, construction vehicle: parked; bus: moving; cycles: without rider;
// pedestrian: moving; barrier, cone: none).
std::string default_attribute(ObjectClass cls, double speed);

// Lidar boxes to global-frame submission boxes: yaw_nus = -yaw - pi/2 about +z, then the centre,
// orientation and velocity (vx, vy, 0) go through lidar -> ego -> global. Throws
// std::invalid_argument for a label outside 0..9 or a size that is not positive.
std::vector<EvalBox> lidar_boxes_to_global(const std::vector<LidarBox> & boxes, const Pose & lidar2ego,
                                           const Pose & ego2global, const std::string & sample_token);

}  // namespace rs
