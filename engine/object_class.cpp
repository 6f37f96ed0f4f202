#include "engine/object_class.h"

namespace rs {

namespace {
const char * const kNames[kNumObjectClasses] = {"car", "truck", "bus", "trailer", "construction_vehicle",
                                                "pedestrian", "motorcycle", "bicycle", "traffic_cone", "barrier"};
const char * const kCategories[kNumObjectClasses] = {
    "vehicle.car", "vehicle.truck", "vehicle.bus.rigid", "vehicle.trailer", "vehicle.construction",
    "human.pedestrian.adult", "vehicle.motorcycle", "vehicle.bicycle", "movable_object.trafficcone",
    "movable_object.barrier"};
}  // namespace

const std::array<const char *, 8> kAttributeNames = {
    "vehicle.moving", "vehicle.stopped", "vehicle.parked", "cycle.with_rider", "cycle.without_rider",
    "pedestrian.sitting_lying_down", "pedestrian.standing", "pedestrian.moving"};

const char * class_name(ObjectClass c) { return kNames[int(c)]; }
const char * class_category(ObjectClass c) { return kCategories[int(c)]; }

std::optional<ObjectClass> class_from_name(const std::string & name) {
    for (int i = 0; i < kNumObjectClasses; ++i)
        if (name == kNames[i]) return ObjectClass(i);
    return std::nullopt;
}

std::optional<ObjectClass> class_from_category(const std::string & cat) {
    if (cat == "vehicle.bus.bendy" || cat == "vehicle.bus.rigid") return ObjectClass::bus;
    if (cat.rfind("human.pedestrian.", 0) == 0) {
        static const char * const kPed[] = {"adult", "child", "construction_worker", "police_officer"};
        for (const char * p : kPed)
            if (cat == std::string("human.pedestrian.") + p) return ObjectClass::pedestrian;
        return std::nullopt;
    }
    for (int i = 0; i < kNumObjectClasses; ++i)
        if (cat == kCategories[i]) return ObjectClass(i);
    return std::nullopt;
}

}  // namespace rs
