#include "models/bevformer/bevformer_runner.h"

#include <torch/cuda.h>

#include <chrono>

namespace rs {

BevformerRunner::BevformerRunner(Bevformer model, torch::Device device) : model_(std::move(model)), device_(device) {
    model_->to(device_);
    model_->eval();
}

void BevformerRunner::reset() {
    prev_bev_ = torch::Tensor();
    prev_scene_.clear();
}

PerceptionResult BevformerRunner::run(const DetectionSample & sample) {
    return run_tensors(sample, make_sample_tensors(sample, model_->config()));
}

PerceptionResult BevformerRunner::run(const DetectionSample & sample, const std::vector<RgbImage> & images) {
    return run_tensors(sample, make_sample_tensors(sample, images, model_->config()));
}

PerceptionResult BevformerRunner::run_tensors(const DetectionSample & sample, const SampleTensors & t) {
    const BevformerConfig & cfg = model_->config();
    // Training never showed the model a previous BEV older than the queue's span.
    const int64_t gap = sample.timestamp - prev_timestamp_;
    if (!history_ || sample.scene_token != prev_scene_ || gap <= 0 || double(gap) > cfg.queue_span_s * 1e6)
        prev_bev_ = torch::Tensor();
    const bool has_prev = prev_bev_.defined();
    const std::array<double, 18> rel = relative_can_bus(sample.can_bus, has_prev ? &prev_can_bus_ : nullptr);

    BevformerFrame frame;
    frame.images = t.images.unsqueeze(0).to(device_);
    frame.lidar2img = t.lidar2img.unsqueeze(0).to(device_);
    frame.can_bus = torch::tensor(std::vector<double>(rel.begin(), rel.end()), torch::kFloat64)
                        .to(torch::kFloat32)
                        .unsqueeze(0)
                        .to(device_);

    PerceptionResult out;
    out.temporal = has_prev && cfg.temporal;
    torch::NoGradGuard no_grad;
    const auto start = std::chrono::steady_clock::now();
    BevformerOutputs o = model_->forward(frame, prev_bev_);
    const int64_t last = o.detections.all_cls_scores.size(0) - 1;
    out.lidar = decode_detections(o.detections.all_cls_scores[last], o.detections.all_bbox_preds[last], cfg)[0];
    if (device_.is_cuda()) torch::cuda::synchronize(device_.index());  // CUDA runs ahead of the host
    out.network_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    out.boxes = to_nuscenes_boxes(out.lidar, sample.lidar2ego, sample.ego2global, sample.sample_token);
    if (o.seg_logits.defined()) out.seg_masks = (o.seg_logits[0] > 0).to(torch::kUInt8).cpu();

    prev_bev_ = o.bev;
    prev_scene_ = sample.scene_token;
    prev_timestamp_ = sample.timestamp;
    prev_can_bus_ = sample.can_bus;
    return out;
}

}  // namespace rs
