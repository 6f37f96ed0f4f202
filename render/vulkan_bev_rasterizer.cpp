#include "render/vulkan_bev_rasterizer.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <stdexcept>

#include "render/embedded_shaders.h"
#include "render/vulkan_context.h"
#include "render/vulkan_error.h"

namespace rs {

namespace {

constexpr VkFormat kRasterFormat = VK_FORMAT_R8_UINT;

struct RasterVertex {
    float offset[2];  // metres from the raster centre, world axes
    uint32_t layer;
};

struct RasterPushConstants {
    float heading[2];
    float cells_per_m;
    float half_cells;
};

}  // namespace

VulkanBevRasterizer::VulkanBevRasterizer(std::shared_ptr<VulkanContext> context)
    : context_(std::move(context)), device_(context_->device()) {
    if (!context_->enabled_features().logicOp)
        throw VulkanError("the Vulkan device " + context_->device_name() + " has no logicOp feature for the BEV raster",
                          VK_ERROR_FEATURE_NOT_PRESENT);
    try {
        create_render_pass();
        create_pipeline();
        VkCommandPoolCreateInfo pool_info{};
        pool_info.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
        pool_info.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
        pool_info.queueFamilyIndex = context_->queue_family();
        check_vk(vkCreateCommandPool(device_, &pool_info, nullptr, &command_pool_), "vkCreateCommandPool");
        VkCommandBufferAllocateInfo cmd_info{};
        cmd_info.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
        cmd_info.commandPool = command_pool_;
        cmd_info.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
        cmd_info.commandBufferCount = 1;
        check_vk(vkAllocateCommandBuffers(device_, &cmd_info, &cmd_), "vkAllocateCommandBuffers");
        VkFenceCreateInfo fence_info{};
        fence_info.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
        check_vk(vkCreateFence(device_, &fence_info, nullptr, &fence_), "vkCreateFence");
    } catch (...) {
        destroy();
        throw;
    }
}

VulkanBevRasterizer::~VulkanBevRasterizer() { destroy(); }

void VulkanBevRasterizer::destroy() {
    if (fence_) vkDestroyFence(device_, fence_, nullptr);
    if (command_pool_) vkDestroyCommandPool(device_, command_pool_, nullptr);
    if (framebuffer_) vkDestroyFramebuffer(device_, framebuffer_, nullptr);
    if (pipeline_) vkDestroyPipeline(device_, pipeline_, nullptr);
    if (pipeline_layout_) vkDestroyPipelineLayout(device_, pipeline_layout_, nullptr);
    if (render_pass_) vkDestroyRenderPass(device_, render_pass_, nullptr);
    fence_ = VK_NULL_HANDLE;
    command_pool_ = VK_NULL_HANDLE;
    cmd_ = VK_NULL_HANDLE;
    framebuffer_ = VK_NULL_HANDLE;
    pipeline_ = VK_NULL_HANDLE;
    pipeline_layout_ = VK_NULL_HANDLE;
    render_pass_ = VK_NULL_HANDLE;
}

std::string VulkanBevRasterizer::name() const { return "Vulkan (" + context_->device_name() + ")"; }

void VulkanBevRasterizer::create_render_pass() {
    VkAttachmentDescription attachment{};
    attachment.format = kRasterFormat;
    attachment.samples = VK_SAMPLE_COUNT_1_BIT;
    attachment.loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR;
    attachment.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
    attachment.stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
    attachment.stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
    attachment.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
    attachment.finalLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;

    VkAttachmentReference ref{0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
    VkSubpassDescription subpass{};
    subpass.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS;
    subpass.colorAttachmentCount = 1;
    subpass.pColorAttachments = &ref;

    VkSubpassDependency dependencies[2] = {};
    // The previous call's readback copy must finish before the image is cleared again.
    dependencies[0].srcSubpass = VK_SUBPASS_EXTERNAL;
    dependencies[0].dstSubpass = 0;
    dependencies[0].srcStageMask = VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
    dependencies[0].dstStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
    dependencies[0].dstAccessMask = VK_ACCESS_COLOR_ATTACHMENT_READ_BIT | VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
    dependencies[1].srcSubpass = 0;
    dependencies[1].dstSubpass = VK_SUBPASS_EXTERNAL;
    dependencies[1].srcStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
    dependencies[1].srcAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
    dependencies[1].dstStageMask = VK_PIPELINE_STAGE_TRANSFER_BIT;
    dependencies[1].dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT;

    VkRenderPassCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO;
    info.attachmentCount = 1;
    info.pAttachments = &attachment;
    info.subpassCount = 1;
    info.pSubpasses = &subpass;
    info.dependencyCount = 2;
    info.pDependencies = dependencies;
    check_vk(vkCreateRenderPass(device_, &info, nullptr, &render_pass_), "vkCreateRenderPass");
}

void VulkanBevRasterizer::create_pipeline() {
    VkPushConstantRange push{VK_SHADER_STAGE_VERTEX_BIT, 0, sizeof(RasterPushConstants)};
    VkPipelineLayoutCreateInfo layout_info{};
    layout_info.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
    layout_info.pushConstantRangeCount = 1;
    layout_info.pPushConstantRanges = &push;
    check_vk(vkCreatePipelineLayout(device_, &layout_info, nullptr, &pipeline_layout_), "vkCreatePipelineLayout");

    VkShaderModule modules[2] = {create_shader_module(device_, "bev_raster.vert"), VK_NULL_HANDLE};
    try {
        modules[1] = create_shader_module(device_, "bev_raster.frag");
    } catch (...) {
        vkDestroyShaderModule(device_, modules[0], nullptr);
        throw;
    }
    VkPipelineShaderStageCreateInfo stages[2] = {};
    for (int i = 0; i < 2; ++i) {
        stages[i].sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
        stages[i].stage = i == 0 ? VK_SHADER_STAGE_VERTEX_BIT : VK_SHADER_STAGE_FRAGMENT_BIT;
        stages[i].module = modules[i];
        stages[i].pName = "main";
    }

    VkVertexInputBindingDescription binding{0, sizeof(RasterVertex), VK_VERTEX_INPUT_RATE_VERTEX};
    VkVertexInputAttributeDescription attributes[2] = {
        {0, 0, VK_FORMAT_R32G32_SFLOAT, offsetof(RasterVertex, offset)},
        {1, 0, VK_FORMAT_R32_UINT, offsetof(RasterVertex, layer)}};
    VkPipelineVertexInputStateCreateInfo vertex_input{};
    vertex_input.sType = VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO;
    vertex_input.vertexBindingDescriptionCount = 1;
    vertex_input.pVertexBindingDescriptions = &binding;
    vertex_input.vertexAttributeDescriptionCount = 2;
    vertex_input.pVertexAttributeDescriptions = attributes;

    VkPipelineInputAssemblyStateCreateInfo assembly{};
    assembly.sType = VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO;
    assembly.topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST;
    VkPipelineViewportStateCreateInfo viewport{};
    viewport.sType = VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO;
    viewport.viewportCount = 1;
    viewport.scissorCount = 1;
    VkPipelineRasterizationStateCreateInfo raster{};
    raster.sType = VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO;
    raster.polygonMode = VK_POLYGON_MODE_FILL;
    raster.cullMode = VK_CULL_MODE_NONE;  // quads come in either winding
    raster.lineWidth = 1.0f;
    VkPipelineMultisampleStateCreateInfo multisample{};
    multisample.sType = VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO;
    multisample.rasterizationSamples = VK_SAMPLE_COUNT_1_BIT;

    VkPipelineColorBlendAttachmentState blend_attachment{};
    blend_attachment.colorWriteMask = VK_COLOR_COMPONENT_R_BIT;
    VkPipelineColorBlendStateCreateInfo blend{};
    blend.sType = VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO;
    blend.logicOpEnable = VK_TRUE;
    blend.logicOp = VK_LOGIC_OP_OR;
    blend.attachmentCount = 1;
    blend.pAttachments = &blend_attachment;

    const VkDynamicState dynamic_states[2] = {VK_DYNAMIC_STATE_VIEWPORT, VK_DYNAMIC_STATE_SCISSOR};
    VkPipelineDynamicStateCreateInfo dynamic{};
    dynamic.sType = VK_STRUCTURE_TYPE_PIPELINE_DYNAMIC_STATE_CREATE_INFO;
    dynamic.dynamicStateCount = 2;
    dynamic.pDynamicStates = dynamic_states;

    VkGraphicsPipelineCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO;
    info.stageCount = 2;
    info.pStages = stages;
    info.pVertexInputState = &vertex_input;
    info.pInputAssemblyState = &assembly;
    info.pViewportState = &viewport;
    info.pRasterizationState = &raster;
    info.pMultisampleState = &multisample;
    info.pColorBlendState = &blend;
    info.pDynamicState = &dynamic;
    info.layout = pipeline_layout_;
    info.renderPass = render_pass_;
    VkResult result = vkCreateGraphicsPipelines(device_, VK_NULL_HANDLE, 1, &info, nullptr, &pipeline_);
    vkDestroyShaderModule(device_, modules[0], nullptr);
    vkDestroyShaderModule(device_, modules[1], nullptr);
    check_vk(result, "vkCreateGraphicsPipelines");
}

void VulkanBevRasterizer::ensure_target(uint32_t size) {
    if (size == target_size_) return;
    if (framebuffer_) vkDestroyFramebuffer(device_, framebuffer_, nullptr);
    framebuffer_ = VK_NULL_HANDLE;
    target_size_ = 0;
    target_ = GpuImage();
    readback_ = GpuBuffer();
    target_ = GpuImage(*context_, size, size, kRasterFormat,
                       VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT, VK_IMAGE_ASPECT_COLOR_BIT);
    readback_ = GpuBuffer(*context_, VkDeviceSize(size) * size, VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                          MemoryUse::host_readback);
    VkImageView view = target_.view();
    VkFramebufferCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO;
    info.renderPass = render_pass_;
    info.attachmentCount = 1;
    info.pAttachments = &view;
    info.width = size;
    info.height = size;
    info.layers = 1;
    check_vk(vkCreateFramebuffer(device_, &info, nullptr, &framebuffer_), "vkCreateFramebuffer");
    target_size_ = size;
}

BevRaster VulkanBevRasterizer::rasterize(const std::vector<BevQuad> & quads, const Pose & centre, double resolution,
                                         int size) {
    BevRaster r;
    r.size = std::max(size, 0);
    r.resolution = resolution;
    if (r.size == 0 || !(resolution > 0) || !std::isfinite(resolution)) {
        r.cells.assign(size_t(r.size) * r.size, 0);
        return r;
    }
    const VkPhysicalDeviceLimits & limits = context_->properties().limits;
    const uint32_t max_size = std::min(limits.maxFramebufferWidth, limits.maxFramebufferHeight);
    if (uint32_t(size) > max_size)
        throw std::invalid_argument("BEV raster size " + std::to_string(size) + " is outside 1.." +
                                    std::to_string(max_size) + " on " + context_->device_name());
    ensure_target(uint32_t(size));

    // Offsets from the centre in double before the cast to float, so that a town kilometres across
    // keeps sub-millimetre corners. Quads wholly outside the raster's circumcircle are skipped.
    const double reach = (size * 0.5 + 1.0) * resolution * std::sqrt(2.0);
    std::vector<RasterVertex> vertices;
    vertices.reserve(quads.size() * 6);
    for (const BevQuad & q : quads) {
        if (!q.layer) continue;
        Vec2 d[4];
        double lo_x = 1e300, hi_x = -1e300, lo_y = 1e300, hi_y = -1e300;
        for (int i = 0; i < 4; ++i) {
            d[i] = {q.corners[i].x - centre.translation.x, q.corners[i].y - centre.translation.y};
            lo_x = std::min(lo_x, d[i].x); hi_x = std::max(hi_x, d[i].x);
            lo_y = std::min(lo_y, d[i].y); hi_y = std::max(hi_y, d[i].y);
        }
        if (!(lo_x <= reach && hi_x >= -reach && lo_y <= reach && hi_y >= -reach)) continue;  // also drops NaN
        for (int i : {0, 1, 2, 0, 2, 3}) vertices.push_back({{float(d[i].x), float(d[i].y)}, q.layer});
    }
    const VkDeviceSize bytes = std::max<VkDeviceSize>(vertices.size() * sizeof(RasterVertex), 1);
    if (vertices_.size() < bytes)
        vertices_ = GpuBuffer(*context_, bytes + bytes / 2, VK_BUFFER_USAGE_VERTEX_BUFFER_BIT, MemoryUse::host_upload);
    if (!vertices.empty()) std::memcpy(vertices_.mapped(), vertices.data(), vertices.size() * sizeof(RasterVertex));
    vertices_.flush();

    const double yaw = centre.rotation.yaw();
    RasterPushConstants push{{float(std::cos(yaw)), float(std::sin(yaw))}, float(1.0 / resolution), float(size * 0.5)};

    check_vk(vkResetCommandBuffer(cmd_, 0), "vkResetCommandBuffer");
    VkCommandBufferBeginInfo begin{};
    begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    check_vk(vkBeginCommandBuffer(cmd_, &begin), "vkBeginCommandBuffer");
    VkClearValue clear{};
    VkRenderPassBeginInfo pass{};
    pass.sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO;
    pass.renderPass = render_pass_;
    pass.framebuffer = framebuffer_;
    pass.renderArea = {{0, 0}, {target_size_, target_size_}};
    pass.clearValueCount = 1;
    pass.pClearValues = &clear;
    vkCmdBeginRenderPass(cmd_, &pass, VK_SUBPASS_CONTENTS_INLINE);
    VkViewport viewport{0.0f, 0.0f, float(size), float(size), 0.0f, 1.0f};
    VkRect2D scissor{{0, 0}, {target_size_, target_size_}};
    vkCmdSetViewport(cmd_, 0, 1, &viewport);
    vkCmdSetScissor(cmd_, 0, 1, &scissor);
    if (!vertices.empty()) {
        vkCmdBindPipeline(cmd_, VK_PIPELINE_BIND_POINT_GRAPHICS, pipeline_);
        vkCmdPushConstants(cmd_, pipeline_layout_, VK_SHADER_STAGE_VERTEX_BIT, 0, sizeof(push), &push);
        VkBuffer buffer = vertices_.handle();
        VkDeviceSize offset = 0;
        vkCmdBindVertexBuffers(cmd_, 0, 1, &buffer, &offset);
        vkCmdDraw(cmd_, uint32_t(vertices.size()), 1, 0, 0);
    }
    vkCmdEndRenderPass(cmd_);

    VkBufferImageCopy region{};
    region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    region.imageExtent = {target_size_, target_size_, 1};
    vkCmdCopyImageToBuffer(cmd_, target_.handle(), VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, readback_.handle(), 1,
                           &region);
    VkMemoryBarrier barrier{};
    barrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
    barrier.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
    barrier.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
    vkCmdPipelineBarrier(cmd_, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &barrier, 0, nullptr,
                         0, nullptr);
    check_vk(vkEndCommandBuffer(cmd_), "vkEndCommandBuffer");

    VkSubmitInfo submit{};
    submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &cmd_;
    check_vk(vkResetFences(device_, 1, &fence_), "vkResetFences");
    context_->submit(submit, fence_);
    check_vk(vkWaitForFences(device_, 1, &fence_, VK_TRUE, UINT64_MAX), "vkWaitForFences");

    readback_.invalidate();
    const auto * cells = static_cast<const uint8_t *>(readback_.mapped());
    r.cells.assign(cells, cells + size_t(size) * size);
    return r;
}

}  // namespace rs
