#include "engine/visibility.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>
#include <unordered_map>

namespace rs {

namespace {

// Half-space a.p + d >= 0 in the camera frame.
struct Plane {
    Vec3 a;
    double d;
    double eval(const Vec3 & p) const { return a.dot(p) + d; }
};

// The six faces of a view's frustum. The side planes are the image borders multiplied through by
// z, so they are linear and a box is outside when all eight corners fail one of them.
std::array<Plane, 6> frustum_planes(const CameraView & v) {
    const Intrinsics & k = v.intrinsics;
    double w = v.width, h = v.height;
    return {{
        {{0, 0, 1}, -v.near_plane},
        {{0, 0, -1}, v.far_plane},
        {{k.fx, 0, k.cx}, 0},           // u >= 0
        {{-k.fx, 0, w - k.cx}, 0},      // u <= width
        {{0, k.fy, k.cy}, 0},           // v >= 0
        {{0, -k.fy, h - k.cy}, 0},      // v <= height
    }};
}

struct WorldToCamera {
    Mat3 r;
    Vec3 t;
    explicit WorldToCamera(const Pose & camera_to_world) {
        r = camera_to_world.rotation.matrix().transposed();
        t = -(r * camera_to_world.translation);
    }
    Vec3 apply(const Vec3 & p) const { return r * p + t; }
};

// Sutherland-Hodgman against one plane; a triangle clipped by near and far has at most 5 corners.
constexpr int kMaxPolygon = 8;
int clip_polygon(const Vec3 * in, int n, const Plane & plane, Vec3 * out) {
    int m = 0;
    for (int i = 0; i < n; ++i) {
        const Vec3 & a = in[i];
        const Vec3 & b = in[(i + 1) % n];
        double fa = plane.eval(a), fb = plane.eval(b);
        if (fa >= 0) out[m++] = a;
        if ((fa >= 0) != (fb >= 0)) out[m++] = a + (b - a) * (fa / (fa - fb));
    }
    return m;
}

// Marks the pixels whose centres (i + 0.5, j + 0.5) lie in triangle abc (edges inclusive) in a
// stamp buffer and returns how many were not yet marked with `stamp`.
int64_t fill_triangle(Vec2 a, Vec2 b, Vec2 c, int width, int height, uint32_t stamp, std::vector<uint32_t> & marks) {
    double area = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
    if (!(area != 0)) return 0;
    if (area < 0) std::swap(b, c);
    // Clamp in double before converting: far off-screen corners can exceed int.
    double j_lo = std::max(0.0, std::ceil(std::min({a.y, b.y, c.y}) - 0.5));
    double j_hi = std::min(height - 1.0, std::floor(std::max({a.y, b.y, c.y}) - 0.5));
    if (!(j_lo <= j_hi)) return 0;
    const Vec2 * vs[3] = {&a, &b, &c};
    int64_t added = 0;
    for (int j = int(j_lo); j <= int(j_hi); ++j) {
        double py = j + 0.5;
        // Each edge is linear in px along the row: the inside is a half-line, the triangle their overlap.
        double lo = -INFINITY, hi = INFINITY;
        for (int e = 0; e < 3; ++e) {
            const Vec2 & p = *vs[e];
            const Vec2 & q = *vs[(e + 1) % 3];
            double slope = -(q.y - p.y);
            double at_zero = (q.x - p.x) * (py - p.y) + (q.y - p.y) * p.x;
            if (slope > 0) lo = std::max(lo, -at_zero / slope);
            else if (slope < 0) hi = std::min(hi, -at_zero / slope);
            else if (at_zero < 0) hi = -INFINITY;
        }
        if (!(lo <= hi)) continue;
        double i_lo = std::max(0.0, std::ceil(lo - 0.5)), i_hi = std::min(width - 1.0, std::floor(hi - 0.5));
        if (!(i_lo <= i_hi)) continue;
        uint32_t * row = marks.data() + size_t(j) * width;
        for (int i = int(i_lo); i <= int(i_hi); ++i) {
            added += row[i] != stamp;
            row[i] = stamp;
        }
    }
    return added;
}

struct Instance {
    std::vector<uint32_t> triangles;
    Vec3 lo{INFINITY, INFINITY, INFINITY}, hi{-INFINITY, -INFINITY, -INFINITY};
    int64_t visible = 0, total = 0;
};

Vec3 position(const MeshVertex & v) { return {v.position[0], v.position[1], v.position[2]}; }

bool outside_frustum(const Instance & inst, const WorldToCamera & to_cam, const std::array<Plane, 6> & planes) {
    Vec3 corners[8];
    for (int c = 0; c < 8; ++c)
        corners[c] = to_cam.apply({c & 1 ? inst.hi.x : inst.lo.x, c & 2 ? inst.hi.y : inst.lo.y,
                                   c & 4 ? inst.hi.z : inst.lo.z});
    for (const Plane & pl : planes) {
        bool all_out = true;
        for (const Vec3 & p : corners) all_out = all_out && pl.eval(p) < 0;
        if (all_out) return true;
    }
    return false;
}

// Pixels of one view that the instance's triangles cover, each counted once.
int64_t covered_pixels(const SceneMesh & mesh, const Instance & inst, const CameraView & view,
                       const WorldToCamera & to_cam, const std::array<Plane, 6> & planes, uint32_t stamp,
                       std::vector<uint32_t> & marks) {
    const Intrinsics & k = view.intrinsics;
    int64_t count = 0;
    for (uint32_t t : inst.triangles) {
        Vec3 poly[kMaxPolygon], tmp[kMaxPolygon];
        for (int c = 0; c < 3; ++c) poly[c] = to_cam.apply(position(mesh.vertices[mesh.indices[3 * t + c]]));
        int n = clip_polygon(poly, 3, planes[0], tmp);
        n = clip_polygon(tmp, n, planes[1], poly);
        if (n < 3) continue;
        Vec2 px[kMaxPolygon];
        for (int c = 0; c < n; ++c) px[c] = k.project(poly[c]);
        for (int c = 1; c + 1 < n; ++c)
            count += fill_triangle(px[0], px[c], px[c + 1], view.width, view.height, stamp, marks);
    }
    return count;
}

}  // namespace

const char * visibility_level(double fraction) {
    if (fraction < 0.4) return "1";
    if (fraction < 0.6) return "2";
    if (fraction < 0.8) return "3";
    return "4";
}

std::vector<VisibilityResult> compute_visibility(const SceneMesh & dynamic, const std::vector<CameraView> & views,
                                                 const std::vector<CameraImage> & images,
                                                 const std::vector<uint32_t> & instance_ids) {
    if (views.size() != images.size())
        throw std::invalid_argument("compute_visibility: " + std::to_string(views.size()) + " views but " +
                                    std::to_string(images.size()) + " images");
    for (size_t c = 0; c < views.size(); ++c) {
        const CameraView & v = views[c];
        const CameraImage & im = images[c];
        if (v.width <= 0 || v.height <= 0 || im.width != v.width || im.height != v.height ||
            im.instance_ids.size() != size_t(v.width) * size_t(v.height))
            throw std::invalid_argument("compute_visibility: camera " + std::to_string(c) + " view is " +
                                        std::to_string(v.width) + "x" + std::to_string(v.height) +
                                        " but its instance-id image is " + std::to_string(im.width) + "x" +
                                        std::to_string(im.height) + " with " +
                                        std::to_string(im.instance_ids.size()) + " ids");
        if (!(v.near_plane > 0) || !(v.far_plane > v.near_plane))
            throw std::invalid_argument("compute_visibility: camera " + std::to_string(c) +
                                        " needs 0 < near_plane < far_plane");
    }

    std::unordered_map<uint32_t, size_t> slot_of;
    for (uint32_t id : instance_ids) slot_of.emplace(id, slot_of.size());
    std::vector<Instance> inst(slot_of.size());

    // Vertices of a triangle share one instance id, so vertex 0 decides.
    const size_t nv = dynamic.vertices.size();
    for (size_t t = 0; t < dynamic.triangle_count(); ++t) {
        const uint32_t * tri = &dynamic.indices[3 * t];
        if (tri[0] >= nv || tri[1] >= nv || tri[2] >= nv)
            throw std::out_of_range("compute_visibility: triangle " + std::to_string(t) + " indexes past " +
                                    std::to_string(nv) + " vertices");
        auto it = slot_of.find(dynamic.vertices[tri[0]].instance_id);
        if (it == slot_of.end()) continue;
        Instance & in = inst[it->second];
        in.triangles.push_back(uint32_t(t));
        for (int c = 0; c < 3; ++c) {
            Vec3 p = position(dynamic.vertices[tri[c]]);
            in.lo = {std::min(in.lo.x, p.x), std::min(in.lo.y, p.y), std::min(in.lo.z, p.z)};
            in.hi = {std::max(in.hi.x, p.x), std::max(in.hi.y, p.y), std::max(in.hi.z, p.z)};
        }
    }

    // Numerator: one pass per image. Ids come in runs along a row, so remember the last lookup.
    for (const CameraImage & im : images) {
        uint32_t last_id = 0;
        Instance * last = nullptr;
        for (uint32_t id : im.instance_ids) {
            if (id == 0) continue;
            if (id != last_id) {
                auto it = slot_of.find(id);
                last = it == slot_of.end() ? nullptr : &inst[it->second];
                last_id = id;
            }
            if (last) ++last->visible;
        }
    }

    // Denominator: each instance rasterised alone; a fresh stamp per (instance, view) replaces clearing.
    size_t max_pixels = 0;
    for (const CameraView & view : views) max_pixels = std::max(max_pixels, size_t(view.width) * size_t(view.height));
    std::vector<uint32_t> marks(max_pixels, 0);
    uint32_t stamp = 0;
    for (const CameraView & view : views) {
        WorldToCamera to_cam(view.camera_to_world);
        std::array<Plane, 6> planes = frustum_planes(view);
        for (Instance & in : inst) {
            if (in.triangles.empty() || outside_frustum(in, to_cam, planes)) continue;
            in.total += covered_pixels(dynamic, in, view, to_cam, planes, ++stamp, marks);
        }
    }

    std::vector<VisibilityResult> results;
    results.reserve(instance_ids.size());
    for (uint32_t id : instance_ids) {
        const Instance & in = inst[slot_of[id]];
        VisibilityResult r;
        r.instance_id = id;
        r.visible_px = in.visible;
        r.total_px = in.total;
        r.fraction = in.total > 0 ? std::min(1.0, double(in.visible) / double(in.total)) : 0.0;
        r.level = visibility_level(r.fraction);
        results.push_back(r);
    }
    return results;
}

}  // namespace rs
