#include "engine/parking.h"

#include <cmath>

#include "engine/vec2_ops.h"

namespace rs {

using namespace vec2_ops;

namespace {

ObjectClass parked_class(Rng & rng) {
    double u = rng.uniform();
    if (u < 0.80) return ObjectClass::car;
    if (u < 0.86) return ObjectClass::truck;
    if (u < 0.89) return ObjectClass::trailer;
    if (u < 0.94) return ObjectClass::motorcycle;
    if (u < 0.98) return ObjectClass::bicycle;
    return ObjectClass::construction_vehicle;
}

}  // namespace

std::vector<PlacedAgent> place_parked_vehicles(const RoadNetwork & net, double fill, Rng & rng, uint32_t & next_id) {
    std::vector<PlacedAgent> out;
    for (const Road & road : net.roads) {
        if (!road.parking) continue;
        const Polyline & c = road.centre;
        for (int side = 0; side < 2; ++side) {
            // Right-hand traffic: the right kerb (negative offset) faces along the centre line.
            double sign = side == 0 ? -1.0 : 1.0;
            double s = 9.0 + rng.uniform(0.0, 6.0);
            while (true) {
                ObjectClass cls = parked_class(rng);
                bool cycle = cls == ObjectClass::bicycle || cls == ObjectClass::motorcycle;
                Vec3 size = sample_agent_size(cls, false, rng);
                if (s + size.y + 9.0 > c.length()) break;
                if (rng.uniform() < fill) {
                    double sc = s + size.y / 2;
                    double lateral = road.lanes_half_width + 0.2 + size.x / 2;
                    Vec2 t = c.tangent_at(sc);
                    Vec2 p = c.point_at(sc) + left_of(t) * (sign * lateral);
                    PlacedAgent a;
                    a.state.instance_id = next_id++;
                    a.state.cls = cls;
                    a.state.size = size;
                    a.state.box.translation = {p.x, p.y, size.z / 2};
                    a.state.box.rotation = Quat::from_yaw(heading_of(t) + (side == 0 ? 0.0 : kPi));
                    a.state.attribute = cycle ? "cycle.without_rider" : "vehicle.parked";
                    a.look = sample_agent_look(cls, rng);
                    a.look.with_rider = false;
                    out.push_back(a);
                    s += size.y + rng.uniform(0.8, 2.5);
                } else {
                    s += rng.uniform(3.0, 9.0);
                }
            }
        }
    }
    return out;
}

}  // namespace rs
