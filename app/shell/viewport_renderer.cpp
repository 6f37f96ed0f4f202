#include "app/shell/viewport_renderer.h"

#include <QElapsedTimer>
#include <QVulkanInstance>

#include <cstdio>
#include <stdexcept>

#include <imgui.h>
#include <backends/imgui_impl_vulkan.h>

#include "app/shell/bev_panel.h"
#include "app/shell/camera_grid_pass.h"
#include "app/shell/camera_overlay.h"
#include "app/shell/hud.h"
#include "app/shell/view_layout.h"
#include "app/shell/viewport_window.h"

namespace rs {

namespace {

void check_imgui_vk(VkResult r) {
    if (r != VK_SUCCESS) std::fprintf(stderr, "roadsight: imgui_impl_vulkan: VkResult %d\n", int(r));
}

}  // namespace

ViewportRenderer::ViewportRenderer(ViewportWindow * window) : window_(window) {}

ViewportRenderer::~ViewportRenderer() = default;

void ViewportRenderer::initResources() {
    ViewportWindow & w = *window_;
    grid_ = std::make_unique<CameraGridPass>(w.physicalDevice(), w.device(), w.defaultRenderPass(),
                                             w.sampleCountFlagBits(), w.concurrentFrameCount());
    sequence_ = 0;
    frame_.reset();
    init_imgui();
    w.gpu_name_ = QString::fromUtf8(w.physicalDeviceProperties()->deviceName);
    w.stats_.gpu = w.gpu_name_.toStdString();
    Q_EMIT w.gpu_ready(w.gpu_name_);
}

void ViewportRenderer::init_imgui() {
    ViewportWindow & w = *window_;
    ImGui::SetCurrentContext(w.imgui_);
    VkDevice dev = w.device();
    VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 4};
    VkDescriptorPoolCreateInfo pool{};
    pool.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
    pool.flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT;
    pool.maxSets = 4;
    pool.poolSizeCount = 1;
    pool.pPoolSizes = &size;
    if (vkCreateDescriptorPool(dev, &pool, nullptr, &imgui_pool_) != VK_SUCCESS)
        throw std::runtime_error("vkCreateDescriptorPool for ImGui failed");

    ImGui_ImplVulkan_InitInfo info{};
    info.Instance = w.vulkanInstance()->vkInstance();
    info.PhysicalDevice = w.physicalDevice();
    info.Device = dev;
    info.QueueFamily = w.graphicsQueueFamilyIndex();
    info.Queue = w.graphicsQueue();
    info.DescriptorPool = imgui_pool_;
    info.Subpass = 0;
    info.MinImageCount = 2;
    info.ImageCount = uint32_t(std::max(2, w.concurrentFrameCount()));
    info.MSAASamples = w.sampleCountFlagBits();
    info.CheckVkResultFn = check_imgui_vk;
    ImGui_ImplVulkan_Init(&info, w.defaultRenderPass());

    // Font atlas upload: one-off command buffer on the window's queue.
    VkCommandBufferAllocateInfo alloc{};
    alloc.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
    alloc.commandPool = w.graphicsCommandPool();
    alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    alloc.commandBufferCount = 1;
    VkCommandBuffer cmd = VK_NULL_HANDLE;
    vkAllocateCommandBuffers(dev, &alloc, &cmd);
    VkCommandBufferBeginInfo begin{};
    begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    vkBeginCommandBuffer(cmd, &begin);
    ImGui_ImplVulkan_CreateFontsTexture(cmd);
    vkEndCommandBuffer(cmd);
    VkSubmitInfo submit{};
    submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &cmd;
    vkQueueSubmit(w.graphicsQueue(), 1, &submit, VK_NULL_HANDLE);
    vkQueueWaitIdle(w.graphicsQueue());
    vkFreeCommandBuffers(dev, w.graphicsCommandPool(), 1, &cmd);
    ImGui_ImplVulkan_DestroyFontUploadObjects();
    imgui_ready_ = true;
}

void ViewportRenderer::initSwapChainResources() {
    ImGui::SetCurrentContext(window_->imgui_);
    ImGui_ImplVulkan_SetMinImageCount(uint32_t(std::max(2, window_->swapChainImageCount())));
}

void ViewportRenderer::releaseResources() {
    VkDevice dev = window_->device();
    vkDeviceWaitIdle(dev);
    if (imgui_ready_) {
        ImGui::SetCurrentContext(window_->imgui_);
        ImGui_ImplVulkan_Shutdown();
        imgui_ready_ = false;
    }
    if (imgui_pool_) vkDestroyDescriptorPool(dev, imgui_pool_, nullptr);
    imgui_pool_ = VK_NULL_HANDLE;
    grid_.reset();
    frame_.reset();
}

void ViewportRenderer::upload_frame(VkCommandBuffer cmd, bool force) {
    ViewportWindow & w = *window_;
    uint64_t seq = w.mailbox_.sequence();
    if (seq == sequence_ && !force) return;
    sequence_ = seq;
    frame_ = w.mailbox_.latest();
    std::array<int, 6> cams;
    cams.fill(-1);
    if (frame_) cams = grid_cameras(*frame_);
    for (int slot = 0; slot < 6; ++slot) {
        if (cams[slot] < 0) {
            grid_->clear(slot);
        } else {
            const CameraImage & img = frame_->images[size_t(cams[slot])];
            grid_->upload(cmd, w.currentFrame(), slot, img);
            if (img.width > 0 && img.height > 0) image_aspect_ = float(img.width) / float(img.height);
        }
        has_image_[size_t(slot)] = grid_->has_image(slot);
    }
}

void ViewportRenderer::startNextFrame() {
    QElapsedTimer cpu;
    cpu.start();
    ViewportWindow & w = *window_;
    ImGui::SetCurrentContext(w.imgui_);
    VkCommandBuffer cmd = w.currentCommandBuffer();
    upload_frame(cmd, w.bench_left_ > 0);

    const float width = float(w.width()), height = float(w.height());
    w.input_.new_frame(width, height, float(w.devicePixelRatio()));
    ImGui_ImplVulkan_NewFrame();
    ImGui::NewFrame();
    ViewLayout layout = ViewLayout::compute(width, height, image_aspect_);
    draw_camera_overlays(*ImGui::GetBackgroundDrawList(), frame_.get(), layout, w.overlay_, has_image_);
    w.bev_.draw(frame_.get(), layout.bev, w.overlay_);
    draw_hud(frame_.get(), layout.panels, w.stats_, w.overlay_, w.bev_);
    ImGui::Render();
    w.setCursor(w.input_.cursor_shape());

    const QSize fb = w.swapChainImageSize();
    VkClearValue clear[3]{};
    clear[0].color = {{0.055f, 0.063f, 0.075f, 1.0f}};
    clear[1].depthStencil = {1.0f, 0};
    clear[2].color = clear[0].color;
    VkRenderPassBeginInfo begin{};
    begin.sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO;
    begin.renderPass = w.defaultRenderPass();
    begin.framebuffer = w.currentFramebuffer();
    begin.renderArea.extent = {uint32_t(fb.width()), uint32_t(fb.height())};
    begin.clearValueCount = w.sampleCountFlagBits() > VK_SAMPLE_COUNT_1_BIT ? 3 : 2;
    begin.pClearValues = clear;
    vkCmdBeginRenderPass(cmd, &begin, VK_SUBPASS_CONTENTS_INLINE);

    VkViewport viewport{0, 0, float(fb.width()), float(fb.height()), 0, 1};
    VkRect2D scissor{{0, 0}, {uint32_t(fb.width()), uint32_t(fb.height())}};
    vkCmdSetViewport(cmd, 0, 1, &viewport);
    vkCmdSetScissor(cmd, 0, 1, &scissor);
    for (int slot = 0; slot < 6; ++slot)
        if (has_image_[size_t(slot)])
            grid_->draw(cmd, slot, layout.cells[size_t(slot)], width, height, slot >= 3 && w.overlay_.mirror_back_row);
    ImGui_ImplVulkan_RenderDrawData(ImGui::GetDrawData(), cmd);
    vkCmdEndRenderPass(cmd);

    w.frameReady();
    w.frame_done(double(cpu.nsecsElapsed()) * 1e-6, sequence_);
}

}  // namespace rs
