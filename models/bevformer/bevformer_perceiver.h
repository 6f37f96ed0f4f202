// BEVFormer behind engine's Perceiver interface. This header has no torch include: the Qt shell
// and the CLIs open a model through it.
#pragma once

#include <memory>
#include <string>

#include "engine/perceiver.h"

namespace rs {

// Loads weights (see load_bevformer: the config comes from their metadata unless `config_name` is
// given) for CPU inference on `threads` intra-op threads (0 leaves LibTorch's setting). Throws
// WeightsError / std::invalid_argument naming the file and what is wrong with it.
std::unique_ptr<Perceiver> open_bevformer_perceiver(const std::string & weights_path,
                                                    const std::string & config_name = {}, int threads = 0);

// assets/bevformer_embedded.safetensors of the source tree or the installed share folder, or "".
std::string shipped_bevformer_weights();

}  // namespace rs
