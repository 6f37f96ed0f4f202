#include "app/shell/view_layout.h"

#include <algorithm>

namespace rs {

const std::array<const char *, 6> kGridChannels = {"CAM_FRONT_LEFT", "CAM_FRONT", "CAM_FRONT_RIGHT",
                                                   "CAM_BACK_LEFT",  "CAM_BACK",  "CAM_BACK_RIGHT"};

namespace {

constexpr float kGap = 2.0f;
constexpr float kWideAspect = 2.2f;     // beyond this the BEV goes beside the cameras
constexpr float kGridHeightShare = 0.62f;

// Fills `l.cells` with the largest grid of `aspect` cells that fits `area`, top-aligned and centred.
void place_cells(ViewLayout & l, const Rect & area, float aspect) {
    float cell_w = std::max(0.0f, (area.w - 2 * kGap) / 3);
    float cell_h = cell_w / aspect;
    float max_h = std::max(0.0f, (area.h - kGap) / 2);
    if (cell_h > max_h) {
        cell_h = max_h;
        cell_w = cell_h * aspect;
    }
    float used_w = 3 * cell_w + 2 * kGap, used_h = 2 * cell_h + kGap;
    float x0 = area.x + (area.w - used_w) / 2;
    for (int i = 0; i < 6; ++i) {
        int row = i / 3, col = i % 3;
        l.cells[i] = {x0 + col * (cell_w + kGap), area.y + row * (cell_h + kGap), cell_w, cell_h};
    }
    l.grid = {x0, area.y, used_w, used_h};
}

}  // namespace

ViewLayout ViewLayout::compute(float width, float height, float image_aspect) {
    ViewLayout l;
    float aspect = std::max(image_aspect, 0.1f);
    width = std::max(width, 1.0f);
    height = std::max(height, 1.0f);
    if (width / height > kWideAspect) {
        float bev_w = std::min(width * 0.34f, height);
        place_cells(l, {0, 0, width - bev_w - kGap, height}, aspect);
        l.bev = {width - bev_w, 0, bev_w, height};
        float top = l.grid.h + kGap;
        l.panels = {0, top, width - bev_w - kGap, std::max(0.0f, height - top)};
        return l;
    }
    place_cells(l, {0, 0, width, height * kGridHeightShare}, aspect);
    float top = l.grid.h + kGap;
    float rest = std::max(0.0f, height - top);
    float bev_w = std::min(width, std::max(width * 0.55f, rest));
    l.bev = {width - bev_w, top, bev_w, rest};
    l.panels = {0, top, std::max(0.0f, width - bev_w - kGap), rest};
    return l;
}

}  // namespace rs
