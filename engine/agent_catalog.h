// What each object class looks like in the world: sizes drawn around the nuScenes class means,
// desired speeds, and paint or clothing colours.
#pragma once

#include <cstdint>

#include "engine/geometry.h"
#include "engine/object_class.h"
#include "engine/random.h"
#include "engine/world.h"

namespace rs {

// Colours an object is drawn with. Vehicles: primary = paint, secondary = trim or cargo.
// Pedestrians: primary = top, secondary = trousers. Cycles: primary = frame, secondary = the
// rider's jacket. skin = face and hands.
struct AgentLook {
    uint8_t primary[4] = {200, 200, 200, 255};
    uint8_t secondary[4] = {60, 60, 60, 255};
    uint8_t skin[4] = {200, 160, 130, 255};
    bool with_rider = true;  // cycles
};

// An object that does not move for the whole run: parked vehicles, work-zone cones and machines.
struct PlacedAgent {
    AgentState state;
    AgentLook look;
};

// Box size (w, l, h) for a new object. Cycles with a rider are taller: the box covers the person.
Vec3 sample_agent_size(ObjectClass cls, bool with_rider, Rng & rng);
// Desired cruising speed (m/s) for moving objects of the class.
double sample_desired_speed(ObjectClass cls, Rng & rng);
AgentLook sample_agent_look(ObjectClass cls, Rng & rng);

}  // namespace rs
