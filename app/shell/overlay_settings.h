// What the view draws on top of the cameras and in the BEV; edited in the HUD, kept in QSettings.
#pragma once

#include <array>

#include "app/shell/view_frame.h"
#include "engine/object_class.h"

namespace rs {

struct OverlaySettings {
    std::array<bool, kNumObjectClasses> class_visible{true, true, true, true, true, true, true, true, true, true};
    float score_threshold = 0.3f;  // predictions below it are hidden; ground truth scores 1
    bool ground_truth = true;
    bool predictions = true;
    bool camera_boxes = true;
    bool track_ids = true;
    bool mirror_back_row = false;  // the devkit's render_scene flips the back cameras
    bool bev_map = true;
    bool bev_follow_ego = true;    // ego-up frame; off = world axes centred on the ego
    bool bev_trajectory = true;
    bool hud = true;
    float bev_range = 50.0f;       // metres from the centre to the panel's shorter edge

    bool shows(const ViewBox & b) const {
        return class_visible[int(b.cls)] && b.score >= score_threshold && (b.predicted ? predictions : ground_truth);
    }
};

}  // namespace rs
