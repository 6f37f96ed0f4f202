// SPIR-V of the shaders/ sources, compiled by glslc at build time and linked into the library
// (render/CMakeLists.txt, shaders/embed_spirv.cmake), so no binary reads shader files at run time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <vulkan/vulkan.h>

namespace rs {

struct EmbeddedShader {
    const char * name;  // source file name, e.g. "scene.vert"
    const uint32_t * words;
    size_t word_count;
};

// The module built from shaders/<name>; throws std::out_of_range when there is none.
const EmbeddedShader & embedded_shader(const std::string & name);
// A VkShaderModule of that module, owned by the caller; throws VulkanError when creation fails.
VkShaderModule create_shader_module(VkDevice device, const std::string & name);

}  // namespace rs
