// The procedural driving world: a seeded town, traffic, pedestrians, traffic lights and the ego
// car, advanced with a fixed step. Same Scenario -> same world, bit for bit.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/camera_renderer.h"
#include "engine/can_bus.h"
#include "engine/geometry.h"
#include "engine/object_class.h"
#include "engine/scene_mesh.h"

namespace rs {

struct RoadNetwork;

// The nuScenes log location of every generated scene; datasets tell our maps by it.
inline constexpr char kTownLocation[] = "roadsight-town";

struct Scenario {
    uint64_t seed = 1;
    int town_blocks = 4;             // town is town_blocks x town_blocks intersections
    double traffic_density = 0.5;    // 0..1, vehicles per lane-metre relative to a busy street
    double pedestrian_density = 0.5; // 0..1
    double time_of_day = 12.0;       // hours; dims the sun towards dusk
};

// One annotatable object at the current time, as nuScenes boxes see it.
struct AgentState {
    uint32_t instance_id = 0;  // > 0, stable for the object's lifetime; matches rendered ids
    ObjectClass cls = ObjectClass::car;
    Pose box;                  // box centre and orientation in the world (x forward along length)
    Vec3 size;                 // w, l, h (nuScenes order)
    Vec3 velocity;             // world frame, m/s
    std::string attribute;     // one of kAttributeNames, "" for cones and barriers
};

struct EgoState {
    Pose pose;          // ego frame (rear axle on the ground, x forward) -> world; z = 0
    double speed = 0;   // m/s along x
    double yaw_rate = 0;
    double accel = 0;   // longitudinal, m/s^2
    double steer = 0;   // front wheel angle, rad
};

// The ego's CAN pose message (can_bus/<scene>_pose.json fields) at `utime`: accel, rotation rate
// and velocity in the ego frame, as the nuScenes car's CAN reports them.
CanPoseMessage can_pose_message(const EgoState & ego, int64_t utime);

// How the ego is driven this step.
struct EgoControl {
    enum class Mode { expert, pedals, pose_delta } mode = Mode::expert;
    double steer = 0, throttle = 0, brake = 0;  // pedals: steer in [-1, 1], throttle/brake in [0, 1]
    double dx = 0, dy = 0, dyaw = 0;            // pose_delta: target motion per step, ego frame
};

// BEV semantic raster around a centre pose: one byte per cell, bit flags below.
// kBevPrior: the semantic prior of real nuScenes maps (drivable surface and sidewalks, one class).
enum BevLayer : uint8_t {
    kBevDrivable = 1, kBevLane = 2, kBevCrossing = 4, kBevBox = 8, kBevSidewalk = 16, kBevPrior = 32
};
struct BevRaster {
    int size = 0;                // cells per side
    double resolution = 0;       // metres per cell
    std::vector<uint8_t> cells;  // row 0 = most forward (+x of the centre pose), column 0 = left (+y)
};

class World {
public:
    static constexpr double kStep = 1.0 / 60.0;  // fixed simulation step (s): 12 Hz frames = 5 steps

    explicit World(const Scenario & scenario);
    ~World();

    const Scenario & scenario() const;
    double time() const;  // seconds since start
    void step(const EgoControl & control = {});

    const EgoState & ego() const;
    // The expert's planned path ahead: ego (rear-axle) positions every `spacing` metres along its
    // lane route for `metres`, starting where it is; empty while the ego is off the lane graph.
    std::vector<Vec3> ego_plan(double metres, double spacing) const;
    std::vector<AgentState> agents() const;  // every annotatable object in the world
    Lighting lighting() const;

    const SceneMesh & static_mesh() const;  // roads, paint, sidewalks, buildings, trees, poles
    void build_dynamic_mesh(SceneMesh & out) const;  // agents, parked cars, light heads
    const RoadNetwork & road_network() const;
    // On the CPU (engine/bev_raster.h has the quads for a faster rasterizer).
    BevRaster bev_raster(const Pose & centre, double resolution, int size) const;

    std::string location_name() const;  // written to the nuScenes log table

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace rs
