// The feed-forward block of BEVFormer's encoder and decoder layers (mmcv FFN, 2 fully connected
// layers, ReLU): x + Dropout(Linear(Dropout(ReLU(Linear(x))))). Named layers.0.0 / layers.1 as
// in the official checkpoints.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

namespace rs {

class TransformerFfnImpl : public torch::nn::Module {
public:
    TransformerFfnImpl(int64_t embed_dims, int64_t ffn_dims, double dropout);

    // x [..., embed_dims] -> same shape, residual included.
    torch::Tensor forward(const torch::Tensor & x);

    // mmcv's nested Sequential; ModuleLists give the same names (torch::nn::Sequential cannot nest).
    torch::nn::ModuleList layers{nullptr};

private:
    torch::nn::Linear expand_{nullptr}, project_{nullptr};
    torch::nn::Dropout inner_dropout_{nullptr}, outer_dropout_{nullptr};
};

TORCH_MODULE(TransformerFfn);

}  // namespace rs
