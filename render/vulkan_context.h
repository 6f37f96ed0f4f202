// One Vulkan instance, physical device, logical device with a graphics queue, and a command pool for
// one-off work. Headless by default; an on-screen window adds its surface/swapchain extensions and a
// queue-family check through VulkanContextOptions, then shares the same device with the renderers.
//
// Environment: ROADSIGHT_VK_VALIDATION=1 enables VK_LAYER_KHRONOS_validation when it is installed;
// ROADSIGHT_VK_DEVICE=<index or name substring> picks the physical device.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <vulkan/vulkan.h>

namespace rs {

struct VulkanContextOptions {
    std::string application_name = "Roadsight";
    uint32_t api_version = VK_API_VERSION_1_0;
    // E.g. VK_KHR_surface + VK_KHR_xcb_surface for a window; all must be present.
    std::vector<std::string> instance_extensions;
    // E.g. VK_KHR_swapchain; devices lacking one are not chosen.
    std::vector<std::string> device_extensions;
    // Extra test on the graphics queue family, e.g. present support for a window's surface
    // (vkGetPhysicalDeviceSurfaceSupportKHR); unset accepts every graphics family.
    std::function<bool(VkInstance, VkPhysicalDevice, uint32_t queue_family)> accept_queue_family;
    // Index or case-insensitive name substring; empty falls back to ROADSIGHT_VK_DEVICE, then to
    // the best device type (discrete > integrated > virtual > cpu).
    std::string device_selector;
    // Validation layer: also turned on by ROADSIGHT_VK_VALIDATION=1; skipped when not installed.
    bool validation = false;
};

class VulkanContext {
public:
    // Throws VulkanError when there is no driver, no suitable device or a creation call fails.
    explicit VulkanContext(const VulkanContextOptions & options = {});
    ~VulkanContext();
    VulkanContext(const VulkanContext &) = delete;
    VulkanContext & operator=(const VulkanContext &) = delete;

    VkInstance instance() const { return instance_; }
    VkPhysicalDevice physical_device() const { return physical_device_; }
    VkDevice device() const { return device_; }
    VkQueue queue() const { return queue_; }
    uint32_t queue_family() const { return queue_family_; }
    const VkPhysicalDeviceProperties & properties() const { return properties_; }
    std::string device_name() const { return properties_.deviceName; }
    // Optional features turned on at device creation where the device has them (logicOp).
    const VkPhysicalDeviceFeatures & enabled_features() const { return enabled_features_; }
    bool validation_enabled() const { return validation_enabled_; }
    // Validation errors reported so far (0 when validation is off).
    int validation_error_count() const { return validation_errors_.load(); }

    // A memory type allowed by `type_bits` with all `required` flags, preferring one that also has
    // `preferred`; throws when none fits.
    uint32_t find_memory_type(uint32_t type_bits, VkMemoryPropertyFlags required,
                              VkMemoryPropertyFlags preferred = 0) const;
    const VkPhysicalDeviceMemoryProperties & memory_properties() const { return memory_properties_; }

    // The queue is externally synchronised in Vulkan; every submission on it goes through here.
    void submit(const VkSubmitInfo & info, VkFence fence) const;
    // Records commands with `record` into a one-off command buffer, submits it and waits (uploads).
    void run_commands(const std::function<void(VkCommandBuffer)> & record) const;

private:
    void create_instance(const VulkanContextOptions & options);
    void choose_physical_device(const VulkanContextOptions & options);
    void create_device(const VulkanContextOptions & options);
    void destroy();

    VkInstance instance_ = VK_NULL_HANDLE;
    VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
    VkPhysicalDevice physical_device_ = VK_NULL_HANDLE;
    VkPhysicalDeviceProperties properties_{};
    VkPhysicalDeviceMemoryProperties memory_properties_{};
    VkPhysicalDeviceFeatures enabled_features_{};
    uint32_t queue_family_ = 0;
    VkDevice device_ = VK_NULL_HANDLE;
    VkQueue queue_ = VK_NULL_HANDLE;
    VkCommandPool command_pool_ = VK_NULL_HANDLE;
    bool validation_enabled_ = false;
    std::atomic<int> validation_errors_{0};
    mutable std::mutex queue_mutex_;
    mutable std::mutex pool_mutex_;
};

}  // namespace rs
