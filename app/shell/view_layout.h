// Where things go in the viewport: a 2x3 camera grid (front row FRONT_LEFT, FRONT, FRONT_RIGHT;
// back row BACK_LEFT, BACK, BACK_RIGHT), the BEV panel and the space left for HUD panels. Wide
// windows put the BEV beside the grid; others put the grid on top and the BEV under it, right.
#pragma once

#include <array>
#include <string>

namespace rs {

struct Rect {
    float x = 0, y = 0, w = 0, h = 0;

    bool contains(float px, float py) const { return px >= x && py >= y && px < x + w && py < y + h; }
};

// Grid slot -> camera channel, row-major.
extern const std::array<const char *, 6> kGridChannels;

struct ViewLayout {
    std::array<Rect, 6> cells;  // image area of each grid slot, aspect kept
    Rect grid;                  // the cells' bounding box
    Rect bev;
    Rect panels;                // free space for the HUD panels

    // Window size in logical pixels; `image_aspect` = width / height of the camera images.
    static ViewLayout compute(float width, float height, float image_aspect);
};

}  // namespace rs
