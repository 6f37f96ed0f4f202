#include "engine/agent_mesh.h"

#include <algorithm>
#include <cmath>

namespace rs {

namespace {

const uint8_t kTyre[4] = {24, 24, 26, 255};
const uint8_t kGlass[4] = {38, 48, 60, 255};
const uint8_t kDark[4] = {45, 45, 48, 255};
const uint8_t kHeadlight[4] = {235, 232, 215, 255};
const uint8_t kTaillight[4] = {170, 20, 20, 255};
const uint8_t kHair[4] = {40, 30, 25, 255};
const uint8_t kShoe[4] = {30, 28, 28, 255};
const uint8_t kBags[3][4] = {{35, 40, 55, 255}, {120, 35, 30, 255}, {70, 75, 45, 255}};

// Draws parts given in the box frame, each clipped to the annotation box.
struct Builder {
    const AgentState & agent;
    SceneMesh & out;
    double L, W, H;  // half extents: along x (length), y (width), z (height)

    Builder(const AgentState & a, SceneMesh & m) : agent(a), out(m), L(a.size.y / 2), W(a.size.x / 2), H(a.size.z / 2) {}

    // Axis-aligned part spanning [x0, x1] x [y0, y1] x [z0, z1] in the box frame.
    void part(double x0, double x1, double y0, double y1, double z0, double z1, const uint8_t c[4]) {
        x0 = std::max(x0, -L); x1 = std::min(x1, L);
        y0 = std::max(y0, -W); y1 = std::min(y1, W);
        z0 = std::max(z0, -H); z1 = std::min(z1, H);
        if (x1 - x0 < 1e-3 || y1 - y0 < 1e-3 || z1 - z0 < 1e-3) return;
        Pose local{{(x0 + x1) / 2, (y0 + y1) / 2, (z0 + z1) / 2}, Quat{}};
        out.add_box(agent.box * local, {(x1 - x0) / 2, (y1 - y0) / 2, (z1 - z0) / 2}, c, agent.instance_id);
    }
    // Symmetric about y = 0.
    void part_sym(double x0, double x1, double hw, double z0, double z1, const uint8_t c[4]) {
        part(x0, x1, -hw, hw, z0, z1, c);
    }
    void wheel(double x, double r, double half_thickness, bool both_sides = true) {
        if (both_sides) {
            part(x - r, x + r, W - 2 * half_thickness, W, -H, -H + 2 * r, kTyre);
            part(x - r, x + r, -W, -W + 2 * half_thickness, -H, -H + 2 * r, kTyre);
        } else {
            part(x - r, x + r, -half_thickness, half_thickness, -H, -H + 2 * r, kTyre);
        }
    }
    // A seated or standing person: legs from z_feet, torso, arms, head up to z_top.
    void person(double x, double z_feet, double z_top, double half_width, const AgentLook & look, bool seated) {
        double h = z_top - z_feet;
        double hip = z_feet + (seated ? 0.30 : 0.47) * h, shoulder = z_feet + 0.82 * h, neck = z_feet + 0.85 * h;
        double torso_w = std::min(0.19, half_width - 0.08);
        double leg_w = std::min(0.08, torso_w / 2);
        const uint8_t * legs = seated ? kDark : look.secondary;
        part(x - 0.08, x + 0.08, -torso_w, -torso_w + 2 * leg_w, z_feet, hip, legs);
        part(x - 0.08, x + 0.08, torso_w - 2 * leg_w, torso_w, z_feet, hip, legs);
        const uint8_t * top = seated ? look.secondary : look.primary;
        part(x - 0.12, x + 0.12, -torso_w, torso_w, hip, shoulder, top);
        part(x - 0.05, x + 0.05, -torso_w - 0.07, -torso_w, hip + 0.05 * h, shoulder, top);
        part(x - 0.05, x + 0.05, torso_w, torso_w + 0.07, hip + 0.05 * h, shoulder, top);
        part(x - 0.1, x + 0.1, -0.09, 0.09, neck, z_top - 0.03, look.skin);
        part(x - 0.1, x + 0.1, -0.09, 0.09, z_top - 0.03, z_top, kHair);
        if (seated) return;
        // Front and back differ, or no camera could tell a pedestrian's heading (nuScenes scores it
        // over 360 degrees): shoes point forward, hair covers the back of the head.
        part(x + 0.08, x + 0.17, -torso_w, -torso_w + 2 * leg_w, z_feet, z_feet + 0.07, kShoe);
        part(x + 0.08, x + 0.17, torso_w - 2 * leg_w, torso_w, z_feet, z_feet + 0.07, kShoe);
        part(x - 0.11, x - 0.03, -0.095, 0.095, z_feet + 0.89 * h, z_top, kHair);
    }
};

void car(Builder & b, const AgentLook & look) {
    double L = b.L, W = b.W, H = b.H, h = 2 * H;
    double r = std::clamp(0.18 * h, 0.22, 0.36);
    double axle = L - std::max(0.7, 0.2 * 2 * L);
    b.wheel(axle, r, 0.11);
    b.wheel(-axle, r, 0.11);
    double belt = -H + 0.58 * h;
    b.part_sym(-L, L, W - 0.04, -H + 0.45 * r, belt, look.primary);
    b.part_sym(-0.62 * L, 0.30 * L, W - 0.12, belt, H - 0.06, kGlass);
    b.part_sym(-0.55 * L, 0.22 * L, W - 0.15, H - 0.06, H, look.primary);
    b.part(L - 0.03, L, W - 0.5, W - 0.12, belt - 0.22, belt - 0.06, kHeadlight);
    b.part(L - 0.03, L, -W + 0.12, -W + 0.5, belt - 0.22, belt - 0.06, kHeadlight);
    b.part(-L, -L + 0.03, W - 0.45, W - 0.12, belt - 0.2, belt - 0.05, kTaillight);
    b.part(-L, -L + 0.03, -W + 0.12, -W + 0.45, belt - 0.2, belt - 0.05, kTaillight);
}

void truck(Builder & b, const AgentLook & look) {
    double L = b.L, W = b.W, H = b.H, h = 2 * H;
    double r = 0.45, cab = std::min(2.3, 0.35 * 2 * L);
    b.wheel(L - 1.2, r, 0.15);
    b.wheel(-L + 1.4, r, 0.15);
    b.wheel(-L + 2.4, r, 0.15);
    b.part_sym(-L, L, W - 0.35, -H + 0.4, -H + 0.95, kDark);
    b.part_sym(L - cab, L, W - 0.05, -H + 0.55, -H + 0.82 * h, look.primary);
    b.part_sym(L - 0.05, L, W - 0.2, -H + 0.55 * h, -H + 0.78 * h, kGlass);
    b.part_sym(-L, L - cab - 0.15, W, -H + 0.95, H, look.secondary);
    b.part(L - 0.03, L, W - 0.45, W - 0.1, -H + 0.75, -H + 0.9, kHeadlight);
    b.part(L - 0.03, L, -W + 0.1, -W + 0.45, -H + 0.75, -H + 0.9, kHeadlight);
}

void bus(Builder & b, const AgentLook & look) {
    double L = b.L, W = b.W, H = b.H, h = 2 * H;
    double r = 0.5;
    b.wheel(L - 2.4, r, 0.15);
    b.wheel(-L + 2.8, r, 0.15);
    b.part_sym(-L, L, W - 0.03, -H + 0.3, H, look.primary);
    b.part_sym(-L + 0.6, L - 0.4, W, -H + 0.42 * h, -H + 0.8 * h, kGlass);
    b.part_sym(L - 0.04, L, W - 0.15, -H + 0.3 * h, -H + 0.85 * h, kGlass);
    b.part_sym(-L + 0.5, L - 0.5, W - 0.2, H - 0.1, H, look.secondary);
}

void trailer(Builder & b, const AgentLook & look) {
    double L = b.L, W = b.W, H = b.H;
    double r = 0.45;
    b.wheel(-L + 1.3, r, 0.15);
    b.wheel(-L + 2.4, r, 0.15);
    b.wheel(-L + 3.5, r, 0.15);
    b.part_sym(-L, L, W - 0.3, -H + 0.85, -H + 1.2, look.secondary);
    b.part_sym(-L, L, W, -H + 1.2, H, look.primary);
    b.part(L - 2.6, L - 2.4, W - 0.5, W - 0.3, -H, -H + 0.85, kDark);
    b.part(L - 2.6, L - 2.4, -W + 0.3, -W + 0.5, -H, -H + 0.85, kDark);
}

void machine(Builder & b, const AgentLook & look) {
    double L = b.L, W = b.W, H = b.H, h = 2 * H;
    double r = std::min(0.7, 0.25 * h);
    b.wheel(L - 1.3, r, 0.25);
    b.wheel(-L + 1.3, r, 0.25);
    b.part_sym(-L + 0.3, L - 0.8, W - 0.5, -H + r * 0.8, -H + 0.45 * h, look.primary);
    b.part_sym(-0.55 * L, 0.1 * L, W - 0.6, -H + 0.45 * h, -H + 0.85 * h, kGlass);
    b.part_sym(-0.6 * L, 0.15 * L, W - 0.55, -H + 0.85 * h, -H + 0.9 * h, look.primary);
    b.part_sym(-0.1 * L, L - 0.3, 0.22, H - 0.4, H, look.primary);
    b.part_sym(L - 0.8, L, W - 0.2, -H + 0.1, -H + 0.45 * h, kDark);
    b.part_sym(-L, -L + 0.5, W - 0.4, -H + r, -H + 0.5 * h, kDark);
}

// Two in three carry a backpack, chosen by instance id so the world's random stream stays as it was.
void pedestrian(Builder & b, const AgentLook & look) {
    double H = b.H, h = 2 * H;
    b.person(0, -H, H, b.W, look, false);
    if (b.agent.instance_id % 3 != 0) {
        b.part(-0.27, -0.12, -0.15, 0.15, -H + 0.55 * h, -H + 0.8 * h, kBags[b.agent.instance_id % 9 / 3]);
    }
}

void cycle(Builder & b, const AgentLook & look, bool motor) {
    double L = b.L, H = b.H;
    double r = motor ? 0.31 : std::min(0.34, 0.4 * L);
    b.part(L - 2 * r, L, -0.04, 0.04, -H, -H + 2 * r, kTyre);
    b.part(-L, -L + 2 * r, -0.04, 0.04, -H, -H + 2 * r, kTyre);
    double seat = -H + (motor ? 0.8 : 0.95);
    if (motor) {
        b.part_sym(-L + 0.45, L - 0.45, 0.18, -H + 0.3, seat, look.primary);
    } else {
        b.part_sym(-L + r, L - r, 0.03, -H + r, seat - 0.05, look.primary);
    }
    b.part_sym(L - r - 0.15, L - r, 0.3, seat + 0.05, seat + 0.12, kDark);  // handlebar
    if (look.with_rider) b.person(-0.15, -H + 0.25, H, b.W, look, true);
    else b.part_sym(-0.25, 0.05, 0.1, seat - 0.05, seat, kDark);  // saddle
}

void cone(Builder & b, const AgentLook & look) {
    double H = b.H, r = 0.85 * std::min(b.L, b.W);
    b.part(-b.L, b.L, -b.W, b.W, -H, -H + 0.03, look.primary);
    // Stacked cones with a common apex, each slightly wider: orange, white band, orange tip.
    double z0 = -H + 0.03, height = 2 * H - 0.03;
    Vec3 base = b.agent.box.apply({0, 0, z0});
    b.out.add_cone(base, r, height, 10, look.primary, b.agent.instance_id);
    double z1 = 0.35 * height, z2 = 0.6 * height;
    double r1 = r * (1 - z1 / height) * 1.04, r2 = r * (1 - z2 / height) * 1.08;
    b.out.add_cone(b.agent.box.apply({0, 0, z0 + z1}), r1, height - z1, 10, look.secondary, b.agent.instance_id);
    b.out.add_cone(b.agent.box.apply({0, 0, z0 + z2}), r2, height - z2, 10, look.primary, b.agent.instance_id);
}

void barrier(Builder & b, const AgentLook & look) {
    double L = b.L, W = b.W, H = b.H;
    b.part(-L, L, -W, -W + 0.3, -H, -H + 0.12, kDark);
    b.part(-L, L, W - 0.3, W, -H, -H + 0.12, kDark);
    const int stripes = 5;
    for (int i = 0; i < stripes; ++i) {
        double y0 = -W + 2 * W * i / stripes, y1 = -W + 2 * W * (i + 1) / stripes;
        b.part(-0.6 * L, 0.6 * L, y0, y1, -H + 0.12, H, i % 2 == 0 ? look.primary : look.secondary);
    }
}

}  // namespace

void add_agent_mesh(const AgentState & agent, const AgentLook & look, SceneMesh & out) {
    Builder b(agent, out);
    switch (agent.cls) {
    case ObjectClass::car: car(b, look); break;
    case ObjectClass::truck: truck(b, look); break;
    case ObjectClass::bus: bus(b, look); break;
    case ObjectClass::trailer: trailer(b, look); break;
    case ObjectClass::construction_vehicle: machine(b, look); break;
    case ObjectClass::pedestrian: pedestrian(b, look); break;
    case ObjectClass::motorcycle: cycle(b, look, true); break;
    case ObjectClass::bicycle: cycle(b, look, false); break;
    case ObjectClass::traffic_cone: cone(b, look); break;
    case ObjectClass::barrier: barrier(b, look); break;
    }
}

}  // namespace rs
