// Films procedural scenes through the six-camera rig and LIDAR_TOP into a nuScenes v1.0 dataset:
// keyframes at 2 Hz (samples/), camera sweeps at 12 Hz and LIDAR_TOP sweeps at 20 Hz (sweeps/; optional), every
// keyframe a camera frame and a lidar sweep at the sample's timestamp, honest num_lidar_pts and
// visibility, ego poses, calibration, instance tracks and a CAN-bus record per scene.
// The dataset appears under `out_dir` only when complete (built in a temporary sibling folder).
#pragma once

#include <cstdint>
#include <string>

#include "engine/camera_renderer.h"
#include "engine/job.h"
#include "engine/world.h"

namespace rs {

struct GenerateOptions {
    std::string out_dir;
    std::string version = "v1.0-trainval";
    int scenes = 1;
    double seconds = 20.0;        // per scene, after warm-up
    uint64_t seed = 1;            // scene k uses a seed derived from (seed, k)
    int width = 1600, height = 900;
    int jpeg_quality = 90;
    double warmup_seconds = 3.0;  // lets traffic settle before the first frame
    double annotation_range = 60.0;  // metres from the ego (xy) within which agents are annotated
    bool lidar_sweeps = true;     // false: LIDAR_TOP at keyframes only; the 20 Hz sweeps are over 80% of
                                  // the bytes and no camera model reads them
    std::string split = "train";  // every scene goes to this split of <version>/splits.json; held-out
                                  // data is a separate dataset made from unseen seeds with "val"
    Scenario scenario;            // template: its seed is replaced per scene
};

struct GenerateSummary {
    int scenes = 0, samples = 0, sample_data = 0, annotations = 0, instances = 0;
    int camera_frames = 0, lidar_sweeps = 0;  // six-camera frames and LIDAR_TOP records, keyframes included
    double seconds_wall = 0;
};

GenerateSummary generate_dataset(const GenerateOptions & options, CameraRenderer & renderer, JobContext & job);

// Seed of scene `index` for a dataset generated with `seed` (held-out splits pick unseen seeds).
uint64_t scene_seed(uint64_t seed, int index);

}  // namespace rs
