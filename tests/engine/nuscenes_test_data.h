// Test data shared by the nuScenes reader and writer tests: a small, fully linked synthetic
// dataset, temporary folders, and the location of the real sample in the shared folder.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "engine/nuscenes_tables.h"
#include "engine/nuscenes_writer.h"

namespace rs::test {

inline std::string nuscenes_sample_dir() { return std::string(ROADSIGHT_SHARED_DIR) + "/data/nuscenes-sample"; }

// Tests on the real sample skip when the shared folder is absent, but fail on CI, where a missing
// folder means a broken checkout rather than a developer machine without the data.
class NuScenesSampleTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (std::filesystem::is_directory(nuscenes_sample_dir() + "/v1.0-mini")) return;
        const char * ci = std::getenv("CI");
        if (ci && std::string(ci) == "true")
            FAIL() << "nuScenes sample not found at " << nuscenes_sample_dir()
                   << " (CI=true: the shared folder must be present; set ROADSIGHT_SHARED_DIR)";
        GTEST_SKIP() << "nuScenes sample not found at " << nuscenes_sample_dir()
                     << "; configure with -DROADSIGHT_SHARED_DIR=<shared folder> to run this test";
    }
};

// A fresh empty folder under the system temp dir, removed with the object.
class TempDir {
public:
    TempDir() {
        static int counter = 0;
        const auto * info = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string name = std::string("roadsight_") + (info ? info->name() : "test") + "_" +
                           std::to_string(::getpid()) + "_" + std::to_string(counter++);
        path_ = (std::filesystem::temp_directory_path() / name).string();
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir &) = delete;
    TempDir & operator=(const TempDir &) = delete;

    const std::string & path() const { return path_; }

private:
    std::string path_;
};

// Two linked key frames of one scene: a camera and a lidar, three boxes of two instances, every
// optional field both present and absent somewhere.
inline NuScenesTables make_test_tables() {
    NuScenesTables t;
    t.attribute = {{"attr_moving", "vehicle.moving", "Vehicle is moving."},
                   {"attr_standing", "pedestrian.standing", "The human is standing."}};
    t.sensor = {{"sensor_cam", "CAM_FRONT", "camera"}, {"sensor_lidar", "LIDAR_TOP", "lidar"}};
    Mat3 k;
    k.m = {1266.417203046554, 0.0, 816.2670197447984, 0.0, 1266.417203046554, 491.50706579294757, 0.0, 0.0, 1.0};
    t.calibrated_sensor = {
        {"cs_cam", "sensor_cam", {1.70079, 0.01595, 1.51096}, Quat{0.5, -0.5, 0.5, -0.5}, k},
        {"cs_lidar", "sensor_lidar", {0.943713, 0.0, 1.84023}, Quat{0.7071067811865476, 0, 0, -0.7071067811865476},
         std::nullopt}};
    t.category = {{"cat_car", "vehicle.car", "Vehicle designed primarily for personal use.", 17},
                  {"cat_adult", "human.pedestrian.adult", "", std::nullopt}};
    t.ego_pose = {{"ep_cam_0", 1532402927612460, Quat{0.572006347574845, -0.0021434842496863586, 0.011564094807842372,
                                                     -0.8201648709379304},
                   {411.41997584800345, 1181.197177405937, 0.0}},
                  {"ep_lidar_0", 1532402927647951, Quat::from_yaw(-1.9), {411.3, 1180.9, 0.0}},
                  {"ep_cam_1", 1532402928112460, Quat::from_yaw(-1.91), {410.8, 1179.5, 0.0}},
                  {"ep_lidar_1", 1532402928147951, Quat::from_yaw(-1.92), {410.7, 1179.2, 0.0}}};
    t.log = {{"log_0", "n015-2018-07-24-11-22-45+0800", "n015", "2018-07-24", "singapore-onenorth"}};
    t.map = {{"semantic_prior", "map_0", "maps/map_0.png", {"log_0"}}};
    t.scene = {{"scene_0", "log_0", 2, "sample_0", "sample_1", "scene-0061",
                "Parked truck, \"quoted\", caf\xC3\xA9"}};
    t.sample = {{"sample_0", 1532402927647951, "", "sample_1", "scene_0"},
                {"sample_1", 1532402928147951, "sample_0", "", "scene_0"}};
    t.sample_data = {
        {"sd_cam_0", "sample_0", "ep_cam_0", "cs_cam", 1532402927612460, "jpg", true, 900, 1600,
         "samples/CAM_FRONT/cam_0.jpg", "", "sd_cam_1"},
        {"sd_lidar_0", "sample_0", "ep_lidar_0", "cs_lidar", 1532402927647951, "pcd", true, 0, 0,
         "samples/LIDAR_TOP/lidar_0.pcd.bin", "", "sd_lidar_1"},
        {"sd_cam_1", "sample_1", "ep_cam_1", "cs_cam", 1532402928112460, "jpg", true, 900, 1600,
         "samples/CAM_FRONT/cam_1.jpg", "sd_cam_0", ""},
        {"sd_lidar_1", "sample_1", "ep_lidar_1", "cs_lidar", 1532402928147951, "pcd", true, 0, 0,
         "samples/LIDAR_TOP/lidar_1.pcd.bin", "sd_lidar_0", ""}};
    t.instance = {{"inst_car", "cat_car", 2, "ann_car_0", "ann_car_1"},
                  {"inst_ped", "cat_adult", 1, "ann_ped_0", "ann_ped_0"}};
    t.sample_annotation = {
        {"ann_car_0", "sample_0", "inst_car", "4", {"attr_moving"}, {373.2559901348878, 1130.419002166117, 0.8},
         {1.9, 4.6, 1.7}, Quat::from_yaw(0.3), "", "ann_car_1", 57, 2},
        {"ann_ped_0", "sample_0", "inst_ped", "", {}, {380.0, 1150.25, 0.1 + 0.2}, {0.621, 0.669, 1.642},
         Quat{0.9831106525526323, 0.0, 0.0, -0.18301214396191706}, "", "", 1, 0},
        {"ann_car_1", "sample_1", "inst_car", "2", {"attr_moving", "attr_standing"}, {373.5, 1130.0, 0.8},
         {1.9, 4.6, 1.7}, Quat::from_yaw(0.31), "ann_car_0", "", 0, 0}};
    t.visibility = {{"visibility of whole object is between 0 and 40%", "1", "v0-40"},
                    {"visibility of whole object is between 40 and 60%", "2", "v40-60"},
                    {"visibility of whole object is between 60 and 80%", "3", "v60-80"},
                    {"visibility of whole object is between 80 and 100%", "4", "v80-100"}};
    return t;
}

// Writes the tables to <dir>/<version>/ and creates every data file they name.
inline void write_test_dataset(const NuScenesTables & t, const std::string & dir, const std::string & version) {
    write_nuscenes(t, dir, version);
    auto touch = [&](const std::string & rel) {
        std::filesystem::path p = std::filesystem::path(dir) / rel;
        std::filesystem::create_directories(p.parent_path());
        std::ofstream(p) << "data";
    };
    for (const NuSampleData & d : t.sample_data) touch(d.filename);
    for (const NuMap & m : t.map) touch(m.filename);
}

}  // namespace rs::test
