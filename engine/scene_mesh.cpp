#include "engine/scene_mesh.h"

#include <cmath>

namespace rs {

namespace {

MeshVertex make_vertex(const Vec3 & p, const Vec3 & n, const uint8_t color[4], uint32_t id) {
    MeshVertex v;
    v.position[0] = float(p.x); v.position[1] = float(p.y); v.position[2] = float(p.z);
    v.normal[0] = float(n.x); v.normal[1] = float(n.y); v.normal[2] = float(n.z);
    for (int i = 0; i < 4; ++i) v.color[i] = color[i];
    v.instance_id = id;
    return v;
}

}  // namespace

void SceneMesh::append(const SceneMesh & other) {
    uint32_t base = uint32_t(vertices.size());
    vertices.insert(vertices.end(), other.vertices.begin(), other.vertices.end());
    indices.reserve(indices.size() + other.indices.size());
    for (uint32_t i : other.indices) indices.push_back(base + i);
}

void SceneMesh::add_box(const Pose & pose, const Vec3 & h, const uint8_t color[4], uint32_t id) {
    // One quad per face with its own normal so flat shading is exact.
    static const int faces[6][4][3] = {
        {{1, -1, -1}, {1, 1, -1}, {1, 1, 1}, {1, -1, 1}},      // +x
        {{-1, 1, -1}, {-1, -1, -1}, {-1, -1, 1}, {-1, 1, 1}},  // -x
        {{1, 1, -1}, {-1, 1, -1}, {-1, 1, 1}, {1, 1, 1}},      // +y
        {{-1, -1, -1}, {1, -1, -1}, {1, -1, 1}, {-1, -1, 1}},  // -y
        {{-1, -1, 1}, {1, -1, 1}, {1, 1, 1}, {-1, 1, 1}},      // +z
        {{-1, 1, -1}, {1, 1, -1}, {1, -1, -1}, {-1, -1, -1}},  // -z
    };
    static const int normals[6][3] = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
    for (int f = 0; f < 6; ++f) {
        uint32_t base = uint32_t(vertices.size());
        Vec3 n = pose.rotation.rotate({double(normals[f][0]), double(normals[f][1]), double(normals[f][2])});
        for (int c = 0; c < 4; ++c) {
            Vec3 local{faces[f][c][0] * h.x, faces[f][c][1] * h.y, faces[f][c][2] * h.z};
            vertices.push_back(make_vertex(pose.apply(local), n, color, id));
        }
        indices.insert(indices.end(), {base, base + 1, base + 2, base, base + 2, base + 3});
    }
}

void SceneMesh::add_quad_z(const Vec2 c[4], double height, const uint8_t color[4], uint32_t id) {
    uint32_t base = uint32_t(vertices.size());
    for (int i = 0; i < 4; ++i) vertices.push_back(make_vertex({c[i].x, c[i].y, height}, {0, 0, 1}, color, id));
    indices.insert(indices.end(), {base, base + 1, base + 2, base, base + 2, base + 3});
}

void SceneMesh::add_cone(const Vec3 & base, double radius, double height, int sides, const uint8_t color[4],
                         uint32_t id) {
    Vec3 apex = base + Vec3{0, 0, height};
    double slope = radius / height;
    for (int s = 0; s < sides; ++s) {
        double a0 = 2 * kPi * s / sides, a1 = 2 * kPi * (s + 1) / sides, am = (a0 + a1) / 2;
        Vec3 n = Vec3{std::cos(am), std::sin(am), slope}.normalized();
        uint32_t b = uint32_t(vertices.size());
        vertices.push_back(make_vertex(base + Vec3{radius * std::cos(a0), radius * std::sin(a0), 0}, n, color, id));
        vertices.push_back(make_vertex(base + Vec3{radius * std::cos(a1), radius * std::sin(a1), 0}, n, color, id));
        vertices.push_back(make_vertex(apex, n, color, id));
        indices.insert(indices.end(), {b, b + 1, b + 2});
    }
}

}  // namespace rs
