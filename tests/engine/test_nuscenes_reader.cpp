#include "engine/nuscenes_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>

#include "engine/json.h"
#include "engine/nuscenes_writer.h"
#include "tests/engine/nuscenes_test_data.h"

namespace rs {
namespace {

using test::NuScenesSampleTest;
using test::TempDir;

std::string read_text(const std::string & path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_text(const std::string & path, const std::string & text) { std::ofstream(path, std::ios::binary) << text; }

// ---- the real nuScenes sample ------------------------------------------------------------------

using RealSample = NuScenesSampleTest;

TEST_F(RealSample, LoadsTablesAndCounts) {
    NuScenesDataset ds = load_nuscenes(test::nuscenes_sample_dir(), "v1.0-mini");
    const NuScenesTables & t = ds.tables();
    EXPECT_EQ(t.scene.size(), 1u);
    EXPECT_EQ(t.sample.size(), 1u);
    EXPECT_EQ(t.sample_data.size(), 7u);
    EXPECT_EQ(t.ego_pose.size(), 7u);
    EXPECT_EQ(t.calibrated_sensor.size(), 7u);
    EXPECT_EQ(t.sensor.size(), 7u);
    EXPECT_EQ(t.sample_annotation.size(), 69u);
    EXPECT_EQ(t.instance.size(), 69u);
    EXPECT_EQ(t.attribute.size(), 8u);
    EXPECT_EQ(t.visibility.size(), 4u);
    EXPECT_EQ(t.log.size(), 1u);
    EXPECT_EQ(t.map.size(), 1u);

    const NuScene & scene = t.scene[0];
    EXPECT_EQ(scene.name, "scene-0061");
    EXPECT_EQ(scene.first_sample_token, "ca9a282c9e77460f8360f564131a8af5");
    const NuSample & sample = t.sample[0];
    EXPECT_EQ(sample.token, "ca9a282c9e77460f8360f564131a8af5");
    EXPECT_EQ(sample.timestamp, 1532402927647951);
    EXPECT_EQ(t.log[0].location, "singapore-onenorth");
    EXPECT_EQ(t.category[0].index, std::optional<int64_t>(1));

    const NuCalibratedSensor & front = t.calibrated_sensor[0];
    ASSERT_TRUE(front.camera_intrinsic.has_value());
    EXPECT_DOUBLE_EQ((*front.camera_intrinsic)(0, 0), 1266.417203046554);
    EXPECT_DOUBLE_EQ((*front.camera_intrinsic)(1, 2), 491.50706579294757);
    EXPECT_DOUBLE_EQ(front.rotation.w, 0.4998015430554756);
    EXPECT_DOUBLE_EQ(front.translation.x, 1.7007912397384644);
}

TEST_F(RealSample, ReverseIndexMatchesDevkit) {
    NuScenesDataset ds = load_nuscenes(test::nuscenes_sample_dir(), "v1.0-mini");
    const NuScenesTables & t = ds.tables();
    size_t sample = ds.index(NuTable::sample, "ca9a282c9e77460f8360f564131a8af5");

    // sample.data: one key frame per channel, channels in sample_data table order.
    const char * channels[] = {"CAM_FRONT", "CAM_FRONT_RIGHT", "CAM_FRONT_LEFT", "CAM_BACK",
                               "CAM_BACK_LEFT", "CAM_BACK_RIGHT", "LIDAR_TOP"};
    const auto & data = ds.sample_data_of(sample);
    ASSERT_EQ(data.size(), 7u);
    for (size_t i = 0; i < 7; ++i) {
        EXPECT_EQ(data[i].channel, channels[i]);
        const NuSampleData & sd = t.sample_data[data[i].sample_data];
        EXPECT_TRUE(sd.is_key_frame);
        EXPECT_NE(sd.filename.find(std::string("/") + channels[i] + "/"), std::string::npos) << sd.filename;
        EXPECT_EQ(ds.sensor_of(data[i].sample_data).channel, channels[i]);
        EXPECT_EQ(ds.sensor_of(data[i].sample_data).modality, i < 6 ? "camera" : "lidar");
        // In real data the ego pose token equals the sample_data token.
        EXPECT_EQ(ds.ego_pose_of(data[i].sample_data).token, sd.token);
        EXPECT_EQ(ds.ego_pose_of(data[i].sample_data).timestamp, sd.timestamp);
        EXPECT_EQ(ds.calibrated_sensor_of(data[i].sample_data).token, sd.calibrated_sensor_token);
    }
    EXPECT_EQ(t.sample_data[*ds.key_frame(sample, "CAM_FRONT")].token, "e3d495d4ac534d54b321f50006683844");
    EXPECT_EQ(t.sample_data[*ds.key_frame(sample, "LIDAR_TOP")].timestamp, 1532402927647951);
    EXPECT_FALSE(ds.key_frame(sample, "RADAR_FRONT").has_value());

    // sample.anns: every annotation, in table order.
    const auto & anns = ds.annotations_of(sample);
    ASSERT_EQ(anns.size(), 69u);
    for (size_t i = 0; i < anns.size(); ++i) EXPECT_EQ(anns[i], i);
    EXPECT_EQ(t.sample_annotation[anns[0]].token, "ef63a697930c4b20a6b9791f423351da");

    // category_name through instance -> category.
    EXPECT_EQ(ds.category_name(0), "human.pedestrian.adult");
    size_t bus = ds.index(NuTable::sample_annotation, "bfedb0d85e164b7697d1e72dd971fb72");
    EXPECT_EQ(ds.category_name(bus), "movable_object.pushable_pullable");
    for (size_t a = 0; a < t.sample_annotation.size(); ++a) {
        const NuInstance & inst = t.instance[ds.index(NuTable::instance, t.sample_annotation[a].instance_token)];
        EXPECT_EQ(ds.category_name(a), t.category[ds.index(NuTable::category, inst.category_token)].name);
    }

    // log.map_token through map.log_tokens.
    ASSERT_TRUE(ds.map_of(0).has_value());
    EXPECT_EQ(t.map[*ds.map_of(0)].token, "53992ee3023e5494b90c316c183be829");

    EXPECT_THROW(ds.index(NuTable::sample, "no-such-token"), DatasetError);
    EXPECT_FALSE(ds.find(NuTable::scene, "no-such-token").has_value());
}

TEST_F(RealSample, ProjectionsMatchDevkit) {
    NuScenesDataset ds = load_nuscenes(test::nuscenes_sample_dir(), "v1.0-mini");
    std::string path = test::nuscenes_sample_dir() + "/devkit_projections.json";
    Json ref = parse_json(read_text(path), path);
    size_t sample = 0;
    int boxes = 0;
    double worst_px = 0, worst_depth = 0;
    for (const auto & [channel, list] : ref.at("cameras").as_object()) {
        std::optional<size_t> sd = ds.key_frame(sample, channel);
        ASSERT_TRUE(sd.has_value()) << channel;
        for (const Json & box : list.as_array()) {
            const std::string & token = box.at("annotation_token").as_string();
            size_t ann = ds.index(NuTable::sample_annotation, token);
            EXPECT_EQ(ds.category_name(ann), box.at("category").as_string());
            std::optional<ProjectedBox> p = ds.project_annotation(ann, *sd);
            ASSERT_TRUE(p.has_value());
            auto check = [&](const Vec2 & got, const Json & want, const std::string & what) {
                double dx = std::abs(got.x - want.at(0).as_double());
                double dy = std::abs(got.y - want.at(1).as_double());
                worst_px = std::max({worst_px, dx, dy});
                EXPECT_LT(dx, 0.01) << channel << " " << token << " " << what;
                EXPECT_LT(dy, 0.01) << channel << " " << token << " " << what;
            };
            check(p->center, box.at("centre_px"), "centre");
            const Json & corners = box.at("corners_px");
            ASSERT_EQ(corners.size(), 8u);
            for (size_t c = 0; c < 8; ++c) check(p->corners[c], corners.at(c), "corner " + std::to_string(c));
            double dd = std::abs(p->depth - box.at("depth_m").as_double());
            worst_depth = std::max(worst_depth, dd);
            EXPECT_LT(dd, 0.001) << channel << " " << token << " depth";
            ++boxes;
        }
    }
    EXPECT_EQ(boxes, 85);
    // Lidar has no intrinsics, so nothing projects there.
    EXPECT_FALSE(ds.project_annotation(0, *ds.key_frame(sample, "LIDAR_TOP")).has_value());
    RecordProperty("worst_px", std::to_string(worst_px));
    RecordProperty("worst_depth_m", std::to_string(worst_depth));
}

TEST_F(RealSample, JsonRewritesEveryTableByteForByte) {
    // The sample files are Python's json.dump(indent=1): our writer reproduces them exactly.
    for (const char * name : kNuTableNames) {
        std::string path = test::nuscenes_sample_dir() + "/v1.0-mini/" + name + ".json";
        std::string text = read_text(path);
        JsonWriteOptions opt;
        opt.indent = 1;
        EXPECT_EQ(write_json(parse_json(text, path), opt), text) << path;
    }
}

TEST_F(RealSample, TableWriterReproducesFilesWithRealFieldOrder) {
    NuScenesDataset ds = load_nuscenes(test::nuscenes_sample_dir(), "v1.0-mini");
    for (int i = 0; i < kNumNuTables; ++i) {
        NuTable table = static_cast<NuTable>(i);
        std::string path = ds.table_path(table);
        std::string original = read_text(path);
        std::string written = nuscenes_table_json(ds.tables(), table);
        // The sample's scene, map and visibility files list fields in a different order than the
        // real nuScenes files, which the writer follows; the content is still the same.
        if (table == NuTable::scene || table == NuTable::map || table == NuTable::visibility) {
            NuScenesTables a, b;
            parse_nuscenes_table(table, original, path, a);
            parse_nuscenes_table(table, written, "written", b);
            EXPECT_EQ(nuscenes_table_json(a, table), nuscenes_table_json(b, table)) << path;
        } else {
            EXPECT_EQ(written, original) << path;
        }
    }
}

TEST_F(RealSample, LoadReportsProgressAndHonoursCancel) {
    int reports = 0;
    JobContext job([&](int64_t done, int64_t total, const std::string &) {
        EXPECT_LE(done, total);
        ++reports;
    });
    LoadOptions opt;
    opt.job = &job;
    load_nuscenes(test::nuscenes_sample_dir(), "v1.0-mini", opt);
    EXPECT_EQ(reports, kNumNuTables + 2);
    job.cancel();
    EXPECT_THROW(load_nuscenes(test::nuscenes_sample_dir(), "v1.0-mini", opt), JobCancelled);
}

// ---- synthetic datasets --------------------------------------------------------------------

TEST(NuScenesReader, LoadsSyntheticDatasetAndFollowsLinks) {
    TempDir dir;
    NuScenesTables tables = test::make_test_tables();
    test::write_test_dataset(tables, dir.path(), "v1.0-test");
    NuScenesDataset ds = load_nuscenes(dir.path(), "v1.0-test");
    ASSERT_EQ(ds.tables().sample.size(), 2u);
    size_t s1 = ds.index(NuTable::sample, "sample_1");
    ASSERT_EQ(ds.annotations_of(s1).size(), 1u);
    EXPECT_EQ(ds.tables().sample_annotation[ds.annotations_of(s1)[0]].token, "ann_car_1");
    EXPECT_EQ(ds.category_name(ds.annotations_of(s1)[0]), "vehicle.car");
    EXPECT_EQ(ds.annotations_of(ds.index(NuTable::sample, "sample_0")).size(), 2u);
    EXPECT_EQ(ds.tables().sample_data[*ds.key_frame(s1, "CAM_FRONT")].token, "sd_cam_1");
    EXPECT_EQ(ds.sensor_of(ds.index(NuTable::sample_data, "sd_lidar_1")).modality, "lidar");

    // Box into the camera equals one composed transform global -> sensor.
    size_t ann = ds.index(NuTable::sample_annotation, "ann_car_1");
    size_t sd = *ds.key_frame(s1, "CAM_FRONT");
    Pose sensor_to_global = ds.ego_to_global(sd) * ds.sensor_to_ego(sd);
    Box3D in_cam = ds.box_in_sensor(ann, sd);
    Vec3 expect = sensor_to_global.apply_inverse(ds.tables().sample_annotation[ann].translation);
    EXPECT_NEAR(in_cam.center.x, expect.x, 1e-9);
    EXPECT_NEAR(in_cam.center.y, expect.y, 1e-9);
    EXPECT_NEAR(in_cam.center.z, expect.z, 1e-9);
}

TEST(NuScenesReader, KeepsLastKeyFrameOfAChannelLikeTheDevkit) {
    NuScenesTables t = test::make_test_tables();
    NuSampleData extra = t.sample_data[0];
    extra.token = "sd_cam_0b";
    t.sample_data.insert(t.sample_data.begin() + 2, extra);
    NuScenesDataset ds("/nowhere", "v1.0-test", std::move(t), LoadOptions{false});
    const auto & data = ds.sample_data_of(ds.index(NuTable::sample, "sample_0"));
    ASSERT_EQ(data.size(), 2u);
    EXPECT_EQ(data[0].channel, "CAM_FRONT");
    EXPECT_EQ(ds.tables().sample_data[data[0].sample_data].token, "sd_cam_0b");
    EXPECT_EQ(data[1].channel, "LIDAR_TOP");
}

// One failure kind per case: a change to a valid dataset on disk and what the error must name.
struct BadInput {
    const char * name;
    std::function<void(NuScenesTables &)> edit_tables;
    std::function<void(const std::string & root)> edit_files;
    std::vector<std::string> expected;  // substrings of the DatasetError message
};

std::string table_file(const std::string & root, const char * table) {
    return root + "/v1.0-test/" + table + ".json";
}

std::vector<BadInput> bad_inputs() {
    std::vector<BadInput> cases;
    cases.push_back({"malformed json", nullptr,
                     [](const std::string & root) {
                         write_text(table_file(root, "sample"), "[\n {\n  \"token\": \"sample_0\",,\n }\n]");
                     },
                     {"sample.json:3:23:", "expected a string key", "table sample"}});
    cases.push_back({"missing table", nullptr,
                     [](const std::string & root) { std::filesystem::remove(table_file(root, "visibility")); },
                     {"visibility.json", "missing table file"}});
    cases.push_back({"not a list", nullptr,
                     [](const std::string & root) { write_text(table_file(root, "log"), "{\"token\": \"log_0\"}"); },
                     {"log.json", "table log", "expected a JSON array of records, got object"}});
    cases.push_back({"dangling token",
                     [](NuScenesTables & t) { t.sample_annotation[1].instance_token = "inst_gone"; }, nullptr,
                     {"sample_annotation.json", "ann_ped_0", "instance_token",
                      "'inst_gone' is not a token of table instance"}});
    cases.push_back({"dangling attribute",
                     [](NuScenesTables & t) { t.sample_annotation[2].attribute_tokens[1] = "attr_gone"; }, nullptr,
                     {"sample_annotation.json", "ann_car_1", "attribute_tokens", "attr_gone"}});
    cases.push_back({"dangling ego pose", [](NuScenesTables & t) { t.sample_data[3].ego_pose_token = ""; }, nullptr,
                     {"sample_data.json", "sd_lidar_1", "ego_pose_token",
                      "empty, expected a token of table ego_pose"}});
    cases.push_back({"dangling map log", [](NuScenesTables & t) { t.map[0].log_tokens.push_back("log_9"); }, nullptr,
                     {"map.json", "map_0", "log_tokens", "log_9"}});
    cases.push_back({"NaN translation",
                     [](NuScenesTables & t) { t.ego_pose[2].translation.y = std::numeric_limits<double>::quiet_NaN(); },
                     nullptr, {"ego_pose.json", "ep_cam_1", "translation", "non-finite number NaN"}});
    cases.push_back({"infinite box size",
                     [](NuScenesTables & t) {
                         t.sample_annotation[0].size.z = std::numeric_limits<double>::infinity();
                     },
                     nullptr, {"sample_annotation.json", "ann_car_0", "size", "non-finite number Infinity"}});
    cases.push_back({"non-unit quaternion",
                     [](NuScenesTables & t) { t.sample_annotation[1].rotation = Quat{1.0, 0.0, 0.0, 0.1}; }, nullptr,
                     {"sample_annotation.json", "ann_ped_0", "rotation",
                      "quaternion norm 1.004987562112089 is not 1"}});
    cases.push_back({"zero calibration quaternion",
                     [](NuScenesTables & t) { t.calibrated_sensor[1].rotation = Quat{0, 0, 0, 0}; }, nullptr,
                     {"calibrated_sensor.json", "cs_lidar", "rotation", "quaternion norm 0.0"}});
    cases.push_back({"negative size", [](NuScenesTables & t) { t.sample_annotation[2].size.x = -1.9; }, nullptr,
                     {"sample_annotation.json", "ann_car_1", "size", "negative value -1.9"}});
    cases.push_back({"negative count", [](NuScenesTables & t) { t.sample_annotation[0].num_lidar_pts = -3; }, nullptr,
                     {"sample_annotation.json", "ann_car_0", "num_lidar_pts", "negative value -3"}});
    cases.push_back({"missing image", nullptr,
                     [](const std::string & root) { std::filesystem::remove(root + "/samples/CAM_FRONT/cam_1.jpg"); },
                     {"sample_data.json", "sd_cam_1", "filename", "samples/CAM_FRONT/cam_1.jpg", "not found"}});
    cases.push_back({"missing map file", nullptr,
                     [](const std::string & root) { std::filesystem::remove(root + "/maps/map_0.png"); },
                     {"map.json", "map_0", "filename", "not found"}});
    cases.push_back({"duplicate token", [](NuScenesTables & t) { t.instance[1].token = "inst_car"; }, nullptr,
                     {"instance.json", "record #1", "inst_car", "duplicate token (first at record #0)"}});
    cases.push_back({"camera without intrinsic",
                     [](NuScenesTables & t) { t.calibrated_sensor[0].camera_intrinsic.reset(); }, nullptr,
                     {"calibrated_sensor.json", "cs_cam", "camera_intrinsic", "'CAM_FRONT' is a camera"}});
    cases.push_back({"unknown modality", [](NuScenesTables & t) { t.sensor[1].modality = "sonar"; }, nullptr,
                     {"sensor.json", "sensor_lidar", "modality", "'sonar'"}});
    auto replace_in = [](const char * table, std::string from, std::string to) {
        return [=](const std::string & root) {
            std::string path = table_file(root, table);
            std::string text = read_text(path);
            size_t at = text.find(from);
            ASSERT_NE(at, std::string::npos) << from;
            write_text(path, text.replace(at, from.size(), to));
        };
    };
    cases.push_back({"missing field", nullptr, replace_in("sample", "\"timestamp\": 1532402928147951,", ""),
                     {"sample.json", "sample_1", "timestamp", "missing field"}});
    cases.push_back({"missing token", nullptr, replace_in("scene", "\"token\": \"scene_0\",", ""),
                     {"scene.json", "record #0", "'token'", "missing field"}});
    cases.push_back({"wrong type", nullptr, replace_in("sample_data", "\"width\": 1600", "\"width\": \"1600\""),
                     {"sample_data.json", "sd_cam_0", "width", "expected an integer, got string"}});
    cases.push_back({"fractional integer", nullptr, replace_in("sample_data", "\"height\": 900", "\"height\": 900.5"),
                     {"sample_data.json", "sd_cam_0", "height", "expected an integer, got 900.5"}});
    cases.push_back({"short vector", nullptr, replace_in("calibrated_sensor", ",\n   1.51096\n", "\n"),
                     {"calibrated_sensor.json", "cs_cam", "translation", "expected 3 numbers, got 2 elements"}});
    cases.push_back({"bad intrinsic", nullptr,
                     replace_in("calibrated_sensor", "    1.0\n   ]\n  ]", "    \"1\"\n   ]\n  ]"),
                     {"calibrated_sensor.json", "cs_cam", "camera_intrinsic", "got an element of type string"}});
    cases.push_back({"record not an object", nullptr, replace_in("attribute", "[\n {", "[\n 7,\n {"),
                     {"attribute.json", "record #0", "expected an object, got number"}});
    return cases;
}

TEST(NuScenesReader, BadInputGivesDatasetErrorNamingFileTokenAndField) {
    for (const BadInput & c : bad_inputs()) {
        SCOPED_TRACE(c.name);
        TempDir dir;
        NuScenesTables tables = test::make_test_tables();
        if (c.edit_tables) c.edit_tables(tables);
        test::write_test_dataset(tables, dir.path(), "v1.0-test");
        if (c.edit_files) c.edit_files(dir.path());
        try {
            load_nuscenes(dir.path(), "v1.0-test");
            ADD_FAILURE() << "loaded without error";
        } catch (const DatasetError & e) {
            std::string message = e.what();
            for (const std::string & s : c.expected)
                EXPECT_NE(message.find(s), std::string::npos) << message << "\n  lacks: " << s;
        }
    }
}

TEST(NuScenesReader, FileChecksCanBeSkipped) {
    TempDir dir;
    NuScenesTables tables = test::make_test_tables();
    write_nuscenes(tables, dir.path(), "v1.0-test");  // tables only, no images or point clouds
    EXPECT_THROW(load_nuscenes(dir.path(), "v1.0-test"), DatasetError);
    LoadOptions opt;
    opt.check_files = false;
    EXPECT_EQ(load_nuscenes(dir.path(), "v1.0-test", opt).tables().sample_data.size(), 4u);
}

TEST(NuScenesReader, QuaternionToleranceIsAnOption) {
    NuScenesTables t = test::make_test_tables();
    t.sample_annotation[0].rotation = Quat{1.0005, 0, 0, 0};
    std::string text = nuscenes_table_json(t, NuTable::sample_annotation);
    NuScenesTables out;
    EXPECT_NO_THROW(parse_nuscenes_table(NuTable::sample_annotation, text, "a.json", out));
    LoadOptions strict;
    strict.quaternion_tolerance = 1e-4;
    NuScenesTables out2;
    EXPECT_THROW(parse_nuscenes_table(NuTable::sample_annotation, text, "a.json", out2, strict), DatasetError);
}

TEST(NuScenesReader, AcceptsRecordsWithExtraFieldsAndAnyFieldOrder) {
    NuScenesTables t;
    parse_nuscenes_table(
        NuTable::sensor,
        R"([{"modality": "radar", "extra": [1, {"x": null}], "channel": "RADAR_FRONT", "token": "s"}])",
        "sensor.json", t);
    ASSERT_EQ(t.sensor.size(), 1u);
    EXPECT_EQ(t.sensor[0].channel, "RADAR_FRONT");
    EXPECT_EQ(t.sensor[0].modality, "radar");
    parse_nuscenes_table(NuTable::category, R"([{"token": "c", "name": "animal", "description": ""}])",
                         "category.json", t);
    EXPECT_FALSE(t.category[0].index.has_value());
}

}  // namespace
}  // namespace rs
