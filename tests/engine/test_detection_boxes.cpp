// Submission files, ground truth from a dataset, the devkit's distance / point / bike-rack filters,
// the evaluation splits, and the whole evaluation on the real nuScenes sample.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "engine/detection_boxes.h"
#include "engine/detection_eval.h"
#include "engine/file_io.h"
#include "engine/nuscenes_splits.h"
#include "nuscenes_test_data.h"

namespace rs {
namespace {

using test::TempDir;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

NuScenesDataset in_memory(NuScenesTables tables, const std::string & dataroot = "/nonexistent",
                          const std::string & version = "v1.0-mini") {
    LoadOptions opt;
    opt.check_files = false;
    return NuScenesDataset(dataroot, version, std::move(tables), opt);
}

template <class F>
std::string error_of(F f) {
    try {
        f();
    } catch (const DatasetError & e) {
        return e.what();
    }
    return "no error";
}

// --- submission files ----------------------------------------------------------------------------

const char * kBox =
    R"({"sample_token": "s1", "translation": [1.5, 2.0, 0.5], "size": [1.9, 4.5, 1.6], "rotation": [1, 0, 0, 0],
        "velocity": [NaN, 0.25], "detection_name": "car", "attribute_name": "vehicle.moving")";

std::string submission_text(const std::string & box_fields_tail) {
    return std::string(R"({"meta": {"use_camera": true, "use_lidar": false}, "results": {"s1": [)") + kBox +
           box_fields_tail + "}], \"s2\": []}}";
}

TEST(DetectionSubmission, ParsesBoxesWithDefaults) {
    DetectionSubmission s = parse_detection_submission(submission_text(""), "sub.json");
    ASSERT_EQ(s.results.samples().size(), 2u);
    EXPECT_EQ(s.results.samples()[0].token, "s1");
    EXPECT_EQ(s.results.samples()[1].token, "s2");
    EXPECT_TRUE(s.results.samples()[1].boxes.empty());
    const EvalBox & b = s.results.boxes("s1").at(0);
    EXPECT_EQ(b.translation.x, 1.5);
    EXPECT_EQ(b.size.y, 4.5);
    EXPECT_EQ(b.rotation.w, 1.0);
    EXPECT_TRUE(std::isnan(b.velocity.x));  // NaN velocities are allowed
    EXPECT_EQ(b.velocity.y, 0.25);
    EXPECT_EQ(b.detection_name, ObjectClass::car);
    EXPECT_EQ(b.detection_score, -1.0);
    EXPECT_EQ(b.num_pts, -1);
    EXPECT_EQ(b.attribute_name, "vehicle.moving");
    EXPECT_TRUE(s.meta.at("use_camera").as_bool());
    EXPECT_TRUE(s.results.boxes("unknown").empty());

    DetectionSubmission t = parse_detection_submission(
        submission_text(R"(, "detection_score": 1, "num_pts": 12.0, "ego_translation": [1, 2, 3])"), "sub.json");
    EXPECT_EQ(t.results.boxes("s1")[0].detection_score, 1.0);
    EXPECT_EQ(t.results.boxes("s1")[0].num_pts, 12);
    EXPECT_EQ(t.results.boxes("s1")[0].ego_translation.z, 3.0);
}

TEST(DetectionSubmission, RepeatedSampleKeepsFirstPositionAndLastList) {
    const std::string box = std::string(kBox) + "}";
    DetectionSubmission s = parse_detection_submission(
        R"({"meta": {}, "results": {"s1": [], "s2": [], "s1": [)" + box + ", " + box + "]}}", "sub.json");
    ASSERT_EQ(s.results.samples().size(), 2u);
    EXPECT_EQ(s.results.samples()[0].token, "s1");
    EXPECT_EQ(s.results.samples()[0].boxes.size(), 2u);
}

TEST(DetectionSubmission, SaveLoadRoundTrip) {
    TempDir dir;
    DetectionSubmission s =
        parse_detection_submission(submission_text(R"(, "detection_score": 0.75, "num_pts": 3)"), "x");
    const std::string path = dir.path() + "/results.json";
    save_detection_submission(path, s);
    DetectionSubmission back = load_detection_submission(path);
    EXPECT_EQ(detection_submission_json(back), detection_submission_json(s));
    const EvalBox & b = back.results.boxes("s1").at(0);
    EXPECT_EQ(b.detection_score, 0.75);
    EXPECT_EQ(b.num_pts, 3);
    EXPECT_TRUE(std::isnan(b.velocity.x));
    // Every DetectionBox field is written, as the devkit serialises boxes.
    const std::string text = read_file_text(path);
    for (const char * field : {"sample_token", "translation", "size", "rotation", "velocity", "ego_translation",
                               "num_pts", "detection_name", "detection_score", "attribute_name"})
        EXPECT_NE(text.find(std::string("\"") + field + "\""), std::string::npos) << field;
}

TEST(DetectionSubmission, ErrorsNameFileSampleBoxAndField) {
    auto parse_error = [](const std::string & tail) {
        return error_of([&] { parse_detection_submission(submission_text(tail), "sub.json"); });
    };
    EXPECT_EQ(parse_error(R"(, "size": [0, 1, 1])"),
              "sub.json: results['s1'][0], field 'size': every size must be > 0");
    EXPECT_EQ(parse_error(R"(, "translation": [NaN, 1, 1])"),
              "sub.json: results['s1'][0], field 'translation': must not be NaN or infinite");
    EXPECT_EQ(parse_error(R"(, "rotation": [1, 0, 0])"),
              "sub.json: results['s1'][0], field 'rotation': expected an array of 4 numbers");
    EXPECT_EQ(parse_error(R"(, "rotation": [1, 0, 0, NaN])"),
              "sub.json: results['s1'][0], field 'rotation': must not be NaN or infinite");
    EXPECT_EQ(parse_error(R"(, "velocity": [null, 0])"),
              "sub.json: results['s1'][0], field 'velocity': expected a number, got null");
    EXPECT_EQ(parse_error(R"(, "detection_name": "van")"),
              "sub.json: results['s1'][0], field 'detection_name': unknown class 'van'");
    EXPECT_EQ(parse_error(R"(, "attribute_name": "vehicle.flying")"),
              "sub.json: results['s1'][0], field 'attribute_name': unknown attribute 'vehicle.flying'");
    EXPECT_EQ(parse_error(R"(, "detection_score": NaN)"),
              "sub.json: results['s1'][0], field 'detection_score': must not be NaN or infinite");
    EXPECT_EQ(parse_error(R"(, "num_pts": 1.5)"), "sub.json: results['s1'][0], field 'num_pts': expected an integer");
    EXPECT_EQ(parse_error(R"(, "sample_token": "s2")"),
              "sub.json: results['s1'][0], field 'sample_token': is 's2', but the box is listed under 's1'");

    auto doc_error = [](const std::string & text) {
        return error_of([&] { parse_detection_submission(text, "sub.json"); });
    };
    EXPECT_NE(doc_error(R"({"meta": {}})").find("no field 'results'"), std::string::npos);
    EXPECT_EQ(doc_error(R"({"results": {}})"), "sub.json: no field 'meta'");
    EXPECT_EQ(doc_error(R"({"meta": {}, "results": {"s1": {}}})"),
              "sub.json: results['s1']: expected a list of boxes, got object");
    EXPECT_EQ(doc_error(R"({"meta": {}, "results": {"s1": [3]}})"),
              "sub.json: results['s1'][0]: expected a box object, got number");
    EXPECT_EQ(doc_error(R"({"meta": {}, "results": {"s1": [{"sample_token": "s1"}]}})"),
              "sub.json: results['s1'][0], field 'translation': missing");
    EXPECT_EQ(doc_error("[]"), "sub.json: expected a JSON object with 'meta' and 'results'");
    EXPECT_THROW(parse_detection_submission("{\"meta\": ", "sub.json"), SubmissionError);
}

TEST(DetectionSubmission, AtMostMaxBoxesPerSample) {
    std::string boxes;
    for (int i = 0; i < 3; ++i) boxes += std::string(i ? ", " : "") + kBox + "}";
    const std::string text = R"({"meta": {}, "results": {"s1": [)" + boxes + "]}}";
    EXPECT_EQ(parse_detection_submission(text, "sub.json", 3).results.num_boxes(), 3u);
    EXPECT_EQ(error_of([&] { parse_detection_submission(text, "sub.json", 2); }),
              "sub.json: results['s1'] has 3 boxes; at most 2 per sample are allowed");
}

TEST(DetectionSubmission, UnreadableFilesAreSubmissionErrors) {
    TempDir dir;
    EXPECT_THROW(load_detection_submission(dir.path() + "/missing.json"), SubmissionError);
    write_file_atomic(dir.path() + "/bad.json", std::string_view("{\"meta\": {}, \"results\": {"));
    const std::string msg = error_of([&] { load_detection_submission(dir.path() + "/bad.json"); });
    EXPECT_NE(msg.find("bad.json"), std::string::npos) << msg;
}

// --- ground truth --------------------------------------------------------------------------------

TEST(DetectionGroundTruth, BoxesOfASample) {
    NuScenesDataset ds = in_memory(test::make_test_tables());
    EvalBoxes gt = load_gt_boxes(ds, {"sample_0"});
    ASSERT_EQ(gt.samples().size(), 1u);
    const std::vector<EvalBox> & boxes = gt.boxes("sample_0");
    ASSERT_EQ(boxes.size(), 2u);

    const EvalBox & car = boxes[0];
    EXPECT_EQ(car.sample_token, "sample_0");
    EXPECT_EQ(car.detection_name, ObjectClass::car);
    EXPECT_EQ(car.attribute_name, "vehicle.moving");
    EXPECT_EQ(car.num_pts, 57 + 2);
    EXPECT_EQ(car.detection_score, -1.0);
    // Forward difference to the next annotation, 0.5 s later.
    EXPECT_NEAR(car.velocity.x, (373.5 - 373.2559901348878) / 0.5, 1e-9);
    EXPECT_NEAR(car.velocity.y, (1130.0 - 1130.419002166117) / 0.5, 1e-9);

    const EvalBox & ped = boxes[1];
    EXPECT_EQ(ped.detection_name, ObjectClass::pedestrian);
    EXPECT_EQ(ped.attribute_name, "");
    EXPECT_TRUE(std::isnan(ped.velocity.x) && std::isnan(ped.velocity.y));  // a single annotation

    EXPECT_THROW(load_gt_boxes(ds, {"no_such_sample"}), DatasetError);
    // ann_car_1 has two attributes.
    EXPECT_NE(error_of([&] { load_gt_boxes(ds, {"sample_1"}); }).find("'ann_car_1' has 2 attributes"),
              std::string::npos);
}

TEST(DetectionGroundTruth, VelocityTimeLimits) {
    NuScenesTables t = test::make_test_tables();
    // A third key frame 1 s after the second: the middle annotation gets a centred difference over
    // 1.5 s (limit 3 s), the ends one-sided ones (limit 1.5 s).
    t.sample[1].next = "sample_2";
    t.sample.push_back({"sample_2", t.sample[1].timestamp + 1000000, "sample_1", "", "scene_0"});
    t.scene[0].nbr_samples = 3;
    t.scene[0].last_sample_token = "sample_2";
    t.sample_annotation[2].next = "ann_car_2";
    t.sample_annotation.push_back({"ann_car_2", "sample_2", "inst_car", "", {}, {375.0, 1130.0, 0.8}, {1.9, 4.6, 1.7},
                                   Quat::from_yaw(0.3), "ann_car_1", "", 10, 0});
    t.instance[0].nbr_annotations = 3;
    t.instance[0].last_annotation_token = "ann_car_2";
    {
        NuScenesDataset ds = in_memory(t);
        const Vec3 mid = annotation_velocity(ds, ds.index(NuTable::sample_annotation, "ann_car_1"));
        EXPECT_NEAR(mid.x, (375.0 - 373.2559901348878) / 1.5, 1e-9);
        const Vec3 last = annotation_velocity(ds, ds.index(NuTable::sample_annotation, "ann_car_2"));
        EXPECT_NEAR(last.x, (375.0 - 373.5) / 1.0, 1e-9);
        // Tighter limits turn both into NaN.
        EXPECT_TRUE(std::isnan(annotation_velocity(ds, ds.index(NuTable::sample_annotation, "ann_car_1"), 0.7).x));
        EXPECT_TRUE(std::isnan(annotation_velocity(ds, ds.index(NuTable::sample_annotation, "ann_car_2"), 0.9).y));
    }
    // Over 3 s for the centred difference.
    t.sample[2].timestamp = t.sample[0].timestamp + 3000001;
    NuScenesDataset ds = in_memory(t);
    EXPECT_TRUE(std::isnan(annotation_velocity(ds, ds.index(NuTable::sample_annotation, "ann_car_1")).x));
}

TEST(DetectionGroundTruth, CenterDistanceFromTheLidarEgoPose) {
    NuScenesDataset ds = in_memory(test::make_test_tables());
    EvalBoxes gt = load_gt_boxes(ds, {"sample_0"});
    add_center_dist(ds, gt);
    const EvalBox & car = gt.boxes("sample_0")[0];
    // ep_lidar_0, not a camera's ego pose.
    EXPECT_NEAR(car.ego_translation.x, 373.2559901348878 - 411.3, 1e-9);
    EXPECT_NEAR(car.ego_translation.y, 1130.419002166117 - 1180.9, 1e-9);
    EXPECT_NEAR(car.ego_translation.z, 0.8, 1e-12);
    EXPECT_NEAR(car.ego_dist(), std::hypot(373.2559901348878 - 411.3, 1130.419002166117 - 1180.9), 1e-9);
}

// --- filters -------------------------------------------------------------------------------------

TEST(DetectionFilter, BoxContainsPointIsInclusive) {
    const Box3D box{{0, 0, 0}, {2, 4, 2}, Quat{1, 0, 0, 0}};  // x in [-2, 2], y in [-1, 1]
    EXPECT_TRUE(box_contains_point(box, {0, 0, 0}));
    EXPECT_TRUE(box_contains_point(box, {2, 1, 1}));  // a corner
    EXPECT_TRUE(box_contains_point(box, {-2, 0, -1}));  // projections equal to the edge lengths
    EXPECT_TRUE(box_contains_point(box, {-2, -1, -1}));
    EXPECT_FALSE(box_contains_point(box, {2.001, 0, 0}));
    EXPECT_FALSE(box_contains_point(box, {0, 1.001, 0}));
    EXPECT_FALSE(box_contains_point(box, {0, 0, -1.001}));
    // Rotated a quarter turn, the long side lies along y.
    const Box3D turned{{10, 0, 0}, {2, 4, 2}, Quat::from_yaw(kPi / 2)};
    EXPECT_TRUE(box_contains_point(turned, {10, 1.9, 0}));
    EXPECT_FALSE(box_contains_point(turned, {11.9, 0, 0}));
}

EvalBox placed(ObjectClass cls, Vec3 ego_offset, int64_t num_pts = -1) {
    EvalBox b;
    b.sample_token = "sample_0";
    b.detection_name = cls;
    b.size = {1, 1, 1};
    b.ego_translation = ego_offset;
    b.num_pts = num_pts;
    return b;
}

TEST(DetectionFilter, ClassRangeIsStrictAndEmptyBoxesGo) {
    NuScenesDataset ds = in_memory(test::make_test_tables());
    const std::array<double, kNumObjectClasses> range = detection_cvpr_2019().class_range;
    EvalBoxes boxes;
    boxes.add_boxes("sample_0", {placed(ObjectClass::car, {30, 40, 5}),        // exactly 50 m: dropped
                                 placed(ObjectClass::car, {30, 39.99, 100}),    // z is ignored
                                 placed(ObjectClass::pedestrian, {24, 32, 0}),  // exactly 40 m: dropped
                                 placed(ObjectClass::pedestrian, {24, 31.99, 0}),
                                 placed(ObjectClass::traffic_cone, {0, -29.99, 0}),
                                 placed(ObjectClass::barrier, {30, 0, 0}),
                                 placed(ObjectClass::truck, {1, 1, 0}, 0),      // GT without points
                                 placed(ObjectClass::truck, {1, 2, 0}, 5),
                                 placed(ObjectClass::bus, {1, 3, 0}, -1)});     // predictions: -1, kept
    FilterCounts counts = filter_eval_boxes(ds, boxes, range);
    EXPECT_EQ(counts.total, 9u);
    EXPECT_EQ(counts.after_distance, 6u);
    EXPECT_EQ(counts.after_points, 5u);
    EXPECT_EQ(counts.after_bike_racks, 5u);
    std::vector<double> kept_y;
    for (const EvalBox & b : boxes.boxes("sample_0")) kept_y.push_back(b.ego_translation.y);
    EXPECT_EQ(kept_y, (std::vector<double>{39.99, 31.99, -29.99, 2, 3}));
}

TEST(DetectionFilter, BikeRacksDropCyclesInside) {
    NuScenesTables t = test::make_test_tables();
    const Vec3 rack_center{380.0, 1140.0, 0.5};
    const Box3D rack{rack_center, {2, 6, 1.5}, Quat::from_yaw(0.5)};
    t.category.push_back({"cat_rack", "static_object.bicycle_rack", "", std::nullopt});
    t.instance.push_back({"inst_rack", "cat_rack", 1, "ann_rack", "ann_rack"});
    t.sample_annotation.push_back({"ann_rack", "sample_0", "inst_rack", "", {}, rack.center, rack.size, rack.rotation,
                                   "", "", 4, 0});
    NuScenesDataset ds = in_memory(t);

    auto at = [](ObjectClass cls, Vec3 p) {
        EvalBox b = placed(cls, {0, 0, 0});
        b.translation = p;
        return b;
    };
    const Vec3 forward = Quat::from_yaw(0.5).rotate({1, 0, 0});
    const std::array<Vec3, 8> corners = rack.corners();
    EvalBoxes boxes;
    boxes.add_boxes("sample_0", {at(ObjectClass::bicycle, rack_center),                       // inside: dropped
                                 at(ObjectClass::motorcycle, corners[0]),                     // on a corner: dropped
                                 at(ObjectClass::bicycle, rack_center + forward * 3.05),      // just past the end
                                 at(ObjectClass::car, rack_center),                           // not a cycle: kept
                                 at(ObjectClass::bicycle, rack_center + Vec3{0, 0, 0.8})});   // above it
    FilterCounts counts = filter_eval_boxes(ds, boxes, detection_cvpr_2019().class_range);
    EXPECT_EQ(counts.after_points, 5u);
    EXPECT_EQ(counts.after_bike_racks, 3u);
    const std::vector<EvalBox> & kept = boxes.boxes("sample_0");
    ASSERT_EQ(kept.size(), 3u);
    EXPECT_EQ(kept[0].detection_name, ObjectClass::bicycle);
    EXPECT_NEAR(kept[0].translation.x, rack_center.x + forward.x * 3.05, 1e-9);
    EXPECT_EQ(kept[1].detection_name, ObjectClass::car);
    EXPECT_NEAR(kept[2].translation.z, 1.3, 1e-12);
    // The rack is not a detection class, so it is not ground truth itself.
    EXPECT_EQ(load_gt_boxes(ds, {"sample_0"}).num_boxes(), 2u);
}

// --- splits --------------------------------------------------------------------------------------

int scene_number(const std::string & name) { return std::stoi(name.substr(6)); }

TEST(NuScenesSplits, PredefinedListsMatchTheDevkit) {
    struct Expect {
        const char * split;
        size_t count;
        const char * first;
        const char * last;
        long long weighted;  // sum of (position + 1) * scene number over the devkit's list
    };
    for (const Expect & e : {Expect{"train", 700, "scene-0001", "scene-1110", 177069210},
                             Expect{"val", 150, "scene-0003", "scene-1073", 8948397},
                             Expect{"test", 150, "scene-0077", "scene-1043", 8160048}}) {
        const std::vector<std::string> names = predefined_split_scenes(e.split);
        ASSERT_EQ(names.size(), e.count) << e.split;
        EXPECT_EQ(names.front(), e.first);
        EXPECT_EQ(names.back(), e.last);
        long long weighted = 0;
        for (size_t i = 0; i < names.size(); ++i) weighted += static_cast<long long>(i + 1) * scene_number(names[i]);
        EXPECT_EQ(weighted, e.weighted) << e.split;
    }
    EXPECT_EQ(predefined_split_scenes("mini_train"),
              (std::vector<std::string>{"scene-0061", "scene-0553", "scene-0655", "scene-0757", "scene-0796",
                                        "scene-1077", "scene-1094", "scene-1100"}));
    EXPECT_EQ(predefined_split_scenes("mini_val"), (std::vector<std::string>{"scene-0103", "scene-0916"}));
    // train + val + test: 1000 distinct scenes, as the devkit asserts.
    std::set<std::string> all;
    for (const char * s : {"train", "val", "test"})
        for (const std::string & n : predefined_split_scenes(s)) all.insert(n);
    EXPECT_EQ(all.size(), 1000u);
    EXPECT_TRUE(is_predefined_split("mini_val"));
    EXPECT_FALSE(is_predefined_split("train_detect"));
    EXPECT_THROW(predefined_split_scenes("holdout"), std::invalid_argument);
}

TEST(NuScenesSplits, VersionMustFitAPredefinedSplit) {
    NuScenesDataset mini = in_memory(test::make_test_tables());  // scene-0061, v1.0-mini
    EXPECT_EQ(split_sample_tokens(mini, "mini_train"), (std::vector<std::string>{"sample_0", "sample_1"}));
    EXPECT_TRUE(split_sample_tokens(mini, "mini_val").empty());
    EXPECT_NE(error_of([&] { split_sample_tokens(mini, "train"); }).find("ending in 'trainval'"), std::string::npos);
    EXPECT_THROW(split_sample_tokens(mini, "holdout"), DatasetError);
    NuScenesDataset trainval = in_memory(test::make_test_tables(), "/nonexistent", "v1.0-trainval");
    EXPECT_EQ(split_sample_tokens(trainval, "train").size(), 2u);
    EXPECT_THROW(split_sample_tokens(trainval, "mini_train"), DatasetError);
}

TEST(NuScenesSplits, DatasetSplitsFileWins) {
    TempDir dir;
    std::filesystem::create_directories(dir.path() + "/v1.0-trainval");
    // scene-0061 is in the devkit's train list; the dataset's own file puts it in val.
    write_custom_splits(dir.path(), "v1.0-trainval", {{"train", {}}, {"val", {"scene-0061", "scene-9999"}}});
    const std::string text = read_file_text(custom_splits_path(dir.path(), "v1.0-trainval"));
    EXPECT_EQ(parse_custom_splits(text, "splits.json"),
              (SceneSplits{{"train", {}}, {"val", {"scene-0061", "scene-9999"}}}));

    NuScenesDataset ds = in_memory(test::make_test_tables(), dir.path(), "v1.0-trainval");
    EXPECT_EQ(split_sample_tokens(ds, "val"), (std::vector<std::string>{"sample_0", "sample_1"}));
    EXPECT_TRUE(split_sample_tokens(ds, "train").empty());
    // Splits the file does not name fall back to the devkit's, with its version check.
    EXPECT_THROW(split_sample_tokens(ds, "mini_val"), DatasetError);

    EXPECT_THROW(parse_custom_splits(R"({"train": "scene-0001"})", "splits.json"), DatasetError);
    EXPECT_THROW(parse_custom_splits(R"({"train": [1]})", "splits.json"), DatasetError);
    EXPECT_THROW(parse_custom_splits("[]", "splits.json"), DatasetError);
    EXPECT_THROW(parse_custom_splits("{", "splits.json"), DatasetError);
}

// --- the real sample -----------------------------------------------------------------------------

using RealSample = test::NuScenesSampleTest;

TEST_F(RealSample, GroundTruthAsPredictionsScoresOneOnPresentClasses) {
    NuScenesDataset ds = load_nuscenes(test::nuscenes_sample_dir(), "v1.0-mini");
    const std::vector<std::string> tokens = split_sample_tokens(ds, "mini_train");
    ASSERT_EQ(tokens, (std::vector<std::string>{"ca9a282c9e77460f8360f564131a8af5"}));

    EvalBoxes gt = load_gt_boxes(ds, tokens);
    ASSERT_EQ(gt.num_boxes(), 68u);  // 69 annotations, one outside the ten classes
    for (const EvalBox & b : gt.boxes(tokens[0])) ASSERT_TRUE(std::isnan(b.velocity.x));  // one annotation per instance

    // The GT as a submission, scores falling with the list; num_pts goes along, so the GT boxes
    // without points are dropped from both sides.
    DetectionSubmission sub;
    sub.meta = Json::object();
    for (const char * k : {"use_camera", "use_lidar", "use_radar", "use_map", "use_external"})
        sub.meta.set(k, std::string(k) == "use_lidar");
    std::vector<EvalBox> boxes = gt.boxes(tokens[0]);
    for (size_t i = 0; i < boxes.size(); ++i) boxes[i].detection_score = 1.0 - 0.01 * static_cast<double>(i);
    sub.results.add_boxes(tokens[0], boxes);
    TempDir dir;
    const std::string results = dir.path() + "/results.json";
    save_detection_submission(results, sub);

    const std::string out = dir.path() + "/metrics";
    DetectionMetrics m = evaluate_submission(ds, tokens, results, out);

    // Within range after filtering: car, truck, pedestrian, traffic cone, barrier. The bus (53 m),
    // bicycle (64 m) and construction vehicle (72 m) are out of range.
    const std::set<ObjectClass> present = {ObjectClass::car, ObjectClass::truck, ObjectClass::pedestrian,
                                           ObjectClass::traffic_cone, ObjectClass::barrier};
    for (int c = 0; c < kNumObjectClasses; ++c) {
        const bool here = present.count(ObjectClass(c)) > 0;
        for (double ap : m.label_aps[c]) EXPECT_NEAR(ap, here ? 1.0 : 0.0, 1e-12) << class_name(ObjectClass(c));
        const auto & e = m.label_tp_errors[c];
        if (!here) {
            for (double v : e) EXPECT_EQ(v, 1.0) << class_name(ObjectClass(c));
            continue;
        }
        EXPECT_EQ(e[int(TpMetric::trans_err)], 0.0);
        EXPECT_EQ(e[int(TpMetric::scale_err)], 0.0);
    }
    // NaN GT velocities: every vel_err is NaN, which cummean turns into ones.
    for (ObjectClass c : {ObjectClass::car, ObjectClass::truck, ObjectClass::pedestrian}) {
        EXPECT_EQ(m.label_tp_errors[int(c)][int(TpMetric::vel_err)], 1.0);
        EXPECT_EQ(m.label_tp_errors[int(c)][int(TpMetric::attr_err)], 0.0);
        EXPECT_EQ(m.label_tp_errors[int(c)][int(TpMetric::orient_err)], 0.0);
    }
    EXPECT_EQ(m.label_tp_errors[int(ObjectClass::barrier)][int(TpMetric::orient_err)], 0.0);
    EXPECT_NEAR(m.mean_ap(), 0.5, 1e-12);
    const auto err = m.tp_errors();
    EXPECT_NEAR(err[int(TpMetric::trans_err)], 5.0 / 10, 1e-12);
    EXPECT_NEAR(err[int(TpMetric::scale_err)], 5.0 / 10, 1e-12);
    EXPECT_NEAR(err[int(TpMetric::orient_err)], 5.0 / 9, 1e-12);   // cones left out
    EXPECT_NEAR(err[int(TpMetric::vel_err)], 1.0, 1e-12);          // cones and barriers left out
    EXPECT_NEAR(err[int(TpMetric::attr_err)], 5.0 / 8, 1e-12);
    EXPECT_NEAR(m.nd_score(), (5 * 0.5 + 0.5 + 0.5 + 4.0 / 9 + 0 + 3.0 / 8) / 10, 1e-12);

    const Json summary = parse_json(read_file_text(out + "/metrics_summary.json"));
    EXPECT_EQ(summary.at("meta"), sub.meta);
    EXPECT_NEAR(summary.at("nd_score").as_double(), m.nd_score(), 0);
    EXPECT_TRUE(std::isnan(summary.at("label_tp_errors").at("traffic_cone").at("orient_err").as_double()));
    EXPECT_EQ(parse_json(read_file_text(out + "/metrics_details.json")).size(), 40u);
    // Indented by two like the devkit's json.dump(indent=2).
    EXPECT_EQ(read_file_text(out + "/metrics_summary.json").substr(0, 32), "{\n  \"label_aps\": {\n    \"car\": {\n");
}

TEST_F(RealSample, SubmissionMustCoverExactlyTheSplit) {
    NuScenesDataset ds = load_nuscenes(test::nuscenes_sample_dir(), "v1.0-mini");
    const std::vector<std::string> tokens = split_sample_tokens(ds, "mini_train");
    TempDir dir;
    DetectionSubmission sub;
    sub.meta = Json::object();
    const std::string path = dir.path() + "/results.json";

    save_detection_submission(path, sub);  // no samples at all
    EXPECT_NE(error_of([&] { evaluate_submission(ds, tokens, path, dir.path() + "/m"); })
                  .find("1 of 1 samples of the split are missing"),
              std::string::npos);

    sub.results.add_boxes(tokens[0], {});
    sub.results.add_boxes("not_in_split", {});
    save_detection_submission(path, sub);
    EXPECT_NE(error_of([&] { evaluate_submission(ds, tokens, path, dir.path() + "/m"); })
                  .find("results['not_in_split']: sample is not in the evaluated split"),
              std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(dir.path() + "/m/metrics_summary.json"));

    // Only empty lists: every AP 0 (the devkit itself fails on a submission without any box).
    DetectionSubmission empty;
    empty.meta = Json::object();
    empty.results.add_boxes(tokens[0], {});
    save_detection_submission(path, empty);
    DetectionMetrics m = evaluate_submission(ds, tokens, path, dir.path() + "/m");
    EXPECT_EQ(m.mean_ap(), 0.0);
    EXPECT_TRUE(std::filesystem::exists(dir.path() + "/m/metrics_details.json"));
}

}  // namespace
}  // namespace rs
