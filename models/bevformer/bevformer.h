// The whole BEVFormer detector: six camera images -> ResNet -> FPN -> BEV encoder (temporal and
// spatial cross-attention) -> object decoder -> detection head, plus the optional map-segmentation
// head on the BEV. Module names mirror the official checkpoints (img_backbone, img_neck,
// pts_bbox_head, pts_bbox_head.transformer), so converted weights load by name.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <array>
#include <string>
#include <vector>

#include "models/bevformer/bev_proposal_head.h"
#include "models/bevformer/bev_velocity_head.h"
#include "models/bevformer/bevformer_config.h"
#include "models/bevformer/detection_head.h"
#include "models/bevformer/fpn.h"
#include "models/bevformer/perception_transformer.h"
#include "models/bevformer/perspective_head.h"
#include "models/bevformer/resnet.h"
#include "models/bevformer/segmentation_head.h"

namespace rs {

// One time step of a batch of camera rigs.
struct BevformerFrame {
    torch::Tensor images;     // [B, N, 3, H, W] normalised, zero-padded to multiples of 32
    torch::Tensor lidar2img;  // [B, N, 4, 4] lidar to pixels of the scaled image
    torch::Tensor can_bus;    // [B, 18], translation and yaw relative to the previous frame
};

struct BevformerOutputs {
    torch::Tensor bev;         // [B, Q, C]: the next frame's prev_bev
    HeadOutputs detections;    // per decoder layer
    torch::Tensor seg_logits;  // [B, seg_classes, bev_h, bev_w]; undefined without the seg head
    torch::Tensor proposal_heatmap;  // [B, num_classes, bev_h, bev_w] logits; only with bev_proposals
    torch::Tensor perspective_heatmap;  // [B, N, num_classes, h, w] logits; with perspective_head, in training mode
    torch::Tensor bev_velocity;         // [B, 2, bev_h, bev_w] m/s; with bev_velocity, in training mode
};

class BevformerImpl : public torch::nn::Module {
public:
    explicit BevformerImpl(const BevformerConfig & config);

    const BevformerConfig & config() const { return config_; }

    // images [B, N, 3, H, W] -> per FPN level [B, N, C, h, w].
    std::vector<torch::Tensor> extract_features(const torch::Tensor & images);
    // The BEV features of a frame given the previous frame's (undefined for none).
    torch::Tensor encode(const BevformerFrame & frame, const torch::Tensor & prev_bev);
    // BEV, detections and map segmentation of a frame (and the training heads' heatmaps).
    BevformerOutputs forward(const BevformerFrame & frame, const torch::Tensor & prev_bev);
    // Training as the paper does it: the history frames (oldest first) are encoded without
    // gradient and in eval mode, each one's BEV the next one's prev_bev (the first falls back to
    // self-attention); then the current frame runs with gradient on the last history BEV.
    BevformerOutputs forward_train(const std::vector<BevformerFrame> & history, const BevformerFrame & current);
    // Removes the heads that only shape training (perspective heatmap, BEV velocity), so shipped weights
    // carry nothing inference never reads.
    void drop_training_heads();
    // Whether a tensor name belongs to one of those heads (export drops them, fine-tuning may lack them).
    static bool is_training_head_tensor(const std::string & name);

    ResNet img_backbone{nullptr};
    Fpn img_neck{nullptr};
    DetectionHead pts_bbox_head{nullptr};
    PerceptionTransformer transformer{nullptr};  // registered as pts_bbox_head.transformer
    SegmentationHead seg_head{nullptr};          // only with config.seg_head
    BevProposalHead proposal_head{nullptr};      // only with config.bev_proposals
    PerspectiveHead perspective_head{nullptr};   // only with config.perspective_head
    BevVelocityHead velocity_head{nullptr};      // only with config.bev_velocity

private:
    torch::Tensor encode_features(const BevformerFrame & frame, const std::vector<torch::Tensor> & feats,
                                  const torch::Tensor & prev_bev);

    BevformerConfig config_;
};
TORCH_MODULE(Bevformer);

}  // namespace rs
