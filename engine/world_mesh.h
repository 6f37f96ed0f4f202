// Meshes of the town: the static scene (ground, roads, paint, sidewalks, buildings, trees, poles)
// and the traffic-light heads whose lamps change with the signal state. All instance id 0.
#pragma once

#include <vector>

#include "engine/road_network.h"
#include "engine/scene_mesh.h"
#include "engine/scenery.h"
#include "engine/traffic_light.h"

namespace rs {

SceneMesh build_static_mesh(const RoadNetwork & net, const Scenery & scenery);
void add_signal_heads(const Scenery & scenery, const std::vector<TrafficLight> & lights, double time, SceneMesh & out);

}  // namespace rs
