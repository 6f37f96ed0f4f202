#include "engine/dataset_generator.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <future>
#include <map>
#include <stdexcept>

#include "engine/can_bus.h"
#include "engine/jpeg_codec.h"
#include "engine/lidar.h"
#include "engine/mesh_bvh.h"
#include "engine/nuscenes_splits.h"
#include "engine/nuscenes_writer.h"
#include "engine/png_writer.h"
#include "engine/token.h"
#include "engine/visibility.h"

namespace fs = std::filesystem;

namespace rs {

namespace {

// Sensors tick on the 60 Hz simulation clock, so every keyframe is both a camera frame and a lidar sweep.
constexpr int kStepsPerCameraFrame = 5;   // 60 Hz simulation / 12 Hz cameras
constexpr int kStepsPerLidarSweep = 3;    // 60 Hz simulation / 20 Hz LIDAR_TOP (kLidarRateHz)
constexpr int kStepsPerKey = 30;          // 60 Hz simulation / 2 Hz keyframes
static_assert(kStepsPerLidarSweep * kLidarRateHz == 60.0, "lidar sweeps must follow the sensor's spin rate");
constexpr int64_t kEpochUs = 1700000000000000;  // 2023-11-14T22:13:20Z, first scene start
constexpr double kMapResolution = 1.0;    // metres per map pixel
constexpr int kMapSize = 1024;            // pixels per side, centred on the ego's start

const char * const kVisibilityLevels[4] = {"v0-40", "v40-60", "v60-80", "v80-100"};
const char * const kVisibilityText[4] = {
    "visibility of whole object is between 0 and 40%", "visibility of whole object is between 40 and 60%",
    "visibility of whole object is between 60 and 80%", "visibility of whole object is between 80 and 100%"};

std::string scene_name(int index) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "scene-%04d", index + 1);
    return buf;
}

std::string hex64(uint64_t v) {
    char buf[20];
    std::snprintf(buf, sizeof buf, "%016llx", (unsigned long long)v);
    return buf;
}

// Tables every generated dataset shares: sensors, categories, attributes, visibility levels.
void add_fixed_tables(NuScenesTables & t, const std::array<CameraSpec, kNumCameras> & rig) {
    for (const CameraSpec & c : rig) t.sensor.push_back({make_token("sensor/" + c.channel), c.channel, "camera"});
    t.sensor.push_back({make_token("sensor/LIDAR_TOP"), "LIDAR_TOP", "lidar"});
    for (int i = 0; i < kNumObjectClasses; ++i) {
        std::string name = class_category(ObjectClass(i));
        t.category.push_back({make_token("category/" + name), name, "", std::nullopt});
    }
    for (const char * a : kAttributeNames) t.attribute.push_back({make_token(std::string("attribute/") + a), a, ""});
    for (int i = 0; i < 4; ++i) t.visibility.push_back({kVisibilityText[i], std::to_string(i + 1), kVisibilityLevels[i]});
}

std::string date_of(int64_t us) {
    std::time_t s = std::time_t(us / 1000000);
    std::tm tm{};
    gmtime_r(&s, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

// Map PNG: the town's semantic layers around the ego's start, one byte per metre.
void write_map_png(const World & world, const std::string & path) {
    Pose centre{world.ego().pose.translation, Quat{}};
    BevRaster r = world.bev_raster(centre, kMapResolution, kMapSize);
    std::vector<uint8_t> grey(r.cells.size());
    for (size_t i = 0; i < r.cells.size(); ++i) {
        uint8_t c = r.cells[i];
        grey[i] = (c & kBevLane) ? 255 : (c & kBevCrossing) ? 200 : (c & kBevDrivable) ? 128 : (c & kBevSidewalk) ? 64 : 0;
    }
    write_png_file(path, grey.data(), r.size, r.size, 1);
}

struct ChannelChain {
    int last = -1;  // index of the channel's previous sample_data record
};

class SceneWriter {
public:
    SceneWriter(const GenerateOptions & opt, const std::string & root, int index, CameraRenderer & renderer,
                NuScenesTables & tables, JobContext & job, int64_t steps_before, int64_t steps_total)
        : opt_(opt), root_(root), index_(index), renderer_(renderer), t_(tables), job_(job),
          steps_before_(steps_before), steps_total_(steps_total),
          rig_(nuscenes_camera_rig(opt.width, opt.height)) {}

    void run(GenerateSummary & summary);

private:
    void add_sample_data(const std::string & channel_key, const std::string & token, const std::string & sample_token,
                         const std::string & calib_token, int64_t t_us, const std::string & format, bool key,
                         int width, int height, const std::string & filename, const Pose & ego);
    void annotate(const std::string & sample_token, const World & world, const SceneMesh & dyn,
                  const std::vector<CameraView> & views, const std::vector<CameraImage> & images,
                  const LidarScan & scan, const Pose & lidar_to_world);

    const GenerateOptions & opt_;
    std::string root_;
    int index_;
    CameraRenderer & renderer_;
    NuScenesTables & t_;
    JobContext & job_;
    int64_t steps_before_, steps_total_;  // progress is counted in simulation steps
    std::array<CameraSpec, kNumCameras> rig_;
    std::map<std::string, ChannelChain> chains_;
    std::map<uint32_t, size_t> last_annotation_;  // instance id -> index of its latest annotation
    std::map<uint32_t, size_t> instance_of_;      // instance id -> index in the instance table
    std::string scene_key_;
};

void SceneWriter::add_sample_data(const std::string & channel, const std::string & token, const std::string & sample,
                                  const std::string & calib, int64_t t_us, const std::string & format, bool key,
                                  int width, int height, const std::string & filename, const Pose & ego) {
    // nuScenes gives every sample_data its own ego pose, with the same token.
    t_.ego_pose.push_back({token, t_us, ego.rotation, ego.translation});
    NuSampleData sd;
    sd.token = token;
    sd.sample_token = sample;
    sd.ego_pose_token = token;
    sd.calibrated_sensor_token = calib;
    sd.timestamp = t_us;
    sd.fileformat = format;
    sd.is_key_frame = key;
    sd.width = width;
    sd.height = height;
    sd.filename = filename;
    ChannelChain & chain = chains_[channel];
    if (chain.last >= 0) {
        sd.prev = t_.sample_data[chain.last].token;
        t_.sample_data[chain.last].next = token;
    }
    chain.last = int(t_.sample_data.size());
    t_.sample_data.push_back(std::move(sd));
}

void SceneWriter::annotate(const std::string & sample_token, const World & world, const SceneMesh & dyn,
                           const std::vector<CameraView> & views, const std::vector<CameraImage> & images,
                           const LidarScan & scan, const Pose & lidar_to_world) {
    const Vec3 ego = world.ego().pose.translation;
    std::vector<AgentState> kept;
    for (const AgentState & a : world.agents()) {
        double dx = a.box.translation.x - ego.x, dy = a.box.translation.y - ego.y;
        if (std::hypot(dx, dy) < opt_.annotation_range) kept.push_back(a);
    }
    std::vector<uint32_t> ids;
    for (const AgentState & a : kept) ids.push_back(a.instance_id);
    std::vector<VisibilityResult> vis = compute_visibility(dyn, views, images, ids);

    for (size_t i = 0; i < kept.size(); ++i) {
        const AgentState & a = kept[i];
        std::string key = scene_key_ + "/instance/" + std::to_string(a.instance_id);
        auto inst = instance_of_.find(a.instance_id);
        if (inst == instance_of_.end()) {
            NuInstance ni;
            ni.token = make_token(key);
            ni.category_token = make_token(std::string("category/") + class_category(a.cls));
            inst = instance_of_.emplace(a.instance_id, t_.instance.size()).first;
            t_.instance.push_back(ni);
        }
        NuInstance & ni = t_.instance[inst->second];

        NuSampleAnnotation ann;
        ann.token = make_token(key + "/" + sample_token);
        ann.sample_token = sample_token;
        ann.instance_token = ni.token;
        ann.visibility_token = vis[i].level;
        if (!a.attribute.empty()) ann.attribute_tokens.push_back(make_token("attribute/" + a.attribute));
        ann.translation = a.box.translation;
        ann.size = a.size;
        ann.rotation = a.box.rotation;
        // Simulated returns lie exactly on the box surface; 2 % slack keeps float rounding from
        // dropping half of them.
        ann.num_lidar_pts = count_points_in_box(scan, lidar_to_world, a.box, a.size, 1.02);
        ann.num_radar_pts = 0;
        auto last = last_annotation_.find(a.instance_id);
        if (last != last_annotation_.end()) {
            ann.prev = t_.sample_annotation[last->second].token;
            t_.sample_annotation[last->second].next = ann.token;
        } else {
            ni.first_annotation_token = ann.token;
        }
        ni.last_annotation_token = ann.token;
        ni.nbr_annotations += 1;
        last_annotation_[a.instance_id] = t_.sample_annotation.size();
        t_.sample_annotation.push_back(std::move(ann));
    }
}

void SceneWriter::run(GenerateSummary & summary) {
    Scenario scenario = opt_.scenario;
    scenario.seed = scene_seed(opt_.seed, index_);
    World world(scenario);
    const std::string name = scene_name(index_);
    scene_key_ = name + "/" + hex64(scenario.seed);
    const std::string logfile = "rs-" + hex64(scenario.seed) + "-" + name;
    const int64_t t0 = kEpochUs + int64_t(index_) * 1000000000;  // scenes 1000 s apart

    NuLog log{make_token(scene_key_ + "/log"), logfile, "roadsight-ego", date_of(t0), world.location_name()};
    t_.log.push_back(log);
    std::string map_file = "maps/" + make_token(scene_key_ + "/map") + ".png";
    t_.map.push_back({"semantic_prior", make_token(scene_key_ + "/map"), map_file, {log.token}});

    std::array<std::string, kNumCameras> cam_calib;
    for (int c = 0; c < kNumCameras; ++c) {
        cam_calib[c] = make_token(scene_key_ + "/calib/" + rig_[c].channel);
        t_.calibrated_sensor.push_back({cam_calib[c], make_token("sensor/" + rig_[c].channel),
                                        rig_[c].sensor_to_ego.translation, rig_[c].sensor_to_ego.rotation,
                                        rig_[c].intrinsics.matrix()});
    }
    const Pose lidar_mount = nuscenes_lidar_mount();
    const std::string lidar_calib = make_token(scene_key_ + "/calib/LIDAR_TOP");
    t_.calibrated_sensor.push_back({lidar_calib, make_token("sensor/LIDAR_TOP"), lidar_mount.translation,
                                    lidar_mount.rotation, std::nullopt});

    for (int s = 0; s < int(std::lround(opt_.warmup_seconds / World::kStep)); ++s) world.step();
    write_map_png(world, root_ + "/" + map_file);

    renderer_.set_static_scene(world.static_mesh());
    MeshBvh static_bvh(world.static_mesh());
    const double start_time = world.time();

    const int keyframes = int(std::floor(opt_.seconds * 2.0)) + 1;
    const int steps = (keyframes - 1) * kStepsPerKey;
    auto sample_token = [&](int key) { return make_token(scene_key_ + "/sample/" + std::to_string(key)); };

    NuScene scene;
    scene.token = make_token(scene_key_ + "/scene");
    scene.log_token = log.token;
    scene.name = name;
    scene.nbr_samples = keyframes;
    scene.first_sample_token = sample_token(0);
    scene.last_sample_token = sample_token(keyframes - 1);
    char desc[256];
    std::snprintf(desc, sizeof desc, "Roadsight procedural town, seed %llu, %dx%d blocks, traffic %.2f, pedestrians %.2f, %.1f h",
                  (unsigned long long)scenario.seed, scenario.town_blocks, scenario.town_blocks,
                  scenario.traffic_density, scenario.pedestrian_density, scenario.time_of_day);
    scene.description = desc;

    std::vector<CanPoseMessage> can_pose;
    std::vector<CanVehicleMonitor> can_monitor;
    SceneMesh dyn;
    std::vector<CameraImage> images;
    auto time_us = [&]() { return t0 + std::llround((world.time() - start_time) * 1e6); };
    auto record_can = [&]() { can_pose.push_back(can_pose_message(world.ego(), time_us())); };
    record_can();

    for (int n = 0; n <= steps; ++n) {
        if (n > 0) {
            world.step();
            record_can();
        }
        const bool camera = n % kStepsPerCameraFrame == 0;
        const bool lidar = n % kStepsPerLidarSweep == 0 && (opt_.lidar_sweeps || n % kStepsPerKey == 0);
        if (!camera && !lidar) continue;
        job_.checkpoint();
        const bool key = n % kStepsPerKey == 0;
        const int key_index = (n + kStepsPerKey - 1) / kStepsPerKey;  // sweeps -> next sample
        const std::string sample = sample_token(key_index);
        const int64_t t_us = time_us();
        const EgoState ego = world.ego();
        const std::string folder = key ? "samples/" : "sweeps/";
        world.build_dynamic_mesh(dyn);

        std::vector<CameraView> views;
        if (camera) {
            for (const CameraSpec & c : rig_) views.push_back(make_camera_view(c, ego.pose));
            renderer_.render(dyn, views, world.lighting(), images);

            // Encode the six JPEGs on two threads: the renderer already used both cores.
            std::vector<std::string> files(kNumCameras);
            for (int c = 0; c < kNumCameras; ++c)
                files[c] = folder + rig_[c].channel + "/" + logfile + "__" + rig_[c].channel + "__" +
                           std::to_string(t_us) + ".jpg";
            auto encode_range = [&](int begin, int end) {
                for (int c = begin; c < end; ++c)
                    write_jpeg_file(root_ + "/" + files[c], images[c].rgb.data(), images[c].width, images[c].height,
                                    opt_.jpeg_quality);
            };
            auto half = std::async(std::launch::async, encode_range, 0, kNumCameras / 2);
            encode_range(kNumCameras / 2, kNumCameras);
            half.get();
            for (int c = 0; c < kNumCameras; ++c)
                add_sample_data(rig_[c].channel, make_token(scene_key_ + "/" + files[c]), sample, cam_calib[c], t_us,
                                "jpg", key, opt_.width, opt_.height, files[c], ego.pose);
            summary.camera_frames++;
        }

        LidarScan scan;
        const Pose lidar_to_world = ego.pose * lidar_mount;
        if (lidar) {
            MeshBvh dyn_bvh(dyn);
            scan = scan_lidar(static_bvh, dyn_bvh, lidar_to_world);
            std::string pcd = folder + "LIDAR_TOP/" + logfile + "__LIDAR_TOP__" + std::to_string(t_us) + ".pcd.bin";
            write_pcd_bin(root_ + "/" + pcd, scan.points);
            add_sample_data("LIDAR_TOP", make_token(scene_key_ + "/" + pcd), sample, lidar_calib, t_us, "pcd", key, 0,
                            0, pcd, ego.pose);
            summary.lidar_sweeps++;
        }

        if (key) {
            NuSample smp;
            smp.token = sample;
            smp.timestamp = t_us;
            smp.scene_token = scene.token;
            if (key_index > 0) smp.prev = sample_token(key_index - 1);
            if (key_index + 1 < keyframes) smp.next = sample_token(key_index + 1);
            t_.sample.push_back(smp);
            annotate(sample, world, dyn, views, images, scan, lidar_to_world);
            can_monitor.push_back({t_us, ego.speed * 3.6, ego.yaw_rate * 180 / kPi, ego.steer * 180 / kPi, 0, 0});
            summary.samples++;
        }
        job_.report(steps_before_ + n + 1, steps_total_, name);
    }
    t_.scene.push_back(scene);
    write_can_bus(root_, name, can_pose, can_monitor);
    summary.scenes++;
}

}  // namespace

uint64_t scene_seed(uint64_t seed, int index) { return hash64("scene/" + std::to_string(index), seed); }

GenerateSummary generate_dataset(const GenerateOptions & opt, CameraRenderer & renderer, JobContext & job) {
    if (opt.out_dir.empty()) throw std::invalid_argument("no output folder given");
    if (opt.scenes < 1) throw std::invalid_argument("scenes must be at least 1");
    if (!(opt.seconds > 0)) throw std::invalid_argument("seconds must be positive");
    if (opt.width < 16 || opt.height < 16 || opt.width > 8192 || opt.height > 8192)
        throw std::invalid_argument("image size must be between 16 and 8192 pixels per side");
    const fs::path out = fs::path(opt.out_dir).lexically_normal();
    if (fs::exists(out)) throw std::invalid_argument("output folder " + out.string() + " already exists");

    auto start = std::chrono::steady_clock::now();
    // Built beside the target and renamed at the end, so a crash never leaves a complete-looking dataset.
    const fs::path tmp = out.string() + ".partial";
    fs::remove_all(tmp);
    auto rig = nuscenes_camera_rig(opt.width, opt.height);
    for (const CameraSpec & c : rig) {
        fs::create_directories(tmp / "samples" / c.channel);
        fs::create_directories(tmp / "sweeps" / c.channel);
    }
    fs::create_directories(tmp / "samples" / "LIDAR_TOP");
    if (opt.lidar_sweeps) fs::create_directories(tmp / "sweeps" / "LIDAR_TOP");
    fs::create_directories(tmp / "maps");

    NuScenesTables tables;
    add_fixed_tables(tables, rig);
    GenerateSummary summary;
    const int keyframes = int(std::floor(opt.seconds * 2.0)) + 1;
    const int64_t steps_per_scene = int64_t(keyframes - 1) * kStepsPerKey + 1;
    try {
        for (int k = 0; k < opt.scenes; ++k) {
            SceneWriter writer(opt, tmp.string(), k, renderer, tables, job, k * steps_per_scene,
                               opt.scenes * steps_per_scene);
            writer.run(summary);
        }
        write_nuscenes(tables, tmp.string(), opt.version);
        std::vector<std::string> names;
        for (const NuScene & sc : tables.scene) names.push_back(sc.name);
        write_custom_splits(tmp.string(), opt.version, {{opt.split, names}});
        fs::rename(tmp, out);
    } catch (...) {
        std::error_code ec;
        fs::remove_all(tmp, ec);
        throw;
    }
    summary.sample_data = int(tables.sample_data.size());
    summary.annotations = int(tables.sample_annotation.size());
    summary.instances = int(tables.instance.size());
    summary.seconds_wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return summary;
}

}  // namespace rs
