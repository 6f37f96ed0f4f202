// Learned positional encoding of the BEV grid (mmdet LearnedPositionalEncoding as BEVFormer
// configures it): one embedding per column and one per row, concatenated per cell.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/pimpl.h>

namespace rs {

class LearnedPositionalEncodingImpl : public torch::nn::Module {
public:
    // num_feats channels per axis; rows = bev_h, cols = bev_w. Throws std::invalid_argument
    // for a non-positive size.
    LearnedPositionalEncodingImpl(int64_t num_feats, int64_t rows, int64_t cols);

    // [batch, rows * cols, 2 * num_feats]: cell q = row * cols + col gets
    // concat(col_embed[col], row_embed[row]) (x before y, as the reference). A view broadcast
    // over the batch: add it, do not write into it.
    torch::Tensor forward(int64_t batch);

    // Official names: positional_encoding.row_embed.weight [rows, F], col_embed.weight [cols, F].
    torch::nn::Embedding row_embed{nullptr};
    torch::nn::Embedding col_embed{nullptr};

private:
    int64_t rows_, cols_;
};
TORCH_MODULE(LearnedPositionalEncoding);

}  // namespace rs
