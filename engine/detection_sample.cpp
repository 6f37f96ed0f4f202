#include "engine/detection_sample.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "engine/detection_boxes.h"
#include "engine/nuscenes_splits.h"

namespace rs {

const std::array<const char *, kNumBevCameras> kBevCameraChannels = {
    "CAM_FRONT", "CAM_FRONT_RIGHT", "CAM_FRONT_LEFT", "CAM_BACK", "CAM_BACK_LEFT", "CAM_BACK_RIGHT"};

const std::array<ObjectClass, kNumObjectClasses> kBevClassOrder = {
    ObjectClass::car,     ObjectClass::truck,      ObjectClass::construction_vehicle, ObjectClass::bus,
    ObjectClass::trailer, ObjectClass::barrier,    ObjectClass::motorcycle,           ObjectClass::bicycle,
    ObjectClass::pedestrian, ObjectClass::traffic_cone};

int bev_class_index(ObjectClass c) {
    auto it = std::find(kBevClassOrder.begin(), kBevClassOrder.end(), c);
    return int(it - kBevClassOrder.begin());
}

namespace {

[[noreturn]] void fail(const NuScenesDataset & ds, const std::string & sample_token, const std::string & what) {
    throw DatasetError(ds.dataroot() + ": sample " + sample_token + ": " + what);
}

bool finite(const Pose & p) {
    return std::isfinite(p.translation.x) && std::isfinite(p.translation.y) && std::isfinite(p.translation.z) &&
           std::isfinite(p.rotation.w) && std::isfinite(p.rotation.x) && std::isfinite(p.rotation.y) &&
           std::isfinite(p.rotation.z) && p.rotation.norm() > 0;
}

size_t key_frame_or_fail(const NuScenesDataset & ds, size_t sample, const std::string & channel) {
    auto sd = ds.key_frame(sample, channel);
    if (!sd) fail(ds, ds.tables().sample[sample].token, "no " + channel + " key frame");
    return *sd;
}

// pyquaternion's yaw_pitch_roll[0], which the converter stores; differs from Quat::yaw() where the
// box is not level in the lidar frame.
double pyquaternion_yaw(const Quat & q_raw) {
    Quat q = q_raw.normalized();
    return std::atan2(2 * (q.w * q.z - q.x * q.y), 1 - 2 * (q.y * q.y + q.z * q.z));
}

// mmdet3d limit_yaw(offset 0.5, period 2π), applied by ObjectRangeFilter.
double limit_yaw(double yaw) { return yaw - std::floor(yaw / (2 * kPi) + 0.5) * 2 * kPi; }

// The converter's _get_can_bus_info: accel, rotation_rate and vel come from its loop variable, i.e.
// the first message after the sample (the last message when none is later), not the selected one.
// Position and orientation are overwritten from the ego pose at load time, so only these 9 matter.
void set_can_motion(const CanPoseMessage & m, std::array<double, 18> & out) {
    const Vec3 fields[3] = {m.accel, m.rotation_rate, m.vel};
    for (int k = 0; k < 3; ++k) {
        out[7 + 3 * k] = fields[k].x;
        out[8 + 3 * k] = fields[k].y;
        out[9 + 3 * k] = fields[k].z;
    }
}

void fill_can_fields(const std::vector<CanPoseMessage> & can_pose, int64_t sample_ts, std::array<double, 18> & out) {
    if (can_pose.empty()) return;
    size_t j = 0;
    while (j + 1 < can_pose.size() && can_pose[j].utime <= sample_ts) ++j;
    set_can_motion(can_pose[j], out);
}

// Position, orientation and heading come from the ego pose (the dataset's load-time overwrite).
void set_can_pose(const Pose & ego2global, std::array<double, 18> & out) {
    const Quat & q = ego2global.rotation;
    out[0] = ego2global.translation.x;
    out[1] = ego2global.translation.y;
    out[2] = ego2global.translation.z;
    out[3] = q.w;
    out[4] = q.x;
    out[5] = q.y;
    out[6] = q.z;
    double angle = q.yaw() / kPi * 180.0;
    if (angle < 0) angle += 360.0;
    out[16] = angle / 180.0 * kPi;
    out[17] = angle;
}

Mat4 camera_projection(const Mat3 & intrinsic, const Pose & lidar2cam) {
    Mat4 k;
    for (int r = 0; r < 3; ++r)
        for (int col = 0; col < 3; ++col) k(r, col) = intrinsic(r, col);
    return k * Mat4::from_pose(lidar2cam);
}

}  // namespace

DetectionSample make_detection_sample(const NuScenesDataset & ds, size_t sample,
                                      const std::vector<CanPoseMessage> & can_pose, const DetectionSampleOptions & opt) {
    const NuSample & rec = ds.tables().sample[sample];
    DetectionSample out;
    out.sample_token = rec.token;
    out.scene_token = rec.scene_token;
    out.timestamp = rec.timestamp;

    const size_t lidar = key_frame_or_fail(ds, sample, "LIDAR_TOP");
    out.lidar2ego = ds.sensor_to_ego(lidar);
    out.ego2global = ds.ego_to_global(lidar);
    if (!finite(out.lidar2ego)) fail(ds, rec.token, "LIDAR_TOP calibrated_sensor pose is not finite");
    if (!finite(out.ego2global)) fail(ds, rec.token, "LIDAR_TOP ego_pose is not finite");
    const Pose lidar2global = out.ego2global * out.lidar2ego;

    for (int c = 0; c < kNumBevCameras; ++c) {
        const std::string channel = kBevCameraChannels[c];
        const size_t sd = key_frame_or_fail(ds, sample, channel);
        const NuSampleData & data = ds.tables().sample_data[sd];
        const NuCalibratedSensor & calib = ds.calibrated_sensor_of(sd);
        if (!calib.camera_intrinsic) fail(ds, rec.token, channel + " calibrated_sensor has no camera_intrinsic");
        const Pose cam2ego = ds.sensor_to_ego(sd), ego2global = ds.ego_to_global(sd);
        if (!finite(cam2ego)) fail(ds, rec.token, channel + " calibrated_sensor pose is not finite");
        if (!finite(ego2global)) fail(ds, rec.token, channel + " ego_pose is not finite");
        // Like obtain_sensor2top: lidar -> ego (lidar time) -> global -> ego (camera time) -> camera,
        // so the ego motion between the lidar and camera timestamps is compensated.
        const Pose lidar2cam = (ego2global * cam2ego).inverse() * lidar2global;
        CameraInput & cam = out.cameras[c];
        cam.channel = channel;
        cam.image_path = ds.dataroot() + "/" + data.filename;
        cam.width = int(data.width);
        cam.height = int(data.height);
        cam.timestamp = data.timestamp;
        cam.lidar2cam = Mat4::from_pose(lidar2cam);
        cam.lidar2img = camera_projection(*calib.camera_intrinsic, lidar2cam);
        for (double v : cam.lidar2img.m)
            if (!std::isfinite(v)) fail(ds, rec.token, channel + " camera_intrinsic is not finite");
    }

    fill_can_fields(can_pose, rec.timestamp, out.can_bus);
    set_can_pose(out.ego2global, out.can_bus);

    const Quat to_lidar = out.lidar2ego.rotation.conjugate() * out.ego2global.rotation.conjugate();
    for (size_t ann : ds.annotations_of(sample)) {
        const NuSampleAnnotation & a = ds.tables().sample_annotation[ann];
        auto cls = class_from_category(ds.category_name(ann));
        if (!cls) continue;  // ObjectNameFilter
        if (opt.require_points && a.num_lidar_pts + a.num_radar_pts <= 0) continue;
        const Box3D b = ds.box_in_sensor(ann, lidar);
        if (!(b.center.x > opt.pc_range[0] && b.center.y > opt.pc_range[1] && b.center.x < opt.pc_range[3] &&
              b.center.y < opt.pc_range[4]))
            continue;
        const Vec3 vg = annotation_velocity(ds, ann);
        const Vec3 v = to_lidar.rotate({vg.x, vg.y, 0.0});
        GtBox g;
        g.box = {b.center.x, b.center.y, b.center.z, b.size.x, b.size.y, b.size.z,
                 limit_yaw(-pyquaternion_yaw(b.rotation) - kPi / 2), v.x, v.y};
        g.label = bev_class_index(*cls);
        g.annotation_token = a.token;
        out.gt.push_back(std::move(g));
    }
    return out;
}

DetectionSample make_live_detection_sample(const std::vector<std::string> & channels,
                                           const std::vector<CameraView> & views, const Pose & ego_to_world,
                                           const CanPoseMessage & can, const std::string & scene_token,
                                           int64_t timestamp_us) {
    DetectionSample out;
    out.scene_token = scene_token;
    out.sample_token = scene_token + "/" + std::to_string(timestamp_us);
    out.timestamp = timestamp_us;
    out.lidar2ego = nuscenes_lidar_mount();
    out.ego2global = ego_to_world;
    if (!finite(ego_to_world)) throw std::invalid_argument("live frame: the ego pose is not finite");
    const Pose lidar2global = out.ego2global * out.lidar2ego;
    for (int c = 0; c < kNumBevCameras; ++c) {
        const std::string channel = kBevCameraChannels[c];
        auto at = std::find(channels.begin(), channels.end(), channel);
        const size_t i = size_t(at - channels.begin());
        if (at == channels.end() || i >= views.size())
            throw std::invalid_argument("live frame: no " + channel + " camera");
        const CameraView & view = views[i];
        if (!finite(view.camera_to_world)) throw std::invalid_argument("live frame: " + channel + " pose is not finite");
        const Pose lidar2cam = view.camera_to_world.inverse() * lidar2global;
        CameraInput & cam = out.cameras[c];
        cam.channel = channel;
        cam.width = view.width;
        cam.height = view.height;
        cam.timestamp = timestamp_us;
        cam.lidar2cam = Mat4::from_pose(lidar2cam);
        cam.lidar2img = camera_projection(view.intrinsics.matrix(), lidar2cam);
    }
    set_can_motion(can, out.can_bus);
    set_can_pose(out.ego2global, out.can_bus);
    return out;
}

std::vector<DetectionSample> load_detection_samples(const NuScenesDataset & ds, const std::vector<std::string> & scene_names,
                                                    const DetectionSampleOptions & opt) {
    const NuScenesTables & t = ds.tables();
    std::vector<DetectionSample> out;
    for (const std::string & name : scene_names) {
        auto scene = std::find_if(t.scene.begin(), t.scene.end(), [&](const NuScene & s) { return s.name == name; });
        if (scene == t.scene.end()) throw DatasetError(ds.dataroot() + ": no scene named " + name);
        std::vector<size_t> samples;
        for (size_t i = 0; i < t.sample.size(); ++i)
            if (t.sample[i].scene_token == scene->token) samples.push_back(i);
        std::stable_sort(samples.begin(), samples.end(),
                         [&](size_t a, size_t b) { return t.sample[a].timestamp < t.sample[b].timestamp; });
        const std::vector<CanPoseMessage> can_pose = read_can_pose(ds.dataroot(), name);
        for (size_t s : samples) out.push_back(make_detection_sample(ds, s, can_pose, opt));
    }
    return out;
}

std::vector<DetectionSample> load_split_detection_samples(const NuScenesDataset & ds, const std::string & split,
                                                          const DetectionSampleOptions & opt) {
    std::vector<std::string> present;
    for (const std::string & name : split_scene_names(ds, split))
        for (const NuScene & s : ds.tables().scene)
            if (s.name == name) present.push_back(name);
    return load_detection_samples(ds, present, opt);
}

std::vector<size_t> history_indices(const std::vector<DetectionSample> & samples, size_t i, int queue_length,
                                    double span_s, std::mt19937 & rng) {
    if (i >= samples.size())
        throw std::invalid_argument("history_indices: index " + std::to_string(i) + " out of range (" +
                                    std::to_string(samples.size()) + " samples)");
    if (queue_length < 1) throw std::invalid_argument("history_indices: queue_length must be >= 1, got " +
                                                      std::to_string(queue_length));
    std::vector<size_t> candidates;
    for (size_t j = i; j-- > 0;) {
        if (samples[j].scene_token != samples[i].scene_token) break;
        if ((samples[i].timestamp - samples[j].timestamp) * 1e-6 > span_s) break;
        candidates.push_back(j);
    }
    const size_t need = size_t(queue_length - 1);
    std::shuffle(candidates.begin(), candidates.end(), rng);
    if (candidates.size() > need) candidates.resize(need);
    std::sort(candidates.begin(), candidates.end());
    const size_t first = candidates.empty() ? i : candidates.front();
    std::vector<size_t> queue(need - candidates.size(), first);
    queue.insert(queue.end(), candidates.begin(), candidates.end());
    queue.push_back(i);
    return queue;
}

std::array<double, 18> relative_can_bus(const std::array<double, 18> & current, const std::array<double, 18> * previous) {
    std::array<double, 18> out = current;
    for (int k = 0; k < 3; ++k) out[k] = previous ? current[k] - (*previous)[k] : 0.0;
    out[17] = previous ? current[17] - (*previous)[17] : 0.0;
    return out;
}

}  // namespace rs
