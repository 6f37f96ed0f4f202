#include "engine/detection_sample.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "engine/file_io.h"
#include "engine/json.h"
#include "nuscenes_test_data.h"

namespace rs {
namespace {

using test::nuscenes_sample_dir;

class DetectionSampleReal : public test::NuScenesSampleTest {};

LoadOptions no_file_check() {
    LoadOptions o;
    o.check_files = false;
    return o;
}

TEST_F(DetectionSampleReal, GroundTruthAfterMappingAndFilters) {
    NuScenesDataset ds = load_nuscenes(nuscenes_sample_dir(), "v1.0-mini");
    std::vector<DetectionSample> samples = load_detection_samples(ds, {"scene-0061"});
    ASSERT_EQ(samples.size(), 1u);
    const DetectionSample & s = samples[0];
    EXPECT_EQ(s.sample_token, "ca9a282c9e77460f8360f564131a8af5");
    // 69 annotations: 1 outside the ten classes, 3 more without points, 15 more outside ±51.2 m
    // (counted by an independent numpy script over the JSON tables).
    EXPECT_EQ(s.gt.size(), 50u);
    std::map<int, int> per_class;
    for (const GtBox & g : s.gt) {
        ++per_class[g.label];
        // Every instance has one annotation, so the devkit velocity is NaN and stays NaN.
        EXPECT_TRUE(std::isnan(g.box[7]) && std::isnan(g.box[8])) << g.annotation_token;
        EXPECT_GE(g.box[6], -kPi);
        EXPECT_LT(g.box[6], kPi);
        EXPECT_GT(g.box[3], 0);
    }
    // car 0, truck 1, barrier 5, pedestrian 8, traffic_cone 9.
    EXPECT_EQ(per_class, (std::map<int, int>{{0, 4}, {1, 2}, {5, 22}, {8, 19}, {9, 3}}));

    DetectionSampleOptions all;
    all.require_points = false;
    all.pc_range = {-1e9, -1e9, -1e9, 1e9, 1e9, 1e9};
    EXPECT_EQ(load_detection_samples(ds, {"scene-0061"}, all)[0].gt.size(), 68u);
    EXPECT_EQ(load_split_detection_samples(ds, "mini_train").size(), 1u);
    EXPECT_THROW(load_detection_samples(ds, {"scene-9999"}), DatasetError);
}

TEST_F(DetectionSampleReal, BoxAndVelocityInTheLidarFrame) {
    // A second annotation of the car 63b89fe1... 0.5 s later and 1 m further along global x gives
    // it the devkit velocity (2, 0) m/s (the missing prev is replaced by the annotation itself).
    NuScenesTables t = load_nuscenes(nuscenes_sample_dir(), "v1.0-mini").tables();
    const std::string car = "63b89fe17f3e41ecbe28337e0e35db8e";
    NuSample later = t.sample[0];
    later.token = "later_sample";
    later.timestamp += 500000;
    later.prev = t.sample[0].token;
    t.sample[0].next = later.token;
    t.sample.push_back(later);
    for (NuSampleAnnotation & a : t.sample_annotation)
        if (a.token == car) {
            NuSampleAnnotation next = a;
            next.token = "later_car";
            next.sample_token = later.token;
            next.translation.x += 1.0;
            next.prev = a.token;
            a.next = next.token;
            t.sample_annotation.push_back(next);
            break;
        }
    for (NuInstance & i : t.instance)
        if (i.first_annotation_token == car) {
            i.nbr_annotations = 2;
            i.last_annotation_token = "later_car";
        }
    NuScenesDataset ds(nuscenes_sample_dir(), "v1.0-mini", std::move(t), no_file_check());
    const DetectionSample s = make_detection_sample(ds, 0, {});
    auto g = std::find_if(s.gt.begin(), s.gt.end(), [&](const GtBox & b) { return b.annotation_token == car; });
    ASSERT_NE(g, s.gt.end());
    // numpy on the JSON tables: p = R_cs^T (R_ego^T (t - t_ego) - t_cs); yaw from pyquaternion's
    // yaw_pitch_roll of q_cs^-1 q_ego^-1 q_box, then -yaw - pi/2 wrapped; v = R_cs^T R_ego^T (2, 0, 0).
    EXPECT_NEAR(g->box[0], 9.14824518, 1e-6);
    EXPECT_NEAR(g->box[1], -19.54232695, 1e-6);
    EXPECT_NEAR(g->box[2], -1.64500707, 1e-6);
    EXPECT_DOUBLE_EQ(g->box[3], 1.837);
    EXPECT_DOUBLE_EQ(g->box[4], 4.32);
    EXPECT_DOUBLE_EQ(g->box[5], 1.631);
    EXPECT_NEAR(g->box[6], 0.12486145575720164, 1e-7);
    EXPECT_NEAR(g->box[7], -1.87807677, 1e-6);
    EXPECT_NEAR(g->box[8], -0.68760771, 1e-6);
    EXPECT_EQ(g->label, 0);
}

TEST_F(DetectionSampleReal, Lidar2ImgMatchesDevkitProjections) {
    NuScenesDataset ds = load_nuscenes(nuscenes_sample_dir(), "v1.0-mini");
    DetectionSampleOptions all;
    all.require_points = false;
    all.pc_range = {-1e9, -1e9, -1e9, 1e9, 1e9, 1e9};
    const DetectionSample s = load_detection_samples(ds, {"scene-0061"}, all)[0];
    std::map<std::string, Vec3> centre;
    for (const GtBox & g : s.gt) centre[g.annotation_token] = {g.box[0], g.box[1], g.box[2]};

    Json ref = parse_json(read_file_text(nuscenes_sample_dir() + "/devkit_projections.json"));
    int checked = 0, inside = 0;
    for (int c = 0; c < kNumBevCameras; ++c) {
        const CameraInput & cam = s.cameras[c];
        EXPECT_EQ(cam.channel, kBevCameraChannels[c]);
        EXPECT_EQ(cam.width, 1600);
        EXPECT_EQ(cam.height, 900);
        for (const Json & box : ref.at("cameras").at(cam.channel).as_array()) {
            auto it = centre.find(box.at("annotation_token").as_string());
            if (it == centre.end()) continue;
            const Mat4 & m = cam.lidar2img;
            const Vec3 p = it->second;
            double u = m(0, 0) * p.x + m(0, 1) * p.y + m(0, 2) * p.z + m(0, 3);
            double v = m(1, 0) * p.x + m(1, 1) * p.y + m(1, 2) * p.z + m(1, 3);
            double w = m(2, 0) * p.x + m(2, 1) * p.y + m(2, 2) * p.z + m(2, 3);
            EXPECT_NEAR(w, box.at("depth_m").as_double(), 1e-3) << cam.channel;
            EXPECT_NEAR(u / w, box.at("centre_px").at(0).as_double(), 0.01) << cam.channel;
            EXPECT_NEAR(v / w, box.at("centre_px").at(1).as_double(), 0.01) << cam.channel;
            // The devkit lists boxes with any corner in view; most have their centre in the image too.
            if (w > 0 && u / w >= 0 && u / w < 1600 && v / w >= 0 && v / w < 900) ++inside;
            ++checked;
        }
        EXPECT_DOUBLE_EQ(cam.lidar2img(3, 3), 1.0);
        EXPECT_DOUBLE_EQ(cam.lidar2img(3, 0), 0.0);
    }
    EXPECT_GT(checked, 60);
    EXPECT_GT(inside, checked * 3 / 4);
}

TEST_F(DetectionSampleReal, CanBusYawFieldsFromTheLidarEgoPose) {
    NuScenesDataset ds = load_nuscenes(nuscenes_sample_dir(), "v1.0-mini");
    const DetectionSample s = load_detection_samples(ds, {"scene-0061"})[0];
    // LIDAR_TOP ego pose: t (411.3039245605469, 1180.890380859375, 0), q (0.5720320, -0.0016978,
    // 0.0117980, -0.8201447); numpy: yaw = atan2(2(wz + xy), 1 - 2(y² + z²)) = -110.2168° -> +360.
    EXPECT_NEAR(s.can_bus[0], 411.3039245605469, 1e-9);
    EXPECT_NEAR(s.can_bus[1], 1180.890380859375, 1e-9);
    EXPECT_NEAR(s.can_bus[3], 0.5720320374256816, 1e-7);
    EXPECT_NEAR(s.can_bus[6], -0.8201446658133225, 1e-7);
    EXPECT_NEAR(s.can_bus[17], 249.78323681279625, 1e-6);
    EXPECT_NEAR(s.can_bus[16], 4.3595398986720015, 1e-8);
    // No can_bus/ folder in the sample: the CAN fields are zero.
    for (int k = 7; k < 16; ++k) EXPECT_EQ(s.can_bus[k], 0.0) << k;
}

TEST_F(DetectionSampleReal, CanFieldsFromTheFirstMessageAfterTheSample) {
    NuScenesDataset ds = load_nuscenes(nuscenes_sample_dir(), "v1.0-mini");
    const int64_t ts = ds.tables().sample[0].timestamp;
    auto message = [](int64_t utime, double base) {
        CanPoseMessage m;
        m.utime = utime;
        m.accel = {base, base + 1, base + 2};
        m.rotation_rate = {base + 3, base + 4, base + 5};
        m.vel = {base + 6, base + 7, base + 8};
        m.pos = {1e6, 1e6, 0};  // overwritten by the ego pose
        return m;
    };
    // The converter's loop variable after its break: the message at ts + 10 µs, not the one at ts.
    std::vector<CanPoseMessage> can = {message(ts - 20, 0), message(ts, 10), message(ts + 10, 20), message(ts + 30, 30)};
    DetectionSample s = make_detection_sample(ds, 0, can);
    for (int k = 0; k < 9; ++k) EXPECT_EQ(s.can_bus[7 + k], 20.0 + k) << k;
    EXPECT_NEAR(s.can_bus[0], 411.3039245605469, 1e-9);
    // No message after the sample: the last one.
    can.resize(2);
    s = make_detection_sample(ds, 0, can);
    EXPECT_EQ(s.can_bus[7], 10.0);
    EXPECT_EQ(s.can_bus[15], 18.0);
}

TEST_F(DetectionSampleReal, ErrorsNameTheSampleAndField) {
    const NuScenesTables base = load_nuscenes(nuscenes_sample_dir(), "v1.0-mini").tables();
    const std::string token = "ca9a282c9e77460f8360f564131a8af5";
    auto expect_error = [&](NuScenesTables t, const std::string & field) {
        NuScenesDataset ds(nuscenes_sample_dir(), "v1.0-mini", std::move(t), no_file_check());
        try {
            make_detection_sample(ds, 0, {});
            ADD_FAILURE() << "no error for " << field;
        } catch (const DatasetError & e) {
            std::string msg = e.what();
            EXPECT_NE(msg.find(token), std::string::npos) << msg;
            EXPECT_NE(msg.find(field), std::string::npos) << msg;
        }
    };
    auto channel_of = [&](const NuScenesTables & t, const NuSampleData & d) {
        for (const NuCalibratedSensor & c : t.calibrated_sensor)
            if (c.token == d.calibrated_sensor_token)
                for (const NuSensor & s : t.sensor)
                    if (s.token == c.sensor_token) return s.channel;
        return std::string();
    };

    NuScenesTables missing = base;
    missing.sample_data.erase(std::remove_if(missing.sample_data.begin(), missing.sample_data.end(),
                                             [&](const NuSampleData & d) { return channel_of(base, d) == "CAM_BACK"; }),
                              missing.sample_data.end());
    expect_error(missing, "no CAM_BACK key frame");

    // A CAM_* channel whose sensor is not marked a camera passes the reader's checks without intrinsics.
    NuScenesTables no_k = base;
    for (NuSensor & s : no_k.sensor)
        if (s.channel == "CAM_FRONT_LEFT") s.modality = "radar";
    for (NuCalibratedSensor & c : no_k.calibrated_sensor)
        for (const NuSensor & s : base.sensor)
            if (s.token == c.sensor_token && s.channel == "CAM_FRONT_LEFT") c.camera_intrinsic.reset();
    expect_error(no_k, "CAM_FRONT_LEFT calibrated_sensor has no camera_intrinsic");

    NuScenesTables nan_pose = base;
    for (const NuSampleData & d : base.sample_data)
        if (channel_of(base, d) == "LIDAR_TOP")
            for (NuEgoPose & e : nan_pose.ego_pose)
                if (e.token == d.ego_pose_token) e.translation.x = std::nan("");
    expect_error(nan_pose, "LIDAR_TOP ego_pose is not finite");
}

DetectionSample frame(const std::string & scene, double t_s) {
    DetectionSample s;
    s.scene_token = scene;
    s.timestamp = int64_t(std::llround(t_s * 1e6));
    return s;
}

TEST(DetectionSampleHistory, SameSceneWithinSpanSortedAndPadded) {
    // scene a at 0, 0.5, 1.0, 1.5, 2.0, 2.5 s; scene b at 10, 10.5 s.
    std::vector<DetectionSample> v;
    for (int k = 0; k < 6; ++k) v.push_back(frame("a", 0.5 * k));
    v.push_back(frame("b", 10.0));
    v.push_back(frame("b", 10.5));
    std::mt19937 rng(7);
    std::map<size_t, int> drawn;
    for (int trial = 0; trial < 200; ++trial) {
        std::vector<size_t> q = history_indices(v, 5, 3, 1.0, rng);  // candidates 3, 4 only (1.0 s)
        ASSERT_EQ(q, (std::vector<size_t>{3, 4, 5}));
        q = history_indices(v, 5, 3, 2.0, rng);  // candidates 1..4: two of them, sorted
        ASSERT_EQ(q.size(), 3u);
        EXPECT_LT(q[0], q[1]);
        EXPECT_GE(q[0], 1u);
        EXPECT_LE(q[1], 4u);
        EXPECT_EQ(q[2], 5u);
        ++drawn[q[0]];
        ++drawn[q[1]];
    }
    EXPECT_EQ(drawn.size(), 4u);  // every candidate gets drawn
    // First frame of scene b: nothing earlier in the scene, so the frame itself is repeated.
    EXPECT_EQ(history_indices(v, 6, 3, 2.0, rng), (std::vector<size_t>{6, 6, 6}));
    EXPECT_EQ(history_indices(v, 7, 4, 2.0, rng), (std::vector<size_t>{6, 6, 6, 7}));
    EXPECT_EQ(history_indices(v, 2, 1, 2.0, rng), (std::vector<size_t>{2}));
    EXPECT_THROW(history_indices(v, 8, 3, 2.0, rng), std::invalid_argument);
    EXPECT_THROW(history_indices(v, 0, 0, 2.0, rng), std::invalid_argument);
}

TEST(DetectionSampleCanBus, RelativeToPreviousFrame) {
    std::array<double, 18> prev{}, cur{};
    for (int k = 0; k < 18; ++k) {
        prev[k] = k;
        cur[k] = 2.0 * k + 1;
    }
    std::array<double, 18> r = relative_can_bus(cur, &prev);
    EXPECT_EQ(r[0], 1.0);
    EXPECT_EQ(r[1], 2.0);
    EXPECT_EQ(r[2], 3.0);
    EXPECT_EQ(r[17], 35.0 - 17.0);
    EXPECT_EQ(r[16], 33.0);  // the radian copy is left as is, like the official code
    EXPECT_EQ(r[5], 11.0);
    std::array<double, 18> first = relative_can_bus(cur, nullptr);
    EXPECT_EQ(first[0], 0.0);
    EXPECT_EQ(first[2], 0.0);
    EXPECT_EQ(first[17], 0.0);
    EXPECT_EQ(first[3], 7.0);
}

TEST(DetectionSampleLive, ProjectsLikeTheRenderedViews) {
    Pose ego;
    ego.translation = {120.0, -40.0, 0.0};
    ego.rotation = Quat::from_yaw(2.5);
    const auto rig = nuscenes_camera_rig(512, 288);
    std::vector<std::string> channels;
    std::vector<CameraView> views;
    // Shuffled: the sample orders cameras by BEVFormer's channel list, whatever the caller's order.
    for (int i : {3, 0, 5, 1, 4, 2}) {
        channels.push_back(rig[size_t(i)].channel);
        views.push_back(make_camera_view(rig[size_t(i)], ego));
    }
    CanPoseMessage can;
    can.accel = {1.5, 0.25, 0.0};
    can.rotation_rate = {0.0, 0.0, 0.1};
    can.vel = {8.0, 0.0, 0.0};
    const DetectionSample s = make_live_detection_sample(channels, views, ego, can, "live", 2'500'000);
    EXPECT_EQ(s.timestamp, 2'500'000);
    EXPECT_EQ(s.scene_token, "live");
    const Pose lidar2global = ego * nuscenes_lidar_mount();
    for (int c = 0; c < kNumBevCameras; ++c) {
        const CameraInput & cam = s.cameras[size_t(c)];
        ASSERT_EQ(cam.channel, kBevCameraChannels[size_t(c)]);
        EXPECT_EQ(cam.width, 512);
        EXPECT_EQ(cam.height, 288);
        const size_t v = size_t(std::find(channels.begin(), channels.end(), cam.channel) - channels.begin());
        // A point 12 m in front of this camera, 1 m right and 0.5 m down, projected both ways.
        const Vec3 world = views[v].camera_to_world.apply({1.0, 0.5, 12.0});
        const Vec2 expected = views[v].intrinsics.project(views[v].camera_to_world.apply_inverse(world));
        const Vec3 p = lidar2global.apply_inverse(world);
        double h[4];
        for (int r = 0; r < 4; ++r)
            h[r] = cam.lidar2img(r, 0) * p.x + cam.lidar2img(r, 1) * p.y + cam.lidar2img(r, 2) * p.z + cam.lidar2img(r, 3);
        EXPECT_NEAR(h[0] / h[2], expected.x, 1e-6) << cam.channel;
        EXPECT_NEAR(h[1] / h[2], expected.y, 1e-6) << cam.channel;
        EXPECT_NEAR(h[2], 12.0, 1e-6) << cam.channel;
    }
    EXPECT_EQ(s.can_bus[0], 120.0);
    EXPECT_EQ(s.can_bus[1], -40.0);
    EXPECT_NEAR(s.can_bus[17], 2.5 / kPi * 180.0, 1e-9);
    EXPECT_EQ(s.can_bus[7], 1.5);
    EXPECT_EQ(s.can_bus[8], 0.25);
    EXPECT_EQ(s.can_bus[12], 0.1);
    EXPECT_EQ(s.can_bus[13], 8.0);
    EXPECT_TRUE(s.gt.empty());

    channels.erase(channels.begin() + 2);  // CAM_BACK_RIGHT
    views.erase(views.begin() + 2);
    try {
        make_live_detection_sample(channels, views, ego, can, "live", 0);
        FAIL() << "expected an error";
    } catch (const std::invalid_argument & e) {
        EXPECT_NE(std::string(e.what()).find("CAM_BACK_RIGHT"), std::string::npos) << e.what();
    }
}

TEST(DetectionSampleClasses, BevformerOrder) {
    EXPECT_EQ(bev_class_index(ObjectClass::car), 0);
    EXPECT_EQ(bev_class_index(ObjectClass::construction_vehicle), 2);
    EXPECT_EQ(bev_class_index(ObjectClass::bus), 3);
    EXPECT_EQ(bev_class_index(ObjectClass::barrier), 5);
    EXPECT_EQ(bev_class_index(ObjectClass::pedestrian), 8);
    EXPECT_EQ(bev_class_index(ObjectClass::traffic_cone), 9);
}

}  // namespace
}  // namespace rs
