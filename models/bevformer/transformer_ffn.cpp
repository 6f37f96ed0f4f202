#include "models/bevformer/transformer_ffn.h"

#include <torch/nn/modules/activation.h>

namespace rs {

TransformerFfnImpl::TransformerFfnImpl(int64_t embed_dims, int64_t ffn_dims, double dropout)
    : expand_(embed_dims, ffn_dims),
      project_(ffn_dims, embed_dims),
      inner_dropout_(dropout),
      outer_dropout_(dropout) {
    layers = register_module("layers", torch::nn::ModuleList(torch::nn::ModuleList(expand_, torch::nn::ReLU(), inner_dropout_),
                                                             project_, outer_dropout_));
}

torch::Tensor TransformerFfnImpl::forward(const torch::Tensor & x) {
    return x + outer_dropout_(project_(inner_dropout_(torch::relu(expand_(x)))));
}

}  // namespace rs
