// The BEV map layer of a dataset scene, read from the map PNG its log points to. Logs of our
// generator (location kTownLocation) carry its semantic raster (bev_segmentation_target.h); real
// nuScenes logs carry the devkit's semantic prior (map_mask.py): 255 on drivable surface and
// sidewalks, 0 elsewhere, 0.1 m per pixel, global (x, y) at pixel (round(x / 0.1),
// round(H − y / 0.1)).
#pragma once

#include <memory>
#include <string>

#include "engine/nuscenes_reader.h"
#include "engine/png_reader.h"
#include "engine/world.h"

namespace rs {

class MapLayer {
public:
    virtual ~MapLayer() = default;
    // size × size cells of `resolution` metres centred on `centre` (world.h BevRaster), each the
    // map pixel nearest its centre; cells off the map are 0.
    virtual BevRaster raster(const Pose & centre, double resolution, int size) const = 0;
    // The PNG it was read from: the real scenes of one location share it.
    virtual const std::string & file() const = 0;
};

// Reuses `previous` when the scene's map is the same nuScenes prior file (those are hundreds of
// MB). DatasetError naming the scene when its log has no map, and the file when it cannot be read
// or is not 8-bit grey.
std::shared_ptr<const MapLayer> open_map_layer(const NuScenesDataset & ds, const std::string & scene_token,
                                               std::shared_ptr<const MapLayer> previous = nullptr);

// The semantic prior around `centre`: kBevPrior on cells whose nearest mask pixel is 255.
BevRaster semantic_prior_raster(const PngImage & mask, const Pose & centre, double resolution, int size);

}  // namespace rs
