#include "engine/bev_plot.h"

#include <cmath>
#include <stdexcept>

#include "engine/png_writer.h"
#include "engine/raster_canvas.h"

namespace rs {

namespace {

struct Frame {
    double centre, scale;  // pixel of the ego origin, pixels per metre
    // Ego x (forward) up the image, ego y (left) to the left.
    int px(const Vec3 & ego) const { return int(std::lround(centre - ego.y * scale)); }
    int py(const Vec3 & ego) const { return int(std::lround(centre - ego.x * scale)); }
};

void draw_box(Canvas & cv, const Frame & f, const EvalBox & b, const Pose & ego2global, Rgb colour) {
    const Quat q = b.rotation.norm() > 0 ? b.rotation.normalized() : Quat{};
    const double hl = b.size.y / 2, hw = b.size.x / 2;  // size is (w, l, h); l along the box's x
    const Vec3 local[4] = {{hl, hw, 0}, {hl, -hw, 0}, {-hl, -hw, 0}, {-hl, hw, 0}};
    Vec3 ego[4];
    for (int i = 0; i < 4; ++i) ego[i] = ego2global.apply_inverse(q.rotate(local[i]) + b.translation);
    for (int i = 0; i < 4; ++i) cv.line(f.px(ego[i]), f.py(ego[i]), f.px(ego[(i + 1) % 4]), f.py(ego[(i + 1) % 4]), colour);
    // The front edge's midpoint joined to the centre shows the heading.
    const Vec3 centre = ego2global.apply_inverse(b.translation);
    const Vec3 front = ego2global.apply_inverse(q.rotate(Vec3{hl, 0, 0}) + b.translation);
    cv.line(f.px(centre), f.py(centre), f.px(front), f.py(front), colour);
}

}  // namespace

std::vector<uint8_t> render_bev_plot(const std::vector<EvalBox> & gt, const std::vector<EvalBox> & predicted,
                                     const Pose & ego2global, const BevPlotOptions & opt) {
    if (opt.size_px < 200) throw std::invalid_argument("render_bev_plot: size " + std::to_string(opt.size_px) + " is under 200 px");
    if (!(opt.range_m > 0)) throw std::invalid_argument("render_bev_plot: range must be positive");
    Canvas cv(opt.size_px, opt.size_px);
    const Frame f{opt.size_px / 2.0, opt.size_px / (2 * opt.range_m)};
    const Rgb ring{225, 225, 225}, gt_colour{20, 150, 40}, pred_colour{215, 40, 40}, black{0, 0, 0};
    for (double r = 10; r <= opt.range_m * 1.42; r += 10) {
        const int steps = int(r * f.scale * 6.3) + 8;
        for (int i = 0; i < steps; ++i) {
            const double a = 2 * M_PI * i / steps;
            cv.fill(int(f.centre + r * f.scale * std::cos(a)), int(f.centre + r * f.scale * std::sin(a)),
                    int(f.centre + r * f.scale * std::cos(a)), int(f.centre + r * f.scale * std::sin(a)), ring);
        }
    }
    size_t drawn = 0;
    for (const EvalBox & b : gt) draw_box(cv, f, b, ego2global, gt_colour);
    for (const EvalBox & b : predicted)
        if (b.detection_score >= opt.min_score) {
            draw_box(cv, f, b, ego2global, pred_colour);
            ++drawn;
        }
    // The ego car, about 4.5 × 1.9 m, pointing up.
    const int ex = int(f.centre), ey = int(f.centre);
    cv.fill(ex - int(0.95 * f.scale), ey - int(2.25 * f.scale), ex + int(0.95 * f.scale), ey + int(2.25 * f.scale), black);
    int y = 8;
    if (!opt.title.empty()) cv.text(8, y, opt.title, black), y += 14;
    cv.text(8, y, "gt " + std::to_string(gt.size()), gt_colour);
    char buf[64];
    std::snprintf(buf, sizeof buf, "pred %zu score %.2f+", drawn, opt.min_score);
    cv.text(8, y + 14, buf, pred_colour);
    char scale[48];
    std::snprintf(scale, sizeof scale, "rings every 10 m. view +-%.0f m", opt.range_m);
    cv.text(8, opt.size_px - 18, scale, black);
    return cv.take();
}

void write_bev_plot(const std::string & path, const std::vector<EvalBox> & gt, const std::vector<EvalBox> & predicted,
                    const Pose & ego2global, const BevPlotOptions & opt) {
    const std::vector<uint8_t> px = render_bev_plot(gt, predicted, ego2global, opt);
    write_png_file(path, px.data(), opt.size_px, opt.size_px, 3);
}

}  // namespace rs
