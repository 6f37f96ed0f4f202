// The ego car: a kinematic bicycle (rear-axle reference, as the nuScenes ego frame) driven by the
// expert (route following with pure pursuit, IDM, lights, yielding), by pedals, or by a per-step
// pose delta. It also keeps its place on the lane graph so traffic can follow and yield to it.
#pragma once

#include "engine/lane_driver.h"
#include "engine/world.h"

namespace rs {

class EgoDriver {
public:
    static constexpr double kWheelbase = 2.7;
    static constexpr double kLength = 4.6;
    static constexpr double kWidth = 1.9;
    static constexpr double kRearOverhang = 0.9;
    static constexpr double kMaxSteer = 0.6;     // front wheel angle, rad
    static constexpr double kSteerRate = 1.2;    // rad/s
    static constexpr uint32_t kOwner = 0xffffffffu;  // lane-occupancy owner id (not an instance id)

    // Puts the ego at rest on `lane` with its box centre at arc length s.
    void place(const RoadNetwork & net, int lane, double s, Rng rng);
    void step(const EgoControl & control, DriveInputs & in, double dt);

    const EgoState & state() const { return state_; }
    const LaneFollower & follower() const { return follower_; }
    bool on_lane() const { return on_lane_; }
    // Distance from the rear axle forward to the box centre.
    static double centre_offset() { return kLength / 2 - kRearOverhang; }

private:
    void integrate(double accel, double steer_target, double dt);
    void apply_pose_delta(const EgoControl & c, double dt);
    void track_lane(const RoadNetwork & net, bool relaxed);
    void set_pose(double x, double y, double yaw);

    EgoState state_;
    double x_ = 0, y_ = 0, yaw_ = 0;
    LaneFollower follower_;
    bool on_lane_ = false;
};

}  // namespace rs
