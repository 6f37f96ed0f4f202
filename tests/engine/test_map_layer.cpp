// The viewer's map layer: the nuScenes semantic prior at the devkit's pixel convention, the choice
// between our generated raster and a real prior by the log's location, reuse of a loaded prior,
// and clear errors for maps that cannot be read.
#include "engine/map_layer.h"

#include <gtest/gtest.h>

#include <fstream>

#include "engine/png_writer.h"
#include "nuscenes_test_data.h"

namespace rs {
namespace {

size_t count_with(const BevRaster & r, uint8_t flag) {
    size_t n = 0;
    for (uint8_t c : r.cells) n += (c & flag) != 0;
    return n;
}

// 100 × 50 px at 0.1 m: global x 0..10 m, y 0..5 m with y = (50 − row) · 0.1. Pixels columns
// 30..39, rows 10..19 are on the prior: x 3.0..3.9, y 3.1..4.0 at their centres.
PngImage small_prior() {
    PngImage m;
    m.width = 100;
    m.height = 50;
    m.channels = 1;
    m.pixels.assign(100 * 50, 0);
    for (int row = 10; row < 20; ++row)
        for (int col = 30; col < 40; ++col) m.pixels[size_t(row) * 100 + col] = 255;
    m.pixels[0] = 254;  // only 255 counts, as in map_mask.py
    return m;
}

TEST(MapLayer, SemanticPriorFollowsTheDevkitPixelConvention) {
    const PngImage mask = small_prior();
    // 10 × 10 cells of 0.1 m centred on (3.45, 3.55): cell centres at x 3.0..3.9, y 3.1..4.0.
    BevRaster r = semantic_prior_raster(mask, Pose{{3.45, 3.55, 0}, Quat{}}, 0.1, 10);
    ASSERT_EQ(r.size, 10);
    EXPECT_EQ(count_with(r, kBevPrior), 100u);
    r = semantic_prior_raster(mask, Pose{{3.45, 3.55, 0}, Quat::from_yaw(kPi / 2)}, 0.1, 10);
    EXPECT_EQ(count_with(r, kBevPrior), 100u);
    // One metre further east: off the patch. At the origin pixel (value 254): nothing either.
    EXPECT_EQ(count_with(semantic_prior_raster(mask, Pose{{4.45, 3.55, 0}, Quat{}}, 0.1, 10), kBevPrior), 0u);
    EXPECT_EQ(count_with(semantic_prior_raster(mask, Pose{{0.0, 5.0, 0}, Quat{}}, 0.1, 2), kBevPrior), 0u);
    // A 2 m window over the patch's north-west corner: row 0 ahead (+x), column 0 left (+y).
    r = semantic_prior_raster(mask, Pose{{3.0, 4.0, 0}, Quat{}}, 1.0, 2);
    EXPECT_EQ(r.cells, (std::vector<uint8_t>{0, kBevPrior, 0, 0}));  // only (x 3.5, y 3.5)
    EXPECT_EQ(semantic_prior_raster(mask, Pose{}, 0.1, 0).size, 0);
}

TEST(MapLayer, ChoosesByLocationAndReusesAPrior) {
    test::TempDir dir;
    NuScenesTables t = test::make_test_tables();  // a singapore-onenorth log: a real prior
    test::write_test_dataset(t, dir.path(), "v1.0-mini");
    const PngImage prior = small_prior();
    write_png_file(dir.path() + "/maps/map_0.png", prior.pixels.data(), prior.width, prior.height, 1);
    NuScenesDataset ds = load_nuscenes(dir.path(), "v1.0-mini");
    std::shared_ptr<const MapLayer> layer = open_map_layer(ds, "scene_0");
    EXPECT_EQ(layer->file(), dir.path() + "/maps/map_0.png");
    EXPECT_EQ(count_with(layer->raster(Pose{{3.45, 3.55, 0}, Quat{}}, 0.1, 10), kBevPrior), 100u);
    EXPECT_EQ(open_map_layer(ds, "scene_0", layer), layer);

    // The same files under our generator's location: the generated raster (grey 128 = drivable).
    t.log[0].location = kTownLocation;
    test::TempDir town;
    test::write_test_dataset(t, town.path(), "v1.0-mini");
    std::vector<uint8_t> grey(32 * 16, 128);
    write_png_file(town.path() + "/maps/map_0.png", grey.data(), 32, 16, 1);
    NuScenesDataset generated = load_nuscenes(town.path(), "v1.0-mini");
    std::shared_ptr<const MapLayer> town_layer = open_map_layer(generated, "scene_0", layer);
    EXPECT_NE(town_layer, layer);
    // Centred on the scene's first lidar pose, where the generated map is centred too.
    const BevRaster r = town_layer->raster(Pose{{411.3, 1180.9, 0}, Quat{}}, 1.0, 4);
    EXPECT_EQ(count_with(r, kBevDrivable), 16u);
    EXPECT_EQ(count_with(r, kBevPrior), 0u);
}

TEST(MapLayer, UnreadableMapsNameTheFile) {
    test::TempDir dir;
    NuScenesTables t = test::make_test_tables();
    test::write_test_dataset(t, dir.path(), "v1.0-mini");
    std::vector<uint8_t> rgb(4 * 4 * 3, 0);
    write_png_file(dir.path() + "/maps/map_0.png", rgb.data(), 4, 4, 3);
    NuScenesDataset ds = load_nuscenes(dir.path(), "v1.0-mini");
    try {
        open_map_layer(ds, "scene_0");
        ADD_FAILURE() << "an RGB map was accepted";
    } catch (const DatasetError & e) {
        EXPECT_NE(std::string(e.what()).find("map_0.png"), std::string::npos) << e.what();
    }
    std::ofstream(dir.path() + "/maps/map_0.png", std::ios::binary | std::ios::trunc) << "\x89PNG\r\n\x1a\n broken";
    try {
        open_map_layer(ds, "scene_0");
        ADD_FAILURE() << "a broken map was accepted";
    } catch (const DatasetError & e) {
        EXPECT_NE(std::string(e.what()).find("map_0.png"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("scene"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace rs
