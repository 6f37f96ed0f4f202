#include "render/embedded_shaders.h"

#include <stdexcept>

#include "render/vulkan_error.h"

namespace rs {

// Defined in the generated embedded_shader_table.cpp.
extern const EmbeddedShader kEmbeddedShaders[];
extern const size_t kEmbeddedShaderCount;

const EmbeddedShader & embedded_shader(const std::string & name) {
    for (size_t i = 0; i < kEmbeddedShaderCount; ++i) {
        if (name == kEmbeddedShaders[i].name) return kEmbeddedShaders[i];
    }
    throw std::out_of_range("no embedded shader named " + name);
}

VkShaderModule create_shader_module(VkDevice device, const std::string & name) {
    const EmbeddedShader & shader = embedded_shader(name);
    VkShaderModuleCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
    info.codeSize = shader.word_count * sizeof(uint32_t);
    info.pCode = shader.words;
    VkShaderModule module = VK_NULL_HANDLE;
    check_vk(vkCreateShaderModule(device, &info, nullptr, &module), "vkCreateShaderModule");
    return module;
}

}  // namespace rs
