#include "models/bevformer/detection_head.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include "models/bevformer/box_code.h"

namespace rs {

using torch::indexing::Slice;

DetectionHeadImpl::DetectionHeadImpl(const BevformerConfig & cfg)
    : pc_range_(cfg.pc_range), embed_dims_(cfg.embed_dims) {
    cfg.validate();
    const int64_t c = cfg.embed_dims;
    code_weights = register_parameter("code_weights", torch::tensor(cfg.code_weights), /*requires_grad=*/false);
    bev_embedding = register_module("bev_embedding", torch::nn::Embedding(cfg.bev_queries(), c));
    query_embedding = register_module("query_embedding", torch::nn::Embedding(cfg.num_queries, 2 * c));
    positional_encoding = register_module("positional_encoding", LearnedPositionalEncoding(c / 2, cfg.bev_h, cfg.bev_w));

    cls_branches = register_module("cls_branches", torch::nn::ModuleList());
    reg_branches = register_module("reg_branches", torch::nn::ModuleList());
    // Focal-loss prior: every class starts at probability 0.01, so the many background queries
    // do not swamp the loss early in training (mmcv bias_init_with_prob).
    const double prior_bias = -std::log((1 - 0.01) / 0.01);
    for (int l = 0; l < cfg.decoder_layers; ++l) {
        torch::nn::Sequential cls;
        cls->push_back(torch::nn::Linear(c, c));
        cls->push_back(torch::nn::LayerNorm(torch::nn::LayerNormOptions({c})));
        cls->push_back(torch::nn::ReLU());
        cls->push_back(torch::nn::Linear(c, c));
        cls->push_back(torch::nn::LayerNorm(torch::nn::LayerNormOptions({c})));
        cls->push_back(torch::nn::ReLU());
        torch::nn::Linear cls_out(c, cfg.num_classes);
        {
            torch::NoGradGuard no_grad;
            cls_out->bias.fill_(prior_bias);
        }
        cls->push_back(cls_out);
        cls_branches->push_back(cls);
        cls_.push_back(cls);

        torch::nn::Sequential reg;
        reg->push_back(torch::nn::Linear(c, c));
        reg->push_back(torch::nn::ReLU());
        reg->push_back(torch::nn::Linear(c, c));
        reg->push_back(torch::nn::ReLU());
        reg->push_back(torch::nn::Linear(c, cfg.code_size));
        reg_branches->push_back(reg);
        reg_.push_back(reg);
    }
}

torch::Tensor DetectionHeadImpl::reg_branch(int layer, const torch::Tensor & hidden) {
    if (layer < 0 || layer >= static_cast<int>(reg_.size()))
        throw std::invalid_argument("DetectionHead::reg_branch: layer " + std::to_string(layer) + " outside 0.." +
                                    std::to_string(reg_.size() - 1));
    return reg_[layer]->forward(hidden);
}

torch::Tensor DetectionHeadImpl::cls_branch(int layer, const torch::Tensor & hidden) {
    if (layer < 0 || layer >= static_cast<int>(cls_.size()))
        throw std::invalid_argument("DetectionHead::cls_branch: layer " + std::to_string(layer) + " outside 0.." +
                                    std::to_string(cls_.size() - 1));
    return cls_[layer]->forward(hidden);
}

HeadOutputs DetectionHeadImpl::predict(const torch::Tensor & hidden_states, const torch::Tensor & init_reference,
                                       const torch::Tensor & inter_references) {
    const int64_t layers = static_cast<int64_t>(cls_.size());
    if (hidden_states.dim() != 4 || hidden_states.size(0) != layers || hidden_states.size(3) != embed_dims_)
        throw std::invalid_argument("DetectionHead::predict: hidden_states must be [" + std::to_string(layers) +
                                    ", B, Q, " + std::to_string(embed_dims_) + "], got " + c10::str(hidden_states.sizes()));
    const int64_t b = hidden_states.size(1), q = hidden_states.size(2);
    if (init_reference.sizes() != torch::IntArrayRef({b, q, 3}))
        throw std::invalid_argument("DetectionHead::predict: init_reference must be [" + std::to_string(b) + ", " +
                                    std::to_string(q) + ", 3], got " + c10::str(init_reference.sizes()));
    if (inter_references.sizes() != torch::IntArrayRef({layers, b, q, 3}))
        throw std::invalid_argument("DetectionHead::predict: inter_references must be [" + std::to_string(layers) + ", " +
                                    std::to_string(b) + ", " + std::to_string(q) + ", 3], got " +
                                    c10::str(inter_references.sizes()));

    const auto metres = [&](const torch::Tensor & unit, int axis) {
        return unit * (pc_range_[axis + 3] - pc_range_[axis]) + pc_range_[axis];
    };
    std::vector<torch::Tensor> classes, boxes;
    for (int64_t l = 0; l < layers; ++l) {
        const torch::Tensor h = hidden_states[l];
        const torch::Tensor reference = l == 0 ? init_reference : inter_references[l - 1];
        classes.push_back(cls_[l]->forward(h));
        const torch::Tensor tmp = reg_[l]->forward(h);
        const torch::Tensor centre = refine_reference(tmp, reference);
        boxes.push_back(torch::cat({metres(centre.index({"...", Slice(0, 1)}), 0), metres(centre.index({"...", Slice(1, 2)}), 1),
                                    tmp.index({"...", Slice(2, 4)}), metres(centre.index({"...", Slice(2, 3)}), 2),
                                    tmp.index({"...", Slice(5, kBoxCodeDims)})},
                                   -1));
    }
    return {torch::stack(classes), torch::stack(boxes)};
}

}  // namespace rs
