#include "engine/pedestrian.h"

#include <algorithm>
#include <cmath>

#include "engine/vec2_ops.h"

namespace rs {

using namespace vec2_ops;

namespace {

constexpr double kLateralDrift = 0.3;  // m/s towards the preferred side offset
constexpr double kMaxWait = 45.0;      // give up on a crossing and walk elsewhere

int corner_ahead(const Pedestrian & p, const RoadNetwork & net) {
    const SidewalkEdge & e = net.sidewalk_edges[p.edge];
    return p.dir > 0 ? e.to : e.from;
}

// No vehicle is on the crossing or close enough to reach it soon.
bool crossing_clear(const Crosswalk & cw, const LaneOccupancy & occ) {
    for (const Crosswalk::Watch & w : cw.watches)
        for (const LaneSpan & sp : occ.spans(w.lane))
            if (sp.front > w.s0 - (4.0 + 3.0 * sp.speed) && sp.rear < w.s1 + 1.0) return false;
    return true;
}

}  // namespace

void choose_next_edge(Pedestrian & p, const RoadNetwork & net) {
    const std::vector<int> & options = net.corner_edges[corner_ahead(p, net)];
    std::vector<int> others;
    for (int e : options)
        if (e != p.edge) others.push_back(e);
    if (others.empty()) { p.next_edge = p.edge; return; }
    p.next_edge = others[p.rng.range(0, int(others.size()))];
}

void step_pedestrian(Pedestrian & p, const RoadNetwork & net, const std::vector<TrafficLight> & lights,
                     const LaneOccupancy & occ, double time, double dt) {
    if (p.standing) { p.speed = 0; return; }
    const SidewalkEdge & e = net.sidewalk_edges[p.edge];
    double len = e.path.length();
    double remaining = p.dir > 0 ? len - p.s : p.s;
    p.speed = p.desired_speed;
    if (remaining <= 0) {
        const SidewalkEdge & next = net.sidewalk_edges[p.next_edge];
        bool go = true;
        if (next.crosswalk >= 0) {
            const Crosswalk & cw = net.crosswalks[next.crosswalk];
            double crossing_time = next.path.length() / p.desired_speed;
            go = lights[cw.node].walk_allowed(cw.arm, time, crossing_time) && crossing_clear(cw, occ);
        }
        if (!go) {
            p.speed = 0;
            p.waited += dt;
            if (p.waited > kMaxWait) { choose_next_edge(p, net); p.waited = 0; }
            return;
        }
        int corner = corner_ahead(p, net);
        p.waited = 0;
        p.edge = p.next_edge;
        p.dir = next.from == corner ? 1 : -1;
        p.s = p.dir > 0 ? 0 : next.path.length();
        // Keep the person where they are: re-express the side offset on the new path.
        Polyline::Projection pr = next.path.project(p.position);
        p.lateral = std::clamp(pr.lateral, -1.2, 1.2);
        p.lateral_goal = p.rng.uniform(-0.9, 0.9);
        choose_next_edge(p, net);
        remaining = next.path.length();
    }
    double step = std::min(p.speed * dt, remaining);
    p.s += p.dir * step;
    double dl = p.lateral_goal - p.lateral;
    double max_dl = kLateralDrift * dt;
    p.lateral += std::clamp(dl, -max_dl, max_dl);
}

void update_pedestrian_pose(Pedestrian & p, const RoadNetwork & net) {
    const SidewalkEdge & e = net.sidewalk_edges[p.edge];
    Vec2 t = e.path.tangent_at(p.s);
    p.position = e.path.point_at(p.s) + left_of(t) * p.lateral;
    p.heading = p.standing ? p.facing : heading_of(t * double(p.dir));
    bool on_road = e.crosswalk >= 0 && p.s > e.road_s0 && p.s < e.road_s1;
    p.ground = on_road ? 0.0 : kSidewalkHeight;
}

bool on_crosswalk(const Pedestrian & p, const RoadNetwork & net) {
    const SidewalkEdge & e = net.sidewalk_edges[p.edge];
    if (e.crosswalk < 0) return false;
    double len = e.path.length();
    double remaining = p.dir > 0 ? len - p.s : p.s;
    return remaining > 0;
}

AgentState pedestrian_state(const Pedestrian & p) {
    AgentState a;
    a.instance_id = p.id;
    a.cls = ObjectClass::pedestrian;
    a.size = p.size;
    a.box.translation = {p.position.x, p.position.y, p.ground + p.size.z / 2};
    a.box.rotation = Quat::from_yaw(p.heading);
    double v = p.standing ? 0.0 : p.speed;
    a.velocity = {std::cos(p.heading) * v, std::sin(p.heading) * v, 0};
    a.attribute = v > 0.2 ? "pedestrian.moving" : "pedestrian.standing";
    return a;
}

}  // namespace rs
