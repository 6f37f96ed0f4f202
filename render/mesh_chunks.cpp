#include "render/mesh_chunks.h"

#include <algorithm>
#include <cmath>

namespace rs {

namespace {

Vec3 position(const MeshVertex & v) { return {v.position[0], v.position[1], v.position[2]}; }

void grow(MeshChunk & chunk, const Vec3 & p) {
    chunk.min = {std::min(chunk.min.x, p.x), std::min(chunk.min.y, p.y), std::min(chunk.min.z, p.z)};
    chunk.max = {std::max(chunk.max.x, p.x), std::max(chunk.max.y, p.y), std::max(chunk.max.z, p.z)};
}

}  // namespace

std::vector<MeshChunk> build_mesh_chunks(const std::vector<MeshVertex> & vertices, std::vector<uint32_t> & indices,
                                         int grid) {
    size_t triangles = indices.size() / 3;
    if (triangles == 0) return {};
    grid = std::max(grid, 1);

    double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
    for (uint32_t i : indices) {
        const MeshVertex & v = vertices[i];
        x0 = std::min(x0, double(v.position[0])), x1 = std::max(x1, double(v.position[0]));
        y0 = std::min(y0, double(v.position[1])), y1 = std::max(y1, double(v.position[1]));
    }
    double cell = std::max(std::max(x1 - x0, y1 - y0) / grid, 1e-6);

    // Bucket of every triangle: a grid cell, or the last bucket for oversized triangles.
    const int oversized = grid * grid;
    std::vector<int> bucket(triangles);
    std::vector<uint32_t> bucket_size(size_t(oversized) + 1, 0);
    for (size_t t = 0; t < triangles; ++t) {
        Vec3 a = position(vertices[indices[3 * t]]), b = position(vertices[indices[3 * t + 1]]),
             c = position(vertices[indices[3 * t + 2]]);
        double extent = std::max(std::max(a.x, std::max(b.x, c.x)) - std::min(a.x, std::min(b.x, c.x)),
                                 std::max(a.y, std::max(b.y, c.y)) - std::min(a.y, std::min(b.y, c.y)));
        int k = oversized;
        if (extent <= cell) {
            int cx = std::clamp(int(((a.x + b.x + c.x) / 3 - x0) / cell), 0, grid - 1);
            int cy = std::clamp(int(((a.y + b.y + c.y) / 3 - y0) / cell), 0, grid - 1);
            k = cy * grid + cx;
        }
        bucket[t] = k;
        ++bucket_size[size_t(k)];
    }

    // Counting sort of the triangles by bucket; each non-empty bucket becomes a chunk.
    std::vector<MeshChunk> chunks;
    std::vector<uint32_t> chunk_of(bucket_size.size(), 0), cursor(bucket_size.size(), 0);
    uint32_t first = 0;
    for (size_t k = 0; k < bucket_size.size(); ++k) {
        if (bucket_size[k] == 0) continue;
        MeshChunk chunk;
        chunk.first_index = first;
        chunk.index_count = 3 * bucket_size[k];
        chunk.min = {1e300, 1e300, 1e300};
        chunk.max = {-1e300, -1e300, -1e300};
        chunk.oversized = int(k) == oversized;
        chunk_of[k] = uint32_t(chunks.size());
        cursor[k] = first;
        chunks.push_back(chunk);
        first += chunk.index_count;
    }
    std::vector<uint32_t> sorted(3 * triangles);
    for (size_t t = 0; t < triangles; ++t) {
        size_t k = size_t(bucket[t]);
        MeshChunk & chunk = chunks[chunk_of[k]];
        for (int corner = 0; corner < 3; ++corner) {
            uint32_t index = indices[3 * t + corner];
            sorted[cursor[k]++] = index;
            grow(chunk, position(vertices[index]));
        }
    }
    indices = std::move(sorted);
    return chunks;
}

void visible_chunks(const std::vector<MeshChunk> & chunks, const CameraView & view, std::vector<uint32_t> & order) {
    order.clear();
    const Intrinsics & k = view.intrinsics;
    const double w = view.width, h = view.height;
    // Frustum half-spaces in the camera frame, inside when a x + b y + c z + d >= 0.
    const double planes[6][4] = {
        {0, 0, 1, -view.near_plane}, {0, 0, -1, view.far_plane},
        {k.fx, 0, k.cx, 0},          {-k.fx, 0, w - k.cx, 0},  // u >= 0, u <= width
        {0, k.fy, k.cy, 0},          {0, -k.fy, h - k.cy, 0},  // v >= 0, v <= height
    };
    Mat3 world_to_camera = view.camera_to_world.rotation.matrix().transposed();
    const Vec3 & eye = view.camera_to_world.translation;

    struct Ranked {
        bool oversized;
        double distance;
        uint32_t chunk;
        bool operator<(const Ranked & o) const {
            if (oversized != o.oversized) return !oversized;
            return distance != o.distance ? distance < o.distance : chunk < o.chunk;
        }
    };
    std::vector<Ranked> ranked;
    for (size_t i = 0; i < chunks.size(); ++i) {
        const MeshChunk & c = chunks[i];
        Vec3 corners[8];
        for (int n = 0; n < 8; ++n) {
            Vec3 p{n & 1 ? c.max.x : c.min.x, n & 2 ? c.max.y : c.min.y, n & 4 ? c.max.z : c.min.z};
            corners[n] = world_to_camera * (p - eye);
        }
        bool outside = false;
        for (const auto & plane : planes) {
            bool all_out = true;
            for (const Vec3 & p : corners)
                all_out = all_out && plane[0] * p.x + plane[1] * p.y + plane[2] * p.z + plane[3] < 0;
            if (all_out) {
                outside = true;
                break;
            }
        }
        if (outside) continue;
        // Distance from the eye to the box, 0 inside it.
        Vec3 nearest{std::clamp(eye.x, c.min.x, c.max.x), std::clamp(eye.y, c.min.y, c.max.y),
                     std::clamp(eye.z, c.min.z, c.max.z)};
        ranked.push_back({c.oversized, (nearest - eye).norm(), uint32_t(i)});
    }
    std::sort(ranked.begin(), ranked.end());
    for (const Ranked & r : ranked) order.push_back(r.chunk);
}

}  // namespace rs
