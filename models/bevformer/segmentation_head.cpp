#include "models/bevformer/segmentation_head.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/normalization.h>

namespace rs {

namespace {

// Post-norm transformer decoder layer: self-attention among the class queries, cross-attention
// from them to the BEV cells, FFN; each followed by dropout, residual and LayerNorm.
class SegmentationDecoderLayerImpl : public torch::nn::Module {
public:
    explicit SegmentationDecoderLayerImpl(const BevformerConfig & cfg) {
        const int64_t c = cfg.embed_dims;
        self_attn = register_module("self_attn", torch::nn::MultiheadAttention(torch::nn::MultiheadAttentionOptions(c, cfg.num_heads)));
        cross_attn = register_module("cross_attn", torch::nn::MultiheadAttention(torch::nn::MultiheadAttentionOptions(c, cfg.num_heads)));
        ffn = register_module("ffn", torch::nn::Sequential(torch::nn::Linear(c, cfg.ffn_dims), torch::nn::ReLU(),
                                                           torch::nn::Linear(cfg.ffn_dims, c)));
        for (int i = 0; i < 3; ++i)
            norms->push_back(torch::nn::LayerNorm(torch::nn::LayerNormOptions({c})));
        register_module("norms", norms);
        dropout = register_module("dropout", torch::nn::Dropout(cfg.dropout));
    }

    // Sequence-first, as torch::nn::MultiheadAttention takes it: queries [N, B, C], bev and
    // bev_pos [Q, B, C].
    torch::Tensor forward(torch::Tensor x, const torch::Tensor & bev, const torch::Tensor & bev_pos) {
        x = norm(0, x + dropout(std::get<0>(self_attn->forward(x, x, x, torch::Tensor(), /*need_weights=*/false))));
        x = norm(1, x + dropout(std::get<0>(cross_attn->forward(x, bev + bev_pos, bev, torch::Tensor(), /*need_weights=*/false))));
        return norm(2, x + dropout(ffn->forward(x)));
    }

    torch::nn::MultiheadAttention self_attn{nullptr}, cross_attn{nullptr};
    torch::nn::Sequential ffn{nullptr};
    torch::nn::ModuleList norms;
    torch::nn::Dropout dropout{nullptr};

private:
    torch::Tensor norm(size_t i, const torch::Tensor & x) { return norms[i]->as<torch::nn::LayerNorm>()->forward(x); }
};
TORCH_MODULE(SegmentationDecoderLayer);

}  // namespace

SegmentationHeadImpl::SegmentationHeadImpl(const BevformerConfig & cfg)
    : bev_h_(cfg.bev_h), bev_w_(cfg.bev_w), embed_dims_(cfg.embed_dims) {
    cfg.validate();
    const int64_t c = cfg.embed_dims;
    class_queries = register_module("class_queries", torch::nn::Embedding(cfg.seg_classes, c));
    positional_encoding = register_module("positional_encoding", LearnedPositionalEncoding(c / 2, cfg.bev_h, cfg.bev_w));
    layers = register_module("layers", torch::nn::ModuleList());
    for (int i = 0; i < kDecoderLayers; ++i) layers->push_back(SegmentationDecoderLayer(cfg));
    mask_embed = register_module("mask_embed", torch::nn::Sequential(torch::nn::Linear(c, c), torch::nn::ReLU(), torch::nn::Linear(c, c),
                                                                     torch::nn::ReLU(), torch::nn::Linear(c, c)));
    pixel_proj = register_module("pixel_proj", torch::nn::Linear(c, c));
}

torch::Tensor SegmentationHeadImpl::forward(const torch::Tensor & bev) {
    const int64_t cells = bev_h_ * bev_w_;
    if (bev.dim() != 3 || bev.size(1) != cells || bev.size(2) != embed_dims_)
        throw std::invalid_argument("SegmentationHead: bev must be [B, " + std::to_string(cells) + ", " +
                                    std::to_string(embed_dims_) + "], got " + c10::str(bev.sizes()));
    const int64_t b = bev.size(0);
    const torch::Tensor bev_seq = bev.transpose(0, 1);
    const torch::Tensor pos_seq = positional_encoding->forward(b).transpose(0, 1);
    torch::Tensor x = class_queries->weight.unsqueeze(1).expand({-1, b, -1});
    for (const auto & layer : *layers) x = layer->as<SegmentationDecoderLayerImpl>()->forward(x, bev_seq, pos_seq);

    const torch::Tensor queries = mask_embed->forward(x.transpose(0, 1));  // [B, N, C]
    const torch::Tensor pixels = pixel_proj->forward(bev);                  // [B, Q, C]
    // Scaled like attention logits so the initial masks stay near zero whatever C is.
    const torch::Tensor logits = torch::bmm(queries, pixels.transpose(1, 2)) / std::sqrt(static_cast<double>(embed_dims_));
    return logits.view({b, -1, bev_h_, bev_w_});
}

}  // namespace rs
