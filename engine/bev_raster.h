// Bird's-eye semantic raster of the town around a pose: drivable area, lane lines, crosswalks,
// sidewalks and agent boxes, by plain scanline polygon filling on the CPU.
#pragma once

#include <vector>

#include "engine/road_network.h"
#include "engine/world.h"

namespace rs {

BevRaster rasterize_bev(const RoadNetwork & net, const std::vector<AgentState> & agents, const Pose & centre,
                        double resolution, int size);

}  // namespace rs
