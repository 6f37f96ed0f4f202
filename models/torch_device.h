// The LibTorch device a command runs on, from its --device value.
#pragma once

#include <torch/types.h>

#include <string>

namespace rs {

// "cpu", "cuda" (the first GPU) or "cuda:N". std::invalid_argument for any other spelling or a GPU
// index past the machine's count; std::runtime_error naming the value when this LibTorch build or
// machine has no CUDA.
torch::Device parse_torch_device(const std::string & value);

}  // namespace rs
