#include "engine/loss_plot.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "engine/png_writer.h"
#include "engine/raster_canvas.h"

namespace rs {

namespace {

// Matplotlib's tab10, so curves look like the Python tools' plots.
constexpr Rgb kPalette[10] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},  {214, 39, 40},  {148, 103, 189},
                              {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};

std::string step_label(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
}

}  // namespace

std::vector<uint8_t> render_loss_plot(const std::vector<PlotSeries> & series, int width, int height) {
    if (width < 240 || height < 120)
        throw std::invalid_argument("render_loss_plot: canvas " + std::to_string(width) + "x" + std::to_string(height) +
                                    " is smaller than 240x120");
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    size_t legend_chars = 0;
    for (const PlotSeries & s : series) {
        if (s.x.size() != s.y.size())
            throw std::invalid_argument("render_loss_plot: series '" + s.name + "' has " + std::to_string(s.x.size()) +
                                        " x values and " + std::to_string(s.y.size()) + " y values");
        legend_chars = std::max(legend_chars, s.name.size());
        for (size_t i = 0; i < s.x.size(); ++i) {
            if (!(s.y[i] > 0) || !std::isfinite(s.y[i]) || !std::isfinite(s.x[i])) continue;
            xmin = std::min(xmin, s.x[i]);
            xmax = std::max(xmax, s.x[i]);
            ymin = std::min(ymin, std::log10(s.y[i]));
            ymax = std::max(ymax, std::log10(s.y[i]));
        }
    }
    if (!(xmin <= xmax)) xmin = 0, xmax = 1, ymin = 0, ymax = 1;  // nothing to draw: empty axes
    if (xmax == xmin) xmax = xmin + 1;
    const double lo = std::floor(ymin), hi = std::max(std::ceil(ymax), lo + 1);

    Canvas cv(width, height);
    const Rgb black{0, 0, 0}, grid{220, 220, 220};
    const int legend_w = std::min(width / 3, int(legend_chars) * 8 + 36);
    const int left = 56, right = width - 12 - legend_w, top = 12, bottom = height - 30;
    auto px = [&](double x) { return left + int(std::lround((x - xmin) / (xmax - xmin) * (right - left))); };
    auto py = [&](double ly) { return bottom - int(std::lround((ly - lo) / (hi - lo) * (bottom - top))); };

    for (int d = int(lo); d <= int(hi); ++d) {
        const int y = py(d);
        cv.fill(left, y, right, y, grid);
        const std::string label = "1e" + std::to_string(d);
        cv.text(left - 6 - Canvas::text_width(label), y - 5, label, black);
    }
    for (int k = 0; k <= 4; ++k) {
        const double xv = xmin + (xmax - xmin) * k / 4.0;
        const int x = px(xv);
        cv.fill(x, bottom, x, bottom + 4, black);
        const std::string label = step_label(xv);
        cv.text(x - Canvas::text_width(label) / 2, bottom + 8, label, black);
    }
    cv.fill(left, top, left, bottom, black);
    cv.fill(left, bottom, right, bottom, black);

    for (size_t s = 0; s < series.size(); ++s) {
        const Rgb colour = kPalette[s % 10];
        bool have_prev = false;
        int x0 = 0, y0 = 0;
        for (size_t i = 0; i < series[s].x.size(); ++i) {
            const double yv = series[s].y[i];
            if (!(yv > 0) || !std::isfinite(yv) || !std::isfinite(series[s].x[i])) {
                have_prev = false;  // a gap rather than a line across missing values
                continue;
            }
            const int x1 = px(series[s].x[i]), y1 = py(std::log10(yv));
            if (have_prev) cv.line(x0, y0, x1, y1, colour);
            else cv.set(x1, y1, colour);
            x0 = x1;
            y0 = y1;
            have_prev = true;
        }
        const int ly = top + 4 + int(s) * 16;
        cv.fill(right + 12, ly + 1, right + 28, ly + 8, colour);
        cv.text(right + 34, ly, series[s].name, black);
    }
    return cv.take();
}

void write_loss_plot(const std::string & path, const std::vector<PlotSeries> & series, int width, int height) {
    const std::vector<uint8_t> rgb = render_loss_plot(series, width, height);
    write_png_file(path, rgb.data(), width, height, 3);
}

}  // namespace rs
