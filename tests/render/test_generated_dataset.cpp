// End-to-end checks of generated data: world -> Vulkan renderer -> nuScenes tables -> reader.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "engine/dataset_generator.h"
#include "engine/file_io.h"
#include "engine/lidar.h"
#include "engine/nuscenes_reader.h"
#include "engine/nuscenes_splits.h"
#include "engine/visibility.h"
#include "render/offscreen_camera_renderer.h"

namespace fs = std::filesystem;
using namespace rs;

namespace {

std::unique_ptr<OffscreenCameraRenderer> make_renderer() {
    try {
        return std::make_unique<OffscreenCameraRenderer>();
    } catch (const std::exception & e) {
        const char * ci = std::getenv("CI");
        if (ci && std::string(ci) == "true") ADD_FAILURE() << "no Vulkan device under CI: " << e.what();
        return nullptr;
    }
}

fs::path fresh_dir(const std::string & name) {
    fs::path p = fs::temp_directory_path() / ("roadsight_test_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(p);
    return p;
}

GenerateOptions small_options(const fs::path & out) {
    GenerateOptions o;
    o.out_dir = out.string();
    o.version = "v1.0-mini";
    o.scenes = 1;
    o.seconds = 1.0;
    o.seed = 7;
    o.width = 320;
    o.height = 180;
    o.warmup_seconds = 1.0;
    o.scenario.town_blocks = 3;
    return o;
}

// LIDAR_TOP as nuScenes records it: one chain per scene at 20 Hz through keyframes (samples/) and
// sweeps (sweeps/), each record with its own ego pose, and a sweep belonging to the next keyframe.
// `per_key`: records per keyframe interval, 10 with the sweeps and 1 without.
void check_lidar_chain(const NuScenesDataset & ds, int expected_records, int per_key = 10) {
    const NuScenesTables & t = ds.tables();
    std::vector<size_t> lidar;
    size_t first = SIZE_MAX;
    for (size_t i = 0; i < t.sample_data.size(); ++i)
        if (ds.sensor_of(i).channel == "LIDAR_TOP") {
            lidar.push_back(i);
            if (t.sample_data[i].prev.empty()) first = i;
        }
    ASSERT_EQ(int(lidar.size()), expected_records);
    ASSERT_NE(first, SIZE_MAX);

    std::vector<size_t> chain;
    for (size_t i = first;;) {
        chain.push_back(i);
        if (t.sample_data[i].next.empty() || chain.size() > lidar.size()) break;
        size_t next = ds.index(NuTable::sample_data, t.sample_data[i].next);
        EXPECT_EQ(t.sample_data[next].prev, t.sample_data[i].token);
        i = next;
    }
    ASSERT_EQ(chain.size(), lidar.size()) << "prev/next must link every LIDAR_TOP record of the scene";

    for (size_t k = 0; k < chain.size(); ++k) {
        const NuSampleData & sd = t.sample_data[chain[k]];
        const bool key = k % per_key == 0;  // 20 Hz sweeps, 2 Hz keyframes
        EXPECT_EQ(sd.is_key_frame, key) << k;
        if (k > 0) {
            EXPECT_NEAR(double(sd.timestamp - t.sample_data[chain[k - 1]].timestamp), 500000.0 / per_key, 1.0) << k;
        }
        EXPECT_EQ(sd.fileformat, "pcd");
        EXPECT_EQ(sd.width, 0);
        EXPECT_EQ(sd.height, 0);
        EXPECT_EQ(sd.filename.rfind(key ? "samples/LIDAR_TOP/" : "sweeps/LIDAR_TOP/", 0), 0u) << sd.filename;
        EXPECT_EQ(ds.ego_pose_of(chain[k]).timestamp, sd.timestamp);
        EXPECT_EQ(sd.calibrated_sensor_token, t.sample_data[chain[0]].calibrated_sensor_token);

        // nuScenes: a keyframe shares its sample's timestamp; a sweep points at the sample that follows it most closely.
        const NuSample * owner = nullptr;
        for (const NuSample & smp : t.sample)
            if (smp.timestamp >= sd.timestamp && (!owner || smp.timestamp < owner->timestamp)) owner = &smp;
        ASSERT_NE(owner, nullptr) << k;
        EXPECT_EQ(sd.sample_token, owner->token) << k;
        if (key) {
            EXPECT_EQ(owner->timestamp, sd.timestamp);
        }

        const std::string path = ds.dataroot() + "/" + sd.filename;
        ASSERT_TRUE(fs::exists(path)) << path;
        EXPECT_EQ(fs::file_size(path) % sizeof(LidarPoint), 0u);
        std::vector<LidarPoint> points = read_pcd_bin(path);
        EXPECT_GT(points.size(), 5000u) << path;  // a town street returns most of the 34,560 firings
        EXPECT_LE(points.size(), size_t(kLidarBeams) * LidarConfig{}.azimuth_steps);
        for (const LidarPoint & p : points) {
            ASSERT_TRUE(p.ring >= 0 && p.ring < kLidarBeams && p.ring == std::floor(p.ring)) << path;
            ASSERT_LE(std::hypot(p.x, p.y, p.z), LidarConfig{}.max_range + 1e-3) << path;
        }
    }
    for (size_t s = 0; s < t.sample.size(); ++s) {
        auto key = ds.key_frame(s, "LIDAR_TOP");
        ASSERT_TRUE(key.has_value());
        EXPECT_EQ(t.sample_data[*key].timestamp, t.sample[s].timestamp);
    }
}

}  // namespace

TEST(GeneratedDataset, WriteReadAndDeterminism) {
    auto renderer = make_renderer();
    if (!renderer) GTEST_SKIP() << "no Vulkan device";
    fs::path a = fresh_dir("gen_a"), b = fresh_dir("gen_b");
    JobContext job;
    GenerateSummary s = generate_dataset(small_options(a), *renderer, job);
    EXPECT_EQ(s.scenes, 1);
    EXPECT_EQ(s.samples, 3);                          // 1 s at 2 Hz, both ends included
    // 1 s: cameras at 12 Hz and LIDAR_TOP at 20 Hz, both ends included.
    EXPECT_EQ(s.camera_frames, 12 + 1);
    EXPECT_EQ(s.lidar_sweeps, 20 + 1);
    EXPECT_EQ(s.sample_data, 6 * s.camera_frames + s.lidar_sweeps);
    EXPECT_GT(s.annotations, 0);
    EXPECT_FALSE(fs::exists(a.string() + ".partial"));

    NuScenesDataset ds = load_nuscenes(a.string(), "v1.0-mini");
    const NuScenesTables & t = ds.tables();
    EXPECT_EQ(t.scene.size(), 1u);
    EXPECT_EQ(t.sample.size(), 3u);
    EXPECT_EQ(int(t.sample_annotation.size()), s.annotations);
    for (size_t i = 0; i < t.sample.size(); ++i) {
        EXPECT_TRUE(ds.key_frame(i, "CAM_FRONT").has_value());
        EXPECT_TRUE(ds.key_frame(i, "LIDAR_TOP").has_value());
    }
    EXPECT_EQ(split_scene_names(ds, "train"), std::vector<std::string>{"scene-0001"});
    check_lidar_chain(ds, s.lidar_sweeps);
    int with_points = 0;
    for (const NuSampleAnnotation & ann : t.sample_annotation) with_points += ann.num_lidar_pts > 0;
    EXPECT_GT(with_points, 0);

    // Same seed -> byte-identical tables.
    generate_dataset(small_options(b), *renderer, job);
    for (const char * table : kNuTableNames) {
        std::string rel = std::string("v1.0-mini/") + table + ".json";
        EXPECT_EQ(read_file_text((a / rel).string()), read_file_text((b / rel).string())) << rel;
    }
    for (const NuSampleData & sd : t.sample_data) {
        if (sd.fileformat != "pcd") continue;
        EXPECT_EQ(read_file_text((a / sd.filename).string()), read_file_text((b / sd.filename).string())) << sd.filename;
    }

    // Without the 20 Hz sweeps: lidar at keyframes only, the same world and the same annotations
    // (num_lidar_pts comes from the keyframe scan).
    fs::path c = fresh_dir("gen_c");
    GenerateOptions no_sweeps = small_options(c);
    no_sweeps.lidar_sweeps = false;
    GenerateSummary sc = generate_dataset(no_sweeps, *renderer, job);
    EXPECT_EQ(sc.lidar_sweeps, sc.samples);
    EXPECT_EQ(sc.camera_frames, s.camera_frames);
    EXPECT_EQ(sc.sample_data, 6 * sc.camera_frames + sc.samples);
    EXPECT_FALSE(fs::exists(c / "sweeps" / "LIDAR_TOP"));
    check_lidar_chain(load_nuscenes(c.string(), "v1.0-mini"), sc.lidar_sweeps, 1);
    for (const char * table : {"sample.json", "sample_annotation.json", "instance.json", "scene.json"}) {
        std::string rel = std::string("v1.0-mini/") + table;
        EXPECT_EQ(read_file_text((a / rel).string()), read_file_text((c / rel).string())) << rel;
    }
    fs::remove_all(a);
    fs::remove_all(b);
    fs::remove_all(c);
}

TEST(GeneratedDataset, RefusesToOverwrite) {
    auto renderer = make_renderer();
    if (!renderer) GTEST_SKIP() << "no Vulkan device";
    fs::path out = fresh_dir("exists");
    fs::create_directories(out);
    JobContext job;
    EXPECT_THROW(generate_dataset(small_options(out), *renderer, job), std::invalid_argument);
    EXPECT_TRUE(fs::exists(out));
    fs::remove_all(out);
}

// The bar: for >= 95 % of annotations more than 40 % visible, the projected box centre
// lands on a pixel of that instance in the instance-id pass of a camera that sees the centre.
TEST(GeneratedDataset, ProjectedCentresHitTheirInstance) {
    auto renderer = make_renderer();
    if (!renderer) GTEST_SKIP() << "no Vulkan device";
    auto rig = nuscenes_camera_rig(800, 450);
    int checked = 0, hit = 0;
    SceneMesh dyn;
    std::vector<CameraImage> images;
    // Four towns, eight keyframes each: a sample large enough that the rate is not one street's luck.
    for (uint64_t seed = 1; seed <= 4; ++seed) {
        Scenario sc;
        sc.seed = seed;
        World world(sc);
        for (int s = 0; s < 120; ++s) world.step();
        renderer->set_static_scene(world.static_mesh());
        for (int frame = 0; frame < 8; ++frame) {
            for (int s = 0; s < 60; ++s) world.step();
            std::vector<CameraView> views;
            for (const CameraSpec & c : rig) views.push_back(make_camera_view(c, world.ego().pose));
            world.build_dynamic_mesh(dyn);
            renderer->render(dyn, views, world.lighting(), images);
            std::vector<AgentState> agents = world.agents();
            std::vector<uint32_t> ids;
            for (const AgentState & a : agents) ids.push_back(a.instance_id);
            std::vector<VisibilityResult> vis = compute_visibility(dyn, views, images, ids);
            for (size_t i = 0; i < agents.size(); ++i) {
                // Only what the generator annotates: agents within its range of the ego.
                Vec3 d = agents[i].box.translation - world.ego().pose.translation;
                if (std::hypot(d.x, d.y) >= GenerateOptions{}.annotation_range || vis[i].fraction <= 0.4) continue;
                bool in_view = false, on_instance = false;
                for (int c = 0; c < kNumCameras; ++c) {
                    Vec3 p = views[c].camera_to_world.apply_inverse(agents[i].box.translation);
                    if (p.z <= views[c].near_plane) continue;
                    Vec2 px = views[c].intrinsics.project(p);
                    int u = int(std::floor(px.x)), v = int(std::floor(px.y));
                    if (u < 0 || v < 0 || u >= views[c].width || v >= views[c].height) continue;
                    in_view = true;
                    on_instance |= images[c].instance_ids[size_t(v) * views[c].width + u] == agents[i].instance_id;
                }
                if (!in_view) continue;
                checked++;
                hit += on_instance;
            }
        }
    }
    ASSERT_GT(checked, 200) << "too few visible annotations to judge";
    double ratio = double(hit) / checked;
    std::printf("projected centres on their instance: %d / %d = %.1f %%\n", hit, checked, 100 * ratio);
    EXPECT_GE(ratio, 0.95);
}
