#include "engine/world.h"

#include <algorithm>
#include <cmath>

#include "engine/agent_catalog.h"
#include "engine/agent_mesh.h"
#include "engine/bev_raster.h"
#include "engine/ego_driver.h"
#include "engine/lane_driver.h"
#include "engine/lane_occupancy.h"
#include "engine/parking.h"
#include "engine/pedestrian.h"
#include "engine/road_network.h"
#include "engine/scenery.h"
#include "engine/traffic_light.h"
#include "engine/vec2_ops.h"
#include "engine/vehicle_agent.h"
#include "engine/work_zone.h"
#include "engine/world_mesh.h"

namespace rs {

using namespace vec2_ops;

namespace {

constexpr double kVehicleSpacing = 30.0;     // lane metres per moving vehicle at density 1
constexpr double kPedestrianSpacing = 12.0;  // sidewalk metres per person at density 1
constexpr double kMaxMovingWidth = 2.95;     // wider boxes would not fit a 3.5 m lane on curves
// Town traffic can lock up (a ring of full lanes, each waiting on the next). Like SUMO's
// teleporting, a vehicle stuck this long out of the ego's sight is replaced by a new one elsewhere.
constexpr double kStuckLimit = 60.0;
constexpr double kOutOfSight = 70.0;

ObjectClass traffic_class(Rng & rng) {
    double u = rng.uniform();
    if (u < 0.72) return ObjectClass::car;
    if (u < 0.80) return ObjectClass::truck;
    if (u < 0.85) return ObjectClass::bus;
    if (u < 0.91) return ObjectClass::motorcycle;
    if (u < 0.98) return ObjectClass::bicycle;
    return ObjectClass::construction_vehicle;
}

IdmParams idm_for(ObjectClass cls, double desired_speed) {
    IdmParams p;
    p.desired_speed = desired_speed;
    switch (cls) {
    case ObjectClass::truck:
    case ObjectClass::bus:
    case ObjectClass::construction_vehicle: p.max_accel = 1.0; p.comfort_decel = 1.8; break;
    case ObjectClass::motorcycle: p.max_accel = 2.0; break;
    case ObjectClass::bicycle: p.max_accel = 0.8; p.min_gap = 1.5; break;
    default: break;
    }
    return p;
}

// Picks an index with probability proportional to weights (given as a running sum).
int pick_weighted(const std::vector<double> & cumulative, Rng & rng) {
    double u = rng.uniform() * cumulative.back();
    int i = int(std::upper_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin());
    return std::min(i, int(cumulative.size()) - 1);
}

Lighting lighting_for(double hour) {
    Lighting l;
    double t = std::fmod(std::fmod(hour, 24.0) + 24.0, 24.0);
    double day = (t - 6.0) / 12.0;  // 0 at sunrise, 1 at sunset
    const double max_elevation = 62.0 * kPi / 180.0;
    double elevation = std::sin(kPi * day) * max_elevation;
    if (day < 0 || day > 1) elevation = -std::fabs(std::sin(kPi * day)) * 0.3;
    double azimuth = -kPi * day;  // east in the morning, south at noon, west in the evening
    double ce = std::cos(std::max(elevation, 0.03));
    l.sun_direction = Vec3{ce * std::cos(azimuth), ce * std::sin(azimuth), std::sin(std::max(elevation, 0.03))};
    double height = std::clamp(elevation / max_elevation, 0.0, 1.0);
    l.sun_intensity = float(std::clamp(0.2 + 0.8 * std::sqrt(height), 0.08, 1.0));
    if (elevation < 0) l.sun_intensity = float(std::max(0.08, 0.2 + elevation * 1.5));
    // Warm, low sky near sunset; dark blue at night.
    double warm = 1.0 - std::clamp(elevation / (25.0 * kPi / 180.0), 0.0, 1.0);
    double night = std::clamp(-elevation / 0.15, 0.0, 1.0);
    const double day_top[3] = {92, 142, 210}, day_hor[3] = {196, 214, 232};
    const double dusk_top[3] = {72, 86, 140}, dusk_hor[3] = {238, 160, 104};
    const double night_top[3] = {12, 16, 34}, night_hor[3] = {36, 42, 66};
    for (int i = 0; i < 3; ++i) {
        double top = day_top[i] + (dusk_top[i] - day_top[i]) * warm;
        double hor = day_hor[i] + (dusk_hor[i] - day_hor[i]) * warm;
        top += (night_top[i] - top) * night;
        hor += (night_hor[i] - hor) * night;
        l.sky_top[i] = uint8_t(std::clamp(top, 0.0, 255.0));
        l.sky_horizon[i] = uint8_t(std::clamp(hor, 0.0, 255.0));
    }
    return l;
}

}  // namespace

struct World::Impl {
    Scenario scenario;
    uint64_t steps = 0;
    uint32_t next_id = 1;
    RoadNetwork net;
    std::vector<TrafficLight> lights;
    Scenery scenery;
    SceneMesh static_mesh;
    std::vector<VehicleAgent> vehicles;
    std::vector<PlacedAgent> fixtures;  // parked vehicles and work-zone objects
    std::vector<Pedestrian> people;
    EgoDriver ego;
    LaneOccupancy occupancy;
    Rng respawn_rng;
    std::vector<int> open_lanes;           // road lanes traffic may start on
    std::vector<double> open_cumulative;   // running sum of their lengths

    explicit Impl(const Scenario & s);
    void place_ego(Rng & rng);
    void spawn_traffic(Rng & rng);
    void respawn_stuck();
    void spawn_people(Rng & rng, const std::vector<WorkZone> & zones);
    void step(const EgoControl & control);
};

World::Impl::Impl(const Scenario & s) : scenario(s) {
    Rng root(s.seed);
    Rng layout_rng = root.fork(1), scenery_rng = root.fork(2), light_rng = root.fork(3), fixture_rng = root.fork(4);
    Rng ego_rng = root.fork(5), traffic_rng = root.fork(6), people_rng = root.fork(7);
    respawn_rng = root.fork(8);

    int blocks = std::clamp(s.town_blocks, 2, 12);
    std::vector<int> closed;
    net = build_road_network(blocks, std::max(1, blocks * blocks / 8), layout_rng, closed);
    for (size_t i = 0; i < net.nodes.size(); ++i) {
        double green_ew = light_rng.uniform(14.0, 24.0), green_ns = light_rng.uniform(12.0, 22.0);
        double cycle = TrafficLight(green_ew, green_ns, 0.0).cycle();
        lights.push_back(TrafficLight(green_ew, green_ns, light_rng.uniform(0.0, cycle)));
    }
    scenery = place_scenery(net, scenery_rng);
    static_mesh = build_static_mesh(net, scenery);

    std::vector<WorkZone> zones;
    for (int lane : closed) {
        zones.push_back(place_work_zone(net, lane, fixture_rng, next_id));
        fixtures.insert(fixtures.end(), zones.back().objects.begin(), zones.back().objects.end());
    }
    double density = std::clamp(s.traffic_density, 0.0, 1.0);
    std::vector<PlacedAgent> parked = place_parked_vehicles(net, 0.3 + 0.4 * density, fixture_rng, next_id);
    fixtures.insert(fixtures.end(), parked.begin(), parked.end());

    place_ego(ego_rng);
    spawn_traffic(traffic_rng);
    spawn_people(people_rng, zones);
}

void World::Impl::place_ego(Rng & rng) {
    // Start on a long lane whose light will be green when the ego gets there, so a run
    // begins with driving rather than a wait.
    std::vector<int> candidates;
    for (size_t i = 0; i < net.lanes.size(); ++i) {
        const Lane & l = net.lanes[i];
        if (l.connector || l.blocked || l.path.length() < 50.0) continue;
        const Node & end = net.nodes[l.end_node];
        if (end.signalised && lights[l.end_node].state(l.arm_in, 10.0) != Signal::green) continue;
        candidates.push_back(int(i));
    }
    if (candidates.empty())
        for (size_t i = 0; i < net.lanes.size(); ++i)
            if (!net.lanes[i].connector && !net.lanes[i].blocked) candidates.push_back(int(i));
    int lane = candidates[rng.range(0, int(candidates.size()))];
    double s = std::min(15.0, net.lanes[lane].path.length() / 3);
    ego.place(net, lane, s, rng.fork(1));
}

void World::Impl::spawn_traffic(Rng & rng) {
    struct Taken {
        int lane;
        double rear, front;
    };
    std::vector<Taken> taken;
    const LaneFollower & ef = ego.follower();
    taken.push_back({ef.route[0], ef.s - ef.tail - 10.0, ef.s + ef.front + 15.0});

    double total = 0;
    for (size_t i = 0; i < net.lanes.size(); ++i) {
        const Lane & l = net.lanes[i];
        if (l.connector || l.blocked) continue;
        open_lanes.push_back(int(i));
        total += l.path.length();
        open_cumulative.push_back(total);
    }
    int count = int(std::lround(std::clamp(scenario.traffic_density, 0.0, 1.0) * total / kVehicleSpacing));
    for (int k = 0; k < count; ++k) {
        for (int attempt = 0; attempt < 30; ++attempt) {
            int lane = open_lanes[pick_weighted(open_cumulative, rng)];
            const Lane & l = net.lanes[lane];
            VehicleAgent v;
            // The first few are one of each rarer class, so every town shows them all.
            static const ObjectClass kFirst[] = {ObjectClass::truck, ObjectClass::bus, ObjectClass::motorcycle,
                                                 ObjectClass::bicycle};
            v.cls = k < 4 ? kFirst[k] : traffic_class(rng);
            v.size = sample_agent_size(v.cls, true, rng);
            v.size.x = std::min(v.size.x, kMaxMovingWidth);
            v.look = sample_agent_look(v.cls, rng);
            if (v.cls == ObjectClass::truck && (k == 0 || rng.chance(0.3))) {
                v.has_trailer = true;
                v.trailer_size = sample_agent_size(ObjectClass::trailer, false, rng);
                v.trailer_size.y = std::min(v.trailer_size.y, 13.0);
                v.trailer_size.x = std::min(v.trailer_size.x, kMaxMovingWidth);
                v.trailer_look = sample_agent_look(ObjectClass::trailer, rng);
            }
            set_vehicle_extents(v);
            double lo = v.drive.tail + 2.0, hi = l.gate_s - v.drive.front - 2.0;
            if (hi <= lo) continue;
            double s = rng.uniform(lo, hi);
            bool clear = true;
            for (const Taken & t : taken)
                if (t.lane == lane && s - v.drive.tail - 6.0 < t.front && s + v.drive.front + 6.0 > t.rear) clear = false;
            if (!clear) continue;
            v.id = next_id++;
            if (v.has_trailer) v.trailer_id = next_id++;
            double v0 = sample_desired_speed(v.cls, rng);
            v.drive.owner = v.id;
            v.drive.route = {lane};
            v.drive.s = s;
            v.drive.idm = idm_for(v.cls, v0);
            v.drive.speed = l.gate_s - (s + v.drive.front) > 40.0 ? 0.6 * v0 : 0.0;
            v.drive.rng = rng.fork(v.id);
            plan_route(v.drive, net);
            taken.push_back({lane, s - v.drive.tail, s + v.drive.front});
            vehicles.push_back(std::move(v));
            break;
        }
    }
}

void World::Impl::respawn_stuck() {
    Vec2 ego_pos{ego.state().pose.translation.x, ego.state().pose.translation.y};
    for (VehicleAgent & v : vehicles) {
        if (v.stuck < kStuckLimit) continue;
        AgentState now = vehicle_state(v, net);
        if (distance(Vec2{now.box.translation.x, now.box.translation.y}, ego_pos) < kOutOfSight) continue;
        for (int attempt = 0; attempt < 20; ++attempt) {
            int lane = open_lanes[pick_weighted(open_cumulative, respawn_rng)];
            const Lane & l = net.lanes[lane];
            double lo = v.drive.tail + 2.0, hi = l.gate_s - v.drive.front - 10.0;
            if (hi <= lo) continue;
            double s = respawn_rng.uniform(lo, hi);
            if (distance(l.path.point_at(s), ego_pos) < kOutOfSight) continue;
            bool clear = true;
            for (const LaneSpan & sp : occupancy.spans(lane))
                if (s - v.drive.tail - 8.0 < sp.front && s + v.drive.front + 8.0 > sp.rear) clear = false;
            if (!clear) continue;
            // A new object as far as annotations go: fresh ids, fresh paint.
            v.id = next_id++;
            if (v.has_trailer) v.trailer_id = next_id++;
            v.look = sample_agent_look(v.cls, respawn_rng);
            v.stuck = 0;
            v.accel = 0;
            v.drive.owner = v.id;
            v.drive.route = {lane};
            v.drive.behind.clear();
            v.drive.s = s;
            v.drive.speed = 0;
            v.drive.committed = -1;
            v.drive.waiting_since = -1;
            plan_route(v.drive, net);
            occupancy.add_span(lane, {s - v.drive.tail, s + v.drive.front, 0.0, v.id});
            break;
        }
    }
}

void World::Impl::spawn_people(Rng & rng, const std::vector<WorkZone> & zones) {
    for (const WorkZone & z : zones) {
        Pedestrian p;
        p.id = next_id++;
        p.size = sample_agent_size(ObjectClass::pedestrian, false, rng);
        p.look = sample_agent_look(ObjectClass::pedestrian, rng);
        p.look.primary[0] = 250; p.look.primary[1] = 140; p.look.primary[2] = 20;  // hi-vis vest
        p.standing = true;
        p.position = z.worker_position;
        p.heading = p.facing = z.worker_yaw;
        p.ground = 0.0;
        people.push_back(p);
    }
    std::vector<int> edges;
    std::vector<double> cumulative;
    double total = 0;
    for (size_t i = 0; i < net.sidewalk_edges.size(); ++i) {
        const SidewalkEdge & e = net.sidewalk_edges[i];
        if (e.crosswalk >= 0) continue;
        edges.push_back(int(i));
        total += e.path.length();
        cumulative.push_back(total);
    }
    if (edges.empty()) return;
    int count = int(std::lround(std::clamp(scenario.pedestrian_density, 0.0, 1.0) * total / kPedestrianSpacing));
    for (int k = 0; k < count; ++k) {
        Pedestrian p;
        p.id = next_id++;
        p.size = sample_agent_size(ObjectClass::pedestrian, false, rng);
        p.look = sample_agent_look(ObjectClass::pedestrian, rng);
        p.rng = rng.fork(p.id);
        p.edge = edges[pick_weighted(cumulative, rng)];
        const SidewalkEdge & e = net.sidewalk_edges[p.edge];
        p.s = rng.uniform(0.0, e.path.length());
        p.dir = rng.chance(0.5) ? 1 : -1;
        p.lateral = p.lateral_goal = rng.uniform(-0.9, 0.9);
        p.standing = rng.chance(0.15);
        p.facing = rng.uniform(-kPi, kPi);
        p.desired_speed = sample_desired_speed(ObjectClass::pedestrian, rng);
        p.speed = p.standing ? 0.0 : p.desired_speed;
        choose_next_edge(p, net);
        update_pedestrian_pose(p, net);
        people.push_back(p);
    }
}

void World::Impl::step(const EgoControl & control) {
    double t = steps * kStep;
    occupancy.reset(net.lanes.size(), net.nodes.size(), net.crosswalks.size());
    for (const VehicleAgent & v : vehicles) register_follower(v.drive, net, occupancy);
    if (ego.on_lane()) register_follower(ego.follower(), net, occupancy);
    for (const Pedestrian & p : people) {
        if (p.edge < 0 || !on_crosswalk(p, net)) continue;
        Vec2 velocity = from_heading(p.heading) * p.speed;
        occupancy.add_crosswalk_person(net.sidewalk_edges[p.edge].crosswalk, {p.position, velocity});
    }

    DriveInputs in{net, lights, occupancy, t};
    for (VehicleAgent & v : vehicles) {
        plan_route(v.drive, net);
        v.accel = lane_driver_accel(v.drive, in);
    }
    ego.step(control, in, kStep);
    for (VehicleAgent & v : vehicles) {
        double v_old = v.drive.speed;
        v.drive.speed = std::max(0.0, v_old + v.accel * kStep);
        advance_follower(v.drive, net, 0.5 * (v_old + v.drive.speed) * kStep);
        v.stuck = v.drive.speed < 0.1 ? v.stuck + kStep : 0.0;
    }
    respawn_stuck();
    for (Pedestrian & p : people) {
        if (p.edge < 0) continue;
        step_pedestrian(p, net, lights, occupancy, t, kStep);
        update_pedestrian_pose(p, net);
    }
    ++steps;
}

World::World(const Scenario & scenario) : impl_(std::make_unique<Impl>(scenario)) {}
World::~World() = default;

const Scenario & World::scenario() const { return impl_->scenario; }
double World::time() const { return impl_->steps * kStep; }
void World::step(const EgoControl & control) { impl_->step(control); }
const EgoState & World::ego() const { return impl_->ego.state(); }

std::vector<Vec3> World::ego_plan(double metres, double spacing) const {
    std::vector<Vec3> out;
    const EgoDriver & e = impl_->ego;
    if (!e.on_lane() || e.follower().route.empty() || !(spacing > 0) || !(metres >= 0)) return out;
    // The follower tracks the box centre; the ego pose (and the past trajectory) is the rear axle.
    for (double d = 0; d <= metres + 1e-9; d += spacing) {
        Vec2 tangent;
        const Vec2 p = follower_point(e.follower(), impl_->net, d, &tangent);
        out.push_back({p.x - tangent.x * EgoDriver::centre_offset(), p.y - tangent.y * EgoDriver::centre_offset(), 0.0});
    }
    return out;
}

std::vector<AgentState> World::agents() const {
    const Impl & m = *impl_;
    std::vector<AgentState> out;
    out.reserve(m.vehicles.size() * 2 + m.fixtures.size() + m.people.size());
    for (const VehicleAgent & v : m.vehicles) {
        out.push_back(vehicle_state(v, m.net));
        if (v.has_trailer) out.push_back(trailer_state(v, m.net));
    }
    for (const PlacedAgent & f : m.fixtures) out.push_back(f.state);
    for (const Pedestrian & p : m.people) out.push_back(pedestrian_state(p));
    std::sort(out.begin(), out.end(),
              [](const AgentState & a, const AgentState & b) { return a.instance_id < b.instance_id; });
    return out;
}

Lighting World::lighting() const { return lighting_for(impl_->scenario.time_of_day); }

const SceneMesh & World::static_mesh() const { return impl_->static_mesh; }

void World::build_dynamic_mesh(SceneMesh & out) const {
    const Impl & m = *impl_;
    out.clear();
    for (const VehicleAgent & v : m.vehicles) {
        add_agent_mesh(vehicle_state(v, m.net), v.look, out);
        if (v.has_trailer) add_agent_mesh(trailer_state(v, m.net), v.trailer_look, out);
    }
    for (const PlacedAgent & f : m.fixtures) add_agent_mesh(f.state, f.look, out);
    for (const Pedestrian & p : m.people) add_agent_mesh(pedestrian_state(p), p.look, out);
    add_signal_heads(m.scenery, m.lights, time(), out);
}

const RoadNetwork & World::road_network() const { return impl_->net; }

BevRaster World::bev_raster(const Pose & centre, double resolution, int size) const {
    return rasterize_bev(impl_->net, agents(), centre, resolution, size);
}

std::string World::location_name() const { return kTownLocation; }

CanPoseMessage can_pose_message(const EgoState & e, int64_t utime) {
    // Lateral acceleration of a car turning at yaw rate ω with speed v is v·ω.
    return {utime, {e.accel, e.speed * e.yaw_rate, 0}, e.pose.rotation, e.pose.translation, {0, 0, e.yaw_rate},
            {e.speed, 0, 0}};
}

}  // namespace rs
