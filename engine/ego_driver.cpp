#include "engine/ego_driver.h"

#include <algorithm>
#include <cmath>

#include "engine/vec2_ops.h"

namespace rs {

using namespace vec2_ops;

namespace {

constexpr double kThrottleAccel = 3.0;  // m/s^2 at full throttle
constexpr double kBrakeDecel = 8.0;     // m/s^2 at full brake
constexpr double kMaxSpeed = 40.0;      // pose-delta clamp, m/s
constexpr double kMaxReverse = 3.0;
constexpr double kMaxYawRate = 1.2;     // rad/s

double heading_error(double a, double b) { return std::fabs(wrap_angle(a - b)); }

}  // namespace

void EgoDriver::place(const RoadNetwork & net, int lane, double s, Rng rng) {
    const Polyline & path = net.lanes[lane].path;
    Vec2 t = path.tangent_at(s);
    Vec2 rear = path.point_at(s) - t * centre_offset();
    set_pose(rear.x, rear.y, heading_of(t));
    state_.speed = state_.accel = state_.yaw_rate = state_.steer = 0;
    follower_ = LaneFollower{};
    follower_.owner = kOwner;
    follower_.route = {lane};
    follower_.s = s;
    follower_.front = follower_.tail = kLength / 2;
    follower_.idm.desired_speed = 11.0;
    follower_.rng = rng;
    on_lane_ = true;
    plan_route(follower_, net);
}

void EgoDriver::set_pose(double x, double y, double yaw) {
    x_ = x;
    y_ = y;
    yaw_ = wrap_angle(yaw);
    state_.pose.translation = {x_, y_, 0};
    state_.pose.rotation = Quat::from_yaw(yaw_);
}

void EgoDriver::integrate(double accel, double steer_target, double dt) {
    double max_ds = kSteerRate * dt;
    state_.steer += std::clamp(std::clamp(steer_target, -kMaxSteer, kMaxSteer) - state_.steer, -max_ds, max_ds);
    double v0 = state_.speed;
    double v1 = std::max(0.0, v0 + accel * dt);
    double v = 0.5 * (v0 + v1);
    double yaw_rate = v * std::tan(state_.steer) / kWheelbase;
    double mid_yaw = yaw_ + 0.5 * yaw_rate * dt;
    set_pose(x_ + v * std::cos(mid_yaw) * dt, y_ + v * std::sin(mid_yaw) * dt, yaw_ + yaw_rate * dt);
    state_.accel = (v1 - v0) / dt;
    state_.speed = v1;
    state_.yaw_rate = yaw_rate;
}

void EgoDriver::apply_pose_delta(const EgoControl & c, double dt) {
    // Clamp to what a car can do in one step: bounded speed, little side slip, bounded turning.
    double dx = std::clamp(c.dx, -kMaxReverse * dt, kMaxSpeed * dt);
    double max_dy = 0.1 * std::fabs(dx) + 0.002;
    double dy = std::clamp(c.dy, -max_dy, max_dy);
    double max_dyaw = std::min(kMaxYawRate * dt, std::fabs(dx) * std::tan(kMaxSteer) / kWheelbase + 0.002);
    double dyaw = std::clamp(c.dyaw, -max_dyaw, max_dyaw);
    double cy = std::cos(yaw_), sy = std::sin(yaw_);
    double speed = dx / dt;
    set_pose(x_ + cy * dx - sy * dy, y_ + sy * dx + cy * dy, yaw_ + dyaw);
    state_.accel = (speed - state_.speed) / dt;
    state_.speed = speed;
    state_.yaw_rate = dyaw / dt;
    if (std::fabs(dx) > 1e-4) state_.steer = std::clamp(std::atan(kWheelbase * dyaw / dx), -kMaxSteer, kMaxSteer);
}

void EgoDriver::track_lane(const RoadNetwork & net, bool relaxed) {
    Vec2 centre{x_ + std::cos(yaw_) * centre_offset(), y_ + std::sin(yaw_) * centre_offset()};
    double max_dist = relaxed ? 30.0 : 2.5, max_heading = relaxed ? 1.6 : 0.8;
    if (on_lane_) {
        // Follow the route: the current lane, or the next one once past its end.
        for (int tries = 0; tries < 3 && !follower_.route.empty(); ++tries) {
            const Polyline & path = net.lanes[follower_.route[0]].path;
            Polyline::Projection pr = path.project_between(centre, follower_.s - 8.0, follower_.s + 8.0);
            bool past_end = pr.s >= path.length() - 1e-6 && follower_.route.size() > 1;
            if (past_end) {
                advance_follower(follower_, net, path.length() - follower_.s + 1e-3);
                continue;
            }
            if (pr.distance < max_dist && heading_error(path.heading_at(pr.s), yaw_) < max_heading) {
                follower_.s = pr.s;
                follower_.speed = state_.speed;
                update_commitment(follower_, net);
                return;
            }
            break;
        }
    }
    // Lost the lane (manual driving): find the lane under the ego that points our way.
    int best = -1;
    double best_score = 1e18, best_s = 0;
    for (size_t i = 0; i < net.lanes.size(); ++i) {
        const Lane & lane = net.lanes[i];
        if (lane.blocked) continue;
        Polyline::Projection pr = lane.path.project(centre);
        double herr = heading_error(lane.path.heading_at(pr.s), yaw_);
        if (pr.distance > max_dist || herr > max_heading) continue;
        double score = pr.distance + 3.0 * herr + (lane.connector ? 0.5 : 0.0);
        if (score < best_score) { best_score = score; best = int(i); best_s = pr.s; }
    }
    if (best < 0) {
        on_lane_ = false;
        follower_.route.clear();
        follower_.behind.clear();
        follower_.committed = -1;
        return;
    }
    on_lane_ = true;
    if (follower_.route.empty() || follower_.route[0] != best) {
        follower_.route = {best};
        follower_.behind.clear();
        follower_.committed = net.lanes[best].connector ? best : -1;
    }
    follower_.s = best_s;
    follower_.speed = state_.speed;
    plan_route(follower_, net);
}

void EgoDriver::step(const EgoControl & control, DriveInputs & in, double dt) {
    const RoadNetwork & net = in.net;
    switch (control.mode) {
    case EgoControl::Mode::expert: {
        if (!on_lane_) track_lane(net, true);
        if (!on_lane_) {
            integrate(-kBrakeDecel, 0.0, dt);
            break;
        }
        plan_route(follower_, net);
        follower_.speed = state_.speed;
        double accel = std::clamp(lane_driver_accel(follower_, in), -kBrakeDecel, 2.5);
        // Pure pursuit on the route centre line, look-ahead growing with speed.
        double look = std::clamp(4.0 + 0.7 * state_.speed, 5.0, 16.0);
        Vec2 target = follower_point(follower_, net, look - centre_offset());
        double cy = std::cos(yaw_), sy = std::sin(yaw_);
        Vec2 d = target - Vec2{x_, y_};
        double lx = cy * d.x + sy * d.y, ly = -sy * d.x + cy * d.y;
        double curvature = 2.0 * ly / std::max(lx * lx + ly * ly, 1e-6);
        integrate(accel, std::atan(kWheelbase * curvature), dt);
        break;
    }
    case EgoControl::Mode::pedals: {
        double throttle = std::clamp(control.throttle, 0.0, 1.0), brake = std::clamp(control.brake, 0.0, 1.0);
        double resist = state_.speed > 0 ? 0.1 + 0.0004 * state_.speed * state_.speed : 0.0;
        integrate(kThrottleAccel * throttle - kBrakeDecel * brake - resist,
                  std::clamp(control.steer, -1.0, 1.0) * kMaxSteer, dt);
        break;
    }
    case EgoControl::Mode::pose_delta:
        apply_pose_delta(control, dt);
        break;
    }
    track_lane(net, false);
}

}  // namespace rs
