// Dashed lines for ImGui draw lists, which have none: predictions are drawn dashed so that they
// stay apart from solid ground truth in the same class colour.
#pragma once

#include <imgui.h>

namespace rs {

void add_dashed_line(ImDrawList & dl, ImVec2 a, ImVec2 b, ImU32 colour, float thickness, float dash = 6.0f,
                     float gap = 4.0f);

}  // namespace rs
