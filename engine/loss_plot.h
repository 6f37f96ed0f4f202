// Loss curves as an RGB image: each series against step on a white canvas with axes, a log-10 y
// axis with a grid line and label per decade, step labels on x and a legend of colour and name.
// Text uses a built-in 3×5 pixel font (digits, letters shown as capitals, _ . - +).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rs {

struct PlotSeries {
    std::string name;
    std::vector<double> x, y;  // same length; points with y <= 0 or non-finite are skipped
};

// width × height × 3 bytes, row-major. std::invalid_argument for a canvas under 240×120 or
// series whose x and y lengths differ.
std::vector<uint8_t> render_loss_plot(const std::vector<PlotSeries> & series, int width, int height);
// The plot as a PNG, written under a temporary name and renamed.
void write_loss_plot(const std::string & path, const std::vector<PlotSeries> & series, int width, int height);

}  // namespace rs
