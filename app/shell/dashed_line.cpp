#include "app/shell/dashed_line.h"

#include <algorithm>
#include <cmath>

namespace rs {

void add_dashed_line(ImDrawList & dl, ImVec2 a, ImVec2 b, ImU32 colour, float thickness, float dash, float gap) {
    const float dx = b.x - a.x, dy = b.y - a.y;
    const float length = std::sqrt(dx * dx + dy * dy);
    if (length <= 0.0f || dash <= 0.0f) return;
    const float ux = dx / length, uy = dy / length;
    // Huge segments (a corner far off screen) would cost thousands of dashes: cap the count.
    const float period = std::max(dash + gap, length / 512.0f);
    for (float s = 0.0f; s < length; s += period) {
        const float e = std::min(s + dash, length);
        dl.AddLine(ImVec2(a.x + ux * s, a.y + uy * s), ImVec2(a.x + ux * e, a.y + uy * e), colour, thickness);
    }
}

}  // namespace rs
