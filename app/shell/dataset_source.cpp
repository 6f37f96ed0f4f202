#include "app/shell/dataset_source.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <future>

#include "app/shell/predicted_boxes.h"
#include "engine/detection_sample.h"
#include "engine/jpeg_codec.h"

namespace rs {

namespace {

// The sample_data whose ego pose stands for the sample: LIDAR_TOP as in the devkit, else any.
// The nuScenes prediction horizon: 2 s of past and 6 s of future key frames at 2 Hz.
constexpr int kTrackPast = 4, kTrackFuture = 12;

// Follows `link` (prev or next) from annotation `ann` for up to `count` steps.
std::vector<Vec3> follow_track(const NuScenesDataset & ds, size_t ann, std::string NuSampleAnnotation::*link,
                               int count) {
    const std::vector<NuSampleAnnotation> & anns = ds.tables().sample_annotation;
    std::vector<Vec3> out = {anns[ann].translation};
    for (int k = 0; k < count && !(anns[ann].*link).empty(); ++k) {
        std::optional<size_t> other = ds.find(NuTable::sample_annotation, anns[ann].*link);
        if (!other) break;
        ann = *other;
        out.push_back(anns[ann].translation);
    }
    return out;
}

void add_track(const NuScenesDataset & ds, size_t ann, ViewBox & b) {
    b.past = follow_track(ds, ann, &NuSampleAnnotation::prev, kTrackPast);
    std::reverse(b.past.begin(), b.past.end());
    b.future = follow_track(ds, ann, &NuSampleAnnotation::next, kTrackFuture);
}

std::optional<size_t> reference_data(const NuScenesDataset & ds, size_t sample) {
    if (auto lidar = ds.key_frame(sample, "LIDAR_TOP")) return lidar;
    const auto & data = ds.sample_data_of(sample);
    if (data.empty()) return std::nullopt;
    return data.front().sample_data;
}

std::shared_ptr<SceneSamples> index_scene(const NuScenesDataset & ds, size_t scene) {
    auto out = std::make_shared<SceneSamples>();
    out->scene = scene;
    const NuScenesTables & t = ds.tables();
    std::string token = t.scene[scene].first_sample_token;
    int64_t t0 = 0;
    // The sample count bounds the walk, so a prev/next cycle in a broken file cannot hang us.
    while (!token.empty() && out->samples.size() <= t.sample.size()) {
        std::optional<size_t> s = ds.find(NuTable::sample, token);
        if (!s) break;
        if (out->samples.empty()) t0 = t.sample[*s].timestamp;
        out->samples.push_back(*s);
        out->times.push_back(double(t.sample[*s].timestamp - t0) * 1e-6);
        std::optional<size_t> ref = reference_data(ds, *s);
        out->ego_positions.push_back(ref ? ds.ego_to_global(*ref).translation : Vec3{});
        token = t.sample[*s].next;
    }
    return out;
}

// The BEV map layer: 160 m square, as the Live Sim's.
constexpr double kMapResolution = 0.5;
constexpr int kMapCells = 320;

CameraView camera_view(const NuScenesDataset & ds, size_t sd, int width, int height) {
    CameraView v;
    v.camera_to_world = ds.ego_to_global(sd) * ds.sensor_to_ego(sd);
    const NuCalibratedSensor & cs = ds.calibrated_sensor_of(sd);
    if (cs.camera_intrinsic) {
        const Mat3 & k = *cs.camera_intrinsic;
        v.intrinsics = {k(0, 0), k(1, 1), k(0, 2), k(1, 2)};
    }
    v.width = width;
    v.height = height;
    v.near_plane = 0.1;
    return v;
}

}  // namespace

DatasetSource::DatasetSource(std::shared_ptr<const NuScenesDataset> dataset, FrameMailbox & mailbox)
    : dataset_(std::move(dataset)), mailbox_(mailbox), scene_(std::make_shared<SceneSamples>()) {
    worker_ = std::thread([this] { run(); });
}

DatasetSource::~DatasetSource() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    worker_.join();
}

void DatasetSource::set_scene(size_t scene) {
    if (scene >= scene_count()) return;
    scene_ = index_scene(*dataset_, scene);
    request(0);
}

void DatasetSource::request(size_t position) {
    if (scene_->samples.empty()) return;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        pending_scene_ = scene_;
        pending_position_ = std::min(position, scene_->samples.size() - 1);
        has_request_ = true;
    }
    wake_.notify_all();
}

void DatasetSource::set_perceiver(std::shared_ptr<Perceiver> perceiver) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        pending_perceiver_ = std::move(perceiver);
        perceiver_changed_ = true;
        has_request_ = pending_scene_ != nullptr;  // show the current sample again
    }
    wake_.notify_all();
}

bool DatasetSource::newer_request() {
    std::lock_guard<std::mutex> lock(mutex_);
    return has_request_ || stop_;
}

void DatasetSource::run() {
    while (true) {
        std::shared_ptr<const SceneSamples> scene;
        size_t position = 0;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [this] { return stop_ || has_request_; });
            if (stop_) return;
            scene = pending_scene_;
            position = pending_position_;
            has_request_ = false;
            if (perceiver_changed_) {
                perceiver_ = std::move(pending_perceiver_);
                perceiver_changed_ = false;
                predictions_.clear();
            }
        }
        std::vector<RgbImage> decoded;
        std::shared_ptr<ViewFrame> frame = build(*scene, position, decoded);
        attach_map(*scene, *frame);
        if (!perceiver_) {
            mailbox_.post(frame);
            continue;
        }
        // Ground truth at once; the model's boxes follow unless the user has moved on meanwhile.
        if (!predictions_.count(scene->samples[position])) {
            auto waiting = std::make_shared<ViewFrame>(*frame);
            waiting->perception = perceiver_->description() + ": running...";
            mailbox_.post(waiting);
        }
        perceive(*scene, position, decoded, *frame);
        if (!newer_request()) mailbox_.post(frame);
    }
}

void DatasetSource::attach_map(const SceneSamples & scene, ViewFrame & frame) {
    if (map_scene_ != scene.scene) {
        map_scene_ = scene.scene;
        std::shared_ptr<const MapLayer> previous = std::move(map_);
        try {
            map_ = open_map_layer(*dataset_, dataset_->tables().scene[scene.scene].token, previous);
        } catch (const std::exception &) {
            // No map or an unreadable one: the layer stays empty.
        }
    }
    if (map_) frame.bev = map_->raster(frame.ego_to_world, kMapResolution, kMapCells);
}

void DatasetSource::perceive(const SceneSamples & scene, size_t position, std::vector<RgbImage> & decoded,
                             ViewFrame & frame) {
    const NuScenesDataset & ds = *dataset_;
    const size_t sample = scene.samples[position];
    auto cached = predictions_.find(sample);
    if (cached == predictions_.end()) {
        CachedPerception c;
        try {
            if (can_scene_ != scene.scene) {
                can_scene_ = scene.scene;
                can_pose_.clear();  // a failed read must not leave the last scene's messages
                can_pose_ = read_can_pose(ds.dataroot(), ds.tables().scene[scene.scene].name);
            }
            const DetectionSample input = make_detection_sample(ds, sample, can_pose_);
            std::vector<RgbImage> images;
            for (const CameraInput & cam : input.cameras) {
                auto at = std::find(frame.channels.begin(), frame.channels.end(), cam.channel);
                const size_t i = size_t(at - frame.channels.begin());
                if (at == frame.channels.end() || i >= decoded.size() || decoded[i].width == 0)
                    throw std::runtime_error(cam.channel + " has no decoded image");
                images.push_back(std::move(decoded[i]));
            }
            const Perception p = perceiver_->perceive(input, &images);
            c.boxes = predicted_view_boxes(p);
            c.note = perception_note(perceiver_->description(), p);
        } catch (const std::exception & e) {
            // Failures are kept too: the same sample would fail again.
            c.note = "perception failed: " + std::string(e.what());
        }
        cached = predictions_.emplace(sample, std::move(c)).first;
    }
    frame.boxes.insert(frame.boxes.end(), cached->second.boxes.begin(), cached->second.boxes.end());
    frame.perception = cached->second.note;
}

std::shared_ptr<ViewFrame> DatasetSource::build(const SceneSamples & scene, size_t position,
                                                std::vector<RgbImage> & decoded_out) const {
    auto start = std::chrono::steady_clock::now();
    const NuScenesDataset & ds = *dataset_;
    const NuScenesTables & t = ds.tables();
    size_t sample = scene.samples[position];
    auto frame = std::make_shared<ViewFrame>();
    frame->index = position;
    frame->time = scene.times[position];
    frame->label = t.scene[scene.scene].name + "  sample " + std::to_string(position + 1) + "/" +
                   std::to_string(scene.samples.size());
    if (std::optional<size_t> ref = reference_data(ds, sample)) frame->ego_to_world = ds.ego_to_global(*ref);
    frame->trajectory.assign(scene.ego_positions.begin(), scene.ego_positions.begin() + long(position) + 1);
    frame->future.assign(scene.ego_positions.begin() + long(position), scene.ego_positions.end());
    if (position > 0) {
        const Vec3 & a = scene.ego_positions[position - 1];
        const Vec3 & b = scene.ego_positions[position];
        double dt = scene.times[position] - scene.times[position - 1];
        if (dt > 0) frame->ego_speed = std::hypot(b.x - a.x, b.y - a.y) / dt;
    }

    // Camera key frames, decoded in parallel.
    std::vector<size_t> cams;
    for (const auto & cd : ds.sample_data_of(sample))
        if (ds.sensor_of(cd.sample_data).modality == "camera") cams.push_back(cd.sample_data);
    std::vector<std::future<RgbImage>> decoded;
    for (size_t sd : cams) {
        std::string path = ds.dataroot() + "/" + t.sample_data[sd].filename;
        decoded.push_back(std::async(std::launch::async, [path] { return read_jpeg_file(path); }));
    }
    for (size_t i = 0; i < cams.size(); ++i) {
        size_t sd = cams[i];
        CameraImage img;
        try {
            RgbImage rgb = decoded[i].get();
            img.width = rgb.width;
            img.height = rgb.height;
            if (perceiver_) {
                img.rgb = rgb.rgb;  // the model gets the original
                decoded_out.push_back(std::move(rgb));
            } else {
                img.rgb = std::move(rgb.rgb);
            }
        } catch (const std::exception & e) {
            frame->warning = e.what();
            if (perceiver_) decoded_out.emplace_back();
        }
        int w = img.width > 0 ? img.width : int(t.sample_data[sd].width);
        int h = img.height > 0 ? img.height : int(t.sample_data[sd].height);
        frame->channels.push_back(ds.sensor_of(sd).channel);
        frame->views.push_back(camera_view(ds, sd, std::max(w, 1), std::max(h, 1)));
        frame->images.push_back(std::move(img));
    }

    for (size_t ann : ds.annotations_of(sample)) {
        std::optional<ObjectClass> cls = class_from_category(ds.category_name(ann));
        if (!cls) continue;
        const NuSampleAnnotation & a = t.sample_annotation[ann];
        ViewBox b;
        b.cls = *cls;
        b.box = ds.annotation_box(ann);
        if (std::optional<size_t> inst = ds.find(NuTable::instance, a.instance_token)) b.track_id = uint32_t(*inst + 1);
        const Vec3 v = annotation_velocity(ds, ann);  // NaN for a lone annotation: shown as standing
        if (std::isfinite(v.x) && std::isfinite(v.y)) b.velocity = v;
        for (const std::string & tok : a.attribute_tokens) {
            std::optional<size_t> at = ds.find(NuTable::attribute, tok);
            if (!at) continue;
            if (!b.attribute.empty()) b.attribute += ", ";
            b.attribute += t.attribute[*at].name;
        }
        b.num_lidar_pts = int(a.num_lidar_pts);
        add_track(ds, ann, b);
        frame->boxes.push_back(std::move(b));
    }
    frame->produce_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return frame;
}

}  // namespace rs
