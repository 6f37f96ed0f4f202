#include "render/gpu_buffer.h"

#include "render/vulkan_context.h"
#include "render/vulkan_error.h"

namespace rs {

GpuBuffer::GpuBuffer(const VulkanContext & context, VkDeviceSize size, VkBufferUsageFlags usage, MemoryUse use)
    : device_(context.device()), size_(size) {
    VkBufferCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
    info.size = size;
    info.usage = usage;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    check_vk(vkCreateBuffer(device_, &info, nullptr, &buffer_), "vkCreateBuffer");

    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(device_, buffer_, &req);
    VkMemoryPropertyFlags required = 0, preferred = 0;
    switch (use) {
    case MemoryUse::device_local:
        preferred = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
        break;
    case MemoryUse::host_upload:
        required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT;
        preferred = VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
        break;
    case MemoryUse::host_readback:
        // Cached memory makes the CPU's reads of whole images fast on discrete GPUs.
        required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT;
        preferred = VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
        break;
    }
    VkMemoryAllocateInfo alloc{};
    alloc.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
    alloc.allocationSize = req.size;
    try {
        alloc.memoryTypeIndex = context.find_memory_type(req.memoryTypeBits, required, preferred);
        check_vk(vkAllocateMemory(device_, &alloc, nullptr, &memory_), "vkAllocateMemory");
        check_vk(vkBindBufferMemory(device_, buffer_, memory_, 0), "vkBindBufferMemory");
        VkMemoryPropertyFlags flags = context.memory_properties().memoryTypes[alloc.memoryTypeIndex].propertyFlags;
        coherent_ = (flags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT) != 0;
        if (flags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT)
            check_vk(vkMapMemory(device_, memory_, 0, VK_WHOLE_SIZE, 0, &mapped_), "vkMapMemory");
    } catch (...) {
        release();
        throw;
    }
}

GpuBuffer & GpuBuffer::operator=(GpuBuffer && other) noexcept {
    if (this != &other) {
        release();
        device_ = other.device_;
        buffer_ = other.buffer_;
        memory_ = other.memory_;
        size_ = other.size_;
        mapped_ = other.mapped_;
        coherent_ = other.coherent_;
        other.buffer_ = VK_NULL_HANDLE;
        other.memory_ = VK_NULL_HANDLE;
        other.size_ = 0;
        other.mapped_ = nullptr;
    }
    return *this;
}

void GpuBuffer::release() {
    if (mapped_) vkUnmapMemory(device_, memory_);
    if (buffer_) vkDestroyBuffer(device_, buffer_, nullptr);
    if (memory_) vkFreeMemory(device_, memory_, nullptr);
    buffer_ = VK_NULL_HANDLE;
    memory_ = VK_NULL_HANDLE;
    mapped_ = nullptr;
    size_ = 0;
}

void GpuBuffer::flush() const {
    if (coherent_ || !mapped_) return;
    VkMappedMemoryRange range{};
    range.sType = VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE;
    range.memory = memory_;
    range.size = VK_WHOLE_SIZE;
    check_vk(vkFlushMappedMemoryRanges(device_, 1, &range), "vkFlushMappedMemoryRanges");
}

void GpuBuffer::invalidate() const {
    if (coherent_ || !mapped_) return;
    VkMappedMemoryRange range{};
    range.sType = VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE;
    range.memory = memory_;
    range.size = VK_WHOLE_SIZE;
    check_vk(vkInvalidateMappedMemoryRanges(device_, 1, &range), "vkInvalidateMappedMemoryRanges");
}

}  // namespace rs
