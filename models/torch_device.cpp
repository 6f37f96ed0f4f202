#include "models/torch_device.h"

#include <torch/cuda.h>

#include <stdexcept>

namespace rs {

torch::Device parse_torch_device(const std::string & value) {
    if (value == "cpu") return torch::Device(torch::kCPU);
    const std::string cuda = "cuda";
    int64_t index = 0;
    bool ok = value.rfind(cuda, 0) == 0;
    if (ok && value.size() > cuda.size()) {
        const std::string digits = value.substr(cuda.size() + 1);
        ok = value[cuda.size()] == ':' && !digits.empty() && digits.size() <= 4 &&
             digits.find_first_not_of("0123456789") == std::string::npos;
        if (ok) index = std::stoll(digits);
    }
    if (!ok) throw std::invalid_argument("--device expects cpu, cuda or cuda:N, got '" + value + "'");
    if (!torch::cuda::is_available())
        throw std::runtime_error("--device " + value + ": CUDA is not available (this LibTorch build or machine has none)");
    const int64_t count = int64_t(torch::cuda::device_count());
    if (index >= count)
        throw std::invalid_argument("--device " + value + ": this machine has " + std::to_string(count) + " CUDA device(s)");
    return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
}

}  // namespace rs
