// End-to-end checks of generated data: world -> Vulkan renderer -> nuScenes tables -> reader.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "engine/dataset_generator.h"
#include "engine/file_io.h"
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

}  // namespace

TEST(GeneratedDataset, WriteReadAndDeterminism) {
    auto renderer = make_renderer();
    if (!renderer) GTEST_SKIP() << "no Vulkan device";
    fs::path a = fresh_dir("gen_a"), b = fresh_dir("gen_b");
    JobContext job;
    GenerateSummary s = generate_dataset(small_options(a), *renderer, job);
    EXPECT_EQ(s.scenes, 1);
    EXPECT_EQ(s.samples, 3);                          // 1 s at 2 Hz, both ends included
    EXPECT_EQ(s.sample_data, 3 * 7 + 2 * 5 * 6);      // keyframes: 6 cameras + lidar; 10 sweep frames
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
    int with_points = 0;
    for (const NuSampleAnnotation & ann : t.sample_annotation) with_points += ann.num_lidar_pts > 0;
    EXPECT_GT(with_points, 0);

    // Same seed -> byte-identical tables.
    generate_dataset(small_options(b), *renderer, job);
    for (const char * table : kNuTableNames) {
        std::string rel = std::string("v1.0-mini/") + table + ".json";
        EXPECT_EQ(read_file_text((a / rel).string()), read_file_text((b / rel).string())) << rel;
    }
    fs::remove_all(a);
    fs::remove_all(b);
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
