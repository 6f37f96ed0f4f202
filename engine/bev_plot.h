// A bird's-eye picture of one sample's ground-truth and predicted boxes (nuScenes global boxes
// drawn in the ego frame): forward is up, left is left, rings every 10 m; GT in green, predictions
// at or above a score in red, the ego vehicle in black. For reports and quick looks, not the app.
#pragma once

#include <string>
#include <vector>

#include "engine/detection_boxes.h"
#include "engine/geometry.h"

namespace rs {

struct BevPlotOptions {
    double range_m = 60;     // half the side of the square shown
    int size_px = 800;
    double min_score = 0.3;  // predictions below are not drawn
    std::string title;
};

// size_px × size_px × 3 bytes; std::invalid_argument for a size under 200 or a range not positive.
std::vector<uint8_t> render_bev_plot(const std::vector<EvalBox> & gt, const std::vector<EvalBox> & predicted,
                                     const Pose & ego2global, const BevPlotOptions & opt = {});
// The picture as a PNG, written under a temporary name and renamed.
void write_bev_plot(const std::string & path, const std::vector<EvalBox> & gt, const std::vector<EvalBox> & predicted,
                    const Pose & ego2global, const BevPlotOptions & opt = {});

}  // namespace rs
