#include "engine/scenery.h"

#include <algorithm>
#include <cmath>

#include "engine/vec2_ops.h"

namespace rs {

using namespace vec2_ops;

namespace {

const uint8_t kWalls[][3] = {
    {200, 190, 170}, {170, 90, 70}, {150, 150, 150}, {225, 222, 215}, {120, 140, 160},
    {185, 160, 120}, {110, 85, 70}, {200, 205, 200}, {160, 120, 95}, {90, 100, 110},
};

void set_rgb(uint8_t out[4], const uint8_t rgb[3], double shade) {
    for (int i = 0; i < 3; ++i) out[i] = uint8_t(std::clamp(rgb[i] * shade, 0.0, 255.0));
    out[3] = 255;
}

// Corners of a building footprint.
void footprint(const Building & b, Vec2 out[4]) {
    Vec2 ax = from_heading(b.yaw), ay = left_of(ax);
    out[0] = b.centre + ax * b.half.x + ay * b.half.y;
    out[1] = b.centre - ax * b.half.x + ay * b.half.y;
    out[2] = b.centre - ax * b.half.x - ay * b.half.y;
    out[3] = b.centre + ax * b.half.x - ay * b.half.y;
}

// Separating-axis test for two rectangles, with a clearance margin.
bool overlaps(const Building & a, const Building & b, double margin) {
    double ra = std::hypot(a.half.x, a.half.y), rb = std::hypot(b.half.x, b.half.y);
    if (distance(a.centre, b.centre) > ra + rb + margin) return false;
    Vec2 ca[4], cb[4];
    footprint(a, ca);
    footprint(b, cb);
    const Building * rects[2] = {&a, &b};
    for (const Building * r : rects) {
        Vec2 axes[2] = {from_heading(r->yaw), left_of(from_heading(r->yaw))};
        for (Vec2 axis : axes) {
            double amin = 1e18, amax = -1e18, bmin = 1e18, bmax = -1e18;
            for (int i = 0; i < 4; ++i) {
                amin = std::min(amin, dot(ca[i], axis)); amax = std::max(amax, dot(ca[i], axis));
                bmin = std::min(bmin, dot(cb[i], axis)); bmax = std::max(bmax, dot(cb[i], axis));
            }
            if (amax + margin < bmin || bmax + margin < amin) return false;
        }
    }
    return true;
}

bool clear_of_street(const Building & b, const RoadNetwork & net) {
    Vec2 c[4];
    footprint(b, c);
    for (int i = 0; i < 4; ++i) {
        if (net.near_street(c[i], 0.5)) return false;
        if (net.near_street(lerp(c[i], c[(i + 1) % 4], 0.5), 0.5)) return false;
    }
    return !net.near_street(b.centre, 0.5);
}

int sample_floors(Rng & rng) {
    double u = rng.uniform();
    if (u < 0.35) return rng.range(1, 3);
    if (u < 0.8) return rng.range(3, 6);
    return rng.range(6, 11);
}

}  // namespace

Scenery place_scenery(const RoadNetwork & net, Rng & rng) {
    Scenery sc;
    for (const Road & road : net.roads) {
        const Polyline & c = road.centre;
        double len = c.length();
        for (int side = 0; side < 2; ++side) {
            double sign = side == 0 ? 1.0 : -1.0;
            // Buildings, frontage along the road.
            for (double s = 4.0; s < len - 4.0;) {
                Building b;
                double frontage = rng.uniform(10.0, 24.0), depth = rng.uniform(10.0, 22.0);
                double setback = rng.uniform(1.0, 4.0);
                double sc_ = s + frontage / 2;
                Vec2 t = c.tangent_at(sc_);
                b.centre = c.point_at(sc_) + left_of(t) * (sign * (road.half_width + kSidewalkWidth + setback + depth / 2));
                b.yaw = heading_of(t);
                b.floors = sample_floors(rng);
                b.half = {frontage / 2, depth / 2, b.floors * 3.2 / 2 + 0.3};
                const uint8_t * wall = kWalls[rng.range(0, int(sizeof(kWalls) / sizeof(kWalls[0])))];
                set_rgb(b.wall, wall, rng.uniform(0.9, 1.05));
                set_rgb(b.trim, wall, 0.7);
                bool ok = clear_of_street(b, net);
                for (size_t i = 0; ok && i < sc.buildings.size(); ++i) ok = !overlaps(b, sc.buildings[i], 1.0);
                if (ok) {
                    sc.buildings.push_back(b);
                    s += frontage + rng.uniform(1.5, 6.0);
                } else {
                    s += 4.0;
                }
            }
            // Street trees on the back half of the sidewalk, lamps at the kerb.
            for (double s = 8.0 + rng.uniform(0.0, 6.0); s < len - 8.0; s += rng.uniform(9.0, 15.0)) {
                if (!rng.chance(0.7)) continue;
                Tree tr;
                Vec2 t = c.tangent_at(s);
                tr.base = c.point_at(s) + left_of(t) * (sign * (road.half_width + kSidewalkWidth - 0.7));
                tr.conifer = rng.chance(0.3);
                tr.trunk_height = rng.uniform(1.8, 3.0);
                tr.crown_radius = rng.uniform(1.4, 2.4);
                tr.crown_height = rng.uniform(3.0, 6.0);
                uint8_t green[3] = {uint8_t(rng.range(40, 80)), uint8_t(rng.range(90, 140)), uint8_t(rng.range(35, 60))};
                set_rgb(tr.leaves, green, tr.conifer ? 0.7 : 1.0);
                sc.trees.push_back(tr);
            }
            for (double s = 14.0 + (side ? 15.0 : 0.0); s < len - 10.0; s += 30.0) {
                StreetLamp lamp;
                Vec2 t = c.tangent_at(s);
                Vec2 out = left_of(t) * sign;
                lamp.base = c.point_at(s) + out * (road.half_width + 0.5);
                lamp.yaw = heading_of(out * -1.0);
                sc.lamps.push_back(lamp);
            }
        }
    }
    for (size_t ni = 0; ni < net.nodes.size(); ++ni) {
        const Node & node = net.nodes[ni];
        if (!node.signalised) continue;
        for (int a = 0; a < 4; ++a) {
            const ArmInfo & arm = node.arms[a];
            if (arm.road < 0) continue;
            const Road & road = net.roads[arm.road];
            Vec2 d = arm_direction(a), l = left_of(d);
            SignalMast m;
            m.node = int(ni);
            m.arm = a;
            m.base = node.centre + d * (node.half_extent(a) + 5.5) + l * (arm.half_width + 0.6);
            m.head = m.base - l * (arm.half_width + 0.6 - road.lanes_half_width * 0.5);
            m.facing = heading_of(d);
            sc.masts.push_back(m);
        }
    }
    return sc;
}

}  // namespace rs
