// A small RGB raster for the project's diagnostic pictures (loss curves, BEV box plots): pixels,
// filled rectangles, thick lines and a built-in pixel font. Drawing outside is clipped.
#pragma once

#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace rs {

using Rgb = std::array<uint8_t, 3>;

class Canvas {
public:
    Canvas(int w, int h) : w_(w), h_(h), px_(size_t(w) * h * 3, 255) {}

    void set(int x, int y, Rgb c) {
        if (x < 0 || y < 0 || x >= w_ || y >= h_) return;
        uint8_t * p = &px_[(size_t(y) * w_ + x) * 3];
        p[0] = c[0];
        p[1] = c[1];
        p[2] = c[2];
    }
    void fill(int x0, int y0, int x1, int y1, Rgb c) {
        for (int y = y0; y <= y1; ++y)
            for (int x = x0; x <= x1; ++x) set(x, y, c);
    }
    // Bresenham, two pixels thick so curves stay visible next to the grid.
    void line(int x0, int y0, int x1, int y1, Rgb c) {
        int dx = std::abs(x1 - x0), dy = -std::abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
        int err = dx + dy;
        for (;;) {
            set(x0, y0, c);
            set(x0, y0 + 1, c);
            if (x0 == x1 && y0 == y1) break;
            int e2 = 2 * err;
            if (e2 >= dy) { err += dy; x0 += sx; }
            if (e2 <= dx) { err += dx; y0 += sy; }
        }
    }
    // Text at scale 2 (6×10 pixels per glyph plus 2 of spacing) in a built-in 3×5 font (digits,
    // letters shown as capitals, _ . - + ?); returns the width drawn.
    int text(int x, int y, const std::string & s, Rgb c);
    static int text_width(const std::string & s) { return int(s.size()) * 8; }

    int width() const { return w_; }
    int height() const { return h_; }
    std::vector<uint8_t> take() { return std::move(px_); }

private:
    int w_, h_;
    std::vector<uint8_t> px_;
};

}  // namespace rs
