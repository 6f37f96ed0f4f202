// BEVFormer's PerceptionTransformer (modules/transformer.py): prepares the encoder's inputs (ego
// motion shift, previous BEV rotated to the current heading, CAN-bus embedding, camera and level
// embeddings), runs the encoder to get the BEV features, and runs the decoder on object queries.
// Parameter names follow the official checkpoints (…transformer.*).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <array>
#include <vector>

#include "models/bevformer/bev_decoder.h"
#include "models/bevformer/bev_encoder.h"
#include "models/bevformer/bev_proposal_head.h"
#include "models/bevformer/bevformer_config.h"

namespace rs {

constexpr int64_t kCanBusDims = 18;
constexpr int64_t kMaxCameras = 6;  // rows of cams_embeds
constexpr int64_t kMaxLevels = 4;   // rows of level_embeds

// Ego motion since the previous frame as a BEV shift [B, 2] (x, y) in normalised BEV units, from
// can_bus [B, 18] whose [0:2] is the global-frame translation delta (m) and [16] the ego yaw
// (rad): the translation is turned into the ego frame through the yaw and divided by the
// extent of pc_range. Zero when config.use_shift is off.
torch::Tensor bev_shift(const BevformerConfig & config, const torch::Tensor & can_bus);

// bev [B, bev_h * bev_w, C] viewed as images [C, bev_h, bev_w] and each rotated by angles_deg[b]
// degrees counter-clockwise (as displayed, row 0 on top) about center (x, y) in pixels, like
// torchvision's rotate: nearest neighbour, zero outside, same size.
torch::Tensor rotate_bev(const torch::Tensor & bev, const torch::Tensor & angles_deg, int64_t bev_h, int64_t bev_w,
                         std::array<float, 2> center);

class PerceptionTransformerImpl : public torch::nn::Module {
public:
    explicit PerceptionTransformerImpl(const BevformerConfig & config);

    // As the reference's init_weights: Xavier for every matrix, the deformable attentions' own
    // initialisation, normal embeddings.
    void reset_parameters();

    // mlvl_feats      config.levels() maps [B, N, C, h, w], N <= 6 cameras in cams_embeds order
    // bev_queries     [Q, C], Q = bev_h * bev_w
    // bev_pos         [B, Q, C], q = row * bev_w + col
    // lidar2img       [B, N, 4, 4] lidar to pixels of the scaled image
    // can_bus         [B, 18], [0:3] and [17] already relative to the previous frame (0 without one)
    // padded_image_hw padded (height, width) of the scaled image
    // prev_bev        [B, Q, C] previous BEV features, or undefined; ignored unless config.temporal
    // Returns the BEV features [B, Q, C].
    torch::Tensor get_bev_features(const std::vector<torch::Tensor> & mlvl_feats, const torch::Tensor & bev_queries,
                                   const torch::Tensor & bev_pos, const torch::Tensor & lidar2img,
                                   const torch::Tensor & can_bus, std::array<int64_t, 2> padded_image_hw,
                                   const torch::Tensor & prev_bev);

    // bev [B, Q, C]; query_embedding [num_queries, 2C] whose first C columns are the positional
    // part, the second C the content; initial reference points sigmoid(reference_points(pos)).
    // With proposals (config.bev_proposals) their query and query_pos add to the learned ones and
    // their cell centres replace the initial x, y; z stays learned.
    DecoderOutputs decode(const torch::Tensor & bev, const torch::Tensor & query_embedding,
                          const RegressionCallback & regression = nullptr, const BevProposals * proposals = nullptr);

    torch::Tensor level_embeds;             // [4, C]
    torch::Tensor cams_embeds;              // [6, C]
    torch::nn::Linear reference_points{nullptr};
    torch::nn::Sequential can_bus_mlp{nullptr};  // 0 Linear(18, C/2), 1 ReLU, 2 Linear(C/2, C), 3 ReLU, norm
    BevEncoder encoder{nullptr};
    BevDecoder decoder{nullptr};

private:
    BevformerConfig config_;
};

TORCH_MODULE(PerceptionTransformer);

}  // namespace rs
