#include "render/embedded_shaders.h"

#include <stdexcept>

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

}  // namespace rs
