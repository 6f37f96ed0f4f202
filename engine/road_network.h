// The town's road layout: a jittered grid of intersections joined by straight or curved roads with
// 1-3 lanes per direction, intersection connector lanes, crosswalks, sidewalks and the paint and
// ground pieces that the mesh and BEV builders draw. Right-hand traffic.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "engine/geometry.h"
#include "engine/polyline.h"
#include "engine/random.h"

namespace rs {

constexpr double kLaneWidth = 3.5;
constexpr double kSidewalkWidth = 3.0;
constexpr double kSidewalkHeight = 0.15;
constexpr double kParkingWidth = 2.6;

// Arms of an intersection, counter-clockwise: east 0, north 1, west 2, south 3.
Vec2 arm_direction(int arm);

struct ArmInfo {
    int road = -1;               // -1: no road leaves this side
    double half_width = 0;       // the road's full half width (lanes + parking or shoulder)
    std::vector<int> in_lanes;   // lanes arriving through this arm, [0] next to the centre line
    std::vector<int> out_lanes;  // lanes leaving through this arm, [0] next to the centre line
    int crosswalk = -1;
};

struct Node {
    Vec2 centre;
    double hx = 0, hy = 0;  // half extents of the drivable intersection rectangle
    std::array<ArmInfo, 4> arms;
    int degree = 0;
    bool signalised = false;       // 3- and 4-way junctions have lights and crosswalks
    std::vector<int> connectors;   // connector lanes inside this intersection
    double half_extent(int arm) const { return arm % 2 == 0 ? hx : hy; }
    // Pedestrian corner in quadrant q (0 NE, 1 NW, 2 SW, 3 SE), on the sidewalk ring.
    Vec2 corner(int q) const;
};

struct Road {
    int node_a = -1, node_b = -1;  // centre line runs from a to b
    int arm_a = -1, arm_b = -1;    // the arm of each node the road attaches to
    Polyline centre;
    int lanes = 1;                 // per direction
    bool parking = false;          // parking strip on both sides
    bool curved = false;
    double lanes_half_width = 0;   // lanes * kLaneWidth
    double half_width = 0;         // up to the kerb
    std::vector<int> forward, backward;  // lane ids, [0] next to the centre line
};

struct Lane {
    Polyline path;
    bool connector = false;
    int road = -1;          // road lanes
    int node = -1;          // connectors: their intersection
    int start_node = -1, end_node = -1;
    int arm_in = -1;        // road lanes: arm of end_node they arrive through; connectors: entry arm
    int arm_out = -1;       // connectors: exit arm
    int index = 0;          // road lanes: 0 next to the centre line
    int turn = 0;           // connectors: -1 right, 0 straight, +1 left
    int from_lane = -1;     // connectors: the incoming road lane
    std::vector<int> next;  // lanes that continue this one
    double speed_limit = 1e9;  // m/s, from curvature
    double gate_s = -1;     // road lanes: where fronts wait before entering the intersection
    bool stop_line = false; // the gate is painted (signalised junction)
    bool blocked = false;   // closed by a work zone: never driven
    struct CrossingSpan {
        int crosswalk;
        double s0, s1;  // along this lane
    };
    std::vector<CrossingSpan> crossings;
    // Connectors leaving the same lane: they start on top of each other, so a vehicle on a
    // sibling whose rear is still before `clear_s` (along the sibling) is in this one's way.
    struct Sibling {
        int lane;
        double clear_s;
    };
    std::vector<Sibling> siblings;
};

struct Crosswalk {
    int node = -1, arm = -1;
    Vec2 quad[4];               // painted area, counter-clockwise
    int walk_edge = -1;         // sidewalk-graph edge that walks across it
    struct Watch {              // where vehicles on a lane would reach the crosswalk
        int lane;
        double s0, s1;
    };
    std::vector<Watch> watches;
};

// Pedestrian network: corners of intersections joined by sidewalks, ring pieces and crosswalks.
struct SidewalkEdge {
    Polyline path;
    int from = -1, to = -1;     // corner ids (node * 4 + quadrant)
    int crosswalk = -1;         // >= 0: this edge crosses a road
    double road_s0 = 0, road_s1 = 0;  // crosswalks: the part of the path on the carriageway
};

// Flat pieces of ground for meshing and BEV rasterising.
struct GroundPiece {
    enum Kind : uint8_t { road, intersection, sidewalk, crosswalk } kind = road;
    Vec2 v[4];               // counter-clockwise seen from above
    uint8_t side_faces = 0;  // sidewalks: bit i set = draw the vertical face of edge v[i] -> v[i+1]
};

struct PaintStroke {
    Vec2 a, b;
    double width = 0.15;
    bool yellow = false;
    bool lane_line = true;  // counts as a lane line in the BEV (zebra stripes do not)
};

struct RoadNetwork {
    std::vector<Node> nodes;
    std::vector<Road> roads;
    std::vector<Lane> lanes;
    std::vector<Crosswalk> crosswalks;
    std::vector<SidewalkEdge> sidewalk_edges;
    std::vector<std::vector<int>> corner_edges;  // per corner id: incident sidewalk edges
    std::vector<GroundPiece> ground;
    std::vector<PaintStroke> paint;
    // Per intersection: conflict[i][j] for connectors node.connectors[i], node.connectors[j].
    std::vector<std::vector<std::vector<uint8_t>>> conflicts;
    std::vector<int> connector_slot;  // lane id -> index within its node's connector list (-1 for road lanes)
    Vec2 bounds_min, bounds_max;      // everything built lies inside

    // Whether `p` lies on a carriageway or sidewalk, widened by `margin`: keeps scenery off the street.
    bool near_street(Vec2 p, double margin) const;
    bool connectors_conflict(int a, int b) const;
};

// Builds a town of blocks x blocks intersections. `closures` roads get their rightmost lane in one
// direction closed for a work zone; the ids of the closed lanes are returned through `closed_lanes`.
RoadNetwork build_road_network(int blocks, int closures, Rng & rng, std::vector<int> & closed_lanes);

}  // namespace rs
