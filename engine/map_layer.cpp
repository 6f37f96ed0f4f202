#include "engine/map_layer.h"

#include <cmath>

#include "engine/bev_segmentation_target.h"
#include "engine/dataset_error.h"

namespace rs {

namespace {

constexpr double kPriorResolution = 0.1;  // metres per pixel of nuScenes map masks

class GeneratedMapLayer : public MapLayer {
public:
    GeneratedMapLayer(GeneratedMap map, std::string file) : map_(std::move(map)), file_(std::move(file)) {}
    BevRaster raster(const Pose & centre, double resolution, int size) const override {
        return generated_map_raster(map_, centre, resolution, size);
    }
    const std::string & file() const override { return file_; }

private:
    GeneratedMap map_;
    std::string file_;
};

class PriorMapLayer : public MapLayer {
public:
    PriorMapLayer(PngImage mask, std::string file) : mask_(std::move(mask)), file_(std::move(file)) {}
    BevRaster raster(const Pose & centre, double resolution, int size) const override {
        return semantic_prior_raster(mask_, centre, resolution, size);
    }
    const std::string & file() const override { return file_; }

private:
    PngImage mask_;
    std::string file_;
};

}  // namespace

BevRaster semantic_prior_raster(const PngImage & mask, const Pose & centre, double resolution, int size) {
    if (mask.channels != 1 || mask.pixels.size() != size_t(mask.width) * size_t(mask.height)) return {};
    return sample_bev_raster(centre, resolution, size, [&](double gx, double gy) -> uint8_t {
        const double px = std::round(gx / kPriorResolution), py = std::round(mask.height - gy / kPriorResolution);
        if (!(px >= 0 && py >= 0 && px < mask.width && py < mask.height)) return 0;
        return mask.pixels[size_t(py) * mask.width + size_t(px)] == 255 ? kBevPrior : 0;
    });
}

std::shared_ptr<const MapLayer> open_map_layer(const NuScenesDataset & ds, const std::string & scene_token,
                                               std::shared_ptr<const MapLayer> previous) {
    const NuScenesTables & t = ds.tables();
    const NuScene & scene = t.scene[ds.index(NuTable::scene, scene_token)];
    const size_t log = ds.index(NuTable::log, scene.log_token);
    if (is_generated_scene(ds, scene_token)) {
        GeneratedMap map = load_generated_map(ds, scene_token);
        const std::string file = ds.dataroot() + "/" + t.map[*ds.map_of(log)].filename;
        return std::make_shared<GeneratedMapLayer>(std::move(map), file);
    }
    const std::optional<size_t> map = ds.map_of(log);
    if (!map) throw DatasetError(ds.dataroot() + ": scene " + scene.name + " (" + scene_token + "): its log has no map");
    const std::string file = ds.dataroot() + "/" + t.map[*map].filename;
    if (previous && previous->file() == file && dynamic_cast<const PriorMapLayer *>(previous.get())) return previous;
    PngImage mask;
    try {
        mask = read_png_file(file);
    } catch (const std::runtime_error & e) {
        throw DatasetError(std::string("map of scene ") + scene.name + ": " + e.what());
    }
    if (mask.channels != 1)
        throw DatasetError(file + ": a nuScenes map mask is 8-bit grey, this PNG has " +
                           std::to_string(mask.channels) + " channels");
    return std::make_shared<PriorMapLayer>(std::move(mask), file);
}

}  // namespace rs
