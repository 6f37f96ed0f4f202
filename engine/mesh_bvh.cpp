#include "engine/mesh_bvh.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace rs {

namespace {

constexpr int kBins = 16;
constexpr uint32_t kMaxLeaf = 8;
// Below this depth splits follow the SAH; deeper nodes split at the object median, which halves
// the count each level, so no tree is deeper than kSahDepth + 32 and the traversal stack is fixed.
constexpr int kSahDepth = 64;
constexpr int kStackSize = 128;
constexpr float kTraversalCost = 1.0f;  // relative to one ray-triangle test

// Four lanes, the last one idle, so that merging two boxes compiles to one vector min and one
// vector max: binning merges a box per primitive per axis and dominates the build.
struct Box {
    float lo[4] = {INFINITY, INFINITY, INFINITY, INFINITY};
    float hi[4] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};

    void grow(const float p[3]) {
        for (int a = 0; a < 3; ++a) {
            lo[a] = std::min(lo[a], p[a]);
            hi[a] = std::max(hi[a], p[a]);
        }
    }
    void grow(const Box & b) {
        for (int a = 0; a < 4; ++a) {
            lo[a] = b.lo[a] < lo[a] ? b.lo[a] : lo[a];
            hi[a] = b.hi[a] > hi[a] ? b.hi[a] : hi[a];
        }
    }
    float half_area() const {
        float dx = hi[0] - lo[0], dy = hi[1] - lo[1], dz = hi[2] - lo[2];
        return dx * dy + dy * dz + dz * dx;
    }
};

struct Prim {
    Box box;
    float centre[3];
    uint32_t index;  // triangle in the mesh
};

struct Bin {
    Box box;
    uint32_t count = 0;
};

int bin_of(float c, float lo, float scale) {
    return std::min(kBins - 1, int((c - lo) * scale));
}

struct Split {
    int axis = -1;
    int bin = 0;  // first bin on the right side
    float cost = INFINITY;
};

// Best binned-SAH split of [first, last), costed as sum of child area x count. All three axes are
// binned in one sweep over the range.
Split find_sah_split(const Prim * first, const Prim * last, const Box & centres) {
    float scale[3];
    bool usable[3];
    for (int axis = 0; axis < 3; ++axis) {
        float extent = centres.hi[axis] - centres.lo[axis];
        scale[axis] = kBins / extent;
        usable[axis] = extent > 0 && std::isfinite(scale[axis]);
    }
    Bin bins[3][kBins];
    for (const Prim * p = first; p != last; ++p)
        for (int axis = 0; axis < 3; ++axis) {
            if (!usable[axis]) continue;
            Bin & b = bins[axis][bin_of(p->centre[axis], centres.lo[axis], scale[axis])];
            b.box.grow(p->box);
            ++b.count;
        }
    Split best;
    for (int axis = 0; axis < 3; ++axis) {
        if (!usable[axis]) continue;
        const Bin * row = bins[axis];
        float left_cost[kBins];  // left_cost[s]: bins [0, s)
        Box acc;
        uint32_t n = 0;
        for (int s = 1; s < kBins; ++s) {
            acc.grow(row[s - 1].box);
            n += row[s - 1].count;
            left_cost[s] = n ? acc.half_area() * float(n) : INFINITY;
        }
        acc = Box();
        n = 0;
        for (int s = kBins - 1; s >= 1; --s) {
            acc.grow(row[s].box);
            n += row[s].count;
            if (n == 0) continue;
            float cost = left_cost[s] + acc.half_area() * float(n);
            if (cost < best.cost) best = {axis, s, cost};
        }
    }
    return best;
}

// Conservative against rounding in the slab test and in the triangle test near edges: boxes are
// padded a few ulps and the exit distance is stretched, so the tree never loses a hit that a
// brute-force loop over the same triangles would find.
void pad(Box & b) {
    for (int a = 0; a < 3; ++a) {
        float m = 1e-6f * std::max({1.0f, std::fabs(b.lo[a]), std::fabs(b.hi[a])});
        b.lo[a] -= m;
        b.hi[a] += m;
    }
}

// Watertight ray-triangle test (Woop, Benthin and Wald, JCGT 2013): vertices are moved into a
// frame where the ray runs along +z, so an edge shared by two triangles is evaluated identically
// for both and no ray slips between neighbours, which Moller-Trumbore in float allows.
struct ShearedRay {
    float o[3];
    int kx, ky, kz;
    float sx, sy, sz;

    ShearedRay(const float origin[3], const float d[3]) {
        std::copy(origin, origin + 3, o);
        kz = std::fabs(d[0]) > std::fabs(d[1]) ? (std::fabs(d[0]) > std::fabs(d[2]) ? 0 : 2)
                                               : (std::fabs(d[1]) > std::fabs(d[2]) ? 1 : 2);
        kx = (kz + 1) % 3;
        ky = (kx + 1) % 3;
        sx = d[kx] / d[kz];
        sy = d[ky] / d[kz];
        sz = 1.0f / d[kz];
    }

    // Distance along the (unit) ray to the triangle, when it is hit in front of the origin.
    bool hit(const float v[3][3], float & t) const {
        float x[3], y[3], z[3];
        for (int i = 0; i < 3; ++i) {
            float rz = v[i][kz] - o[kz];
            x[i] = (v[i][kx] - o[kx]) - sx * rz;
            y[i] = (v[i][ky] - o[ky]) - sy * rz;
            z[i] = sz * rz;
        }
        float e0 = x[2] * y[1] - y[2] * x[1];
        float e1 = x[0] * y[2] - y[0] * x[2];
        float e2 = x[1] * y[0] - y[1] * x[0];
        if (e0 == 0.0f || e1 == 0.0f || e2 == 0.0f) {
            // Exactly on an edge in float: settle the sign in double, as the paper does.
            e0 = float(double(x[2]) * y[1] - double(y[2]) * x[1]);
            e1 = float(double(x[0]) * y[2] - double(y[0]) * x[2]);
            e2 = float(double(x[1]) * y[0] - double(y[1]) * x[0]);
        }
        if ((e0 < 0 || e1 < 0 || e2 < 0) && (e0 > 0 || e1 > 0 || e2 > 0)) return false;
        float det = e0 + e1 + e2;
        if (det == 0.0f) return false;
        t = (e0 * z[0] + e1 * z[1] + e2 * z[2]) / det;
        return t > 0.0f;
    }
};

// The ray as the slab test wants it: per axis, which face of a node box it enters through and
// which it leaves through (offsets into Node::box), and the reciprocal direction.
struct SlabRay {
    float o[3], inv[3];
    int enter[3], leave[3];

    SlabRay(const float origin[3], const float d[3]) {
        for (int a = 0; a < 3; ++a) {
            o[a] = origin[a];
            // A tiny stand-in for 0 keeps the products finite (0 * inf would give NaN).
            float da = std::fabs(d[a]) < 1e-20f ? std::copysign(1e-20f, d[a]) : d[a];
            inv[a] = 1.0f / da;
            enter[a] = inv[a] > 0 ? a : a + 3;
            leave[a] = inv[a] > 0 ? a + 3 : a;
        }
    }

    // Entry distance into the box, or false when the ray misses it or enters beyond `limit`.
    bool hit(const float box[6], float limit, float & t_enter) const {
        float tx0 = (box[enter[0]] - o[0]) * inv[0], tx1 = (box[leave[0]] - o[0]) * inv[0];
        float ty0 = (box[enter[1]] - o[1]) * inv[1], ty1 = (box[leave[1]] - o[1]) * inv[1];
        float tz0 = (box[enter[2]] - o[2]) * inv[2], tz1 = (box[leave[2]] - o[2]) * inv[2];
        t_enter = std::max(std::max(tx0, ty0), std::max(tz0, 0.0f));
        float t_leave = std::min(std::min(std::min(tx1, ty1), tz1) * 1.000001f, limit);
        return t_enter <= t_leave;
    }
};

}  // namespace

void MeshBvh::build(const SceneMesh & mesh) {
    nodes_.clear();
    tris_.clear();
    size_t n = mesh.triangle_count();
    if (n == 0) return;
    if (n >= kNoTriangle) throw std::length_error("MeshBvh: too many triangles (" + std::to_string(n) + ")");

    // Primitives are reordered in place as nodes split, so every node owns a contiguous range.
    std::vector<Prim> prims(n);
    const size_t nv = mesh.vertices.size();
    for (size_t i = 0; i < n; ++i) {
        Prim & p = prims[i];
        for (int k = 0; k < 3; ++k) {
            uint32_t vi = mesh.indices[3 * i + k];
            if (vi >= nv)
                throw std::out_of_range("MeshBvh: triangle " + std::to_string(i) + " uses vertex " +
                                        std::to_string(vi) + " of " + std::to_string(nv));
            p.box.grow(mesh.vertices[vi].position);
        }
        for (int a = 0; a < 3; ++a) p.centre[a] = 0.5f * (p.box.lo[a] + p.box.hi[a]);
        p.index = uint32_t(i);
    }

    struct Task {
        uint32_t node, begin, end;
        int depth;
    };
    std::vector<Task> tasks{{0, 0, uint32_t(n), 0}};
    nodes_.reserve(2 * n / kMaxLeaf + 16);
    nodes_.push_back({});
    while (!tasks.empty()) {
        Task t = tasks.back();
        tasks.pop_back();
        Prim * first = prims.data() + t.begin;
        Prim * last = prims.data() + t.end;
        Box bounds, centres;
        for (const Prim * p = first; p != last; ++p) {
            bounds.grow(p->box);
            centres.grow(p->centre);
        }
        uint32_t count = t.end - t.begin;
        Prim * mid = first;
        if (count > 1) {
            Split split;
            if (t.depth < kSahDepth) split = find_sah_split(first, last, centres);
            if (split.axis >= 0) {
                float leaf_cost = float(count);
                float split_cost = kTraversalCost + split.cost / std::max(bounds.half_area(), 1e-30f);
                if (count > kMaxLeaf || split_cost < leaf_cost) {
                    int axis = split.axis;
                    float scale = kBins / (centres.hi[axis] - centres.lo[axis]);
                    float lo = centres.lo[axis];
                    mid = std::partition(first, last, [&](const Prim & p) {
                        return bin_of(p.centre[axis], lo, scale) < split.bin;
                    });
                }
            } else if (count > kMaxLeaf) {
                // Deep or degenerate (all centres equal): the object median still bounds the leaf size.
                int widest = 0;
                for (int a = 1; a < 3; ++a)
                    if (centres.hi[a] - centres.lo[a] > centres.hi[widest] - centres.lo[widest]) widest = a;
                mid = first + count / 2;
                std::nth_element(first, mid, last, [&](const Prim & a, const Prim & b) {
                    return a.centre[widest] < b.centre[widest];
                });
            }
        }
        pad(bounds);
        Node & node = nodes_[t.node];
        std::copy(bounds.lo, bounds.lo + 3, node.box);
        std::copy(bounds.hi, bounds.hi + 3, node.box + 3);
        if (mid > first && mid < last) {
            uint32_t child = uint32_t(nodes_.size());
            uint32_t split_at = uint32_t(mid - prims.data());
            node.start = child;
            node.count = 0;
            nodes_.push_back({});
            nodes_.push_back({});
            tasks.push_back({child + 1, split_at, t.end, t.depth + 1});
            tasks.push_back({child, t.begin, split_at, t.depth + 1});
        } else {
            node.start = t.begin;
            node.count = count;
        }
    }

    tris_.resize(n);
    for (size_t k = 0; k < n; ++k) {
        uint32_t i = prims[k].index;
        const MeshVertex & a = mesh.vertices[mesh.indices[3 * i]];
        const MeshVertex & b = mesh.vertices[mesh.indices[3 * i + 1]];
        const MeshVertex & c = mesh.vertices[mesh.indices[3 * i + 2]];
        Tri & tr = tris_[k];
        for (int ax = 0; ax < 3; ++ax) {
            tr.v[0][ax] = a.position[ax];
            tr.v[1][ax] = b.position[ax];
            tr.v[2][ax] = c.position[ax];
        }
        tr.source = i;
        tr.instance_id = a.instance_id;
        std::copy(a.color, a.color + 4, tr.color);
    }
}

void MeshBvh::traverse(const float o[3], const float d[3], float & best_t, uint32_t & best_index) const {
    if (nodes_.empty()) return;
    SlabRay slab(o, d);
    ShearedRay sheared(o, d);
    uint32_t best_source = best_index == kNoTriangle ? kNoTriangle : tris_[best_index].source;
    // Equal distances go to the lower source index, so nodes entered exactly at best_t still count.
    auto accepts = [&](float t, uint32_t source) {
        return t < best_t || (t == best_t && best_index != kNoTriangle && source < best_source);
    };

    struct Entry {
        uint32_t node;
        float t;
    };
    Entry stack[kStackSize];
    int sp = 0;
    float t_root;
    if (!slab.hit(nodes_[0].box, best_t, t_root)) return;
    stack[sp++] = {0, t_root};
    while (sp > 0) {
        Entry e = stack[--sp];
        if (e.t > best_t) continue;
        const Node & node = nodes_[e.node];
        if (node.count > 0) {
            for (uint32_t k = node.start, end = node.start + node.count; k < end; ++k) {
                const Tri & tr = tris_[k];
                float t;
                if (sheared.hit(tr.v, t) && accepts(t, tr.source)) {
                    best_t = t;
                    best_index = k;
                    best_source = tr.source;
                }
            }
            continue;
        }
        const Node & a = nodes_[node.start];
        const Node & b = nodes_[node.start + 1];
        float ta, tb;
        bool hit_a = slab.hit(a.box, best_t, ta);
        bool hit_b = slab.hit(b.box, best_t, tb);
        // Push the far child first so the near one is popped next.
        if (hit_a && hit_b) {
            if (ta <= tb) {
                stack[sp++] = {node.start + 1, tb};
                stack[sp++] = {node.start, ta};
            } else {
                stack[sp++] = {node.start, ta};
                stack[sp++] = {node.start + 1, tb};
            }
        } else if (hit_a) {
            stack[sp++] = {node.start, ta};
        } else if (hit_b) {
            stack[sp++] = {node.start + 1, tb};
        }
    }
}

void MeshBvh::fill_hit(uint32_t index, const Vec3 & direction, float t, RayHit & hit) const {
    const Tri & tr = tris_[index];
    Vec3 a{tr.v[0][0], tr.v[0][1], tr.v[0][2]};
    Vec3 b{tr.v[1][0], tr.v[1][1], tr.v[1][2]};
    Vec3 c{tr.v[2][0], tr.v[2][1], tr.v[2][2]};
    Vec3 n = (b - a).cross(c - a).normalized();
    hit.distance = t;
    hit.triangle = tr.source;
    hit.instance_id = tr.instance_id;
    hit.normal = n.dot(direction) > 0 ? -n : n;
    std::copy(tr.color, tr.color + 4, hit.color);
}

namespace {

struct FloatRay {
    float o[3], d[3];
    Vec3 unit;
};

FloatRay make_ray(const Vec3 & origin, const Vec3 & direction) {
    FloatRay r;
    r.unit = direction.normalized();
    r.o[0] = float(origin.x); r.o[1] = float(origin.y); r.o[2] = float(origin.z);
    r.d[0] = float(r.unit.x); r.d[1] = float(r.unit.y); r.d[2] = float(r.unit.z);
    return r;
}

}  // namespace

RayHit MeshBvh::intersect(const Vec3 & origin, const Vec3 & direction, double max_distance) const {
    RayHit hit;
    if (!(direction.norm() > 0)) return hit;
    FloatRay r = make_ray(origin, direction);
    float best_t = float(max_distance);
    uint32_t best = kNoTriangle;
    traverse(r.o, r.d, best_t, best);
    if (best != kNoTriangle) {
        fill_hit(best, r.unit, best_t, hit);
        hit.mesh = 0;
    }
    return hit;
}

RayHit intersect_closest(const MeshBvh & first, const MeshBvh & second, const Vec3 & origin, const Vec3 & direction,
                         double max_distance) {
    RayHit hit;
    if (!(direction.norm() > 0)) return hit;
    FloatRay r = make_ray(origin, direction);
    float best_t = float(max_distance);
    uint32_t best_first = kNoTriangle, best_second = kNoTriangle;
    first.traverse(r.o, r.d, best_t, best_first);
    // Starting the second search with no index makes it accept only strictly closer hits.
    second.traverse(r.o, r.d, best_t, best_second);
    if (best_second != kNoTriangle) {
        second.fill_hit(best_second, r.unit, best_t, hit);
        hit.mesh = 1;
    } else if (best_first != kNoTriangle) {
        first.fill_hit(best_first, r.unit, best_t, hit);
        hit.mesh = 0;
    }
    return hit;
}

}  // namespace rs
