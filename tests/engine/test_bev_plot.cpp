#include <gtest/gtest.h>

#include <cmath>

#include "engine/bev_plot.h"
#include "engine/raster_canvas.h"

using namespace rs;

namespace {

EvalBox box_at(double x, double y, double score) {
    EvalBox b;
    b.translation = {x, y, 1};
    b.size = {2, 4, 1.5};  // w, l, h
    b.detection_score = score;
    return b;
}

bool pixel_is(const std::vector<uint8_t> & px, int size, int x, int y, Rgb c) {
    const uint8_t * p = &px[(size_t(y) * size + x) * 3];
    return p[0] == c[0] && p[1] == c[1] && p[2] == c[2];
}

}  // namespace

TEST(BevPlot, DrawsBoxesInTheEgoFrameForwardUp) {
    // Ego at global (100, 50) heading +y (yaw 90°): a box 20 m ahead sits at global (100, 70).
    Pose ego{{100, 50, 0}, Quat::from_axis_angle({0, 0, 1}, M_PI / 2)};
    BevPlotOptions opt;
    opt.range_m = 50;
    opt.size_px = 500;  // 5 px per metre, ego at (250, 250)
    EvalBox ahead = box_at(100, 70, -1);
    ahead.rotation = ego.rotation;  // pointing the same way: 4 m long up the image
    const auto px = render_bev_plot({ahead}, {}, ego, opt);
    const Rgb green{20, 150, 40};
    // Front edge 22 m ahead (y = 250 - 110 = 140), back edge 18 m (y = 160), x from 245 to 255.
    EXPECT_TRUE(pixel_is(px, 500, 250, 140, green));
    EXPECT_TRUE(pixel_is(px, 500, 245, 150, green));
    EXPECT_TRUE(pixel_is(px, 500, 255, 150, green));
    EXPECT_FALSE(pixel_is(px, 500, 250, 360, green));  // nothing behind
}

TEST(BevPlot, PredictionsBelowTheScoreAreLeftOut) {
    Pose ego;  // identity: forward is global +x
    BevPlotOptions opt;
    opt.range_m = 50;
    opt.size_px = 500;
    const Rgb red{215, 40, 40};
    // A box 20 m ahead on global +x: its left edge (y = +1 m) at image x 245, rows 140 to 160.
    const auto weak = render_bev_plot({}, {box_at(20, 0, 0.2)}, ego, opt);
    const auto strong = render_bev_plot({}, {box_at(20, 0, 0.9)}, ego, opt);
    EXPECT_FALSE(pixel_is(weak, 500, 245, 150, red));
    EXPECT_TRUE(pixel_is(strong, 500, 245, 150, red));
}

TEST(BevPlot, RejectsBadOptions) {
    BevPlotOptions opt;
    opt.size_px = 100;
    EXPECT_THROW(render_bev_plot({}, {}, Pose{}, opt), std::invalid_argument);
    opt.size_px = 400;
    opt.range_m = 0;
    EXPECT_THROW(render_bev_plot({}, {}, Pose{}, opt), std::invalid_argument);
}
