// The attachments one camera view renders into (colour, instance id, depth), its framebuffer, and
// the host-visible buffers its colour and id images are copied to for reading back.
#pragma once

#include <cstdint>

#include <vulkan/vulkan.h>

#include "engine/camera_renderer.h"
#include "render/gpu_buffer.h"
#include "render/gpu_image.h"

namespace rs {

class VulkanContext;

class OffscreenTarget {
public:
    // `render_pass` is CameraPass::render_pass(); the target must not outlive it.
    OffscreenTarget(const VulkanContext & context, VkRenderPass render_pass, uint32_t width, uint32_t height);
    ~OffscreenTarget();
    OffscreenTarget(const OffscreenTarget &) = delete;
    OffscreenTarget & operator=(const OffscreenTarget &) = delete;

    uint32_t width() const { return width_; }
    uint32_t height() const { return height_; }
    VkFramebuffer framebuffer() const { return framebuffer_; }

    // After the camera pass: copies colour and ids into the readback buffers and makes the copies
    // visible to the host.
    void record_readback(VkCommandBuffer cmd) const;
    // Once the GPU has finished: fills `image` (RGB and ids, top row first) from the readback buffers.
    void read(CameraImage & image) const;

private:
    VkDevice device_;
    uint32_t width_, height_;
    GpuImage color_, instance_ids_, depth_;
    VkFramebuffer framebuffer_ = VK_NULL_HANDLE;
    GpuBuffer color_readback_, id_readback_;
};

}  // namespace rs
