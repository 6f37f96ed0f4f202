// A SceneMesh on the GPU: vertex and index buffers plus the draw calls. Static meshes live in
// device-local memory, uploaded once through a staging buffer, and are split into spatial chunks
// so each view draws only what it can see, nearest first; dynamic ones live in host-visible buffers
// that are rewritten every frame and only reallocated when they must grow.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include <vulkan/vulkan.h>

#include "engine/camera_rig.h"
#include "engine/scene_mesh.h"
#include "render/gpu_buffer.h"
#include "render/mesh_chunks.h"

namespace rs {

class VulkanContext;

class GpuMesh {
public:
    enum class Residency { static_geometry, dynamic_geometry };

    GpuMesh(const VulkanContext & context, Residency residency);

    // Replaces the contents. Must not be called while a command buffer drawing this mesh is in
    // flight. Throws std::invalid_argument for indices past the vertex array.
    void upload(const SceneMesh & mesh);
    uint32_t index_count() const { return index_count_; }
    // Binds the buffers and draws the triangles `view` may see (all of a dynamic mesh); records
    // nothing for an empty mesh.
    void record_draw(VkCommandBuffer cmd, const CameraView & view);

    // The vertex input the camera pipeline declares for MeshVertex.
    static VkVertexInputBindingDescription vertex_binding();
    static std::array<VkVertexInputAttributeDescription, 4> vertex_attributes();

private:
    void upload_static(const SceneMesh & mesh);
    void upload_dynamic(const SceneMesh & mesh);

    const VulkanContext & context_;
    Residency residency_;
    GpuBuffer vertices_, indices_;
    uint32_t index_count_ = 0;
    std::vector<MeshChunk> chunks_;        // static meshes only
    std::vector<uint32_t> visible_order_;  // scratch for record_draw
};

}  // namespace rs
