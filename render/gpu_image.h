// A 2D VkImage with its own memory and a view over it, move-only; used for render attachments.
#pragma once

#include <cstdint>
#include <utility>

#include <vulkan/vulkan.h>

namespace rs {

class VulkanContext;

class GpuImage {
public:
    GpuImage() = default;
    // Throws VulkanError with VK_ERROR_FORMAT_NOT_SUPPORTED when the device cannot use `format`
    // for `usage` with optimal tiling.
    GpuImage(const VulkanContext & context, uint32_t width, uint32_t height, VkFormat format, VkImageUsageFlags usage,
             VkImageAspectFlags aspect);
    ~GpuImage() { release(); }
    GpuImage(GpuImage && other) noexcept { *this = std::move(other); }
    GpuImage & operator=(GpuImage && other) noexcept;
    GpuImage(const GpuImage &) = delete;
    GpuImage & operator=(const GpuImage &) = delete;

    VkImage handle() const { return image_; }
    VkImageView view() const { return view_; }

private:
    void release();

    VkDevice device_ = VK_NULL_HANDLE;
    VkImage image_ = VK_NULL_HANDLE;
    VkDeviceMemory memory_ = VK_NULL_HANDLE;
    VkImageView view_ = VK_NULL_HANDLE;
};

}  // namespace rs
