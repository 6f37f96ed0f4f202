#include "render/gpu_mesh.h"

#include <cstddef>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include "render/vulkan_context.h"

namespace rs {

namespace {

void check_indices(const SceneMesh & mesh) {
    if (mesh.indices.size() % 3 != 0)
        throw std::invalid_argument("SceneMesh index count " + std::to_string(mesh.indices.size()) +
                                    " is not a whole number of triangles");
    for (uint32_t i : mesh.indices) {
        if (i >= mesh.vertices.size())
            throw std::invalid_argument("SceneMesh index " + std::to_string(i) + " is past its " +
                                        std::to_string(mesh.vertices.size()) + " vertices");
    }
}

// Room for `bytes` in `buffer`, doubling so a slowly growing scene reallocates rarely.
void ensure_host_capacity(const VulkanContext & context, GpuBuffer & buffer, VkDeviceSize bytes,
                          VkBufferUsageFlags usage) {
    if (buffer.handle() && buffer.size() >= bytes) return;
    VkDeviceSize size = buffer.size() * 2 > bytes ? buffer.size() * 2 : bytes;
    buffer = GpuBuffer();  // free the old allocation before asking for a bigger one
    buffer = GpuBuffer(context, size, usage, MemoryUse::host_upload);
}

}  // namespace

GpuMesh::GpuMesh(const VulkanContext & context, Residency residency) : context_(context), residency_(residency) {}

void GpuMesh::upload(const SceneMesh & mesh) {
    check_indices(mesh);
    // Nothing is drawn from half-replaced buffers if an upload below throws.
    index_count_ = 0;
    chunks_.clear();
    if (mesh.indices.empty()) return;
    if (residency_ == Residency::static_geometry)
        upload_static(mesh);
    else
        upload_dynamic(mesh);
    index_count_ = uint32_t(mesh.indices.size());
}

void GpuMesh::upload_static(const SceneMesh & mesh) {
    std::vector<uint32_t> indices = mesh.indices;
    std::vector<MeshChunk> chunks = build_mesh_chunks(mesh.vertices, indices);

    VkDeviceSize vertex_bytes = mesh.vertices.size() * sizeof(MeshVertex);
    VkDeviceSize index_bytes = indices.size() * sizeof(uint32_t);
    GpuBuffer staging(context_, vertex_bytes + index_bytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, MemoryUse::host_upload);
    auto * bytes = static_cast<unsigned char *>(staging.mapped());
    std::memcpy(bytes, mesh.vertices.data(), vertex_bytes);
    std::memcpy(bytes + vertex_bytes, indices.data(), index_bytes);
    staging.flush();

    vertices_ = GpuBuffer();
    indices_ = GpuBuffer();
    vertices_ = GpuBuffer(context_, vertex_bytes, VK_BUFFER_USAGE_VERTEX_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                          MemoryUse::device_local);
    indices_ = GpuBuffer(context_, index_bytes, VK_BUFFER_USAGE_INDEX_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                         MemoryUse::device_local);
    context_.run_commands([&](VkCommandBuffer cmd) {
        VkBufferCopy vertex_copy{0, 0, vertex_bytes};
        vkCmdCopyBuffer(cmd, staging.handle(), vertices_.handle(), 1, &vertex_copy);
        VkBufferCopy index_copy{vertex_bytes, 0, index_bytes};
        vkCmdCopyBuffer(cmd, staging.handle(), indices_.handle(), 1, &index_copy);
        // Later submissions read these as vertices and indices.
        VkMemoryBarrier barrier{};
        barrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
        barrier.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
        barrier.dstAccessMask = VK_ACCESS_VERTEX_ATTRIBUTE_READ_BIT | VK_ACCESS_INDEX_READ_BIT;
        vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_VERTEX_INPUT_BIT, 0, 1, &barrier, 0,
                             nullptr, 0, nullptr);
    });
    chunks_ = std::move(chunks);
}

void GpuMesh::upload_dynamic(const SceneMesh & mesh) {
    VkDeviceSize vertex_bytes = mesh.vertices.size() * sizeof(MeshVertex);
    VkDeviceSize index_bytes = mesh.indices.size() * sizeof(uint32_t);
    ensure_host_capacity(context_, vertices_, vertex_bytes, VK_BUFFER_USAGE_VERTEX_BUFFER_BIT);
    ensure_host_capacity(context_, indices_, index_bytes, VK_BUFFER_USAGE_INDEX_BUFFER_BIT);
    std::memcpy(vertices_.mapped(), mesh.vertices.data(), vertex_bytes);
    std::memcpy(indices_.mapped(), mesh.indices.data(), index_bytes);
    vertices_.flush();
    indices_.flush();
}

void GpuMesh::record_draw(VkCommandBuffer cmd, const CameraView & view) {
    if (index_count_ == 0) return;
    VkBuffer vertex_buffer = vertices_.handle();
    VkDeviceSize offset = 0;
    vkCmdBindVertexBuffers(cmd, 0, 1, &vertex_buffer, &offset);
    vkCmdBindIndexBuffer(cmd, indices_.handle(), 0, VK_INDEX_TYPE_UINT32);
    if (chunks_.empty()) {
        vkCmdDrawIndexed(cmd, index_count_, 1, 0, 0, 0);
        return;
    }
    visible_chunks(chunks_, view, visible_order_);
    for (uint32_t i : visible_order_) vkCmdDrawIndexed(cmd, chunks_[i].index_count, 1, chunks_[i].first_index, 0, 0);
}

VkVertexInputBindingDescription GpuMesh::vertex_binding() {
    return {0, sizeof(MeshVertex), VK_VERTEX_INPUT_RATE_VERTEX};
}

std::array<VkVertexInputAttributeDescription, 4> GpuMesh::vertex_attributes() {
    return {{
        {0, 0, VK_FORMAT_R32G32B32_SFLOAT, uint32_t(offsetof(MeshVertex, position))},
        {1, 0, VK_FORMAT_R32G32B32_SFLOAT, uint32_t(offsetof(MeshVertex, normal))},
        {2, 0, VK_FORMAT_R8G8B8A8_UNORM, uint32_t(offsetof(MeshVertex, color))},
        {3, 0, VK_FORMAT_R32_UINT, uint32_t(offsetof(MeshVertex, instance_id))},
    }};
}

}  // namespace rs
