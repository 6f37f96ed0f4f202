#include "render/offscreen_target.h"

#include <cstring>

#include "render/camera_pass.h"
#include "render/vulkan_context.h"
#include "render/vulkan_error.h"

namespace rs {

OffscreenTarget::OffscreenTarget(const VulkanContext & context, VkRenderPass render_pass, uint32_t width,
                                 uint32_t height)
    : device_(context.device()),
      width_(width),
      height_(height),
      color_(context, width, height, CameraPass::kColorFormat,
             VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT, VK_IMAGE_ASPECT_COLOR_BIT),
      instance_ids_(context, width, height, CameraPass::kInstanceIdFormat,
                    VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT, VK_IMAGE_ASPECT_COLOR_BIT),
      depth_(context, width, height, CameraPass::kDepthFormat, VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT,
             VK_IMAGE_ASPECT_DEPTH_BIT),
      color_readback_(context, VkDeviceSize(width) * height * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                      MemoryUse::host_readback),
      id_readback_(context, VkDeviceSize(width) * height * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                   MemoryUse::host_readback) {
    VkImageView views[3] = {color_.view(), instance_ids_.view(), depth_.view()};
    VkFramebufferCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO;
    info.renderPass = render_pass;
    info.attachmentCount = 3;
    info.pAttachments = views;
    info.width = width;
    info.height = height;
    info.layers = 1;
    check_vk(vkCreateFramebuffer(device_, &info, nullptr, &framebuffer_), "vkCreateFramebuffer");
}

OffscreenTarget::~OffscreenTarget() { vkDestroyFramebuffer(device_, framebuffer_, nullptr); }

void OffscreenTarget::record_readback(VkCommandBuffer cmd) const {
    VkBufferImageCopy region{};
    region.bufferRowLength = 0;  // tightly packed
    region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    region.imageExtent = {width_, height_, 1};
    vkCmdCopyImageToBuffer(cmd, color_.handle(), VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, color_readback_.handle(), 1,
                           &region);
    vkCmdCopyImageToBuffer(cmd, instance_ids_.handle(), VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, id_readback_.handle(),
                           1, &region);

    VkMemoryBarrier barrier{};
    barrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
    barrier.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
    barrier.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &barrier, 0, nullptr,
                         0, nullptr);
}

void OffscreenTarget::read(CameraImage & image) const {
    color_readback_.invalidate();
    id_readback_.invalidate();
    size_t pixels = size_t(width_) * height_;
    image.width = int(width_);
    image.height = int(height_);
    image.rgb.resize(pixels * 3);
    image.instance_ids.resize(pixels);

    const auto * rgba = static_cast<const uint8_t *>(color_readback_.mapped());
    uint8_t * rgb = image.rgb.data();
    for (size_t i = 0; i < pixels; ++i) {
        rgb[3 * i + 0] = rgba[4 * i + 0];
        rgb[3 * i + 1] = rgba[4 * i + 1];
        rgb[3 * i + 2] = rgba[4 * i + 2];
    }
    std::memcpy(image.instance_ids.data(), id_readback_.mapped(), pixels * sizeof(uint32_t));
}

}  // namespace rs
