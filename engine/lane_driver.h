// Driving along the lane graph, shared by traffic and the expert ego: route choice at
// intersections, IDM car following, stopping for lights and for people on crosswalks, and gap
// acceptance at intersections through connector reservations (a vehicle enters only when no
// conflicting connector is reserved and its exit lane has room).
#pragma once

#include <cstdint>
#include <vector>

#include "engine/geometry.h"
#include "engine/idm.h"
#include "engine/lane_occupancy.h"
#include "engine/random.h"
#include "engine/road_network.h"
#include "engine/traffic_light.h"

namespace rs {

struct LaneFollower {
    uint32_t owner = 0;
    std::vector<int> route;   // [0] = current lane, then the lanes planned ahead
    std::vector<int> behind;  // lanes driven before, most recent first (for tails and towed trailers)
    double s = 0;             // reference point (centre of the leading body) along route[0]
    double speed = 0;
    double front = 2.3;       // from the reference point to the front bumper
    double tail = 2.3;        // from the reference point back to the rear of everything towed
    int committed = -1;       // connector reserved at the coming (or current) intersection
    double waiting_since = -1;  // held at the gate by conflicting traffic since (s), else -1
    IdmParams idm;
    Rng rng;
};

struct DriveInputs {
    const RoadNetwork & net;
    const std::vector<TrafficLight> & lights;  // per node
    LaneOccupancy & occupancy;
    double time;
};

// Extends the route until it reaches `horizon` metres past the reference point.
void plan_route(LaneFollower & f, const RoadNetwork & net, double horizon = 130.0);
// Records the follower's lane spans, reservation and waiting claim in the occupancy.
void register_follower(const LaneFollower & f, const RoadNetwork & net, LaneOccupancy & occ);
// Longitudinal acceleration for this step; may reserve a connector (visible to later callers).
double lane_driver_accel(LaneFollower & f, DriveInputs & in);
// Moves the reference point ds metres along the route, updating lanes and the reservation.
void advance_follower(LaneFollower & f, const RoadNetwork & net, double ds);
// Point and unit tangent `ds` metres from the reference point along the route (negative: behind).
Vec2 follower_point(const LaneFollower & f, const RoadNetwork & net, double ds, Vec2 * tangent = nullptr);
// Drops the reservation once the whole vehicle has left the connector.
void update_commitment(LaneFollower & f, const RoadNetwork & net);

}  // namespace rs
