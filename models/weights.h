// Module weights in safetensors files, matched by the names of named_parameters() and
// named_buffers() ("layer.0.weight"), with a report of everything that did not match.
#pragma once

#include <torch/nn/module.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace rs {

struct WeightsReport {
    std::string source;
    int64_t loaded = 0;
    std::vector<std::string> missing;     // in the module, not in the file
    std::vector<std::string> unexpected;  // in the file, not in the module
    std::vector<std::string> mismatched;  // "name: file F32 [3, 4], module Float [4, 3]", also unconvertible dtypes
    std::vector<std::string> converted;   // "name: F16 -> Float": loaded with a dtype conversion

    bool complete() const { return missing.empty() && unexpected.empty() && mismatched.empty(); }
    std::string describe() const;  // one line per problem, led by a summary line
};

class WeightsError : public std::runtime_error {
public:
    explicit WeightsError(WeightsReport report) : std::runtime_error(report.describe()), report_(std::move(report)) {}
    const WeightsReport & report() const { return report_; }

private:
    WeightsReport report_;
};

struct WeightsLoadOptions {
    // Strict loading throws WeightsError on any missing, unexpected or mismatched tensor and
    // leaves the module untouched; otherwise every tensor that fits is loaded and reported.
    bool strict = true;
};

// A tensor of another dtype loads as a reported conversion when nothing is truncated: any dtype
// into a floating tensor, integers into integers; the module's tensors keep dtype and device.
WeightsReport load_weights(torch::nn::Module & module, const std::string & path, const WeightsLoadOptions & opt = {});

// Casts the floating parameters and buffers to `dtype`, like Python's module.half(); LibTorch's
// Module::to(dtype) also casts integer buffers such as BatchNorm's num_batches_tracked.
void cast_floating_tensors(torch::nn::Module & module, torch::Dtype dtype);

// Every parameter and buffer, in name order, as stored on the module (dtype kept).
void save_weights(const torch::nn::Module & module, const std::string & path,
                  const std::map<std::string, std::string> & metadata = {});

}  // namespace rs
