// Records one view frame into QVulkanWindow's default render pass: camera textures are refreshed
// when the mailbox has a new frame, then the six quads, then ImGui (overlays, BEV, HUD) on top.
#pragma once

// Before Qt's Vulkan headers, which define VK_NO_PROTOTYPES: the shell calls the loader directly,
// as imgui_impl_vulkan does, on the instance and device QVulkanWindow created.
#include <vulkan/vulkan.h>

#include <QVulkanWindowRenderer>

#include <array>
#include <memory>

#include "app/shell/view_frame.h"

namespace rs {

class CameraGridPass;
class ViewportWindow;

class ViewportRenderer : public QVulkanWindowRenderer {
public:
    explicit ViewportRenderer(ViewportWindow * window);
    ~ViewportRenderer() override;

    void initResources() override;
    void initSwapChainResources() override;
    void releaseResources() override;
    void startNextFrame() override;

private:
    void init_imgui();
    void upload_frame(VkCommandBuffer cmd, bool force);

    ViewportWindow * window_;
    std::unique_ptr<CameraGridPass> grid_;
    VkDescriptorPool imgui_pool_ = VK_NULL_HANDLE;
    bool imgui_ready_ = false;
    ViewFramePtr frame_;
    uint64_t sequence_ = 0;
    std::array<bool, 6> has_image_{};
    float image_aspect_ = 16.0f / 9.0f;
};

}  // namespace rs
