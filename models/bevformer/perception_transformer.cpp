#include "models/bevformer/perception_transformer.h"

#include <c10/util/StringUtil.h>
#include <torch/nn/functional/vision.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/normalization.h>

#include <cmath>
#include <stdexcept>

#include "models/bevformer/deformable_init.h"

namespace rs {

torch::Tensor bev_shift(const BevformerConfig & config, const torch::Tensor & can_bus) {
    if (can_bus.dim() != 2 || can_bus.size(1) != kCanBusDims)
        throw std::invalid_argument("bev_shift: can_bus " + c10::str(can_bus.sizes()) + " is not [B, 18]");
    const torch::Tensor cb = can_bus.to(torch::kDouble);
    if (!config.use_shift) return torch::zeros({can_bus.size(0), 2}, can_bus.options());
    const torch::Tensor dx = cb.select(1, 0), dy = cb.select(1, 1);
    const torch::Tensor ego_yaw = cb.select(1, 16);
    // Heading of the motion relative to the ego heading; the reference goes through degrees.
    const torch::Tensor bev_angle = ego_yaw - torch::atan2(dy, dx);
    const torch::Tensor length = torch::sqrt(dx * dx + dy * dy);
    const double extent_x = double(config.pc_range[3]) - double(config.pc_range[0]);
    const double extent_y = double(config.pc_range[4]) - double(config.pc_range[1]);
    const torch::Tensor shift_x = length * torch::sin(bev_angle) / extent_x;
    const torch::Tensor shift_y = length * torch::cos(bev_angle) / extent_y;
    return torch::stack({shift_x, shift_y}, 1).to(can_bus.scalar_type());
}

torch::Tensor rotate_bev(const torch::Tensor & bev, const torch::Tensor & angles_deg, int64_t bev_h, int64_t bev_w,
                         std::array<float, 2> center) {
    if (bev.dim() != 3 || bev.size(1) != bev_h * bev_w)
        throw std::invalid_argument("rotate_bev: bev " + c10::str(bev.sizes()) + " is not [B, " +
                                    std::to_string(bev_h * bev_w) + ", C]");
    const int64_t b = bev.size(0), c = bev.size(2);
    if (angles_deg.dim() != 1 || angles_deg.size(0) != b)
        throw std::invalid_argument("rotate_bev: angles_deg " + c10::str(angles_deg.sizes()) + " is not [" +
                                    std::to_string(b) + "]");
    // torchvision's inverse map in pixel coordinates centred on the image: output pixel p samples
    // R(angle) (p - c) + c; rescaled here to affine_grid's [-1, 1] (align_corners false) units.
    const double w = double(bev_w), h = double(bev_h);
    const double cx = double(center[0]) - 0.5 * w, cy = double(center[1]) - 0.5 * h;
    const torch::Tensor rad = angles_deg.to(torch::kDouble).cpu() * (M_PI / 180.0);
    const torch::Tensor cos = rad.cos(), sin = rad.sin();
    const torch::Tensor tx = cos * -cx + sin * cy + cx;
    const torch::Tensor ty = sin * -cx - cos * cy + cy;
    const torch::Tensor theta = torch::stack({torch::stack({cos, -sin * (h / w), tx * (2.0 / w)}, 1),
                                              torch::stack({sin * (w / h), cos, ty * (2.0 / h)}, 1)},
                                             1)
                                    .to(bev.options());
    const torch::Tensor images = bev.view({b, bev_h, bev_w, c}).permute({0, 3, 1, 2});
    namespace F = torch::nn::functional;
    const torch::Tensor grid = F::affine_grid(theta, {b, c, bev_h, bev_w}, false);
    const torch::Tensor rotated = F::grid_sample(
        images, grid, F::GridSampleFuncOptions().mode(torch::kNearest).padding_mode(torch::kZeros).align_corners(false));
    return rotated.permute({0, 2, 3, 1}).reshape({b, bev_h * bev_w, c});
}

PerceptionTransformerImpl::PerceptionTransformerImpl(const BevformerConfig & config) : config_(config) {
    config.validate();
    const int64_t c = config.embed_dims;
    level_embeds = register_parameter("level_embeds", torch::empty({kMaxLevels, c}));
    cams_embeds = register_parameter("cams_embeds", torch::empty({kMaxCameras, c}));
    encoder = register_module("encoder", BevEncoder(config));
    decoder = register_module("decoder", BevDecoder(config));
    reference_points = register_module("reference_points", torch::nn::Linear(c, 3));
    torch::nn::Sequential mlp;
    mlp->push_back("0", torch::nn::Linear(kCanBusDims, c / 2));
    mlp->push_back("1", torch::nn::ReLU(torch::nn::ReLUOptions(true)));
    mlp->push_back("2", torch::nn::Linear(c / 2, c));
    mlp->push_back("3", torch::nn::ReLU(torch::nn::ReLUOptions(true)));
    mlp->push_back("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c})));
    can_bus_mlp = register_module("can_bus_mlp", mlp);
    reset_parameters();
}

void PerceptionTransformerImpl::reset_parameters() {
    torch::NoGradGuard no_grad;
    for (auto & p : parameters())
        if (p.dim() > 1) torch::nn::init::xavier_uniform_(p);
    for (auto & m : modules(/*include_self=*/false)) {
        if (auto * tsa = m->as<TemporalSelfAttentionImpl>()) tsa->reset_parameters();
        if (auto * sca = m->as<SpatialCrossAttentionImpl>()) sca->reset_parameters();
        if (auto * bda = m->as<BevDeformableAttentionImpl>()) bda->reset_parameters();
    }
    torch::nn::init::normal_(level_embeds);
    torch::nn::init::normal_(cams_embeds);
    init_xavier_linear(reference_points);
}

torch::Tensor PerceptionTransformerImpl::get_bev_features(const std::vector<torch::Tensor> & mlvl_feats,
                                                          const torch::Tensor & bev_queries,
                                                          const torch::Tensor & bev_pos, const torch::Tensor & lidar2img,
                                                          const torch::Tensor & can_bus,
                                                          std::array<int64_t, 2> padded_image_hw,
                                                          const torch::Tensor & prev_bev) {
    const int64_t c = config_.embed_dims, q_len = config_.bev_queries();
    if (int64_t(mlvl_feats.size()) != config_.levels())
        throw std::invalid_argument("PerceptionTransformer: " + std::to_string(mlvl_feats.size()) +
                                    " feature levels given, config '" + config_.name + "' has " +
                                    std::to_string(config_.levels()));
    const torch::Tensor & first = mlvl_feats.front();
    if (first.dim() != 5 || first.size(2) != c)
        throw std::invalid_argument("PerceptionTransformer: feature level 0 " + c10::str(first.sizes()) +
                                    " is not [B, N, " + std::to_string(c) + ", h, w]");
    const int64_t b = first.size(0), cams = first.size(1);
    if (cams > kMaxCameras)
        throw std::invalid_argument("PerceptionTransformer: " + std::to_string(cams) + " cameras, cams_embeds has " +
                                    std::to_string(kMaxCameras));
    if (!bev_queries.sizes().equals({q_len, c}))
        throw std::invalid_argument("PerceptionTransformer: bev_queries " + c10::str(bev_queries.sizes()) + " is not [" +
                                    std::to_string(q_len) + ", " + std::to_string(c) + "]");
    if (!can_bus.sizes().equals({b, kCanBusDims}))
        throw std::invalid_argument("PerceptionTransformer: can_bus " + c10::str(can_bus.sizes()) + " is not [" +
                                    std::to_string(b) + ", 18]");
    if (!lidar2img.sizes().equals({b, cams, 4, 4}))
        throw std::invalid_argument("PerceptionTransformer: lidar2img " + c10::str(lidar2img.sizes()) + " is not [" +
                                    std::to_string(b) + ", " + std::to_string(cams) + ", 4, 4]");

    const torch::Tensor shift = bev_shift(config_, can_bus);
    torch::Tensor prev;
    if (config_.temporal && prev_bev.defined()) {
        if (!prev_bev.sizes().equals({b, q_len, c}))
            throw std::invalid_argument("PerceptionTransformer: prev_bev " + c10::str(prev_bev.sizes()) + " is not [" +
                                        std::to_string(b) + ", " + std::to_string(q_len) + ", " + std::to_string(c) + "]");
        prev = config_.rotate_prev_bev
                   ? rotate_bev(prev_bev, can_bus.select(1, kCanBusDims - 1), config_.bev_h, config_.bev_w, config_.rotate_center)
                   : prev_bev;
    }
    torch::Tensor queries = bev_queries.unsqueeze(0).expand({b, q_len, c});
    if (config_.use_can_bus) queries = queries + can_bus_mlp->forward(can_bus.to(bev_queries.dtype())).unsqueeze(1);

    std::vector<torch::Tensor> flat;
    std::vector<int64_t> shapes, starts;
    int64_t keys = 0;
    for (size_t lvl = 0; lvl < mlvl_feats.size(); ++lvl) {
        const torch::Tensor & f = mlvl_feats[lvl];
        if (f.dim() != 5 || f.size(0) != b || f.size(1) != cams || f.size(2) != c)
            throw std::invalid_argument("PerceptionTransformer: feature level " + std::to_string(lvl) + " " +
                                        c10::str(f.sizes()) + " is not [" + std::to_string(b) + ", " +
                                        std::to_string(cams) + ", " + std::to_string(c) + ", h, w]");
        const int64_t h = f.size(3), w = f.size(4);
        shapes.insert(shapes.end(), {h, w});
        starts.push_back(keys);
        keys += h * w;
        flat.push_back(f.flatten(3).transpose(2, 3) + cams_embeds.narrow(0, 0, cams).view({1, cams, 1, c}).to(f.dtype()) +
                       level_embeds[int64_t(lvl)].view({1, 1, 1, c}).to(f.dtype()));
    }
    const auto long_opt = torch::TensorOptions().dtype(torch::kLong).device(first.device());
    const torch::Tensor spatial_shapes = torch::tensor(shapes, torch::kLong).view({-1, 2}).to(long_opt.device());
    const torch::Tensor level_start_index = torch::tensor(starts, torch::kLong).to(long_opt.device());
    return encoder(queries, bev_pos, torch::cat(flat, 2), spatial_shapes, level_start_index, lidar2img, padded_image_hw,
                   prev, shift);
}

DecoderOutputs PerceptionTransformerImpl::decode(const torch::Tensor & bev, const torch::Tensor & query_embedding,
                                                 const RegressionCallback & regression, const BevProposals * proposals) {
    const int64_t c = config_.embed_dims;
    if (query_embedding.dim() != 2 || query_embedding.size(1) != 2 * c)
        throw std::invalid_argument("PerceptionTransformer: query_embedding " + c10::str(query_embedding.sizes()) +
                                    " is not [num_queries, " + std::to_string(2 * c) + "]");
    if (bev.dim() != 3)
        throw std::invalid_argument("PerceptionTransformer: bev " + c10::str(bev.sizes()) + " is not [B, Q, C]");
    const int64_t b = bev.size(0), nq = query_embedding.size(0);
    torch::Tensor query_pos = query_embedding.narrow(1, 0, c).unsqueeze(0).expand({b, nq, c});
    torch::Tensor query = query_embedding.narrow(1, c, c).unsqueeze(0).expand({b, nq, c});
    if (!proposals) return decoder(query, query_pos, bev, reference_points(query_pos).sigmoid(), regression);
    if (!proposals->query.sizes().equals({b, nq, c}) || !proposals->query_pos.sizes().equals({b, nq, c}) ||
        !proposals->reference.sizes().equals({b, nq, 2}))
        throw std::invalid_argument("PerceptionTransformer: proposals (query " + c10::str(proposals->query.sizes()) +
                                    ", reference " + c10::str(proposals->reference.sizes()) + ") are not for [" +
                                    std::to_string(b) + ", " + std::to_string(nq) + "] queries");
    query = query + proposals->query;
    query_pos = query_pos + proposals->query_pos;
    const torch::Tensor z = reference_points(query_pos).sigmoid().narrow(2, 2, 1);
    return decoder(query, query_pos, bev, torch::cat({proposals->reference.to(z.dtype()), z}, 2), regression);
}

}  // namespace rs
