// The procedural world through its public interface: determinism, population, ego control modes,
// safety of traffic, meshes inside annotation boxes, BEV raster layers.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>

#include "engine/agent_mesh.h"
#include "engine/world.h"

namespace rs {
namespace {

struct Rect {
    double cx, cy, yaw, half_l, half_w;
};

Rect footprint(const AgentState & a) {
    return {a.box.translation.x, a.box.translation.y, a.box.rotation.yaw(), a.size.y / 2, a.size.x / 2};
}

Rect ego_footprint(const EgoState & e) {
    double yaw = e.pose.rotation.yaw();
    const double centre = 4.6 / 2 - 0.9;  // rear axle to box centre
    return {e.pose.translation.x + std::cos(yaw) * centre, e.pose.translation.y + std::sin(yaw) * centre, yaw, 2.3,
            0.95};
}

// Depth of overlap of two rectangles (0 when they are apart), by separating axes.
double penetration(const Rect & a, const Rect & b) {
    double best = 1e18;
    for (const Rect * r : {&a, &b}) {
        for (int k = 0; k < 2; ++k) {
            double ax = std::cos(r->yaw + k * kPi / 2), ay = std::sin(r->yaw + k * kPi / 2);
            double lo[2], hi[2];
            const Rect * both[2] = {&a, &b};
            for (int i = 0; i < 2; ++i) {
                const Rect & q = *both[i];
                double c = q.cx * ax + q.cy * ay;
                double e = std::fabs(std::cos(q.yaw) * ax + std::sin(q.yaw) * ay) * q.half_l +
                           std::fabs(-std::sin(q.yaw) * ax + std::cos(q.yaw) * ay) * q.half_w;
                lo[i] = c - e;
                hi[i] = c + e;
            }
            double overlap = std::min(hi[0], hi[1]) - std::max(lo[0], lo[1]);
            if (overlap <= 0) return 0;
            best = std::min(best, overlap);
        }
    }
    return best;
}

bool is_moving_vehicle(const AgentState & a) {
    return a.cls != ObjectClass::pedestrian && a.cls != ObjectClass::traffic_cone && a.cls != ObjectClass::barrier &&
           a.attribute != "vehicle.parked" && a.attribute != "cycle.without_rider";
}

void expect_same_agents(const std::vector<AgentState> & a, const std::vector<AgentState> & b) {
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].instance_id, b[i].instance_id);
        EXPECT_EQ(a[i].cls, b[i].cls);
        EXPECT_EQ(a[i].box.translation.x, b[i].box.translation.x);
        EXPECT_EQ(a[i].box.translation.y, b[i].box.translation.y);
        EXPECT_EQ(a[i].box.translation.z, b[i].box.translation.z);
        EXPECT_EQ(a[i].box.rotation.w, b[i].box.rotation.w);
        EXPECT_EQ(a[i].box.rotation.z, b[i].box.rotation.z);
        EXPECT_EQ(a[i].size.x, b[i].size.x);
        EXPECT_EQ(a[i].size.y, b[i].size.y);
        EXPECT_EQ(a[i].size.z, b[i].size.z);
        EXPECT_EQ(a[i].velocity.x, b[i].velocity.x);
        EXPECT_EQ(a[i].velocity.y, b[i].velocity.y);
        EXPECT_EQ(a[i].attribute, b[i].attribute);
    }
}

TEST(World, SameScenarioGivesSameWorldBitForBit) {
    Scenario sc;
    sc.seed = 42;
    World a(sc), b(sc);
    for (int i = 0; i < 600; ++i) {
        a.step();
        b.step();
    }
    expect_same_agents(a.agents(), b.agents());
    EXPECT_EQ(a.ego().pose.translation.x, b.ego().pose.translation.x);
    EXPECT_EQ(a.ego().pose.translation.y, b.ego().pose.translation.y);
    EXPECT_EQ(a.ego().pose.rotation.z, b.ego().pose.rotation.z);
    EXPECT_EQ(a.ego().speed, b.ego().speed);
    EXPECT_EQ(a.ego().steer, b.ego().steer);
    EXPECT_EQ(a.time(), b.time());
    ASSERT_EQ(a.static_mesh().vertices.size(), b.static_mesh().vertices.size());
    EXPECT_EQ(0, std::memcmp(a.static_mesh().vertices.data(), b.static_mesh().vertices.data(),
                             a.static_mesh().vertices.size() * sizeof(MeshVertex)));
}

TEST(World, DifferentSeedsGiveDifferentTowns) {
    Scenario s1, s2;
    s1.seed = 1;
    s2.seed = 2;
    World a(s1), b(s2);
    const SceneMesh & ma = a.static_mesh();
    const SceneMesh & mb = b.static_mesh();
    bool differ = ma.vertices.size() != mb.vertices.size() ||
                  std::memcmp(ma.vertices.data(), mb.vertices.data(), ma.vertices.size() * sizeof(MeshVertex)) != 0;
    EXPECT_TRUE(differ);
    EXPECT_NE(a.ego().pose.translation.x, b.ego().pose.translation.x);
}

TEST(World, EverySeedHasAllTenClasses) {
    for (uint64_t seed = 1; seed <= 20; ++seed) {
        Scenario sc;
        sc.seed = seed;
        std::set<ObjectClass> seen;
        for (const AgentState & a : World(sc).agents()) seen.insert(a.cls);
        EXPECT_EQ(int(seen.size()), kNumObjectClasses) << "seed " << seed;
    }
}

TEST(World, DefaultScenarioHasAllTenClassesAndValidAttributes) {
    World w(Scenario{});
    std::map<ObjectClass, int> counts;
    std::set<uint32_t> ids;
    uint32_t previous = 0;
    for (const AgentState & a : w.agents()) {
        ++counts[a.cls];
        EXPECT_GT(a.instance_id, 0u);
        EXPECT_GT(a.instance_id, previous) << "agents come sorted by instance id";
        previous = a.instance_id;
        EXPECT_TRUE(ids.insert(a.instance_id).second);
        bool known = a.attribute.empty();
        for (const char * name : kAttributeNames) known = known || a.attribute == name;
        EXPECT_TRUE(known) << a.attribute;
        bool movable = a.cls == ObjectClass::traffic_cone || a.cls == ObjectClass::barrier;
        EXPECT_EQ(movable, a.attribute.empty()) << class_name(a.cls);
        EXPECT_GT(a.size.x, 0);
        EXPECT_GT(a.size.y, 0);
        EXPECT_GT(a.size.z, 0);
    }
    std::printf("[ agents ] default scenario:");
    for (int c = 0; c < kNumObjectClasses; ++c) {
        EXPECT_GT(counts[ObjectClass(c)], 0) << class_name(ObjectClass(c));
        std::printf(" %s=%d", class_name(ObjectClass(c)), counts[ObjectClass(c)]);
    }
    std::printf("\n");
}

TEST(World, InstanceIdsStayStableAndUnique) {
    World w(Scenario{});
    std::vector<AgentState> before = w.agents();
    for (int i = 0; i < 300; ++i) w.step();
    std::vector<AgentState> after = w.agents();
    ASSERT_EQ(before.size(), after.size());
    for (size_t i = 0; i < before.size(); ++i) {
        EXPECT_EQ(before[i].instance_id, after[i].instance_id);
        EXPECT_EQ(before[i].cls, after[i].cls);
    }
}

TEST(World, ExpertEgoDrivesOnTheRoadWithoutHittingAnything) {
    for (uint64_t seed : {1, 7, 23}) {
        Scenario sc;
        sc.seed = seed;
        World w(sc);
        double travelled = 0;
        Vec3 last = w.ego().pose.translation;
        double worst_overlap = 0;
        int off_road = 0;
        for (int i = 0; i < 20 * 60; ++i) {
            w.step();
            Vec3 p = w.ego().pose.translation;
            travelled += std::hypot(p.x - last.x, p.y - last.y);
            last = p;
            EXPECT_EQ(p.z, 0.0);
            if (i % 15 != 0) continue;
            Rect ego = ego_footprint(w.ego());
            for (const AgentState & a : w.agents()) worst_overlap = std::max(worst_overlap, penetration(ego, footprint(a)));
            // Ego box corners must lie on drivable cells of a raster centred on the ego.
            const double res = 0.2;
            const int size = 64;
            BevRaster r = w.bev_raster(w.ego().pose, res, size);
            for (double x : {1.4 - 2.2, 1.4 + 2.2})
                for (double y : {-0.85, 0.85}) {
                    int row = int(size / 2 - x / res), col = int(size / 2 - y / res);
                    if (!(r.cells[row * size + col] & kBevDrivable)) ++off_road;
                }
        }
        std::printf("[ ego ] seed %llu: %.1f m in 20 s, worst overlap %.3f m\n", (unsigned long long)seed, travelled,
                    worst_overlap);
        EXPECT_GE(travelled, 50.0) << "seed " << seed;
        EXPECT_EQ(off_road, 0) << "seed " << seed;
        EXPECT_LT(worst_overlap, 1e-3) << "seed " << seed;
    }
}

TEST(World, MovingVehiclesDoNotOverlapEachOtherOrPeople) {
    double worst = 0, worst_person = 0;
    int events = 0;
    for (uint64_t seed : {3, 11}) {
        Scenario sc;
        sc.seed = seed;
        sc.traffic_density = 0.8;
        World w(sc);
        for (int i = 0; i < 60 * 60; ++i) {
            w.step();
            if (i % 10 != 0) continue;
            std::vector<AgentState> moving, people;
            for (const AgentState & a : w.agents()) {
                if (is_moving_vehicle(a)) moving.push_back(a);
                if (a.cls == ObjectClass::pedestrian) people.push_back(a);
            }
            for (const AgentState & p : people)
                for (const AgentState & v : moving)
                    worst_person = std::max(worst_person, penetration(footprint(p), footprint(v)));
            for (size_t x = 0; x < moving.size(); ++x)
                for (size_t y = x + 1; y < moving.size(); ++y) {
                    // A towed trailer is the next id after its truck and touches it by design.
                    bool towing = (moving[x].cls == ObjectClass::trailer || moving[y].cls == ObjectClass::trailer) &&
                                  moving[y].instance_id == moving[x].instance_id + 1;
                    if (towing) continue;
                    double d = penetration(footprint(moving[x]), footprint(moving[y]));
                    if (d > 0.01) ++events;
                    worst = std::max(worst, d);
                }
        }
    }
    std::printf("[ traffic ] 2 x 60 s at density 0.8: %d overlap samples, worst penetration %.3f m, "
                "worst vehicle-person %.3f m\n", events, worst, worst_person);
    EXPECT_LT(worst, 0.05);
    EXPECT_LT(worst_person, 0.05);
}

TEST(World, PoseDeltaMovesTheEgoByTheCommand) {
    World w(Scenario{});
    EgoControl c;
    c.mode = EgoControl::Mode::pose_delta;
    c.dx = 0.15;
    c.dy = 0.005;
    c.dyaw = 0.002;
    for (int i = 0; i < 30; ++i) {
        Pose before = w.ego().pose;
        w.step(c);
        Vec3 local = before.apply_inverse(w.ego().pose.translation);
        EXPECT_NEAR(local.x, c.dx, 1e-9);
        EXPECT_NEAR(local.y, c.dy, 1e-9);
        EXPECT_NEAR(wrap_angle(w.ego().pose.rotation.yaw() - before.rotation.yaw()), c.dyaw, 1e-9);
        EXPECT_NEAR(w.ego().speed, c.dx / World::kStep, 1e-9);
        EXPECT_NEAR(w.ego().yaw_rate, c.dyaw / World::kStep, 1e-9);
    }
    // A sideways jump is not something a car can do: it is clamped.
    Pose before = w.ego().pose;
    c.dx = 0.1;
    c.dy = 2.0;
    c.dyaw = 1.0;
    w.step(c);
    Vec3 local = before.apply_inverse(w.ego().pose.translation);
    EXPECT_LT(std::fabs(local.y), 0.05);
    EXPECT_LT(std::fabs(wrap_angle(w.ego().pose.rotation.yaw() - before.rotation.yaw())), 0.05);
}

TEST(World, PedalsAccelerateBrakeAndSteer) {
    World w(Scenario{});
    EgoControl c;
    c.mode = EgoControl::Mode::pedals;
    c.throttle = 1.0;
    for (int i = 0; i < 3 * 60; ++i) w.step(c);
    double fast = w.ego().speed;
    EXPECT_GT(fast, 6.0);
    EXPECT_GT(w.ego().accel, 0.0);
    double yaw0 = w.ego().pose.rotation.yaw();
    c.throttle = 0.2;
    c.steer = 0.5;
    for (int i = 0; i < 30; ++i) w.step(c);
    EXPECT_GT(w.ego().steer, 0.0);
    EXPECT_GT(wrap_angle(w.ego().pose.rotation.yaw() - yaw0), 0.05) << "positive steer turns left";
    c.throttle = 0.0;
    c.steer = 0.0;
    c.brake = 1.0;
    w.step(c);
    EXPECT_LT(w.ego().accel, -5.0);
    for (int i = 0; i < 3 * 60; ++i) w.step(c);
    EXPECT_EQ(w.ego().speed, 0.0);
}

TEST(World, AgentMeshesStayInsideTheirBoxes) {
    World w(Scenario{});
    for (int i = 0; i < 120; ++i) w.step();
    std::map<uint32_t, AgentState> boxes;
    for (const AgentState & a : w.agents()) boxes[a.instance_id] = a;
    SceneMesh mesh;
    w.build_dynamic_mesh(mesh);
    std::set<uint32_t> drawn;
    double worst = 0;
    for (const MeshVertex & v : mesh.vertices) {
        if (v.instance_id == 0) continue;
        auto it = boxes.find(v.instance_id);
        ASSERT_NE(it, boxes.end()) << "mesh id without an agent: " << v.instance_id;
        drawn.insert(v.instance_id);
        const AgentState & a = it->second;
        Vec3 p = a.box.apply_inverse({v.position[0], v.position[1], v.position[2]});
        double out = std::max({std::fabs(p.x) - a.size.y / 2, std::fabs(p.y) - a.size.x / 2, std::fabs(p.z) - a.size.z / 2});
        worst = std::max(worst, out);
    }
    EXPECT_LT(worst, 0.01);
    EXPECT_EQ(drawn.size(), boxes.size()) << "every agent is drawn";
    for (size_t i = 0; i < mesh.indices.size(); i += 3) {
        uint32_t id = mesh.vertices[mesh.indices[i]].instance_id;
        EXPECT_EQ(id, mesh.vertices[mesh.indices[i + 1]].instance_id);
        EXPECT_EQ(id, mesh.vertices[mesh.indices[i + 2]].instance_id);
    }
}

// A pedestrian turned around must look different, or its heading is a coin toss to any camera.
TEST(World, PedestrianLooksDifferentTurnedAround) {
    for (uint32_t id : {1u, 3u}) {  // with and without a backpack
        AgentState a;
        a.instance_id = id;
        a.cls = ObjectClass::pedestrian;
        a.size = {0.67, 0.73, 1.77};
        auto drawn = [&](double yaw) {
            a.box = Pose{{0, 0, 0}, Quat::from_yaw(yaw)};
            SceneMesh m;
            add_agent_mesh(a, AgentLook{}, m);
            std::multiset<std::array<long, 6>> points;
            for (const MeshVertex & v : m.vertices) {
                points.insert({std::lround(v.position[0] * 1000), std::lround(v.position[1] * 1000),
                               std::lround(v.position[2] * 1000), v.color[0], v.color[1], v.color[2]});
            }
            return std::make_pair(points, m);
        };
        const auto [ahead, mesh] = drawn(0);
        EXPECT_NE(ahead, drawn(M_PI).first) << "instance " << id;
        double toe = 0, heel = 0;  // furthest forward and back below the ankles
        for (const MeshVertex & v : mesh.vertices) {
            if (v.position[2] > -a.size.z / 2 + 0.08) continue;
            toe = std::max(toe, double(v.position[0]));
            heel = std::min(heel, double(v.position[0]));
        }
        EXPECT_GT(toe, -heel + 0.05) << "feet point forward, instance " << id;
    }
}

TEST(World, StaticMeshIsBackgroundAndReasonablySized) {
    World w(Scenario{});
    const SceneMesh & m = w.static_mesh();
    std::printf("[ mesh ] 4x4 static triangles: %zu\n", m.triangle_count());
    EXPECT_GT(m.triangle_count(), 1000u);
    EXPECT_LT(m.triangle_count(), 300000u);
    for (const MeshVertex & v : m.vertices) ASSERT_EQ(v.instance_id, 0u);
    SceneMesh d;
    w.build_dynamic_mesh(d);
    std::printf("[ mesh ] 4x4 dynamic triangles: %zu\n", d.triangle_count());
}

TEST(World, BevRasterHasEveryLayerAroundTheEgo) {
    World w(Scenario{});
    for (int i = 0; i < 60; ++i) w.step();
    BevRaster r = w.bev_raster(w.ego().pose, 0.5, 200);
    ASSERT_EQ(r.cells.size(), 200u * 200u);
    int counts[5] = {};
    for (uint8_t c : r.cells)
        for (int b = 0; b < 5; ++b) counts[b] += (c >> b) & 1;
    for (int b = 0; b < 5; ++b) EXPECT_GT(counts[b], 0) << "layer bit " << b;
    // The ego sits on the drivable area in the middle of its own raster.
    EXPECT_TRUE(r.cells[100 * 200 + 100] & kBevDrivable);
}

TEST(World, ExpertFollowsItsPlannedPath) {
    World w(Scenario{});
    for (int i = 0; i < 120; ++i) w.step();
    const std::vector<Vec3> plan = w.ego_plan(40.0, 1.0);
    ASSERT_EQ(plan.size(), 41u);
    const Vec3 start = w.ego().pose.translation;
    EXPECT_LT(std::hypot(plan[0].x - start.x, plan[0].y - start.y), 1.0);
    for (size_t i = 1; i < plan.size(); ++i) {
        const double step = std::hypot(plan[i].x - plan[i - 1].x, plan[i].y - plan[i - 1].y);
        EXPECT_GT(step, 0.8);
        EXPECT_LT(step, 1.2);
    }
    // Where the expert actually drives over the next 3 s stays on that path.
    double travelled = 0;
    Vec3 last = start;
    for (int i = 0; i < 180; ++i) {
        w.step();
        const Vec3 p = w.ego().pose.translation;
        travelled += std::hypot(p.x - last.x, p.y - last.y);
        last = p;
        double nearest = 1e9;
        for (size_t k = 0; k + 1 < plan.size(); ++k) {
            const Vec2 a{plan[k].x, plan[k].y}, b{plan[k + 1].x, plan[k + 1].y}, d{b.x - a.x, b.y - a.y};
            const double u = std::clamp(((p.x - a.x) * d.x + (p.y - a.y) * d.y) / (d.x * d.x + d.y * d.y), 0.0, 1.0);
            nearest = std::min(nearest, std::hypot(p.x - a.x - u * d.x, p.y - a.y - u * d.y));
        }
        if (travelled < 38.0) {
            EXPECT_LT(nearest, 1.0) << "step " << i;
        }
    }
    EXPECT_GT(travelled, 5.0);  // the expert did drive
    EXPECT_TRUE(w.ego_plan(10.0, 0.0).empty());
}

TEST(World, PedestriansWalkAndCrossRoads) {
    World w(Scenario{});
    std::map<uint32_t, Vec3> start;
    for (const AgentState & a : w.agents())
        if (a.cls == ObjectClass::pedestrian) start[a.instance_id] = a.box.translation;
    bool someone_on_road = false;
    for (int i = 0; i < 120 * 60 && !someone_on_road; ++i) {
        w.step();
        if (i % 30) continue;
        for (const AgentState & a : w.agents())
            if (a.cls == ObjectClass::pedestrian && a.box.translation.z < a.size.z / 2 + 0.01 &&
                a.attribute == "pedestrian.moving")
                someone_on_road = true;
    }
    EXPECT_TRUE(someone_on_road) << "somebody uses a crosswalk within two minutes";
    int moved = 0;
    for (const AgentState & a : w.agents()) {
        if (a.cls != ObjectClass::pedestrian) continue;
        Vec3 s = start[a.instance_id];
        if (std::hypot(a.box.translation.x - s.x, a.box.translation.y - s.y) > 2.0) ++moved;
    }
    EXPECT_GT(moved, int(start.size()) / 2);
}

TEST(World, LightingDimsTowardsDusk) {
    Scenario noon, dusk;
    dusk.time_of_day = 18.5;
    Lighting a = World(noon).lighting(), b = World(dusk).lighting();
    EXPECT_GT(a.sun_intensity, b.sun_intensity);
    EXPECT_GT(a.sun_direction.z, b.sun_direction.z);
    EXPECT_GT(b.sky_horizon[0], b.sky_horizon[2]) << "warm horizon at dusk";
    EXPECT_EQ(World(noon).location_name(), "roadsight-town");
}

TEST(World, SimulationSpeed) {
    World w(Scenario{});
    auto t0 = std::chrono::steady_clock::now();
    const int steps = 1200;
    for (int i = 0; i < steps; ++i) w.step();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("[ speed ] 4x4 town, %zu agents: %.0f steps/s (%.1fx real time)\n", w.agents().size(), steps / s,
                steps / s * World::kStep);
}

}  // namespace
}  // namespace rs
