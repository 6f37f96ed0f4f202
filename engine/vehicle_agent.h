// A moving road vehicle of the town's traffic (car, truck, bus, motorcycle, bicycle with rider, a
// few construction vehicles), optionally towing a trailer that follows its path.
#pragma once

#include <cstdint>

#include "engine/agent_catalog.h"
#include "engine/lane_driver.h"
#include "engine/world.h"

namespace rs {

struct VehicleAgent {
    uint32_t id = 0;
    ObjectClass cls = ObjectClass::car;
    Vec3 size;  // w, l, h
    AgentLook look;
    LaneFollower drive;
    double accel = 0;  // chosen this step
    double stuck = 0;  // seconds at a standstill
    bool has_trailer = false;
    uint32_t trailer_id = 0;
    Vec3 trailer_size;
    AgentLook trailer_look;

    static constexpr double kHitchGap = 0.6;  // between the truck's rear and the trailer's front
};

// Sets the follower's extents from the vehicle's (and trailer's) length.
void set_vehicle_extents(VehicleAgent & v);
// The vehicle's box: centred between the path points under its bumpers, so it cuts corners like a
// real car does instead of sticking out of curves.
AgentState vehicle_state(const VehicleAgent & v, const RoadNetwork & net);
AgentState trailer_state(const VehicleAgent & v, const RoadNetwork & net);

}  // namespace rs
