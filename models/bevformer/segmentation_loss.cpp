#include "models/bevformer/segmentation_loss.h"

#include <torch/nn/functional/loss.h>

#include <stdexcept>
#include <string>

namespace rs {

SegmentationLoss compute_segmentation_loss(const torch::Tensor & logits, const torch::Tensor & targets,
                                           const SegmentationLossWeights & weights) {
    if (logits.dim() != 4)
        throw std::invalid_argument("compute_segmentation_loss: logits must be [B, K, H, W], got " + c10::str(logits.sizes()));
    if (targets.sizes() != logits.sizes())
        throw std::invalid_argument("compute_segmentation_loss: targets " + c10::str(targets.sizes()) + " do not match logits " +
                                    c10::str(logits.sizes()));
    if (weights.bce < 0 || weights.dice < 0 || weights.smooth <= 0)
        throw std::invalid_argument("compute_segmentation_loss: weights must be non-negative and smooth positive (bce " +
                                    std::to_string(weights.bce) + ", dice " + std::to_string(weights.dice) + ", smooth " +
                                    std::to_string(weights.smooth) + ")");
    namespace F = torch::nn::functional;
    const torch::Tensor t = targets.to(logits.options());
    SegmentationLoss out;
    out.bce = F::binary_cross_entropy_with_logits(logits, t);
    const torch::Tensor p = logits.sigmoid().flatten(2);
    const torch::Tensor tf = t.flatten(2);
    const torch::Tensor overlap = (p * tf).sum(-1);
    const torch::Tensor area = p.sum(-1) + tf.sum(-1);
    out.dice = (1 - (2 * overlap + weights.smooth) / (area + weights.smooth)).mean();
    out.total = weights.bce * out.bce + weights.dice * out.dice;
    return out;
}

}  // namespace rs
