// People walking the sidewalk graph: along sidewalks, round intersection corners, and across
// crosswalks when their signal allows and no vehicle is about to reach the crossing. Some stand.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/agent_catalog.h"
#include "engine/lane_occupancy.h"
#include "engine/road_network.h"
#include "engine/traffic_light.h"
#include "engine/world.h"

namespace rs {

struct Pedestrian {
    uint32_t id = 0;
    Vec3 size;
    AgentLook look;
    Rng rng;
    bool standing = false;     // stays put for the whole run
    int edge = -1;             // sidewalk edge walked (or stood on)
    int dir = 1;               // +1 from edge.from to edge.to
    double s = 0;              // along the edge's path
    double lateral = 0;        // offset left of the path's own direction
    double lateral_goal = 0;
    double desired_speed = 1.3;
    double speed = 0;
    double facing = 0;         // standing people: yaw
    int next_edge = -1;        // chosen edge to take at the corner ahead
    double waited = 0;         // seconds waiting at the current corner

    Vec2 position;             // derived after each step
    double heading = 0;
    double ground = kSidewalkHeight;
};

// Heads for a randomly chosen next edge at the end of the current one.
void choose_next_edge(Pedestrian & p, const RoadNetwork & net);
void step_pedestrian(Pedestrian & p, const RoadNetwork & net, const std::vector<TrafficLight> & lights,
                     const LaneOccupancy & occ, double time, double dt);
void update_pedestrian_pose(Pedestrian & p, const RoadNetwork & net);
bool on_crosswalk(const Pedestrian & p, const RoadNetwork & net);
AgentState pedestrian_state(const Pedestrian & p);

}  // namespace rs
