#include "engine/bev_segmentation_target.h"

#include <cmath>
#include <functional>
#include <stdexcept>

namespace rs {

bool is_generated_scene(const NuScenesDataset & ds, const std::string & scene_token) {
    const NuScenesTables & t = ds.tables();
    const NuScene & scene = t.scene[ds.index(NuTable::scene, scene_token)];
    return t.log[ds.index(NuTable::log, scene.log_token)].location == kTownLocation;
}

GeneratedMap load_generated_map(const NuScenesDataset & ds, const std::string & scene_token) {
    const NuScenesTables & t = ds.tables();
    const NuScene & scene = t.scene[ds.index(NuTable::scene, scene_token)];
    auto fail = [&](const std::string & what) -> void {
        throw DatasetError(ds.dataroot() + ": scene " + scene.name + " (" + scene_token + "): " + what);
    };
    const size_t log = ds.index(NuTable::log, scene.log_token);
    if (!is_generated_scene(ds, scene_token))
        fail("its log's location '" + t.log[log].location + "' is not the generator's '" + kTownLocation +
             "': only generated scenes have a semantic map");
    const std::optional<size_t> map = ds.map_of(log);
    if (!map) fail("its log has no map");
    auto first = ds.find(NuTable::sample, scene.first_sample_token);
    if (!first) fail("first_sample_token '" + scene.first_sample_token + "' is not a sample");
    auto lidar = ds.key_frame(*first, "LIDAR_TOP");
    if (!lidar) fail("its first sample has no LIDAR_TOP key frame");

    GeneratedMap out;
    const std::string path = ds.dataroot() + "/" + t.map[*map].filename;
    out.image = read_png_file(path);
    if (out.image.channels != 1)
        fail("map " + path + " has " + std::to_string(out.image.channels) + " channels, a generated map has 1");
    const Vec3 p = ds.ego_to_global(*lidar).translation;
    out.centre = {p.x, p.y};
    return out;
}

namespace {

// Nearest map pixel at a global point (the generator's layout: row 0 at the largest global x,
// column 0 at the largest global y), or -1 off the map.
int map_value(const GeneratedMap & map, double gx, double gy) {
    const double col = map.image.width / 2.0 - (gy - map.centre.y) / map.resolution;
    const double row = map.image.height / 2.0 - (gx - map.centre.x) / map.resolution;
    if (!(col >= 0 && row >= 0 && col < map.image.width && row < map.image.height)) return -1;
    return map.image.pixels[size_t(row) * map.image.width + size_t(col)];
}

}  // namespace

BevRaster sample_bev_raster(const Pose & centre, double resolution, int size,
                            const std::function<uint8_t(double, double)> & cell) {
    BevRaster out;
    if (size < 1 || !(resolution > 0)) return out;
    out.size = size;
    out.resolution = resolution;
    out.cells.assign(size_t(size) * size, 0);
    const double half = size * resolution / 2;
    for (int r = 0; r < size; ++r)
        for (int c = 0; c < size; ++c) {
            const Vec3 g = centre.apply({half - (r + 0.5) * resolution, half - (c + 0.5) * resolution, 0.0});
            out.cells[size_t(r) * size + c] = cell(g.x, g.y);
        }
    return out;
}

BevRaster generated_map_raster(const GeneratedMap & map, const Pose & centre, double resolution, int size) {
    if (map.image.channels != 1) return {};
    return sample_bev_raster(centre, resolution, size, [&](double gx, double gy) -> uint8_t {
        switch (map_value(map, gx, gy)) {
            case 255: return kBevDrivable | kBevLane;
            case 200: return kBevDrivable | kBevCrossing;
            case 128: return kBevDrivable;
            case 64: return kBevSidewalk;
            default: return 0;
        }
    });
}

BevSegmentationTarget bev_segmentation_target(const GeneratedMap & map, const Pose & lidar2global, int bev_h,
                                              int bev_w, const std::array<double, 6> & pc_range) {
    if (bev_h < 1 || bev_w < 1)
        throw std::invalid_argument("bev_segmentation_target: grid " + std::to_string(bev_h) + "x" +
                                    std::to_string(bev_w) + " is empty");
    if (map.image.channels != 1 || map.image.pixels.size() != size_t(map.image.width) * map.image.height)
        throw std::invalid_argument("bev_segmentation_target: the map must be a grey image");
    BevSegmentationTarget out;
    out.bev_h = bev_h;
    out.bev_w = bev_w;
    for (auto & m : out.masks) m.assign(size_t(bev_h) * bev_w, 0);
    const Mat4 to_global = Mat4::from_pose(lidar2global);
    for (int r = 0; r < bev_h; ++r)
        for (int c = 0; c < bev_w; ++c) {
            const double x = pc_range[0] + (c + 0.5) / bev_w * (pc_range[3] - pc_range[0]);
            const double y = pc_range[1] + (r + 0.5) / bev_h * (pc_range[4] - pc_range[1]);
            const Vec3 g = to_global.transform_point({x, y, 0.0});
            const int v = map_value(map, g.x, g.y);
            if (v < 0) continue;
            const size_t i = size_t(r) * bev_w + c;
            out.masks[int(BevSegClass::drivable)][i] = (v == 128 || v == 200 || v == 255);
            out.masks[int(BevSegClass::lane_line)][i] = v == 255;
            out.masks[int(BevSegClass::crossing)][i] = v == 200;
        }
    return out;
}

}  // namespace rs
