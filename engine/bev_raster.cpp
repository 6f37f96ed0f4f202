#include "engine/bev_raster.h"

#include <algorithm>
#include <cmath>

#include "engine/vec2_ops.h"

namespace rs {

using namespace vec2_ops;

namespace {

// Maps world points to continuous raster coordinates: x = column, y = row.
struct RasterFrame {
    double cx, cy, c, s, res, half;
    RasterFrame(const Pose & centre, double resolution, int size)
        : cx(centre.translation.x), cy(centre.translation.y), c(std::cos(centre.rotation.yaw())),
          s(std::sin(centre.rotation.yaw())), res(resolution), half(size / 2.0) {}
    Vec2 to_raster(Vec2 p) const {
        double dx = p.x - cx, dy = p.y - cy;
        double fwd = c * dx + s * dy, left = -s * dx + c * dy;
        return {half - left / res, half - fwd / res};
    }
};

// Sets `flag` on every cell whose centre lies inside the polygon (even-odd rule).
void fill_polygon(BevRaster & r, const Vec2 * pts, int n, uint8_t flag) {
    double ymin = 1e18, ymax = -1e18, xmin = 1e18, xmax = -1e18;
    for (int i = 0; i < n; ++i) {
        ymin = std::min(ymin, pts[i].y); ymax = std::max(ymax, pts[i].y);
        xmin = std::min(xmin, pts[i].x); xmax = std::max(xmax, pts[i].x);
    }
    if (ymax < 0 || xmax < 0 || ymin > r.size || xmin > r.size) return;
    int row0 = std::max(0, int(std::ceil(ymin - 0.5))), row1 = std::min(r.size - 1, int(std::floor(ymax - 0.5)));
    double xs[16];
    for (int row = row0; row <= row1; ++row) {
        double y = row + 0.5;
        int count = 0;
        for (int i = 0; i < n && count < 16; ++i) {
            Vec2 a = pts[i], b = pts[(i + 1) % n];
            if ((a.y <= y) == (b.y <= y)) continue;
            xs[count++] = a.x + (y - a.y) / (b.y - a.y) * (b.x - a.x);
        }
        std::sort(xs, xs + count);
        for (int k = 0; k + 1 < count; k += 2) {
            int c0 = std::max(0, int(std::ceil(xs[k] - 0.5)));
            int c1 = std::min(r.size - 1, int(std::ceil(xs[k + 1] - 0.5)) - 1);
            uint8_t * line = &r.cells[size_t(row) * r.size];
            for (int c = c0; c <= c1; ++c) line[c] |= flag;
        }
    }
}

}  // namespace

std::vector<BevQuad> bev_quads(const RoadNetwork & net, const std::vector<AgentState> & agents,
                               double min_line_width) {
    std::vector<BevQuad> quads;
    quads.reserve(net.ground.size() + net.paint.size() + agents.size());
    for (const GroundPiece & g : net.ground) {
        BevQuad q;
        for (int i = 0; i < 4; ++i) q.corners[i] = g.v[i];
        q.layer = g.kind == GroundPiece::sidewalk ? kBevSidewalk
                  : g.kind == GroundPiece::crosswalk ? kBevCrossing
                                                     : kBevDrivable;
        quads.push_back(q);
    }
    for (const PaintStroke & p : net.paint) {
        if (!p.lane_line) continue;
        Vec2 d = p.b - p.a;
        if (length(d) < 1e-6) continue;
        Vec2 side = left_of(normalized(d)) * (std::max(p.width, min_line_width) / 2);
        quads.push_back({{p.a - side, p.b - side, p.b + side, p.a + side}, kBevLane});
    }
    for (const AgentState & a : agents) {
        double yaw = a.box.rotation.yaw();
        Vec2 ax = from_heading(yaw) * (a.size.y / 2), ay = left_of(from_heading(yaw)) * (a.size.x / 2);
        Vec2 c{a.box.translation.x, a.box.translation.y};
        quads.push_back({{c + ax - ay, c + ax + ay, c - ax + ay, c - ax - ay}, kBevBox});
    }
    return quads;
}

BevRaster CpuBevRasterizer::rasterize(const std::vector<BevQuad> & quads, const Pose & centre, double resolution,
                                      int size) {
    BevRaster r;
    r.size = std::max(size, 0);
    r.resolution = resolution;
    r.cells.assign(size_t(r.size) * r.size, 0);
    if (r.size == 0 || !(resolution > 0)) return r;
    RasterFrame f(centre, resolution, r.size);
    for (const BevQuad & q : quads) {
        Vec2 p[4];
        for (int i = 0; i < 4; ++i) p[i] = f.to_raster(q.corners[i]);
        fill_polygon(r, p, 4, q.layer);
    }
    return r;
}

BevRaster rasterize_bev(const RoadNetwork & net, const std::vector<AgentState> & agents, const Pose & centre,
                        double resolution, int size) {
    return CpuBevRasterizer().rasterize(bev_quads(net, agents, resolution), centre, resolution, size);
}

}  // namespace rs
