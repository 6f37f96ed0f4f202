#include "engine/vehicle_agent.h"

#include <cmath>

#include "engine/vec2_ops.h"

namespace rs {

using namespace vec2_ops;

namespace {

constexpr double kMaxCurveShift = 0.25;  // m

AgentState box_between(const VehicleAgent & v, const RoadNetwork & net, double front_ds, double rear_ds,
                       const Vec3 & size, ObjectClass cls, uint32_t id) {
    Vec2 front = follower_point(v.drive, net, front_ds);
    Vec2 rear = follower_point(v.drive, net, rear_ds);
    Vec2 middle = follower_point(v.drive, net, 0.5 * (front_ds + rear_ds));
    Vec2 dir = normalized(front - rear);
    // On gentle road curves, halfway between the chord and the path: the box then overhangs the
    // lane equally at its middle and its ends, half as much as either alone. In tight turns the
    // shift is capped so long vehicles keep cutting the corner as real ones do.
    Vec2 chord_mid = lerp(front, rear, 0.5);
    Vec2 shift = (middle - chord_mid) * 0.5;
    double shift_len = length(shift);
    if (shift_len > kMaxCurveShift) shift = shift * (kMaxCurveShift / shift_len);
    Vec2 centre = chord_mid + shift;
    AgentState a;
    a.instance_id = id;
    a.cls = cls;
    a.size = size;
    a.box.translation = {centre.x, centre.y, size.z / 2};
    a.box.rotation = Quat::from_yaw(heading_of(dir));
    a.velocity = {dir.x * v.drive.speed, dir.y * v.drive.speed, 0};
    bool cycle = cls == ObjectClass::bicycle || cls == ObjectClass::motorcycle;
    if (cycle) a.attribute = "cycle.with_rider";
    else a.attribute = v.drive.speed > 0.3 ? "vehicle.moving" : "vehicle.stopped";
    return a;
}

}  // namespace

void set_vehicle_extents(VehicleAgent & v) {
    v.drive.front = v.size.y / 2;
    v.drive.tail = v.size.y / 2 + (v.has_trailer ? VehicleAgent::kHitchGap + v.trailer_size.y : 0.0);
}

AgentState vehicle_state(const VehicleAgent & v, const RoadNetwork & net) {
    double half = v.size.y / 2;
    return box_between(v, net, half, -half, v.size, v.cls, v.id);
}

AgentState trailer_state(const VehicleAgent & v, const RoadNetwork & net) {
    double front = -v.size.y / 2 - VehicleAgent::kHitchGap;
    AgentState a = box_between(v, net, front, front - v.trailer_size.y, v.trailer_size, ObjectClass::trailer,
                               v.trailer_id);
    a.attribute = v.drive.speed > 0.3 ? "vehicle.moving" : "vehicle.stopped";
    return a;
}

}  // namespace rs
