// Dataset playback: shows one key-frame sample of a nuScenes scene at a time. Requests come from
// the UI thread (timeline); a worker thread decodes the six camera JPEGs and gathers the sample's
// annotations into a ViewFrame. Only the newest request matters: scrubbing skips stale ones.
// With a perception model set, the worker posts the ground-truth frame at once, then runs the
// model on the same images and posts the frame again with the predicted boxes (kept per sample).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <optional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/shell/frame_mailbox.h"
#include "engine/map_layer.h"
#include "engine/can_bus.h"
#include "engine/nuscenes_reader.h"
#include "engine/perceiver.h"

namespace rs {

// The key frames of one scene, in time order.
struct SceneSamples {
    size_t scene = 0;
    std::vector<size_t> samples;      // sample table indices
    std::vector<double> times;        // seconds since the first sample
    std::vector<Vec3> ego_positions;  // global, one per sample
};

class DatasetSource {
public:
    DatasetSource(std::shared_ptr<const NuScenesDataset> dataset, FrameMailbox & mailbox);
    ~DatasetSource();
    DatasetSource(const DatasetSource &) = delete;
    DatasetSource & operator=(const DatasetSource &) = delete;

    const NuScenesDataset & dataset() const { return *dataset_; }
    size_t scene_count() const { return dataset_->tables().scene.size(); }
    // Picks the scene the timeline plays; shows its first sample.
    void set_scene(size_t scene);
    const SceneSamples & scene() const { return *scene_; }
    size_t sample_count() const { return scene_->samples.size(); }
    void request(size_t position);
    // Runs `perceiver` on the frames shown from now on (null: ground truth only) and shows the
    // current frame again. The worker owns it from then on.
    void set_perceiver(std::shared_ptr<Perceiver> perceiver);

private:
    void run();
    std::shared_ptr<ViewFrame> build(const SceneSamples & scene, size_t position, std::vector<RgbImage> & decoded) const;
    // Predicted boxes of the frame's sample (cached), or a note in frame.perception on failure.
    void perceive(const SceneSamples & scene, size_t position, std::vector<RgbImage> & decoded, ViewFrame & frame);
    bool newer_request();
    // The BEV map layer of the scene's map (engine/map_layer.h): generated raster or nuScenes prior.
    void attach_map(const SceneSamples & scene, ViewFrame & frame);

    std::shared_ptr<const NuScenesDataset> dataset_;
    FrameMailbox & mailbox_;
    std::shared_ptr<const SceneSamples> scene_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::shared_ptr<const SceneSamples> pending_scene_;
    size_t pending_position_ = 0;
    bool has_request_ = false, stop_ = false;
    std::shared_ptr<Perceiver> pending_perceiver_;
    bool perceiver_changed_ = false;
    // Worker-only state.
    std::shared_ptr<Perceiver> perceiver_;
    struct CachedPerception {
        std::vector<ViewBox> boxes;
        std::string note;  // ViewFrame::perception
    };
    std::map<size_t, CachedPerception> predictions_;  // by sample index
    size_t can_scene_ = SIZE_MAX;
    size_t map_scene_ = SIZE_MAX;
    std::shared_ptr<const MapLayer> map_;
    std::vector<CanPoseMessage> can_pose_;
    std::thread worker_;
};

}  // namespace rs
