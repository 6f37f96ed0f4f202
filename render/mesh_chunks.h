// Spatial chunks of a static triangle mesh, so each camera draws only what its frustum can see,
// nearest first. Drawing near geometry first lets the depth test reject hidden pixels before they
// are shaded, which matters most on a software rasteriser such as lavapipe.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/camera_rig.h"
#include "engine/geometry.h"
#include "engine/scene_mesh.h"

namespace rs {

struct MeshChunk {
    uint32_t first_index = 0, index_count = 0;
    Vec3 min, max;  // bounds of every vertex of the chunk's triangles
    // Holds triangles larger than a grid cell (ground planes): drawn after the others, since near
    // small geometry covers them far more often than they cover it.
    bool oversized = false;
};

// Groups triangles by the cell of a `grid` x `grid` raster over the mesh's ground extent that holds
// their centroid, reordering `indices` (whole triangles, each index a valid vertex) so each chunk's
// triangles are contiguous.
std::vector<MeshChunk> build_mesh_chunks(const std::vector<MeshVertex> & vertices, std::vector<uint32_t> & indices,
                                         int grid = 16);

// Appends to `order` (cleared first) the indices of the chunks that may be visible from `view` —
// conservatively: a chunk is dropped only when its box lies wholly outside one frustum plane —
// nearest first, oversized chunks last.
void visible_chunks(const std::vector<MeshChunk> & chunks, const CameraView & view, std::vector<uint32_t> & order);

}  // namespace rs
