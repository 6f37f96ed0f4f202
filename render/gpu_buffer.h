// A VkBuffer with its own memory allocation, move-only. Host-visible buffers stay mapped for their
// whole life; the renderer allocates only a handful of buffers, so one allocation each is fine.
#pragma once

#include <utility>

#include <vulkan/vulkan.h>

namespace rs {

class VulkanContext;

enum class MemoryUse {
    device_local,   // written by transfers, read by the GPU (static meshes)
    host_upload,    // written by the CPU every frame (dynamic meshes, uniforms)
    host_readback,  // written by the GPU, read by the CPU (rendered images)
};

class GpuBuffer {
public:
    GpuBuffer() = default;
    GpuBuffer(const VulkanContext & context, VkDeviceSize size, VkBufferUsageFlags usage, MemoryUse use);
    ~GpuBuffer() { release(); }
    GpuBuffer(GpuBuffer && other) noexcept { *this = std::move(other); }
    GpuBuffer & operator=(GpuBuffer && other) noexcept;
    GpuBuffer(const GpuBuffer &) = delete;
    GpuBuffer & operator=(const GpuBuffer &) = delete;

    VkBuffer handle() const { return buffer_; }
    VkDeviceSize size() const { return size_; }
    // Null unless the memory is host-visible.
    void * mapped() const { return mapped_; }
    // Make CPU writes visible to the GPU / GPU writes visible to the CPU; no-ops on coherent memory.
    void flush() const;
    void invalidate() const;

private:
    void release();

    VkDevice device_ = VK_NULL_HANDLE;
    VkBuffer buffer_ = VK_NULL_HANDLE;
    VkDeviceMemory memory_ = VK_NULL_HANDLE;
    VkDeviceSize size_ = 0;
    void * mapped_ = nullptr;
    bool coherent_ = true;
};

}  // namespace rs
