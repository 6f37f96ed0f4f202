// Online BEVFormer inference, frame by frame as the official test mode (video_test_mode) runs it:
// the previous frame's BEV is kept while the scene stays the same, and the CAN-bus position and
// heading are made relative to the previous frame. Unlike the official loop, which trusts its
// caller to go forward in order, a frame that does not follow the previous one (earlier, or more
// than the training queue's span later) starts a new history: viewers jump and scrub.
#pragma once

#include <torch/types.h>

#include <array>
#include <string>
#include <vector>

#include "engine/detection_boxes.h"
#include "engine/detection_sample.h"
#include "models/bevformer/bevformer.h"
#include "models/bevformer/detection_decoder.h"
#include "models/bevformer/sample_batch.h"

namespace rs {

struct PerceptionResult {
    Detections lidar;             // lidar frame, box_code.h convention, on the model's device
    std::vector<EvalBox> boxes;   // the same as nuScenes global boxes
    torch::Tensor seg_masks;      // [seg_classes, bev_h, bev_w] uint8 (sigmoid > 0.5); undefined without the seg head
    double network_ms = 0;        // network forward alone, without image decoding
    bool temporal = false;        // the previous frame's BEV was used
};

class BevformerRunner {
public:
    explicit BevformerRunner(Bevformer model, torch::Device device = torch::kCPU);

    PerceptionResult run(const DetectionSample & sample);
    // The same with the six cameras already decoded (sample.cameras order).
    PerceptionResult run(const DetectionSample & sample, const std::vector<RgbImage> & images);
    // Forgets the previous frame; the next run starts a history (also done on a scene change).
    void reset();
    // Off: every frame runs as its scene's first, the previous BEV withheld (what a temporal model
    // is worth without its history).
    void set_history(bool on) { history_ = on; }

    Bevformer & model() { return model_; }
    const Bevformer & model() const { return model_; }

private:
    PerceptionResult run_tensors(const DetectionSample & sample, const SampleTensors & t);

    Bevformer model_;
    torch::Device device_;
    torch::Tensor prev_bev_;
    std::string prev_scene_;
    int64_t prev_timestamp_ = 0;
    bool history_ = true;
    std::array<double, 18> prev_can_bus_{};
};

}  // namespace rs
