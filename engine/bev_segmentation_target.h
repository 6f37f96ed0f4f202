// Map-segmentation targets on BEVFormer's BEV grid for datasets written by our generator. Its
// maps/<token>.png (dataset_generator.cpp, write_map_png) is the town's semantic raster at 1 m per
// pixel, 1024 × 1024, axis-aligned and centred on the ego position at the scene's first frame;
// one grey level per cell with priority lane line 255 > crossing 200 > drivable 128 > sidewalk 64.
// Lane lines and crossings are painted on the road, so drivable area is any of 128, 200, 255.
// Real nuScenes maps are another product (one-class semantic prior at 10 px/m): engine/map_layer.h
// reads those for the viewer; they are no segmentation target.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/geometry.h"
#include "engine/nuscenes_reader.h"
#include "engine/png_reader.h"
#include "engine/world.h"

namespace rs {

// Class order of the masks, the order of BevformerConfig's seg head (seg_classes = 3).
enum class BevSegClass : int { drivable = 0, lane_line = 1, crossing = 2 };
constexpr int kNumBevSegClasses = 3;

struct GeneratedMap {
    PngImage image;            // grey
    Vec2 centre;               // global x, y of the image centre
    double resolution = 1.0;   // metres per pixel
};

// Whether the scene's log comes from our generator (location kTownLocation), whose map is the
// semantic raster below; a real nuScenes map is a drivable-area prior of another layout.
bool is_generated_scene(const NuScenesDataset & ds, const std::string & scene_token);

// The map of the scene's log, centred on the ego pose of the scene's first LIDAR_TOP key frame.
// DatasetError naming the scene for a log that is not the generator's (real nuScenes), a log
// without a map, a map that is not a 1-channel PNG, or a scene without samples.
GeneratedMap load_generated_map(const NuScenesDataset & ds, const std::string & scene_token);

struct BevSegmentationTarget {
    int bev_h = 0, bev_w = 0;
    // One mask per BevSegClass, row-major bev_h × bev_w, 1 inside; cell (r, c) is BEV query
    // r * bev_w + c, centred at lidar x = x_min + (c + 0.5) / bev_w * (x_max - x_min) and
    // y = y_min + (r + 0.5) / bev_h * (y_max - y_min). Cells off the map are 0.
    std::array<std::vector<uint8_t>, kNumBevSegClasses> masks;
};

// The map as the viewer's BEV layer: a BevRaster (world.h flags) of size × size cells of
// `resolution` metres centred on `centre` (row 0 ahead along its x, column 0 on its left),
// sampled at the nearest map pixel; cells off the map are 0.
BevRaster generated_map_raster(const GeneratedMap & map, const Pose & centre, double resolution, int size);

// A size × size raster of `resolution` metres around `centre` (same layout) whose cells are
// `cell(global x, global y)` at their centres; empty for size < 1 or a resolution ≤ 0.
BevRaster sample_bev_raster(const Pose & centre, double resolution, int size,
                            const std::function<uint8_t(double, double)> & cell);

// Samples the map (nearest pixel) at the cell centres of the lidar-frame grid over pc_range.
BevSegmentationTarget bev_segmentation_target(const GeneratedMap & map, const Pose & lidar2global, int bev_h,
                                              int bev_w, const std::array<double, 6> & pc_range);

}  // namespace rs
