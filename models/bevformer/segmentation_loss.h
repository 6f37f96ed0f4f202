// Training loss of the BEV map-segmentation head: per-pixel sigmoid binary cross-entropy plus a
// soft dice loss per (item, class) mask. BCE alone lets thin, rare classes (lane lines cover a
// few percent of the BEV) collapse to all-background; dice is normalised by the mask's own area,
// so every class weighs the same however small it is.
#pragma once

#include <torch/types.h>

namespace rs {

struct SegmentationLossWeights {
    double bce = 1.0;     // weight of the mean per-pixel BCE
    double dice = 1.0;    // weight of the mean dice loss over items × classes
    double smooth = 1.0;  // > 0, added to dice numerator and denominator: an empty mask predicted empty costs ~0, not 0/0
};

struct SegmentationLoss {
    torch::Tensor total;  // bce_weight · bce + dice_weight · dice
    torch::Tensor bce;    // unweighted mean over all B·K·H·W pixels
    torch::Tensor dice;   // unweighted mean over B·K of 1 - (2·Σ p·t + s) / (Σ p + Σ t + s), p = sigmoid(logit)
};

// logits [B, K, H, W], targets of the same shape with values 0 or 1 (any dtype). Throws
// std::invalid_argument on a shape mismatch, negative weights or smooth <= 0.
SegmentationLoss compute_segmentation_loss(const torch::Tensor & logits, const torch::Tensor & targets,
                                           const SegmentationLossWeights & weights = {});

}  // namespace rs
