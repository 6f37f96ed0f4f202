#include "engine/lidar_box_conversion.h"

#include <stdexcept>

namespace rs {

const std::array<ObjectClass, kNumObjectClasses> kBevformerClasses = {
    ObjectClass::car,        ObjectClass::truck,   ObjectClass::construction_vehicle, ObjectClass::bus,
    ObjectClass::trailer,    ObjectClass::barrier, ObjectClass::motorcycle,           ObjectClass::bicycle,
    ObjectClass::pedestrian, ObjectClass::traffic_cone};

std::string default_attribute(ObjectClass cls, double speed) {
    const bool moving = speed > kMovingSpeed;
    switch (cls) {
    case ObjectClass::car:
    case ObjectClass::truck:
    case ObjectClass::trailer:
    case ObjectClass::construction_vehicle:
        return moving ? "vehicle.moving" : "vehicle.parked";
    case ObjectClass::bus:
        return moving ? "vehicle.moving" : "vehicle.stopped";
    case ObjectClass::motorcycle:
    case ObjectClass::bicycle:
        return moving ? "cycle.with_rider" : "cycle.without_rider";
    case ObjectClass::pedestrian:
        return moving ? "pedestrian.moving" : "pedestrian.standing";
    case ObjectClass::barrier:
    case ObjectClass::traffic_cone:
        return "";
    }
    throw std::invalid_argument("default_attribute: unknown class " + std::to_string(int(cls)));
}

std::vector<EvalBox> lidar_boxes_to_global(const std::vector<LidarBox> & boxes, const Pose & lidar2ego,
                                           const Pose & ego2global, const std::string & sample_token) {
    const Pose lidar2global = ego2global * lidar2ego;
    std::vector<EvalBox> out;
    out.reserve(boxes.size());
    for (size_t i = 0; i < boxes.size(); ++i) {
        const LidarBox & b = boxes[i];
        if (b.label < 0 || b.label >= kNumObjectClasses)
            throw std::invalid_argument("lidar_boxes_to_global: box " + std::to_string(i) + " has label " +
                                        std::to_string(b.label) + ", expected 0.." +
                                        std::to_string(kNumObjectClasses - 1));
        if (!(b.size.x > 0 && b.size.y > 0 && b.size.z > 0))
            throw std::invalid_argument("lidar_boxes_to_global: box " + std::to_string(i) + " has size (" +
                                        std::to_string(b.size.x) + ", " + std::to_string(b.size.y) + ", " +
                                        std::to_string(b.size.z) + "), all must be positive");
        EvalBox e;
        e.sample_token = sample_token;
        e.translation = lidar2global.apply(b.center);
        e.size = b.size;
        e.rotation = (lidar2global.rotation * Quat::from_yaw(-b.yaw - kPi / 2)).normalized();
        // A velocity is a direction: rotated, never translated.
        const Vec3 v = lidar2global.rotation.rotate({b.velocity.x, b.velocity.y, 0});
        e.velocity = {v.x, v.y};
        e.detection_name = kBevformerClasses[b.label];
        e.detection_score = b.score;
        e.attribute_name = default_attribute(e.detection_name, std::hypot(v.x, v.y));
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace rs
