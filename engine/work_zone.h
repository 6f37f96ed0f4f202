// Road works on a closed lane: a cone taper, a line of barriers along the open neighbour lane, a
// parked construction machine, and a worker standing by it.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/agent_catalog.h"
#include "engine/road_network.h"

namespace rs {

struct WorkZone {
    std::vector<PlacedAgent> objects;  // cones, barriers, machines
    Vec2 worker_position;              // where a standing worker goes
    double worker_yaw = 0;
};

// Places the zone on the closed `lane`; instance ids are taken from next_id.
WorkZone place_work_zone(const RoadNetwork & net, int lane, Rng & rng, uint32_t & next_id);

}  // namespace rs
