// BevRasterizer on Vulkan: the quads become triangles drawn into one R8_UINT attachment whose
// logic op ORs each quad's layer flag into the cells it covers, then the raster is read back.
// Coverage is decided at cell centres, as on the CPU, so the two agree except for cells whose
// centre lies on a quad's edge to within the rasterizer's sub-pixel precision. Needs the device's
// logicOp feature (lavapipe and desktop GPUs have it). Not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <vulkan/vulkan.h>

#include "engine/bev_raster.h"
#include "render/gpu_buffer.h"
#include "render/gpu_image.h"

namespace rs {

class VulkanContext;

class VulkanBevRasterizer : public BevRasterizer {
public:
    // Throws VulkanError when the device lacks logicOp or a creation call fails.
    explicit VulkanBevRasterizer(std::shared_ptr<VulkanContext> context);
    ~VulkanBevRasterizer() override;
    VulkanBevRasterizer(const VulkanBevRasterizer &) = delete;
    VulkanBevRasterizer & operator=(const VulkanBevRasterizer &) = delete;

    // As the CPU rasterizer: size 0 or a resolution ≤ 0 give an empty raster. Throws
    // std::invalid_argument for a size beyond the device's framebuffer limits.
    BevRaster rasterize(const std::vector<BevQuad> & quads, const Pose & centre, double resolution,
                        int size) override;
    std::string name() const override;

private:
    void create_render_pass();
    void create_pipeline();
    void ensure_target(uint32_t size);
    void destroy();

    std::shared_ptr<VulkanContext> context_;
    VkDevice device_ = VK_NULL_HANDLE;
    VkRenderPass render_pass_ = VK_NULL_HANDLE;
    VkPipelineLayout pipeline_layout_ = VK_NULL_HANDLE;
    VkPipeline pipeline_ = VK_NULL_HANDLE;
    uint32_t target_size_ = 0;
    GpuImage target_;
    VkFramebuffer framebuffer_ = VK_NULL_HANDLE;
    GpuBuffer readback_;
    GpuBuffer vertices_;  // host-visible, grown when a call needs more
    VkCommandPool command_pool_ = VK_NULL_HANDLE;
    VkCommandBuffer cmd_ = VK_NULL_HANDLE;
    VkFence fence_ = VK_NULL_HANDLE;
};

}  // namespace rs
