// A freshly initialised BEVFormer saved as safetensors, for tests of the perception path that need
// weights but not a trained model. Kept out of the Qt test sources: it includes LibTorch.
#pragma once

#include <string>

namespace rs {

void write_random_bevformer_weights(const std::string & path, const std::string & config = "embedded");

}  // namespace rs
