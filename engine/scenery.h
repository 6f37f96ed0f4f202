// Static roadside scenery: buildings set back behind the sidewalks, street trees, street lights and
// the masts that carry traffic-light heads.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/road_network.h"

namespace rs {

struct Building {
    Vec2 centre;
    double yaw = 0;
    Vec3 half;  // half extents; half.z = half the height
    int floors = 1;
    uint8_t wall[4];
    uint8_t trim[4];
};

struct Tree {
    Vec2 base;
    double trunk_height = 2.5, crown_radius = 2.0, crown_height = 4.0;
    bool conifer = false;
    uint8_t leaves[4];
};

struct StreetLamp {
    Vec2 base;
    double yaw = 0;  // direction of the arm, out over the road
};

// Pole at the kerb of an arm's incoming lanes with an arm reaching over them; the head faces
// the approaching traffic.
struct SignalMast {
    int node = -1, arm = -1;
    Vec2 base, head;
    double facing = 0;
    double height = 5.4;
};

struct Scenery {
    std::vector<Building> buildings;
    std::vector<Tree> trees;
    std::vector<StreetLamp> lamps;
    std::vector<SignalMast> masts;
};

Scenery place_scenery(const RoadNetwork & net, Rng & rng);

}  // namespace rs
