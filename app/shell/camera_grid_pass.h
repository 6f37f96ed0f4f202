// Draws the six camera images as textured quads inside the window's render pass. Images arrive as
// CPU pixels (the offscreen renderer has its own Vulkan device, so frames travel through host
// memory; fine on lavapipe, where "device" memory is host memory anyway) and are copied through a
// staging buffer per frame in flight, so a copy never overwrites data an earlier frame still reads.
#pragma once

#include <array>
#include <vector>

#include <vulkan/vulkan.h>

#include "app/shell/view_layout.h"
#include "engine/camera_renderer.h"

namespace rs {

class CameraGridPass {
public:
    static constexpr int kSlots = 6;

    CameraGridPass(VkPhysicalDevice physical_device, VkDevice device, VkRenderPass render_pass,
                   VkSampleCountFlagBits samples, int frames_in_flight);
    ~CameraGridPass();
    CameraGridPass(const CameraGridPass &) = delete;
    CameraGridPass & operator=(const CameraGridPass &) = delete;

    // Records the copy of `image` into `slot`'s texture; call outside the render pass. An image with
    // no pixels empties the slot.
    void upload(VkCommandBuffer cmd, int frame_in_flight, int slot, const CameraImage & image);
    void clear(int slot) { slots_[slot].ready = false; }
    bool has_image(int slot) const { return slots_[slot].image != VK_NULL_HANDLE && slots_[slot].ready; }

    // Draws `slot` over `rect` (logical pixels of a `view_w` x `view_h` window); inside the pass.
    void draw(VkCommandBuffer cmd, int slot, const Rect & rect, float view_w, float view_h, bool mirror) const;

private:
    struct Staging {
        VkBuffer buffer = VK_NULL_HANDLE;
        VkDeviceMemory memory = VK_NULL_HANDLE;
        void * mapped = nullptr;
        VkDeviceSize size = 0;
    };
    struct Slot {
        VkImage image = VK_NULL_HANDLE;
        VkDeviceMemory memory = VK_NULL_HANDLE;
        VkImageView view = VK_NULL_HANDLE;
        VkDescriptorSet set = VK_NULL_HANDLE;
        int width = 0, height = 0;
        bool ready = false;  // holds a copied image in SHADER_READ_ONLY layout
        std::vector<Staging> staging;  // one per frame in flight
    };

    void create_pipeline(VkRenderPass render_pass, VkSampleCountFlagBits samples);
    void create_texture(Slot & slot, int width, int height);
    void destroy_texture(Slot & slot);
    void ensure_staging(Staging & staging, VkDeviceSize size);
    void destroy_staging(Staging & staging);
    uint32_t memory_type(uint32_t type_bits, VkMemoryPropertyFlags flags) const;

    VkPhysicalDevice physical_device_;
    VkDevice device_;
    VkPhysicalDeviceMemoryProperties memory_properties_{};
    VkSampler sampler_ = VK_NULL_HANDLE;
    VkDescriptorSetLayout set_layout_ = VK_NULL_HANDLE;
    VkDescriptorPool pool_ = VK_NULL_HANDLE;
    VkPipelineLayout pipeline_layout_ = VK_NULL_HANDLE;
    VkPipeline pipeline_ = VK_NULL_HANDLE;
    std::array<Slot, kSlots> slots_;
};

}  // namespace rs
