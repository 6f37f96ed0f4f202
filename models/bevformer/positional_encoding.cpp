#include "models/bevformer/positional_encoding.h"

#include <stdexcept>
#include <string>

#include <torch/nn/init.h>

namespace rs {

LearnedPositionalEncodingImpl::LearnedPositionalEncodingImpl(int64_t num_feats, int64_t rows, int64_t cols)
    : rows_(rows), cols_(cols) {
    if (num_feats <= 0 || rows <= 0 || cols <= 0)
        throw std::invalid_argument("LearnedPositionalEncoding: num_feats, rows and cols must be positive, got " +
                                    std::to_string(num_feats) + ", " + std::to_string(rows) + ", " +
                                    std::to_string(cols));
    row_embed = register_module("row_embed", torch::nn::Embedding(rows, num_feats));
    col_embed = register_module("col_embed", torch::nn::Embedding(cols, num_feats));
    // mmdet initialises both tables uniformly in [0, 1) rather than with Embedding's normal.
    torch::NoGradGuard no_grad;
    torch::nn::init::uniform_(row_embed->weight, 0.0, 1.0);
    torch::nn::init::uniform_(col_embed->weight, 0.0, 1.0);
}

torch::Tensor LearnedPositionalEncodingImpl::forward(int64_t batch) {
    if (batch <= 0) throw std::invalid_argument("LearnedPositionalEncoding: batch must be positive, got " + std::to_string(batch));
    const int64_t feats = row_embed->weight.size(1);
    // [rows, cols, F] each, then channels x (column) first.
    const torch::Tensor x = col_embed->weight.unsqueeze(0).expand({rows_, cols_, feats});
    const torch::Tensor y = row_embed->weight.unsqueeze(1).expand({rows_, cols_, feats});
    return torch::cat({x, y}, -1).reshape({1, rows_ * cols_, 2 * feats}).expand({batch, rows_ * cols_, 2 * feats});
}

}  // namespace rs
