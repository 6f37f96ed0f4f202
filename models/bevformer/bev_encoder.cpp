#include "models/bevformer/bev_encoder.h"

#include <c10/util/StringUtil.h>

#include <stdexcept>

namespace rs {

namespace {

// Cell centres of n cells over [0, 1].
torch::Tensor centres(int64_t n, const torch::TensorOptions & options) {
    return torch::linspace(0.5, double(n) - 0.5, n, options) / double(n);
}

}  // namespace

torch::Tensor bev_reference_3d(const BevformerConfig & config, int64_t batch, const torch::TensorOptions & options) {
    const int64_t h = config.bev_h, w = config.bev_w, d = config.pillar_points;
    const double z_extent = double(config.pc_range[5]) - double(config.pc_range[2]);
    const torch::Tensor zs = torch::linspace(0.5, z_extent - 0.5, d, options) / z_extent;
    const torch::Tensor xs = centres(w, options).view({1, 1, w}).expand({d, h, w});
    const torch::Tensor ys = centres(h, options).view({1, h, 1}).expand({d, h, w});
    const torch::Tensor ref = torch::stack({xs, ys, zs.view({d, 1, 1}).expand({d, h, w})}, -1).view({1, d, h * w, 3});
    return ref.expand({batch, d, h * w, 3}).contiguous();
}

torch::Tensor bev_reference_2d(const BevformerConfig & config, int64_t batch, const torch::TensorOptions & options) {
    const int64_t h = config.bev_h, w = config.bev_w;
    const torch::Tensor xs = centres(w, options).view({1, w}).expand({h, w});
    const torch::Tensor ys = centres(h, options).view({h, 1}).expand({h, w});
    return torch::stack({xs, ys}, -1).view({1, h * w, 2}).expand({batch, h * w, 2}).contiguous();
}

CameraProjection point_sampling(const torch::Tensor & ref_3d, const std::array<float, 6> & pc_range,
                                const torch::Tensor & lidar2img, std::array<int64_t, 2> padded_image_hw) {
    if (ref_3d.dim() != 4 || ref_3d.size(3) != 3)
        throw std::invalid_argument("point_sampling: ref_3d " + c10::str(ref_3d.sizes()) + " is not [B, D, Q, 3]");
    const int64_t b = ref_3d.size(0), d = ref_3d.size(1), q = ref_3d.size(2);
    if (lidar2img.dim() != 4 || lidar2img.size(0) != b || lidar2img.size(2) != 4 || lidar2img.size(3) != 4)
        throw std::invalid_argument("point_sampling: lidar2img " + c10::str(lidar2img.sizes()) + " is not [" +
                                    std::to_string(b) + ", N, 4, 4]");
    if (padded_image_hw[0] <= 0 || padded_image_hw[1] <= 0)
        throw std::invalid_argument("point_sampling: padded image size " + std::to_string(padded_image_hw[0]) + "x" +
                                    std::to_string(padded_image_hw[1]) + " is not positive");
    const int64_t n = lidar2img.size(1);
    const auto opt = ref_3d.options().dtype(torch::kFloat);
    const torch::Tensor lo = torch::tensor({pc_range[0], pc_range[1], pc_range[2]}, opt);
    const torch::Tensor hi = torch::tensor({pc_range[3], pc_range[4], pc_range[5]}, opt);
    const torch::Tensor metres = ref_3d.to(torch::kFloat) * (hi - lo) + lo;
    const torch::Tensor homogeneous = torch::cat({metres, torch::ones({b, d, q, 1}, opt)}, -1);
    // Element-wise products summed: plain fp32 on every device (no TF32 matmul).
    const torch::Tensor cam = (lidar2img.to(torch::kFloat).view({b, n, 1, 1, 4, 4}) * homogeneous.view({b, 1, d, q, 1, 4}))
                                  .sum(-1)
                                  .permute({1, 0, 3, 2, 4});  // [N, B, Q, D, 4]
    constexpr double kEps = 1e-5;
    const torch::Tensor z = cam.select(-1, 2);
    const torch::Tensor size = torch::tensor({float(padded_image_hw[1]), float(padded_image_hw[0])}, opt);
    const torch::Tensor uv = cam.narrow(-1, 0, 2) / z.clamp_min(kEps).unsqueeze(-1) / size;
    const torch::Tensor u = uv.select(-1, 0), v = uv.select(-1, 1);
    const torch::Tensor mask = (z > kEps) & (u > 0) & (u < 1) & (v > 0) & (v < 1);
    return {uv, mask};
}

BevEncoderLayerImpl::BevEncoderLayerImpl(const BevformerConfig & config) {
    temporal_ = TemporalSelfAttention(config);
    spatial_ = SpatialCrossAttention(config);
    ffn_ = TransformerFfn(config.embed_dims, config.ffn_dims, config.dropout);
    attentions = register_module("attentions", torch::nn::ModuleList(temporal_, spatial_));
    ffns = register_module("ffns", torch::nn::ModuleList(ffn_));
    norms = register_module("norms", torch::nn::ModuleList());
    for (auto & norm : norm_) {
        norm = torch::nn::LayerNorm(torch::nn::LayerNormOptions({config.embed_dims}));
        norms->push_back(norm);
    }
}

torch::Tensor BevEncoderLayerImpl::forward(const torch::Tensor & query, const torch::Tensor & bev_pos,
                                           const torch::Tensor & queue, const torch::Tensor & ref_2d,
                                           const torch::Tensor & value, const CameraProjection & projection,
                                           const torch::Tensor & spatial_shapes, const torch::Tensor & level_start_index) {
    torch::Tensor x = norm_[0](temporal_(query, bev_pos, queue, ref_2d));
    x = norm_[1](spatial_(x, value, projection.reference_points_cam, projection.bev_mask, spatial_shapes, level_start_index));
    return norm_[2](ffn_(x));
}

BevEncoderImpl::BevEncoderImpl(const BevformerConfig & config) : config_(config) {
    layers = register_module("layers", torch::nn::ModuleList());
    for (int i = 0; i < config.encoder_layers; ++i) layers->push_back(BevEncoderLayer(config));
}

torch::Tensor BevEncoderImpl::forward(const torch::Tensor & bev_query, const torch::Tensor & bev_pos,
                                      const torch::Tensor & value, const torch::Tensor & spatial_shapes,
                                      const torch::Tensor & level_start_index, const torch::Tensor & lidar2img,
                                      std::array<int64_t, 2> padded_image_hw, const torch::Tensor & prev_bev,
                                      const torch::Tensor & shift) {
    const int64_t q_len = int64_t(config_.bev_h) * config_.bev_w;
    if (bev_query.dim() != 3 || bev_query.size(1) != q_len || bev_query.size(2) != config_.embed_dims)
        throw std::invalid_argument("BevEncoder: bev_query " + c10::str(bev_query.sizes()) + " is not [B, " +
                                    std::to_string(q_len) + ", " + std::to_string(config_.embed_dims) + "]");
    const int64_t b = bev_query.size(0);
    if (!bev_pos.sizes().equals(bev_query.sizes()))
        throw std::invalid_argument("BevEncoder: bev_pos " + c10::str(bev_pos.sizes()) + " differs from bev_query " +
                                    c10::str(bev_query.sizes()));
    if (prev_bev.defined() && !prev_bev.sizes().equals(bev_query.sizes()))
        throw std::invalid_argument("BevEncoder: prev_bev " + c10::str(prev_bev.sizes()) + " differs from bev_query " +
                                    c10::str(bev_query.sizes()));
    if (!shift.sizes().equals({b, 2}))
        throw std::invalid_argument("BevEncoder: shift " + c10::str(shift.sizes()) + " is not [" + std::to_string(b) + ", 2]");

    const auto opt = bev_query.options();
    const CameraProjection projection =
        point_sampling(bev_reference_3d(config_, b, opt), config_.pc_range, lidar2img, padded_image_hw);
    const torch::Tensor ref_2d = bev_reference_2d(config_, b, opt);
    const torch::Tensor shifted = ref_2d + shift.to(opt).unsqueeze(1);
    // The v1 release shifted ref_2d in place through an alias, so the current entry moved too
    // (bevformer.md §11.1).
    const torch::Tensor current_ref = config_.quirk_shift_ref_aliasing ? shifted : ref_2d;
    torch::Tensor queue, hybrid_ref;
    if (prev_bev.defined()) {
        // The current entry stays the encoder's input queries in every layer, as in the reference.
        queue = torch::stack({prev_bev, bev_query}, 1);
        hybrid_ref = torch::stack({shifted, current_ref}, 1);
    } else {
        hybrid_ref = torch::stack({current_ref, current_ref}, 1);
    }
    torch::Tensor x = bev_query;
    for (const auto & layer : *layers)
        x = layer->as<BevEncoderLayerImpl>()->forward(x, bev_pos, queue, hybrid_ref, value, projection, spatial_shapes,
                                                      level_start_index);
    return x;
}

}  // namespace rs
