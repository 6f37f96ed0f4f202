// Runs a BEVFormer over a dataset split online (scene by scene, frame by frame, keeping the
// previous BEV) and scores it with the devkit-exact nuScenes detection evaluation, writing the
// submission JSON beside metrics_summary.json; with a segmentation head also the per-class BEV
// map IoU when the dataset has our generator's maps.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/detection_eval.h"
#include "engine/nuscenes_reader.h"
#include "models/bevformer/bevformer.h"

namespace rs {

struct BevformerEvalResult {
    DetectionMetrics metrics;
    std::string results_json;       // the submission written
    size_t frames = 0;
    double mean_network_ms = 0;
    std::vector<double> seg_iou;    // per map class (drivable, lane line, crossing); empty without
};

// Loads weights into a model of the config named in their metadata ("config"), or of `config_name`
// when given (which must then agree with the metadata if it has one). Strict: every missing,
// unexpected or mis-shaped tensor is named.
Bevformer load_bevformer(const std::string & weights_path, const std::string & config_name = {});

struct BevformerEvalOptions {
    // The first `pictures` samples also get OUT/bev_<sample token>.png: GT and predictions from
    // above (engine/bev_plot.h).
    int pictures = 1;
    // false: the previous BEV withheld, every frame run as its scene's first (BevformerRunner::set_history).
    bool history = true;
    torch::Device device = torch::kCPU;
};

BevformerEvalResult evaluate_bevformer(Bevformer model, const NuScenesDataset & ds, const std::string & split,
                                       const std::string & out_dir, const BevformerEvalOptions & opt = {},
                                       const std::function<void(int64_t, int64_t)> & progress = nullptr);

// The training targets scored as a submission instead of a model's output: every key frame's GT as
// the trainer takes it (training_sample_options, make_gt_tensors), through the box code
// (normalize_boxes, denormalize_boxes) and to_nuscenes_boxes, with distinct scores below 1. What a
// model that learned its targets exactly would score: the ceiling the loader's choice of boxes and
// the attribute rule leave, and a check of every frame change between the dataset, the targets and
// the submission. Writes the same files as evaluate_bevformer but no pictures; network_ms and
// seg_iou stay empty.
BevformerEvalResult evaluate_training_targets(const NuScenesDataset & ds, const std::string & split,
                                              const BevformerConfig & cfg, const std::string & out_dir);

}  // namespace rs
