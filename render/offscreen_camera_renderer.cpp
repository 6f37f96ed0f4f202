#include "render/offscreen_camera_renderer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "render/camera_pass.h"
#include "render/offscreen_target.h"
#include "render/view_uniforms.h"
#include "render/vulkan_context.h"
#include "render/vulkan_error.h"

namespace rs {

OffscreenCameraRenderer::OffscreenCameraRenderer() : OffscreenCameraRenderer(std::make_shared<VulkanContext>()) {}

OffscreenCameraRenderer::OffscreenCameraRenderer(std::shared_ptr<VulkanContext> context)
    : context_(std::move(context)),
      pass_(std::make_unique<CameraPass>(*context_)),
      static_mesh_(*context_, GpuMesh::Residency::static_geometry),
      dynamic_mesh_(*context_, GpuMesh::Residency::dynamic_geometry) {
    VkDevice device = context_->device();
    try {
        VkDeviceSize align = std::max<VkDeviceSize>(context_->properties().limits.minUniformBufferOffsetAlignment, 1);
        uniform_stride_ = (sizeof(ViewUniforms) + align - 1) / align * align;
        view_uniforms_ = GpuBuffer(*context_, uniform_stride_ * kMaxViewsPerSubmit, VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT,
                                   MemoryUse::host_upload);

        VkDescriptorPoolSize pool_size{VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC, 1};
        VkDescriptorPoolCreateInfo pool_info{};
        pool_info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
        pool_info.maxSets = 1;
        pool_info.poolSizeCount = 1;
        pool_info.pPoolSizes = &pool_size;
        check_vk(vkCreateDescriptorPool(device, &pool_info, nullptr, &descriptor_pool_), "vkCreateDescriptorPool");
        VkDescriptorSetLayout layout = pass_->descriptor_set_layout();
        VkDescriptorSetAllocateInfo set_info{};
        set_info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
        set_info.descriptorPool = descriptor_pool_;
        set_info.descriptorSetCount = 1;
        set_info.pSetLayouts = &layout;
        check_vk(vkAllocateDescriptorSets(device, &set_info, &view_set_), "vkAllocateDescriptorSets");
        // One descriptor for all slots: the dynamic offset picks the slot's uniforms.
        VkDescriptorBufferInfo buffer_info{view_uniforms_.handle(), 0, sizeof(ViewUniforms)};
        VkWriteDescriptorSet write{};
        write.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
        write.dstSet = view_set_;
        write.dstBinding = 0;
        write.descriptorCount = 1;
        write.descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC;
        write.pBufferInfo = &buffer_info;
        vkUpdateDescriptorSets(device, 1, &write, 0, nullptr);

        // An own pool: the context's pool may be busy on another thread (the app's window).
        VkCommandPoolCreateInfo command_pool_info{};
        command_pool_info.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
        command_pool_info.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
        command_pool_info.queueFamilyIndex = context_->queue_family();
        check_vk(vkCreateCommandPool(device, &command_pool_info, nullptr, &command_pool_), "vkCreateCommandPool");
        VkCommandBufferAllocateInfo cmd_info{};
        cmd_info.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
        cmd_info.commandPool = command_pool_;
        cmd_info.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
        cmd_info.commandBufferCount = 1;
        check_vk(vkAllocateCommandBuffers(device, &cmd_info, &cmd_), "vkAllocateCommandBuffers");
        VkFenceCreateInfo fence_info{};
        fence_info.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
        check_vk(vkCreateFence(device, &fence_info, nullptr, &fence_), "vkCreateFence");
    } catch (...) {
        destroy();
        throw;
    }
}

OffscreenCameraRenderer::~OffscreenCameraRenderer() { destroy(); }

void OffscreenCameraRenderer::destroy() {
    VkDevice device = context_->device();
    if (fence_) vkDestroyFence(device, fence_, nullptr);
    if (command_pool_) vkDestroyCommandPool(device, command_pool_, nullptr);
    if (descriptor_pool_) vkDestroyDescriptorPool(device, descriptor_pool_, nullptr);
    fence_ = VK_NULL_HANDLE;
    command_pool_ = VK_NULL_HANDLE;
    cmd_ = VK_NULL_HANDLE;
    descriptor_pool_ = VK_NULL_HANDLE;
    view_set_ = VK_NULL_HANDLE;
}

void OffscreenCameraRenderer::set_static_scene(const SceneMesh & mesh) { static_mesh_.upload(mesh); }

std::string OffscreenCameraRenderer::device_name() const { return context_->device_name(); }

void OffscreenCameraRenderer::check_view(const CameraView & view) const {
    uint32_t max_size = context_->properties().limits.maxFramebufferWidth;
    max_size = std::min(max_size, context_->properties().limits.maxFramebufferHeight);
    if (view.width <= 0 || view.height <= 0 || uint32_t(view.width) > max_size || uint32_t(view.height) > max_size)
        throw std::invalid_argument("camera view size " + std::to_string(view.width) + "x" +
                                    std::to_string(view.height) + " is outside 1.." + std::to_string(max_size));
    const Intrinsics & k = view.intrinsics;
    if (!(std::isfinite(k.fx) && std::isfinite(k.fy) && std::isfinite(k.cx) && std::isfinite(k.cy)) || !(k.fx > 0) ||
        !(k.fy > 0))
        throw std::invalid_argument("camera view intrinsics need finite values and positive focal lengths");
    if (!(view.near_plane > 0 && view.far_plane > view.near_plane && std::isfinite(view.far_plane)))
        throw std::invalid_argument("camera view needs 0 < near_plane < far_plane");
}

void OffscreenCameraRenderer::render(const SceneMesh & dynamic, const std::vector<CameraView> & views,
                                     const Lighting & lighting, std::vector<CameraImage> & out) {
    for (const CameraView & view : views) check_view(view);
    dynamic_mesh_.upload(dynamic);
    out.resize(views.size());
    for (size_t first = 0; first < views.size(); first += kMaxViewsPerSubmit) {
        size_t count = std::min(kMaxViewsPerSubmit, views.size() - first);
        render_round(&views[first], count, lighting, &out[first]);
    }
}

void OffscreenCameraRenderer::assign_targets(const CameraView * views, size_t count) {
    if (targets_.size() < count) targets_.resize(count);
    round_targets_.assign(count, nullptr);
    std::vector<bool> taken(targets_.size(), false);
    // Same size first, so that calls alternating between resolutions reallocate nothing.
    for (size_t i = 0; i < count; ++i) {
        for (size_t t = 0; t < targets_.size() && !round_targets_[i]; ++t) {
            const OffscreenTarget * target = targets_[t].get();
            if (taken[t] || !target || target->width() != uint32_t(views[i].width) ||
                target->height() != uint32_t(views[i].height))
                continue;
            taken[t] = true;
            round_targets_[i] = targets_[t].get();
        }
    }
    // The pool holds at least `count` targets, so every view still without one finds a free one.
    size_t t = 0;
    for (size_t i = 0; i < count; ++i) {
        if (round_targets_[i]) continue;
        while (taken[t]) ++t;
        taken[t] = true;
        targets_[t].reset();  // release the old attachments before allocating new ones
        targets_[t] = std::make_unique<OffscreenTarget>(*context_, pass_->render_pass(), uint32_t(views[i].width),
                                                        uint32_t(views[i].height));
        round_targets_[i] = targets_[t].get();
    }
}

void OffscreenCameraRenderer::render_round(const CameraView * views, size_t count, const Lighting & lighting,
                                           CameraImage * out) {
    VkDevice device = context_->device();
    assign_targets(views, count);
    auto * uniforms = static_cast<unsigned char *>(view_uniforms_.mapped());
    for (size_t i = 0; i < count; ++i) {
        ViewUniforms u = make_view_uniforms(views[i], lighting);
        std::memcpy(uniforms + i * uniform_stride_, &u, sizeof(u));
    }
    view_uniforms_.flush();

    check_vk(vkResetCommandBuffer(cmd_, 0), "vkResetCommandBuffer");
    VkCommandBufferBeginInfo begin{};
    begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    check_vk(vkBeginCommandBuffer(cmd_, &begin), "vkBeginCommandBuffer");
    for (size_t i = 0; i < count; ++i) {
        const OffscreenTarget & target = *round_targets_[i];
        pass_->begin(cmd_, target.framebuffer(), target.width(), target.height(), view_set_,
                     uint32_t(i * uniform_stride_));
        // Agents first: they are near and hide much of the static scene from the depth test.
        dynamic_mesh_.record_draw(cmd_, views[i]);
        static_mesh_.record_draw(cmd_, views[i]);
        pass_->end(cmd_);
        target.record_readback(cmd_);
    }
    check_vk(vkEndCommandBuffer(cmd_), "vkEndCommandBuffer");

    VkSubmitInfo submit{};
    submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &cmd_;
    check_vk(vkResetFences(device, 1, &fence_), "vkResetFences");
    context_->submit(submit, fence_);
    check_vk(vkWaitForFences(device, 1, &fence_, VK_TRUE, UINT64_MAX), "vkWaitForFences");

    for (size_t i = 0; i < count; ++i) round_targets_[i]->read(out[i]);
}

}  // namespace rs
