// Bird's-eye semantic raster of the town around a pose: drivable area, lane lines, crosswalks,
// sidewalks and agent boxes. The world is first reduced to flagged quads (bev_quads); a
// BevRasterizer then sets each quad's flag on every cell whose centre lies inside it. The CPU one
// here fills scanlines; render/ has a Vulkan one with the same cell rule.
#pragma once

#include <string>
#include <vector>

#include "engine/road_network.h"
#include "engine/world.h"

namespace rs {

struct BevQuad {
    Vec2 corners[4];    // world x, y; convex, either winding
    uint8_t layer = 0;  // BevLayer flag(s)
};

// Ground pieces, lane lines widened to at least `min_line_width` metres (so thin paint still shows
// on a coarse raster) and agent footprints, in that order.
std::vector<BevQuad> bev_quads(const RoadNetwork & net, const std::vector<AgentState> & agents,
                               double min_line_width);

class BevRasterizer {
public:
    virtual ~BevRasterizer() = default;
    // size × size cells of `resolution` metres centred on `centre`: row 0 ahead along its x,
    // column 0 on its left (world.h BevRaster). Throws std::invalid_argument for a size or
    // resolution it cannot raster.
    virtual BevRaster rasterize(const std::vector<BevQuad> & quads, const Pose & centre, double resolution,
                                int size) = 0;
    virtual std::string name() const = 0;
};

class CpuBevRasterizer : public BevRasterizer {
public:
    // A size of 0 or a resolution ≤ 0 gives an empty raster rather than an error.
    BevRaster rasterize(const std::vector<BevQuad> & quads, const Pose & centre, double resolution,
                        int size) override;
    std::string name() const override { return "CPU"; }
};

// bev_quads + CpuBevRasterizer with lines one cell wide at least.
BevRaster rasterize_bev(const RoadNetwork & net, const std::vector<AgentState> & agents, const Pose & centre,
                        double resolution, int size);

}  // namespace rs
