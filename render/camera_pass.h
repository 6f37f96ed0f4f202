// The Vulkan objects that film one camera view: a render pass with colour (RGBA8), instance-id
// (R32_UINT) and depth (D32, reversed) attachments, and the scene and sky pipelines drawing into
// it with the view's uniforms (render/view_uniforms.h).
#pragma once

#include <cstdint>

#include <vulkan/vulkan.h>

namespace rs {

class VulkanContext;

class CameraPass {
public:
    static constexpr VkFormat kColorFormat = VK_FORMAT_R8G8B8A8_UNORM;
    static constexpr VkFormat kInstanceIdFormat = VK_FORMAT_R32_UINT;
    static constexpr VkFormat kDepthFormat = VK_FORMAT_D32_SFLOAT;

    explicit CameraPass(const VulkanContext & context);
    ~CameraPass();
    CameraPass(const CameraPass &) = delete;
    CameraPass & operator=(const CameraPass &) = delete;

    // Framebuffers need it: attachments 0 colour, 1 instance id, 2 depth.
    VkRenderPass render_pass() const { return render_pass_; }
    // Binding 0: a dynamic uniform buffer holding ViewUniforms, read by vertex and fragment stages.
    VkDescriptorSetLayout descriptor_set_layout() const { return set_layout_; }

    // Begins the pass on `framebuffer` (cleared), binds the view's uniforms at `view_offset` in
    // `view_set` and the scene pipeline: record the meshes' draws next, then end().
    void begin(VkCommandBuffer cmd, VkFramebuffer framebuffer, uint32_t width, uint32_t height,
               VkDescriptorSet view_set, uint32_t view_offset) const;
    // Fills the pixels no mesh covered with sky and ends the pass. The colour and id images are then
    // in TRANSFER_SRC_OPTIMAL layout, visible to transfer reads.
    void end(VkCommandBuffer cmd) const;

private:
    void create_render_pass();
    void create_layouts();
    VkPipeline create_pipeline(const char * vertex_shader, const char * fragment_shader, bool scene) const;
    void destroy();

    VkDevice device_ = VK_NULL_HANDLE;
    VkRenderPass render_pass_ = VK_NULL_HANDLE;
    VkDescriptorSetLayout set_layout_ = VK_NULL_HANDLE;
    VkPipelineLayout pipeline_layout_ = VK_NULL_HANDLE;
    VkPipeline scene_pipeline_ = VK_NULL_HANDLE;
    VkPipeline sky_pipeline_ = VK_NULL_HANDLE;
};

}  // namespace rs
