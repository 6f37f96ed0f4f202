// Vehicles parked along the kerbs of roads with parking strips: mostly cars, with the odd van-sized
// truck, standalone trailer, motorcycle or bicycle.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/agent_catalog.h"
#include "engine/road_network.h"

namespace rs {

// `fill` (0..1) is the share of kerb length taken; instance ids are taken from next_id.
std::vector<PlacedAgent> place_parked_vehicles(const RoadNetwork & net, double fill, Rng & rng, uint32_t & next_id);

}  // namespace rs
