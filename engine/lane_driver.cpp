#include "engine/lane_driver.h"

#include <algorithm>
#include <cmath>

#include "engine/vec2_ops.h"

namespace rs {

using namespace vec2_ops;

namespace {

constexpr double kMaxBrake = 9.0;          // emergency braking limit, m/s^2
constexpr double kYellowDecel = 3.5;       // stop for yellow if this decel suffices
constexpr double kLookAhead = 90.0;        // metres scanned for leaders and rules
constexpr double kCrosswalkLookAhead = 40.0;
constexpr double kCrossingNear = 3.0;      // a person this close to the lane's crossing point blocks it
constexpr double kCrossingWatch = 8.0;     // and one walking towards it from this far
constexpr double kQueueGap = 2.5;          // bumper gap assumed in a standing queue
constexpr double kQueueSlot = 7.0;         // room kept for a vehicle already let in

double lane_length(const RoadNetwork & net, int lane) { return net.lanes[lane].path.length(); }

bool signal_permits(const DriveInputs & in, const Lane & lane, double gate_dist, double speed) {
    const Node & node = in.net.nodes[lane.end_node];
    if (!node.signalised) return true;
    Signal sig = in.lights[lane.end_node].state(lane.arm_in, in.time);
    if (sig == Signal::green) return true;
    if (sig == Signal::yellow) return gate_dist < speed * speed / (2 * kYellowDecel);
    return false;
}

bool conflict_free(const DriveInputs & in, int connector, uint32_t owner) {
    int node = in.net.lanes[connector].node;
    for (const Reservation & r : in.occupancy.reservations(node))
        if (r.owner != owner && in.net.connectors_conflict(connector, r.connector)) return false;
    return true;
}

// Someone on the crosswalk is in this lane's path or walking into it within a few seconds.
bool crossing_blocked(const DriveInputs & in, const Lane & lane, const Lane::CrossingSpan & cs) {
    const std::vector<CrosswalkPerson> & people = in.occupancy.crosswalk_people(cs.crosswalk);
    if (people.empty()) return false;
    Vec2 p = lane.path.point_at(0.5 * (cs.s0 + cs.s1));
    for (const CrosswalkPerson & person : people) {
        Vec2 d = p - person.position;
        double dist = length(d);
        if (dist < kCrossingNear || (dist < kCrossingWatch && dot(person.velocity, d) > 0)) return true;
    }
    return false;
}

// People are in the way on the crosswalk this connector leads over: wait at the line rather
// than stop inside the junction and block it.
bool exit_crosswalk_blocked(const DriveInputs & in, int connector) {
    const Lane & lane = in.net.lanes[connector];
    for (const Lane::CrossingSpan & cs : lane.crossings)
        if (crossing_blocked(in, lane, cs)) return true;
    return false;
}

// Someone on a conflicting connector has been waiting longer: let them go first, so a steady
// stream on one approach cannot starve another.
bool earlier_claim(const DriveInputs & in, int connector, const LaneFollower & f) {
    int node = in.net.lanes[connector].node;
    double mine = f.waiting_since < 0 ? in.time : f.waiting_since;
    for (const Claim & c : in.occupancy.claims(node)) {
        if (c.owner == f.owner || !in.net.connectors_conflict(connector, c.connector)) continue;
        if (c.since < mine || (c.since == mine && c.owner < f.owner)) return true;
    }
    return false;
}

// Do not block the junction: the exit lane must have room for the whole vehicle right now, and
// its queue (everyone on it or already let in towards it) must fit before its own stop line.
bool exit_has_room(const DriveInputs & in, const LaneFollower & f, int node, int exit_lane) {
    double length = f.front + f.tail;
    double need = length + 3.0;
    double used = 0;
    for (const LaneSpan & sp : in.occupancy.spans(exit_lane)) {
        if (sp.owner == f.owner) continue;
        if (sp.rear < need && sp.speed < 1.0) return false;
        used += sp.front - sp.rear + kQueueGap;
    }
    for (const Reservation & r : in.occupancy.reservations(node))
        if (r.owner != f.owner && in.net.lanes[r.connector].next[0] == exit_lane) used += kQueueSlot;
    const Lane & exit = in.net.lanes[exit_lane];
    return used + length + kQueueGap <= std::max(exit.gate_s, length + kQueueGap);
}

}  // namespace

void plan_route(LaneFollower & f, const RoadNetwork & net, double horizon) {
    if (f.route.empty()) return;
    double ahead = lane_length(net, f.route[0]) - f.s;
    for (size_t i = 1; i < f.route.size(); ++i) ahead += lane_length(net, f.route[i]);
    while (ahead < horizon) {
        const Lane & last = net.lanes[f.route.back()];
        if (last.next.empty()) break;
        // Prefer going straight; turns are half as likely each.
        double total = 0;
        for (int c : last.next) total += net.lanes[c].turn == 0 ? 2.0 : 1.0;
        double u = f.rng.uniform() * total;
        int chosen = last.next.back();
        for (int c : last.next) {
            double w = net.lanes[c].turn == 0 ? 2.0 : 1.0;
            if (u < w) { chosen = c; break; }
            u -= w;
        }
        f.route.push_back(chosen);
        ahead += lane_length(net, chosen);
    }
}

void register_follower(const LaneFollower & f, const RoadNetwork & net, LaneOccupancy & occ) {
    if (f.route.empty()) return;
    LaneSpan span{f.s - f.tail, f.s + f.front, f.speed, f.owner};
    occ.add_span(f.route[0], span);
    // Overhang into the next lane and tails left on lanes behind.
    double len0 = lane_length(net, f.route[0]);
    if (span.front > len0 && f.route.size() > 1)
        occ.add_span(f.route[1], {span.rear - len0, span.front - len0, f.speed, f.owner});
    double offset = 0;
    for (int lane : f.behind) {
        if (span.rear + offset >= 0) break;
        offset += lane_length(net, lane);
        occ.add_span(lane, {span.rear + offset, span.front + offset, f.speed, f.owner});
    }
    if (f.committed >= 0) occ.reserve(net.lanes[f.committed].node, f.committed, f.owner);
    if (f.waiting_since >= 0 && f.route.size() > 1 && net.lanes[f.route[1]].connector)
        occ.claim(net.lanes[f.route[1]].node, {f.route[1], f.owner, f.waiting_since});
}

double lane_driver_accel(LaneFollower & f, DriveInputs & in) {
    const RoadNetwork & net = in.net;
    double v = f.speed;
    double v0 = f.idm.desired_speed;
    double b = f.idm.comfort_decel;
    double base = -(f.s + f.front);  // start of route[i] relative to the front bumper
    double leader_gap = 1e9, leader_speed = 0;
    double obstacle_gap = 1e9;       // nearest stationary obstacle: stop line or crosswalk
    for (size_t i = 0; i < f.route.size() && base < kLookAhead; ++i) {
        const Lane & lane = net.lanes[f.route[i]];
        double len = lane.path.length();
        if (lane.speed_limit < v0) {
            double d = std::max(0.0, base);
            v0 = std::min(v0, std::sqrt(lane.speed_limit * lane.speed_limit + 2 * b * d));
        }
        for (const LaneSpan & sp : in.occupancy.spans(f.route[i])) {
            if (sp.owner == f.owner || base + sp.front <= 0) continue;
            double gap = base + sp.rear;
            if (gap < leader_gap) { leader_gap = gap; leader_speed = sp.speed; }
        }
        for (const Lane::Sibling & sib : lane.siblings)
            for (const LaneSpan & sp : in.occupancy.spans(sib.lane)) {
                if (sp.owner == f.owner || sp.rear >= sib.clear_s || base + sp.front <= 0) continue;
                double gap = base + std::max(sp.rear, 0.0);
                if (gap < leader_gap) { leader_gap = gap; leader_speed = sp.speed; }
            }
        for (const Lane::CrossingSpan & cs : lane.crossings) {
            double d0 = base + cs.s0;
            if (d0 > 0.5 && d0 < kCrosswalkLookAhead && crossing_blocked(in, lane, cs))
                obstacle_gap = std::min(obstacle_gap, d0 - 1.0);
        }
        bool held = false;
        if (!lane.connector && i + 1 < f.route.size()) {
            int connector = f.route[i + 1];
            double gate = base + lane.gate_s;
            if (f.committed == connector) {
                // Lost the light before reaching the line but can still stop comfortably: give up.
                if (gate > 0 && !signal_permits(in, lane, gate, v) && gate > v * v / (2 * kYellowDecel) + 1.0)
                    f.committed = -1;
            }
            if (f.committed != connector) {
                if (gate <= 0) {
                    // Already past the line without a reservation (placed there): clear out.
                    f.committed = connector;
                    in.occupancy.reserve(lane.end_node, connector, f.owner);
                } else if (gate < 60.0) {
                    bool permitted = signal_permits(in, lane, gate, v) && !exit_crosswalk_blocked(in, connector) &&
                                     (i + 2 >= f.route.size() || exit_has_room(in, f, lane.end_node, f.route[i + 2]));
                    bool clear = conflict_free(in, connector, f.owner) && !earlier_claim(in, connector, f);
                    bool go = permitted && clear;
                    // Queue for the junction only while the light and the exit would let us in.
                    if (i == 0 && gate < 8.0 && permitted && !clear) {
                        if (f.waiting_since < 0) f.waiting_since = in.time;
                    } else if (i == 0) {
                        f.waiting_since = -1;
                    }
                    if (!go) {
                        obstacle_gap = std::min(obstacle_gap, gate);
                        held = true;
                    } else if (gate < v * v / (2 * b) + 8.0 && f.committed < 0) {
                        f.committed = connector;
                        in.occupancy.reserve(lane.end_node, connector, f.owner);
                    } else if (f.committed >= 0) {
                        // Still holding the previous junction: wait here before taking this one.
                        obstacle_gap = std::min(obstacle_gap, gate);
                        held = true;
                    }
                }
            }
        }
        if (held) break;
        base += len;
    }
    IdmParams p = f.idm;
    p.desired_speed = std::max(v0, 0.5);
    double a = idm_free_accel(p, v);
    if (leader_gap < 1e8) a = std::min(a, idm_accel(p, v, leader_gap, leader_speed));
    if (obstacle_gap < 1e8) a = std::min(a, idm_accel(p, v, obstacle_gap, 0.0));
    return std::clamp(a, -kMaxBrake, p.max_accel);
}

void update_commitment(LaneFollower & f, const RoadNetwork & net) {
    if (f.committed < 0 || f.route.empty()) return;
    if (f.route[0] == f.committed || (f.route.size() > 1 && f.route[1] == f.committed)) return;
    // Tail still on the connector?
    double rear = f.s - f.tail;
    for (int lane : f.behind) {
        if (rear >= 0) break;
        if (lane == f.committed) return;
        rear += lane_length(net, lane);
    }
    f.committed = -1;
}

void advance_follower(LaneFollower & f, const RoadNetwork & net, double ds) {
    f.s += ds;
    while (f.route.size() > 1 && f.s >= lane_length(net, f.route[0])) {
        f.s -= lane_length(net, f.route[0]);
        f.behind.insert(f.behind.begin(), f.route[0]);
        if (f.behind.size() > 4) f.behind.pop_back();
        f.route.erase(f.route.begin());
    }
    update_commitment(f, net);
}

Vec2 follower_point(const LaneFollower & f, const RoadNetwork & net, double ds, Vec2 * tangent) {
    double pos = f.s + ds;
    int lane = f.route[0];
    if (pos >= 0) {
        for (size_t i = 0; i + 1 < f.route.size() && pos > lane_length(net, lane); ++i) {
            pos -= lane_length(net, lane);
            lane = f.route[i + 1];
        }
    } else {
        for (size_t i = 0; i < f.behind.size() && pos < 0; ++i) {
            lane = f.behind[i];
            pos += lane_length(net, lane);
        }
    }
    const Polyline & path = net.lanes[lane].path;
    if (tangent) *tangent = path.tangent_at(pos);
    return path.point_at(pos);
}

}  // namespace rs
