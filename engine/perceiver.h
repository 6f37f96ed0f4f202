// What the app needs from a perception model: one key frame in, scored 3D boxes out. models/
// implements it (BEVFormer); the shell and CLI hold it through this interface, so no torch header
// reaches them.
#pragma once

#include <string>
#include <vector>

#include "engine/detection_boxes.h"
#include "engine/detection_sample.h"
#include "engine/jpeg_codec.h"

namespace rs {

struct Perception {
    std::vector<EvalBox> boxes;  // global frame, detection_score set, best first
    double network_ms = 0;       // the network alone, without image decoding
    bool temporal = false;       // the previous frame's state was used
};

class Perceiver {
public:
    virtual ~Perceiver() = default;
    // For the UI: model, config and weights file name.
    virtual std::string description() const = 0;
    // One key frame. `images` are the six cameras in sample.cameras order when the caller has them
    // decoded already, else null and the model reads sample.cameras[i].image_path. A temporal model
    // keeps the previous frame's state when this frame directly follows it in the same scene.
    // Throws std::invalid_argument / std::runtime_error naming what is wrong with the input.
    virtual Perception perceive(const DetectionSample & sample, const std::vector<RgbImage> * images = nullptr) = 0;
    // Forgets the previous frame.
    virtual void reset() = 0;
};

}  // namespace rs
