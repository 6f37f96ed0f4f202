#include "engine/bev_segmentation_target.h"

#include <gtest/gtest.h>

#include "engine/png_writer.h"
#include "nuscenes_test_data.h"

namespace rs {
namespace {

TEST(StoredPng, RoundTripsWhatThePngWriterWrites) {
    std::vector<uint8_t> rgb(70 * 40 * 3);
    for (size_t i = 0; i < rgb.size(); ++i) rgb[i] = uint8_t(i * 7 + i / 3);
    std::vector<uint8_t> png = encode_png(rgb.data(), 70, 40, 3);
    PngImage img = decode_png(png.data(), png.size(), "mem");
    EXPECT_EQ(img.width, 70);
    EXPECT_EQ(img.height, 40);
    EXPECT_EQ(img.channels, 3);
    EXPECT_EQ(img.pixels, rgb);
    // Large enough for several stored blocks (> 65535 bytes of scanlines).
    std::vector<uint8_t> grey(300 * 300);
    for (size_t i = 0; i < grey.size(); ++i) grey[i] = uint8_t(i % 251);
    png = encode_png(grey.data(), 300, 300, 1);
    EXPECT_EQ(decode_png(png.data(), png.size(), "mem").pixels, grey);

    png[40] ^= 1;  // inside IDAT: the CRC no longer matches
    EXPECT_THROW(decode_png(png.data(), png.size(), "mem"), std::runtime_error);
    EXPECT_THROW(decode_png(png.data(), 20, "mem"), std::runtime_error);
    const uint8_t text[] = "not a png at all";
    try {
        decode_png(text, sizeof text, "some/file.png");
        ADD_FAILURE();
    } catch (const std::runtime_error & e) {
        EXPECT_NE(std::string(e.what()).find("some/file.png"), std::string::npos);
    }
}

// 16 × 16 map centred on (100, 200): pixel (row, col) covers global x in (100 + 8 - row - 1, 100 + 8 - row]
// and y in (200 + 8 - col - 1, 200 + 8 - col].
GeneratedMap small_map() {
    GeneratedMap m;
    m.image.width = m.image.height = 16;
    m.image.channels = 1;
    m.image.pixels.assign(256, 0);
    m.image.pixels[2 * 16 + 5] = 255;   // lane line at x 105..106, y 202..203
    m.image.pixels[12 * 16 + 3] = 200;  // crossing at x 95..96, y 204..205
    m.image.pixels[12 * 16 + 4] = 128;  // road at x 95..96, y 203..204
    m.image.pixels[0] = 64;             // sidewalk: no class
    m.centre = {100, 200};
    return m;
}

int count(const std::vector<uint8_t> & mask) {
    int n = 0;
    for (uint8_t v : mask) n += v;
    return n;
}

TEST(BevSegmentationTarget, SamplesTheMapOnTheLidarGrid) {
    const GeneratedMap map = small_map();
    const std::array<double, 6> range = {-8, -8, -5, 8, 8, 3};
    // Identity rotation: cell (r, c) has lidar x = c - 7.5, y = r - 7.5.
    BevSegmentationTarget t = bev_segmentation_target(map, Pose{{100, 200, 1.8}, Quat{}}, 16, 16, range);
    EXPECT_EQ(count(t.masks[1]), 1);
    EXPECT_EQ(t.masks[1][10 * 16 + 13], 1);  // x 5.5, y 2.5
    EXPECT_EQ(count(t.masks[2]), 1);
    EXPECT_EQ(t.masks[2][12 * 16 + 3], 1);   // x -4.5, y 4.5
    EXPECT_EQ(count(t.masks[0]), 3);
    EXPECT_EQ(t.masks[0][11 * 16 + 3], 1);   // road at x -4.5, y 3.5

    // Lidar rotated +90° about z: lidar (x, y) lands at global (-y, x) from the centre.
    t = bev_segmentation_target(map, Pose{{100, 200, 0}, Quat::from_yaw(kPi / 2)}, 16, 16, range);
    EXPECT_EQ(count(t.masks[1]), 1);
    EXPECT_EQ(t.masks[1][2 * 16 + 10], 1);  // lidar x 2.5, y -5.5

    // A grid reaching off the map: those cells stay 0; a coarser grid samples cell centres.
    t = bev_segmentation_target(map, Pose{{130, 200, 0}, Quat{}}, 8, 8, range);
    EXPECT_EQ(count(t.masks[0]), 0);
    EXPECT_THROW(bev_segmentation_target(map, Pose{}, 0, 8, range), std::invalid_argument);
}

TEST(GeneratedMapRaster, TheViewersLayerAroundAPose) {
    const GeneratedMap map = small_map();
    // Identity heading at the map centre: cell (r, c) centres at global x 107.5 - r, y 207.5 - c,
    // which is the map's own pixel grid.
    BevRaster r = generated_map_raster(map, Pose{{100, 200, 0}, Quat{}}, 1.0, 16);
    ASSERT_EQ(r.size, 16);
    ASSERT_EQ(r.cells.size(), 256u);
    EXPECT_EQ(r.cells[2 * 16 + 5], kBevDrivable | kBevLane);
    EXPECT_EQ(r.cells[12 * 16 + 3], kBevDrivable | kBevCrossing);
    EXPECT_EQ(r.cells[12 * 16 + 4], kBevDrivable);
    EXPECT_EQ(r.cells[0], kBevSidewalk);
    int set = 0;
    for (uint8_t v : r.cells) set += v != 0;
    EXPECT_EQ(set, 4);

    // Heading +90°: ahead is global +y, so the lane pixel (x 105.5, y 202.5) is at row 5, column 13.
    r = generated_map_raster(map, Pose{{100, 200, 0}, Quat::from_yaw(kPi / 2)}, 1.0, 16);
    EXPECT_EQ(r.cells[5 * 16 + 13], kBevDrivable | kBevLane);

    // Off the map everything is 0; a bad size gives an empty raster.
    r = generated_map_raster(map, Pose{{300, 200, 0}, Quat{}}, 0.5, 8);
    for (uint8_t v : r.cells) EXPECT_EQ(v, 0);
    EXPECT_EQ(generated_map_raster(map, Pose{}, 1.0, 0).size, 0);
}

TEST(BevSegmentationTarget, LoadsTheLogMapCentredOnTheFirstLidarPose) {
    test::TempDir dir;
    NuScenesTables t = test::make_test_tables();
    t.log[0].location = kTownLocation;
    test::write_test_dataset(t, dir.path(), "v1.0-mini");
    std::vector<uint8_t> grey(32 * 16, 128);
    write_png_file(dir.path() + "/maps/map_0.png", grey.data(), 32, 16, 1);
    NuScenesDataset ds = load_nuscenes(dir.path(), "v1.0-mini");
    EXPECT_TRUE(is_generated_scene(ds, "scene_0"));
    GeneratedMap m = load_generated_map(ds, "scene_0");
    EXPECT_EQ(m.image.width, 32);
    EXPECT_EQ(m.image.height, 16);
    EXPECT_DOUBLE_EQ(m.centre.x, 411.3);  // ep_lidar_0, the LIDAR_TOP pose of sample_0
    EXPECT_DOUBLE_EQ(m.centre.y, 1180.9);

    std::vector<uint8_t> rgb(4 * 4 * 3, 0);
    write_png_file(dir.path() + "/maps/map_0.png", rgb.data(), 4, 4, 3);
    EXPECT_THROW(load_generated_map(ds, "scene_0"), DatasetError);
}

// Real nuScenes logs have a grey map too, but a drivable-area prior: never read as ours.
TEST(BevSegmentationTarget, RefusesARealNuScenesLog) {
    test::TempDir dir;
    NuScenesTables t = test::make_test_tables();  // location singapore-onenorth
    test::write_test_dataset(t, dir.path(), "v1.0-mini");
    std::vector<uint8_t> grey(32 * 16, 255);
    write_png_file(dir.path() + "/maps/map_0.png", grey.data(), 32, 16, 1);
    NuScenesDataset ds = load_nuscenes(dir.path(), "v1.0-mini");
    EXPECT_FALSE(is_generated_scene(ds, "scene_0"));
    try {
        load_generated_map(ds, "scene_0");
        ADD_FAILURE() << "a real log's map loaded as a generated one";
    } catch (const DatasetError & e) {
        EXPECT_NE(std::string(e.what()).find("singapore-onenorth"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace rs
