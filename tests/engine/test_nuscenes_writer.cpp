#include "engine/nuscenes_writer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "engine/nuscenes_reader.h"
#include "tests/engine/nuscenes_test_data.h"

namespace rs {
namespace {

using test::TempDir;

std::string read_text(const std::string & path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Field-by-field comparison, so a failure names the field. Doubles must survive exactly.
void expect_eq(const Vec3 & a, const Vec3 & b, const char * what) {
    EXPECT_EQ(a.x, b.x) << what;
    EXPECT_EQ(a.y, b.y) << what;
    EXPECT_EQ(a.z, b.z) << what;
}

void expect_eq(const Quat & a, const Quat & b, const char * what) {
    EXPECT_EQ(a.w, b.w) << what;
    EXPECT_EQ(a.x, b.x) << what;
    EXPECT_EQ(a.y, b.y) << what;
    EXPECT_EQ(a.z, b.z) << what;
}

void expect_tables_equal(const NuScenesTables & a, const NuScenesTables & b) {
    ASSERT_EQ(a.attribute.size(), b.attribute.size());
    for (size_t i = 0; i < a.attribute.size(); ++i) {
        EXPECT_EQ(a.attribute[i].token, b.attribute[i].token);
        EXPECT_EQ(a.attribute[i].name, b.attribute[i].name);
        EXPECT_EQ(a.attribute[i].description, b.attribute[i].description);
    }
    ASSERT_EQ(a.calibrated_sensor.size(), b.calibrated_sensor.size());
    for (size_t i = 0; i < a.calibrated_sensor.size(); ++i) {
        const NuCalibratedSensor & x = a.calibrated_sensor[i];
        const NuCalibratedSensor & y = b.calibrated_sensor[i];
        EXPECT_EQ(x.token, y.token);
        EXPECT_EQ(x.sensor_token, y.sensor_token);
        expect_eq(x.translation, y.translation, "calibrated_sensor.translation");
        expect_eq(x.rotation, y.rotation, "calibrated_sensor.rotation");
        ASSERT_EQ(x.camera_intrinsic.has_value(), y.camera_intrinsic.has_value());
        if (x.camera_intrinsic) {
            EXPECT_EQ(x.camera_intrinsic->m, y.camera_intrinsic->m);
        }
    }
    ASSERT_EQ(a.category.size(), b.category.size());
    for (size_t i = 0; i < a.category.size(); ++i) {
        EXPECT_EQ(a.category[i].token, b.category[i].token);
        EXPECT_EQ(a.category[i].name, b.category[i].name);
        EXPECT_EQ(a.category[i].description, b.category[i].description);
        EXPECT_EQ(a.category[i].index, b.category[i].index);
    }
    ASSERT_EQ(a.ego_pose.size(), b.ego_pose.size());
    for (size_t i = 0; i < a.ego_pose.size(); ++i) {
        EXPECT_EQ(a.ego_pose[i].token, b.ego_pose[i].token);
        EXPECT_EQ(a.ego_pose[i].timestamp, b.ego_pose[i].timestamp);
        expect_eq(a.ego_pose[i].rotation, b.ego_pose[i].rotation, "ego_pose.rotation");
        expect_eq(a.ego_pose[i].translation, b.ego_pose[i].translation, "ego_pose.translation");
    }
    ASSERT_EQ(a.instance.size(), b.instance.size());
    for (size_t i = 0; i < a.instance.size(); ++i) {
        EXPECT_EQ(a.instance[i].token, b.instance[i].token);
        EXPECT_EQ(a.instance[i].category_token, b.instance[i].category_token);
        EXPECT_EQ(a.instance[i].nbr_annotations, b.instance[i].nbr_annotations);
        EXPECT_EQ(a.instance[i].first_annotation_token, b.instance[i].first_annotation_token);
        EXPECT_EQ(a.instance[i].last_annotation_token, b.instance[i].last_annotation_token);
    }
    ASSERT_EQ(a.log.size(), b.log.size());
    for (size_t i = 0; i < a.log.size(); ++i) {
        EXPECT_EQ(a.log[i].token, b.log[i].token);
        EXPECT_EQ(a.log[i].logfile, b.log[i].logfile);
        EXPECT_EQ(a.log[i].vehicle, b.log[i].vehicle);
        EXPECT_EQ(a.log[i].date_captured, b.log[i].date_captured);
        EXPECT_EQ(a.log[i].location, b.log[i].location);
    }
    ASSERT_EQ(a.map.size(), b.map.size());
    for (size_t i = 0; i < a.map.size(); ++i) {
        EXPECT_EQ(a.map[i].category, b.map[i].category);
        EXPECT_EQ(a.map[i].token, b.map[i].token);
        EXPECT_EQ(a.map[i].filename, b.map[i].filename);
        EXPECT_EQ(a.map[i].log_tokens, b.map[i].log_tokens);
    }
    ASSERT_EQ(a.sample.size(), b.sample.size());
    for (size_t i = 0; i < a.sample.size(); ++i) {
        EXPECT_EQ(a.sample[i].token, b.sample[i].token);
        EXPECT_EQ(a.sample[i].timestamp, b.sample[i].timestamp);
        EXPECT_EQ(a.sample[i].prev, b.sample[i].prev);
        EXPECT_EQ(a.sample[i].next, b.sample[i].next);
        EXPECT_EQ(a.sample[i].scene_token, b.sample[i].scene_token);
    }
    ASSERT_EQ(a.sample_annotation.size(), b.sample_annotation.size());
    for (size_t i = 0; i < a.sample_annotation.size(); ++i) {
        const NuSampleAnnotation & x = a.sample_annotation[i];
        const NuSampleAnnotation & y = b.sample_annotation[i];
        EXPECT_EQ(x.token, y.token);
        EXPECT_EQ(x.sample_token, y.sample_token);
        EXPECT_EQ(x.instance_token, y.instance_token);
        EXPECT_EQ(x.visibility_token, y.visibility_token);
        EXPECT_EQ(x.attribute_tokens, y.attribute_tokens);
        expect_eq(x.translation, y.translation, "sample_annotation.translation");
        expect_eq(x.size, y.size, "sample_annotation.size");
        expect_eq(x.rotation, y.rotation, "sample_annotation.rotation");
        EXPECT_EQ(x.prev, y.prev);
        EXPECT_EQ(x.next, y.next);
        EXPECT_EQ(x.num_lidar_pts, y.num_lidar_pts);
        EXPECT_EQ(x.num_radar_pts, y.num_radar_pts);
    }
    ASSERT_EQ(a.sample_data.size(), b.sample_data.size());
    for (size_t i = 0; i < a.sample_data.size(); ++i) {
        const NuSampleData & x = a.sample_data[i];
        const NuSampleData & y = b.sample_data[i];
        EXPECT_EQ(x.token, y.token);
        EXPECT_EQ(x.sample_token, y.sample_token);
        EXPECT_EQ(x.ego_pose_token, y.ego_pose_token);
        EXPECT_EQ(x.calibrated_sensor_token, y.calibrated_sensor_token);
        EXPECT_EQ(x.timestamp, y.timestamp);
        EXPECT_EQ(x.fileformat, y.fileformat);
        EXPECT_EQ(x.is_key_frame, y.is_key_frame);
        EXPECT_EQ(x.height, y.height);
        EXPECT_EQ(x.width, y.width);
        EXPECT_EQ(x.filename, y.filename);
        EXPECT_EQ(x.prev, y.prev);
        EXPECT_EQ(x.next, y.next);
    }
    ASSERT_EQ(a.scene.size(), b.scene.size());
    for (size_t i = 0; i < a.scene.size(); ++i) {
        EXPECT_EQ(a.scene[i].token, b.scene[i].token);
        EXPECT_EQ(a.scene[i].log_token, b.scene[i].log_token);
        EXPECT_EQ(a.scene[i].nbr_samples, b.scene[i].nbr_samples);
        EXPECT_EQ(a.scene[i].first_sample_token, b.scene[i].first_sample_token);
        EXPECT_EQ(a.scene[i].last_sample_token, b.scene[i].last_sample_token);
        EXPECT_EQ(a.scene[i].name, b.scene[i].name);
        EXPECT_EQ(a.scene[i].description, b.scene[i].description);
    }
    ASSERT_EQ(a.sensor.size(), b.sensor.size());
    for (size_t i = 0; i < a.sensor.size(); ++i) {
        EXPECT_EQ(a.sensor[i].token, b.sensor[i].token);
        EXPECT_EQ(a.sensor[i].channel, b.sensor[i].channel);
        EXPECT_EQ(a.sensor[i].modality, b.sensor[i].modality);
    }
    ASSERT_EQ(a.visibility.size(), b.visibility.size());
    for (size_t i = 0; i < a.visibility.size(); ++i) {
        EXPECT_EQ(a.visibility[i].description, b.visibility[i].description);
        EXPECT_EQ(a.visibility[i].token, b.visibility[i].token);
        EXPECT_EQ(a.visibility[i].level, b.visibility[i].level);
    }
}

TEST(NuScenesWriter, WriteThenReadGivesEqualTables) {
    TempDir dir;
    NuScenesTables tables = test::make_test_tables();
    test::write_test_dataset(tables, dir.path(), "v1.0-mini");
    NuScenesDataset ds = load_nuscenes(dir.path(), "v1.0-mini");
    expect_tables_equal(tables, ds.tables());
}

TEST(NuScenesWriter, WritingTwiceGivesByteIdenticalFiles) {
    TempDir a, b;
    NuScenesTables tables = test::make_test_tables();
    write_nuscenes(tables, a.path(), "v1.0-mini");
    write_nuscenes(tables, b.path(), "v1.0-mini");
    std::string first_sample = read_text(a.path() + "/v1.0-mini/sample.json");
    write_nuscenes(tables, a.path(), "v1.0-mini");  // over the existing files
    for (const char * name : kNuTableNames) {
        std::string rel = std::string("/v1.0-mini/") + name + ".json";
        std::string text = read_text(a.path() + rel);
        EXPECT_FALSE(text.empty()) << rel;
        EXPECT_EQ(text, read_text(b.path() + rel)) << rel;
    }
    EXPECT_EQ(first_sample, read_text(a.path() + "/v1.0-mini/sample.json"));
    // Only the 13 tables remain: temporary files were renamed, not left behind.
    int files = 0;
    for (const auto & e : std::filesystem::directory_iterator(a.path() + "/v1.0-mini")) {
        EXPECT_EQ(e.path().extension(), ".json") << e.path();
        ++files;
    }
    EXPECT_EQ(files, kNumNuTables);
}

TEST(NuScenesWriter, LayoutMatchesRealFiles) {
    NuScenesTables t = test::make_test_tables();
    EXPECT_EQ(nuscenes_table_json(t, NuTable::sensor),
              "[\n {\n  \"token\": \"sensor_cam\",\n  \"channel\": \"CAM_FRONT\",\n  \"modality\": \"camera\"\n },\n"
              " {\n  \"token\": \"sensor_lidar\",\n  \"channel\": \"LIDAR_TOP\",\n  \"modality\": \"lidar\"\n }\n]");
    // Optional category index: written when present, left out when absent.
    std::string category = nuscenes_table_json(t, NuTable::category);
    EXPECT_NE(category.find("\"description\": \"Vehicle designed primarily for personal use.\",\n  \"index\": 17\n"),
              std::string::npos) << category;
    EXPECT_NE(category.find("\"description\": \"\"\n }"), std::string::npos) << category;
    // Non-cameras have an empty intrinsic; integers stay integers, floats keep a decimal point.
    std::string cs = nuscenes_table_json(t, NuTable::calibrated_sensor);
    EXPECT_NE(cs.find("\"camera_intrinsic\": []"), std::string::npos);
    EXPECT_NE(cs.find("    0.0,\n    0.0,\n    1.0\n"), std::string::npos) << cs;
    std::string sd = nuscenes_table_json(t, NuTable::sample_data);
    EXPECT_NE(sd.find("\"timestamp\": 1532402927612460,\n  \"fileformat\": \"jpg\",\n  \"is_key_frame\": true,\n"
                      "  \"height\": 900,\n  \"width\": 1600,"),
              std::string::npos) << sd;
    std::string scene = nuscenes_table_json(t, NuTable::scene);
    EXPECT_NE(scene.find("\"description\": \"Parked truck, \\\"quoted\\\", caf\xC3\xA9\""), std::string::npos) << scene;
    EXPECT_EQ(nuscenes_table_json(NuScenesTables{}, NuTable::log), "[]");
}

TEST(NuScenesWriter, FieldOrderFollowsRealFiles) {
    NuScenesTables t = test::make_test_tables();
    auto keys_in_order = [&](NuTable table, std::vector<std::string> keys) {
        std::string text = nuscenes_table_json(t, table);
        size_t at = 0;
        for (const std::string & k : keys) {
            size_t next = text.find("\"" + k + "\":", at);
            ASSERT_NE(next, std::string::npos) << nu_table_name(table) << "." << k;
            at = next;
        }
    };
    keys_in_order(NuTable::scene, {"token", "log_token", "nbr_samples", "first_sample_token", "last_sample_token",
                                   "name", "description"});
    keys_in_order(NuTable::map, {"category", "token", "filename", "log_tokens"});
    keys_in_order(NuTable::visibility, {"description", "token", "level"});
    keys_in_order(NuTable::sample_annotation,
                  {"token", "sample_token", "instance_token", "visibility_token", "attribute_tokens", "translation",
                   "size", "rotation", "prev", "next", "num_lidar_pts", "num_radar_pts"});
    keys_in_order(NuTable::ego_pose, {"token", "timestamp", "rotation", "translation"});
}

TEST(NuScenesWriter, UnwritableTargetGivesDatasetError) {
    TempDir dir;
    std::string blocker = dir.path() + "/file";
    std::ofstream(blocker) << "x";
    try {
        write_nuscenes(test::make_test_tables(), blocker, "v1.0-mini");
        FAIL() << "no error";
    } catch (const DatasetError & e) {
        EXPECT_NE(std::string(e.what()).find(blocker), std::string::npos) << e.what();
    }
}

TEST(NuScenesWriter, ReportsProgressAndHonoursCancel) {
    TempDir dir;
    int reports = 0;
    JobContext job([&](int64_t, int64_t, const std::string &) { ++reports; });
    write_nuscenes(test::make_test_tables(), dir.path(), "v1.0-mini", &job);
    EXPECT_EQ(reports, kNumNuTables + 1);
    job.cancel();
    EXPECT_THROW(write_nuscenes(test::make_test_tables(), dir.path(), "v1.0-mini", &job), JobCancelled);
}

}  // namespace
}  // namespace rs
