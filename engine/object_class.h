// The ten nuScenes detection classes, their category names in nuScenes tables, and attributes.
#pragma once

#include <array>
#include <optional>
#include <string>

namespace rs {

enum class ObjectClass : int {
    car, truck, bus, trailer, construction_vehicle, pedestrian, motorcycle, bicycle, traffic_cone, barrier
};

constexpr int kNumObjectClasses = 10;

// Detection name (nuScenes eval): "car", "construction_vehicle", ...
const char * class_name(ObjectClass c);
// The category written for generated agents: "vehicle.car", "human.pedestrian.adult", ...
const char * class_category(ObjectClass c);
std::optional<ObjectClass> class_from_name(const std::string & detection_name);
// Maps any nuScenes category (e.g. "vehicle.bus.bendy") to its detection class; none if dropped.
std::optional<ObjectClass> class_from_category(const std::string & category);

// The eight nuScenes attributes, in the order of the real attribute table.
extern const std::array<const char *, 8> kAttributeNames;

}  // namespace rs
