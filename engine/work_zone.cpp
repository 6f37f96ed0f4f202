#include "engine/work_zone.h"

#include <algorithm>
#include <cmath>

#include "engine/vec2_ops.h"

namespace rs {

using namespace vec2_ops;

namespace {

PlacedAgent make_object(ObjectClass cls, Vec2 p, double yaw, Rng & rng, uint32_t & next_id, const char * attribute) {
    PlacedAgent a;
    a.state.instance_id = next_id++;
    a.state.cls = cls;
    a.state.size = sample_agent_size(cls, false, rng);
    a.state.box.translation = {p.x, p.y, a.state.size.z / 2};
    a.state.box.rotation = Quat::from_yaw(yaw);
    a.state.attribute = attribute;
    a.look = sample_agent_look(cls, rng);
    return a;
}

}  // namespace

WorkZone place_work_zone(const RoadNetwork & net, int lane_id, Rng & rng, uint32_t & next_id) {
    WorkZone zone;
    const Polyline & path = net.lanes[lane_id].path;
    double len = path.length();
    double s0 = std::max(14.0, len * rng.uniform(0.25, 0.35));
    double s1 = std::min(len - 10.0, s0 + std::max(18.0, len * 0.35));
    auto at = [&](double s, double lateral) { return path.point_at(s) + left_of(path.tangent_at(s)) * lateral; };
    const double half_lane = kLaneWidth / 2;

    // Taper: cones sweeping from the kerb to the lane's open side, then cones closing the far end.
    const int taper = 5;
    for (int i = 0; i < taper; ++i) {
        double t = double(i) / (taper - 1);
        double s = s0 - 12.0 + 12.0 * t;
        zone.objects.push_back(make_object(ObjectClass::traffic_cone, at(s, -1.2 + 2.5 * t), path.heading_at(s),
                                           rng, next_id, ""));
    }
    for (int i = 0; i < 3; ++i) {
        double s = s1 + 2.0 + 2.5 * i;
        zone.objects.push_back(make_object(ObjectClass::traffic_cone, at(s, 1.3 - 1.2 * i), path.heading_at(s), rng,
                                           next_id, ""));
    }
    // Barriers along the open side; a barrier's length runs along its box's y axis.
    double pitch = 2.9;
    for (double s = s0 + 1.5; s < s1 - 1.0; s += pitch) {
        PlacedAgent b = make_object(ObjectClass::barrier, at(s, half_lane - 0.4), path.heading_at(s) + kPi / 2, rng,
                                    next_id, "");
        b.state.size.x = std::min(b.state.size.x, pitch - 0.2);
        zone.objects.push_back(b);
    }
    // The machine, kept clear of the barrier line.
    double sm = 0.5 * (s0 + s1);
    PlacedAgent machine =
        make_object(ObjectClass::construction_vehicle, at(sm, 0), path.heading_at(sm), rng, next_id, "vehicle.parked");
    machine.state.size.x = std::min(machine.state.size.x, 2.55);
    machine.state.size.y = std::min(machine.state.size.y, s1 - s0 - 6.0);
    Vec2 mp = at(sm, half_lane - 0.7 - machine.state.size.x / 2);
    machine.state.box.translation = {mp.x, mp.y, machine.state.size.z / 2};
    zone.objects.push_back(machine);
    double sw = std::min(sm + machine.state.size.y / 2 + 2.0, s1 - 1.0);
    zone.worker_position = at(sw, -0.3);
    zone.worker_yaw = path.heading_at(sw) + rng.uniform(-2.0, 2.0);
    return zone;
}

}  // namespace rs
