// Traffic rules of lane following in isolation: stopping for a red light at the stop line,
// going on green, yielding to people on a crosswalk.
#include <gtest/gtest.h>

#include "engine/lane_driver.h"

namespace rs {
namespace {

struct Junction {
    RoadNetwork net;
    std::vector<TrafficLight> lights;
    int lane = -1;
};

// A town whose lights all start a long red for the approach we drive.
Junction make_setup() {
    Junction s;
    Rng rng(5);
    std::vector<int> closed;
    s.net = build_road_network(4, 1, rng, closed);
    for (size_t i = 0; i < s.net.lanes.size(); ++i) {
        const Lane & l = s.net.lanes[i];
        if (!l.connector && !l.blocked && l.stop_line && l.path.length() > 70.0) { s.lane = int(i); break; }
    }
    int arm = s.net.lanes[s.lane].arm_in;
    // Green 20 s per group; east-west starts green at 0, north-south at 25: offset so ours is red.
    for (size_t i = 0; i < s.net.nodes.size(); ++i) s.lights.emplace_back(20.0, 20.0, arm % 2 == 0 ? 25.0 : 0.0);
    return s;
}

LaneFollower make_follower(const Junction & s, double front_pos, double speed) {
    LaneFollower f;
    f.owner = 1;
    f.route = {s.lane};
    f.front = f.tail = 2.3;
    f.s = front_pos - f.front;
    f.speed = speed;
    f.idm.desired_speed = 13.0;
    f.rng = Rng(9);
    plan_route(f, s.net);
    return f;
}

void drive(LaneFollower & f, const Junction & s, LaneOccupancy & occ, double t, double dt,
           const std::vector<int> & busy_crosswalks = {}) {
    occ.reset(s.net.lanes.size(), s.net.nodes.size(), s.net.crosswalks.size());
    // Someone standing in the middle of each busy crosswalk.
    for (int c : busy_crosswalks) {
        const Crosswalk & cw = s.net.crosswalks[c];
        Vec2 mid{(cw.quad[0].x + cw.quad[2].x) / 2, (cw.quad[0].y + cw.quad[2].y) / 2};
        const Lane & lane = s.net.lanes[s.lane];
        for (const Lane::CrossingSpan & span : lane.crossings)
            if (span.crosswalk == c) mid = lane.path.point_at(0.5 * (span.s0 + span.s1));
        occ.add_crosswalk_person(c, {mid, {0, 0}});
    }
    register_follower(f, s.net, occ);
    DriveInputs in{s.net, s.lights, occ, t};
    plan_route(f, s.net);
    double a = lane_driver_accel(f, in);
    double v0 = f.speed;
    f.speed = std::max(0.0, v0 + a * dt);
    advance_follower(f, s.net, 0.5 * (v0 + f.speed) * dt);
}

TEST(LaneDriver, StopsAtRedLightThenGoesOnGreen) {
    Junction s = make_setup();
    ASSERT_GE(s.lane, 0);
    const Lane & lane = s.net.lanes[s.lane];
    ASSERT_EQ(s.lights[lane.end_node].state(lane.arm_in, 0.0), Signal::red);
    LaneFollower f = make_follower(s, lane.gate_s - 60.0, 12.0);
    LaneOccupancy occ;
    const double dt = 1.0 / 60;
    double t = 0;
    double max_front = 0;
    for (; t < 20.0; t += dt) {
        drive(f, s, occ, t, dt);
        ASSERT_EQ(f.route[0], s.lane) << "entered the junction on red at t=" << t;
        max_front = std::max(max_front, f.s + f.front);
    }
    EXPECT_LE(max_front, lane.gate_s);
    EXPECT_GT(max_front, lane.gate_s - 4.0) << "stops close to the line";
    EXPECT_LT(f.speed, 0.05);
    // Green comes at 25 s; the car should be through the stop line soon after.
    double entered = -1;
    for (; t < 40.0 && entered < 0; t += dt) {
        drive(f, s, occ, t, dt);
        if (f.route[0] != s.lane) entered = t;
    }
    EXPECT_GE(entered, 25.0);
    EXPECT_LT(entered, 32.0);
}

TEST(LaneDriver, YieldsToPeopleOnTheCrosswalkAhead) {
    Junction s = make_setup();
    const Lane & lane = s.net.lanes[s.lane];
    ASSERT_FALSE(lane.crossings.empty());
    const Lane::CrossingSpan & cw = lane.crossings.front();
    // Give it green throughout, then block the crosswalk it is about to drive over.
    for (TrafficLight & l : s.lights) l = TrafficLight(1000.0, 10.0, 0.0);
    int arm = lane.arm_in;
    if (arm % 2 == 1)
        for (TrafficLight & l : s.lights) l = TrafficLight(10.0, 1000.0, -15.0);
    ASSERT_EQ(s.lights[lane.end_node].state(arm, 0.0), Signal::green);
    LaneFollower f = make_follower(s, cw.s0 - 40.0, 10.0);
    LaneOccupancy occ;
    const double dt = 1.0 / 60;
    double max_front = 0;
    for (double t = 0; t < 15.0; t += dt) {
        drive(f, s, occ, t, dt, {cw.crosswalk});
        if (f.route[0] == s.lane) max_front = std::max(max_front, f.s + f.front);
        else ADD_FAILURE() << "drove onto a busy crosswalk";
    }
    EXPECT_LT(max_front, cw.s0);
    EXPECT_LT(f.speed, 0.05);
}

}  // namespace
}  // namespace rs
