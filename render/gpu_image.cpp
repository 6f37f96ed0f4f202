#include "render/gpu_image.h"

#include <string>

#include "render/vulkan_context.h"
#include "render/vulkan_error.h"

namespace rs {

namespace {

VkFormatFeatureFlags features_for(VkImageUsageFlags usage) {
    VkFormatFeatureFlags f = 0;
    if (usage & VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT) f |= VK_FORMAT_FEATURE_COLOR_ATTACHMENT_BIT;
    if (usage & VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT) f |= VK_FORMAT_FEATURE_DEPTH_STENCIL_ATTACHMENT_BIT;
    if (usage & VK_IMAGE_USAGE_SAMPLED_BIT) f |= VK_FORMAT_FEATURE_SAMPLED_IMAGE_BIT;
    return f;
}

}  // namespace

GpuImage::GpuImage(const VulkanContext & context, uint32_t width, uint32_t height, VkFormat format,
                   VkImageUsageFlags usage, VkImageAspectFlags aspect)
    : device_(context.device()) {
    VkFormatProperties props;
    vkGetPhysicalDeviceFormatProperties(context.physical_device(), format, &props);
    VkFormatFeatureFlags needed = features_for(usage);
    if ((props.optimalTilingFeatures & needed) != needed)
        throw VulkanError("the Vulkan device cannot render to format " + std::to_string(int(format)),
                          VK_ERROR_FORMAT_NOT_SUPPORTED);

    VkImageCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO;
    info.imageType = VK_IMAGE_TYPE_2D;
    info.format = format;
    info.extent = {width, height, 1};
    info.mipLevels = 1;
    info.arrayLayers = 1;
    info.samples = VK_SAMPLE_COUNT_1_BIT;
    info.tiling = VK_IMAGE_TILING_OPTIMAL;
    info.usage = usage;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    info.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
    try {
        check_vk(vkCreateImage(device_, &info, nullptr, &image_), "vkCreateImage");
        VkMemoryRequirements req;
        vkGetImageMemoryRequirements(device_, image_, &req);
        VkMemoryAllocateInfo alloc{};
        alloc.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
        alloc.allocationSize = req.size;
        alloc.memoryTypeIndex = context.find_memory_type(req.memoryTypeBits, 0, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
        check_vk(vkAllocateMemory(device_, &alloc, nullptr, &memory_), "vkAllocateMemory");
        check_vk(vkBindImageMemory(device_, image_, memory_, 0), "vkBindImageMemory");

        VkImageViewCreateInfo view{};
        view.sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO;
        view.image = image_;
        view.viewType = VK_IMAGE_VIEW_TYPE_2D;
        view.format = format;
        view.subresourceRange = {aspect, 0, 1, 0, 1};
        check_vk(vkCreateImageView(device_, &view, nullptr, &view_), "vkCreateImageView");
    } catch (...) {
        release();
        throw;
    }
}

GpuImage & GpuImage::operator=(GpuImage && other) noexcept {
    if (this != &other) {
        release();
        device_ = other.device_;
        image_ = other.image_;
        memory_ = other.memory_;
        view_ = other.view_;
        other.image_ = VK_NULL_HANDLE;
        other.memory_ = VK_NULL_HANDLE;
        other.view_ = VK_NULL_HANDLE;
    }
    return *this;
}

void GpuImage::release() {
    if (view_) vkDestroyImageView(device_, view_, nullptr);
    if (image_) vkDestroyImage(device_, image_, nullptr);
    if (memory_) vkFreeMemory(device_, memory_, nullptr);
    view_ = VK_NULL_HANDLE;
    image_ = VK_NULL_HANDLE;
    memory_ = VK_NULL_HANDLE;
}

}  // namespace rs
