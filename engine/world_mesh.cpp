#include "engine/world_mesh.h"

#include <algorithm>
#include <cmath>

#include "engine/vec2_ops.h"

namespace rs {

using namespace vec2_ops;

namespace {

const uint8_t kGround[4] = {112, 120, 92, 255};
const uint8_t kAsphalt[4] = {72, 74, 78, 255};
const uint8_t kPavement[4] = {168, 166, 160, 255};
const uint8_t kKerb[4] = {140, 138, 134, 255};
const uint8_t kWhitePaint[4] = {232, 232, 226, 255};
const uint8_t kYellowPaint[4] = {226, 186, 44, 255};
const uint8_t kTrunk[4] = {92, 68, 48, 255};
const uint8_t kPole[4] = {96, 98, 102, 255};
const uint8_t kMast[4] = {58, 60, 62, 255};
const uint8_t kLampGlass[4] = {240, 236, 210, 255};
const uint8_t kWindow[4] = {52, 62, 78, 255};

constexpr double kGroundZ = -0.05;
constexpr double kPaintZ = 0.015;

MeshVertex vertex(Vec3 p, Vec3 n, const uint8_t c[4]) {
    MeshVertex v;
    v.position[0] = float(p.x); v.position[1] = float(p.y); v.position[2] = float(p.z);
    v.normal[0] = float(n.x); v.normal[1] = float(n.y); v.normal[2] = float(n.z);
    for (int i = 0; i < 4; ++i) v.color[i] = c[i];
    v.instance_id = 0;
    return v;
}

// Vertical face above the edge a -> b, facing right of that direction.
void add_wall(SceneMesh & m, Vec2 a, Vec2 b, double z0, double z1, const uint8_t c[4]) {
    Vec2 n2 = normalized(Vec2{b.y - a.y, a.x - b.x});
    Vec3 n{n2.x, n2.y, 0};
    uint32_t base = uint32_t(m.vertices.size());
    m.vertices.push_back(vertex({a.x, a.y, z0}, n, c));
    m.vertices.push_back(vertex({b.x, b.y, z0}, n, c));
    m.vertices.push_back(vertex({b.x, b.y, z1}, n, c));
    m.vertices.push_back(vertex({a.x, a.y, z1}, n, c));
    m.indices.insert(m.indices.end(), {base, base + 1, base + 2, base, base + 2, base + 3});
}

void add_box_at(SceneMesh & m, Vec2 p, double z_centre, double yaw, Vec3 half, const uint8_t c[4]) {
    Pose pose{{p.x, p.y, z_centre}, Quat::from_yaw(yaw)};
    m.add_box(pose, half, c, 0);
}

void add_ground(SceneMesh & m, const RoadNetwork & net) {
    // Tiled rather than one huge quad: renderers clip and depth-test small triangles better.
    const double tile = 40.0;
    for (double y = net.bounds_min.y; y < net.bounds_max.y; y += tile)
        for (double x = net.bounds_min.x; x < net.bounds_max.x; x += tile) {
            double x1 = std::min(x + tile, net.bounds_max.x), y1 = std::min(y + tile, net.bounds_max.y);
            Vec2 q[4] = {{x, y}, {x1, y}, {x1, y1}, {x, y1}};
            m.add_quad_z(q, kGroundZ, kGround, 0);
        }
    for (const GroundPiece & g : net.ground) {
        switch (g.kind) {
        case GroundPiece::road:
        case GroundPiece::intersection: m.add_quad_z(g.v, 0.0, kAsphalt, 0); break;
        case GroundPiece::sidewalk:
            m.add_quad_z(g.v, kSidewalkHeight, kPavement, 0);
            for (int i = 0; i < 4; ++i)
                if (g.side_faces & (1 << i)) add_wall(m, g.v[i], g.v[(i + 1) % 4], kGroundZ, kSidewalkHeight, kKerb);
            break;
        case GroundPiece::crosswalk: break;  // drawn by its zebra paint
        }
    }
    for (const PaintStroke & p : net.paint) {
        Vec2 d = p.b - p.a;
        if (length(d) < 1e-6) continue;
        Vec2 side = left_of(normalized(d)) * (p.width / 2);
        Vec2 q[4] = {p.a - side, p.b - side, p.b + side, p.a + side};
        m.add_quad_z(q, kPaintZ, p.yellow ? kYellowPaint : kWhitePaint, 0);
    }
}

void add_building(SceneMesh & m, const Building & b) {
    double height = 2 * b.half.z;
    add_box_at(m, b.centre, b.half.z, b.yaw, b.half, b.wall);
    // A band of windows per floor, standing just proud of the facade.
    for (int f = 0; f < b.floors; ++f) {
        double z = 3.2 * f + 1.7;
        add_box_at(m, b.centre, z, b.yaw, {b.half.x + 0.04, b.half.y - 0.6, 0.65}, kWindow);
        add_box_at(m, b.centre, z, b.yaw, {b.half.x - 0.6, b.half.y + 0.04, 0.65}, kWindow);
    }
    add_box_at(m, b.centre, height + 0.2, b.yaw, {b.half.x + 0.15, b.half.y + 0.15, 0.2}, b.trim);
}

void add_tree(SceneMesh & m, const Tree & t) {
    add_box_at(m, t.base, kSidewalkHeight + t.trunk_height / 2, 0.0, {0.14, 0.14, t.trunk_height / 2}, kTrunk);
    double z = kSidewalkHeight + t.trunk_height;
    if (t.conifer) {
        m.add_cone({t.base.x, t.base.y, z - 0.4}, t.crown_radius, t.crown_height + 1.0, 8, t.leaves, 0);
    } else {
        add_box_at(m, t.base, z + t.crown_height / 2, 0.3, {t.crown_radius, t.crown_radius * 0.9, t.crown_height / 2},
                   t.leaves);
        add_box_at(m, t.base, z + t.crown_height / 2, 1.1,
                   {t.crown_radius * 0.8, t.crown_radius * 0.8, t.crown_height / 2 + 0.4}, t.leaves);
    }
}

void add_lamp(SceneMesh & m, const StreetLamp & l) {
    const double h = 7.0;
    add_box_at(m, l.base, kSidewalkHeight + h / 2, l.yaw, {0.09, 0.09, h / 2}, kPole);
    Vec2 dir = from_heading(l.yaw);
    add_box_at(m, l.base + dir * 0.8, kSidewalkHeight + h - 0.1, l.yaw, {0.8, 0.05, 0.05}, kPole);
    add_box_at(m, l.base + dir * 1.5, kSidewalkHeight + h - 0.25, l.yaw, {0.3, 0.15, 0.08}, kLampGlass);
}

void add_mast(SceneMesh & m, const SignalMast & s) {
    add_box_at(m, s.base, kSidewalkHeight + s.height / 2, s.facing, {0.12, 0.12, s.height / 2}, kMast);
    Vec2 span = s.head - s.base;
    double len = length(span);
    add_box_at(m, lerp(s.base, s.head, 0.5), kSidewalkHeight + s.height - 0.15, heading_of(span),
               {len / 2 + 0.1, 0.07, 0.07}, kMast);
}

}  // namespace

SceneMesh build_static_mesh(const RoadNetwork & net, const Scenery & scenery) {
    SceneMesh m;
    add_ground(m, net);
    for (const Building & b : scenery.buildings) add_building(m, b);
    for (const Tree & t : scenery.trees) add_tree(m, t);
    for (const StreetLamp & l : scenery.lamps) add_lamp(m, l);
    for (const SignalMast & s : scenery.masts) add_mast(m, s);
    return m;
}

void add_signal_heads(const Scenery & scenery, const std::vector<TrafficLight> & lights, double time, SceneMesh & out) {
    static const uint8_t kOn[3][4] = {{255, 45, 30, 255}, {255, 190, 30, 255}, {40, 235, 100, 255}};
    static const uint8_t kOff[3][4] = {{60, 18, 14, 255}, {60, 46, 12, 255}, {12, 52, 24, 255}};
    static const uint8_t kHousing[4] = {30, 30, 32, 255};
    for (const SignalMast & s : scenery.masts) {
        Signal sig = lights[s.node].state(s.arm, time);
        int lit = sig == Signal::red ? 0 : (sig == Signal::yellow ? 1 : 2);
        double zc = kSidewalkHeight + s.height - 0.75;
        Pose head{{s.head.x, s.head.y, zc}, Quat::from_yaw(s.facing)};
        out.add_box(head, {0.15, 0.2, 0.5}, kHousing, 0);
        for (int i = 0; i < 3; ++i) {
            Pose lamp = head * Pose{{0.17, 0, 0.3 - 0.3 * i}, Quat{}};
            out.add_box(lamp, {0.02, 0.11, 0.11}, i == lit ? kOn[i] : kOff[i], 0);
        }
    }
}

}  // namespace rs
