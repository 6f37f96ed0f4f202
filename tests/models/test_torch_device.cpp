#include "models/torch_device.h"

#include <gtest/gtest.h>
#include <torch/cuda.h>

#include <stdexcept>

namespace rs {
namespace {

std::string error_of(const std::string & value) {
    try {
        parse_torch_device(value);
    } catch (const std::exception & e) {
        return e.what();
    }
    return "(no error)";
}

TEST(TorchDevice, ParsesCpuAndRejectsOtherSpellings) {
    EXPECT_EQ(parse_torch_device("cpu"), torch::Device(torch::kCPU));
    for (const char * bad : {"", "gpu", "CPU", "cuda0", "cuda:", "cuda:x", "cuda:-1", "cuda:1a", "cuda:99999"})
        EXPECT_NE(error_of(bad).find("--device expects cpu, cuda or cuda:N, got '" + std::string(bad) + "'"),
                  std::string::npos)
            << bad;
}

TEST(TorchDevice, CudaIsTheFirstGpuOrAClearError) {
    if (!torch::cuda::is_available()) {
        EXPECT_NE(error_of("cuda").find("--device cuda: CUDA is not available"), std::string::npos) << error_of("cuda");
        EXPECT_NE(error_of("cuda:0").find("--device cuda:0: CUDA is not available"), std::string::npos);
        return;
    }
    EXPECT_EQ(parse_torch_device("cuda"), torch::Device(torch::kCUDA, 0));
    EXPECT_EQ(parse_torch_device("cuda:0"), torch::Device(torch::kCUDA, 0));
    const std::string past = "cuda:" + std::to_string(torch::cuda::device_count());
    EXPECT_NE(error_of(past).find("CUDA device(s)"), std::string::npos) << error_of(past);
}

}  // namespace
}  // namespace rs
