// A perception model's output as the view draws it: scored, dashed ViewBoxes and the HUD's line.
#pragma once

#include <string>
#include <vector>

#include "app/shell/view_frame.h"
#include "engine/perceiver.h"

namespace rs {

std::vector<ViewBox> predicted_view_boxes(const Perception & perception);
// "<model>: N boxes, network X ms, with/no previous BEV".
std::string perception_note(const std::string & model, const Perception & perception);

}  // namespace rs
