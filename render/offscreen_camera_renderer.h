// CameraRenderer on Vulkan without a window: every view is rendered into offscreen attachments
// (colour, instance id, depth) and read back. All views of a call are recorded into one command
// buffer with one submission and one wait, which is what keeps lavapipe fast. Not thread-safe: one
// thread calls set_static_scene / render at a time.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <vulkan/vulkan.h>

#include "engine/camera_renderer.h"
#include "render/gpu_buffer.h"
#include "render/gpu_mesh.h"

namespace rs {

class CameraPass;
class OffscreenTarget;
class VulkanContext;

class OffscreenCameraRenderer : public CameraRenderer {
public:
    // Views per submission; a call with more views is rendered in several rounds.
    static constexpr size_t kMaxViewsPerSubmit = 12;

    // Creates its own headless VulkanContext; throws VulkanError when Vulkan is unavailable.
    OffscreenCameraRenderer();
    // Renders on a shared context, e.g. the one behind the app's window.
    explicit OffscreenCameraRenderer(std::shared_ptr<VulkanContext> context);
    ~OffscreenCameraRenderer() override;
    OffscreenCameraRenderer(const OffscreenCameraRenderer &) = delete;
    OffscreenCameraRenderer & operator=(const OffscreenCameraRenderer &) = delete;

    void set_static_scene(const SceneMesh & mesh) override;
    // Views may differ in size from each other and from call to call. Attachments (about 20 bytes a
    // pixel with their readback buffers) are pooled, one set per view of a submission, and reused by
    // size; a set is reallocated only when no set of its view's size is free. Throws
    // std::invalid_argument for a view with no pixels, bad intrinsics or bad clip planes.
    void render(const SceneMesh & dynamic, const std::vector<CameraView> & views, const Lighting & lighting,
                std::vector<CameraImage> & out) override;
    std::string device_name() const override;

    const std::shared_ptr<VulkanContext> & context() const { return context_; }

private:
    void check_view(const CameraView & view) const;
    void assign_targets(const CameraView * views, size_t count);
    void render_round(const CameraView * views, size_t count, const Lighting & lighting, CameraImage * out);
    void destroy();

    std::shared_ptr<VulkanContext> context_;
    std::unique_ptr<CameraPass> pass_;
    GpuMesh static_mesh_, dynamic_mesh_;
    std::vector<std::unique_ptr<OffscreenTarget>> targets_;  // pool, at most kMaxViewsPerSubmit
    std::vector<OffscreenTarget *> round_targets_;           // the target of each view of a round
    GpuBuffer view_uniforms_;                                // one ViewUniforms per slot
    VkDeviceSize uniform_stride_ = 0;
    VkDescriptorPool descriptor_pool_ = VK_NULL_HANDLE;
    VkDescriptorSet view_set_ = VK_NULL_HANDLE;
    VkCommandPool command_pool_ = VK_NULL_HANDLE;
    VkCommandBuffer cmd_ = VK_NULL_HANDLE;
    VkFence fence_ = VK_NULL_HANDLE;
};

}  // namespace rs
