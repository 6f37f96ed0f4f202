// Vulkan failures as exceptions. The message names the VkResult (e.g. VK_ERROR_INCOMPATIBLE_DRIVER
// when no driver is installed) so callers such as the app can report it and carry on without Vulkan.
#pragma once

#include <stdexcept>
#include <string>

#include <vulkan/vulkan.h>

namespace rs {

class VulkanError : public std::runtime_error {
public:
    VulkanError(const std::string & what, VkResult result);
    VkResult result() const { return result_; }

private:
    VkResult result_;
};

// "VK_ERROR_DEVICE_LOST", ...; the number for codes this header does not know.
std::string vk_result_name(VkResult result);

// Throws VulkanError("<what>: <result name>") unless `result` is VK_SUCCESS.
void check_vk(VkResult result, const char * what);

}  // namespace rs
