#include "models/bevformer/bevformer.h"

#include <optional>
#include <stdexcept>
#include <string>

namespace rs {

namespace {

void check_frame(const BevformerFrame & f) {
    if (!f.images.defined() || f.images.dim() != 5 || f.images.size(2) != 3)
        throw std::invalid_argument("BEVFormer input: images must be [B, N, 3, H, W], got " +
                                    (f.images.defined() ? c10::str(f.images.sizes()) : std::string("nothing")));
    const int64_t b = f.images.size(0), n = f.images.size(1);
    if (n < 1 || n > kMaxCameras)
        throw std::invalid_argument("BEVFormer input: " + std::to_string(n) + " cameras; expected 1 to 6");
    if (f.images.size(3) % 32 || f.images.size(4) % 32)
        throw std::invalid_argument("BEVFormer input: image size " + std::to_string(f.images.size(4)) + "x" +
                                    std::to_string(f.images.size(3)) + " is not padded to multiples of 32");
    if (!f.lidar2img.defined() || f.lidar2img.sizes() != torch::IntArrayRef({b, n, 4, 4}))
        throw std::invalid_argument("BEVFormer input: lidar2img must be [" + std::to_string(b) + ", " + std::to_string(n) +
                                    ", 4, 4] (one calibration per camera), got " +
                                    (f.lidar2img.defined() ? c10::str(f.lidar2img.sizes()) : std::string("nothing")));
    if (!f.can_bus.defined() || f.can_bus.sizes() != torch::IntArrayRef({b, kCanBusDims}))
        throw std::invalid_argument("BEVFormer input: can_bus must be [" + std::to_string(b) + ", 18]");
    if (!torch::isfinite(f.lidar2img).all().item<bool>())
        throw std::invalid_argument("BEVFormer input: lidar2img holds NaN or infinite values");
    if (!torch::isfinite(f.can_bus).all().item<bool>())
        throw std::invalid_argument("BEVFormer input: can_bus (ego pose) holds NaN or infinite values");
}

}  // namespace

BevformerImpl::BevformerImpl(const BevformerConfig & config) : config_(config) {
    config_.validate();
    img_backbone = register_module("img_backbone", ResNet(config_));
    img_neck = register_module("img_neck", Fpn(config_, img_backbone->out_channels()));
    pts_bbox_head = register_module("pts_bbox_head", DetectionHead(config_));
    transformer = pts_bbox_head->register_module("transformer", PerceptionTransformer(config_));
    if (config_.seg_head) seg_head = register_module("seg_head", SegmentationHead(config_));
    if (config_.bev_proposals) proposal_head = register_module("proposal_head", BevProposalHead(config_));
    if (config_.perspective_head) perspective_head = register_module("perspective_head", PerspectiveHead(config_));
    if (config_.bev_velocity) velocity_head = register_module("velocity_head", BevVelocityHead(config_));
}

void BevformerImpl::drop_training_heads() {
    if (perspective_head) {
        unregister_module("perspective_head");
        perspective_head = nullptr;
        config_.perspective_head = false;
    }
    if (velocity_head) {
        unregister_module("velocity_head");
        velocity_head = nullptr;
        config_.bev_velocity = false;
    }
}

bool BevformerImpl::is_training_head_tensor(const std::string & name) {
    return name.rfind("perspective_head.", 0) == 0 || name.rfind("velocity_head.", 0) == 0;
}

std::vector<torch::Tensor> BevformerImpl::extract_features(const torch::Tensor & images) {
    const int64_t b = images.size(0), n = images.size(1);
    std::vector<torch::Tensor> feats = img_neck->forward(img_backbone->forward(images.flatten(0, 1)));
    for (torch::Tensor & f : feats) f = f.view({b, n, f.size(1), f.size(2), f.size(3)});
    return feats;
}

torch::Tensor BevformerImpl::encode_features(const BevformerFrame & frame, const std::vector<torch::Tensor> & feats,
                                             const torch::Tensor & prev_bev) {
    const int64_t b = frame.images.size(0);
    const std::array<int64_t, 2> padded = {frame.images.size(3), frame.images.size(4)};
    return transformer->get_bev_features(feats, pts_bbox_head->bev_embedding->weight,
                                         pts_bbox_head->positional_encoding->forward(b), frame.lidar2img, frame.can_bus,
                                         padded, prev_bev);
}

torch::Tensor BevformerImpl::encode(const BevformerFrame & frame, const torch::Tensor & prev_bev) {
    check_frame(frame);
    return encode_features(frame, extract_features(frame.images), prev_bev);
}

BevformerOutputs BevformerImpl::forward(const BevformerFrame & frame, const torch::Tensor & prev_bev) {
    check_frame(frame);
    const std::vector<torch::Tensor> feats = extract_features(frame.images);
    BevformerOutputs out;
    out.bev = encode_features(frame, feats, prev_bev);
    if (perspective_head && is_training()) out.perspective_heatmap = perspective_head->forward(feats.front());
    if (velocity_head && is_training()) out.bev_velocity = velocity_head->forward(out.bev);
    DetectionHeadImpl & head = *pts_bbox_head;
    std::optional<BevProposals> proposals;
    if (proposal_head) {
        const torch::Tensor bev_pos = head.positional_encoding->forward(out.bev.size(0)).to(out.bev.dtype());
        proposals = proposal_head->forward(out.bev, bev_pos);
        out.proposal_heatmap = proposals->heatmap;
    }
    DecoderOutputs dec = transformer->decode(
        out.bev, head.query_embedding->weight,
        [&head](int layer, const torch::Tensor & h) { return head.reg_branch(layer, h); }, proposals ? &*proposals : nullptr);
    out.detections = head.predict(dec.hidden_states, dec.init_reference, dec.references);
    if (seg_head) out.seg_logits = seg_head->forward(out.bev);
    return out;
}

BevformerOutputs BevformerImpl::forward_train(const std::vector<BevformerFrame> & history, const BevformerFrame & current) {
    torch::Tensor prev_bev;
    // BEVFormer-S ignores prev_bev, so its history is not worth encoding.
    if (!history.empty() && config_.temporal) {
        const bool was_training = is_training();
        eval();
        {
            torch::NoGradGuard no_grad;
            for (const BevformerFrame & f : history) prev_bev = encode(f, prev_bev);
        }
        train(was_training);
    }
    return forward(current, prev_bev);
}

}  // namespace rs
