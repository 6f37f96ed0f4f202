// torch tensors to and from safetensors files (engine/safetensors.h holds the format itself).
#pragma once

#include <torch/types.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/safetensors.h"

namespace rs {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// Throws SafetensorsError for dtypes this LibTorch has no type for (F8_*, U16, U32, U64).
torch::ScalarType to_torch_dtype(SafetensorsDtype d);
// Throws SafetensorsError for torch types the format has no dtype for (complex, quantised).
SafetensorsDtype to_safetensors_dtype(torch::ScalarType t);

// A new CPU tensor holding a copy of the entry's data.
torch::Tensor tensor_from_entry(const SafetensorsFile & file, const SafetensorsEntry & entry);

// Every tensor of the file, in name order.
NamedTensors read_tensors(const std::string & path);
// Tensors on any device; they are copied to contiguous CPU memory for writing.
void write_tensors(const std::string & path, const NamedTensors & tensors,
                   const std::map<std::string, std::string> & metadata = {});

}  // namespace rs
