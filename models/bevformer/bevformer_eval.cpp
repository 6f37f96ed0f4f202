#include "models/bevformer/bevformer_eval.h"

#include <filesystem>
#include <map>
#include <stdexcept>

#include "engine/bev_plot.h"
#include "engine/bev_segmentation_target.h"
#include "engine/detection_sample.h"
#include "engine/file_io.h"
#include "engine/nuscenes_splits.h"
#include "engine/safetensors.h"
#include "engine/segmentation_iou.h"
#include "models/bevformer/bevformer_runner.h"
#include "models/bevformer/box_code.h"
#include "models/bevformer/detection_decoder.h"
#include "models/bevformer/sample_batch.h"
#include "models/weights.h"

namespace rs {

namespace {

// Writes the boxes as the submission JSON (every split sample, empty where none) and scores it.
DetectionMetrics score_boxes(const NuScenesDataset & ds, const std::vector<std::string> & tokens,
                             const std::map<std::string, std::vector<EvalBox>> & boxes, const std::string & out_dir,
                             const std::string & results_json) {
    DetectionSubmission submission;
    submission.meta = Json::object();
    submission.meta.set("use_camera", true);
    submission.meta.set("use_lidar", false);
    submission.meta.set("use_radar", false);
    submission.meta.set("use_map", false);
    submission.meta.set("use_external", false);
    for (const std::string & t : tokens) {
        auto it = boxes.find(t);
        submission.results.add_boxes(t, it == boxes.end() ? std::vector<EvalBox>{} : it->second);
    }
    save_detection_submission(results_json, submission);
    return evaluate_submission(ds, tokens, results_json, out_dir);
}

}  // namespace

Bevformer load_bevformer(const std::string & weights_path, const std::string & config_name) {
    const SafetensorsFile file = SafetensorsFile::read(weights_path);
    const auto it = file.metadata().find("config");
    const std::string stored = it == file.metadata().end() ? std::string() : it->second;
    if (stored.empty() && config_name.empty())
        throw std::invalid_argument(weights_path + " does not name its BEVFormer config (metadata \"config\"); pass --config");
    if (!stored.empty() && !config_name.empty() && stored != config_name)
        throw std::invalid_argument(weights_path + " holds a '" + stored + "' BEVFormer, not '" + config_name + "'");
    BevformerConfig cfg = BevformerConfig::named(config_name.empty() ? stored : config_name);
    // Which optional heads were trained shows in the tensors.
    cfg.seg_head = cfg.bev_proposals = cfg.perspective_head = cfg.bev_velocity = false;
    for (const SafetensorsEntry & e : file.entries()) {
        if (e.name.rfind("seg_head.", 0) == 0) cfg.seg_head = true;
        if (e.name.rfind("proposal_head.", 0) == 0) cfg.bev_proposals = true;
        if (e.name.rfind("perspective_head.", 0) == 0) cfg.perspective_head = true;
        if (e.name.rfind("velocity_head.", 0) == 0) cfg.bev_velocity = true;
    }
    Bevformer model(cfg);
    load_weights(*model, weights_path);
    return model;
}

BevformerEvalResult evaluate_bevformer(Bevformer model, const NuScenesDataset & ds, const std::string & split,
                                       const std::string & out_dir, const BevformerEvalOptions & opt,
                                       const std::function<void(int64_t, int64_t)> & progress) {
    const BevformerConfig cfg = model->config();
    DetectionSampleOptions sample_opt;
    sample_opt.require_points = false;  // GT filtering is the evaluation's business here
    const std::vector<DetectionSample> samples = load_split_detection_samples(ds, split, sample_opt);
    const std::vector<std::string> tokens = split_sample_tokens(ds, split);
    if (tokens.empty()) throw std::invalid_argument("split '" + split + "' has no samples");

    // Map IoU only on generated scenes: real nuScenes maps are another product, with no targets.
    std::map<std::string, GeneratedMap> maps;
    if (cfg.seg_head)
        for (const DetectionSample & s : samples)
            if (!maps.count(s.scene_token) && is_generated_scene(ds, s.scene_token))
                maps.emplace(s.scene_token, load_generated_map(ds, s.scene_token));
    SegmentationIou iou(kNumBevSegClasses);

    std::filesystem::create_directories(out_dir);
    const EvalBoxes gt = load_gt_boxes(ds, tokens);
    BevformerRunner runner(std::move(model), opt.device);
    runner.set_history(opt.history);
    std::map<std::string, std::vector<EvalBox>> boxes;
    BevformerEvalResult result;
    double network_ms = 0;
    for (size_t i = 0; i < samples.size(); ++i) {
        PerceptionResult r = runner.run(samples[i]);
        if (int(i) < opt.pictures) {
            BevPlotOptions plot;
            plot.title = samples[i].sample_token;
            write_bev_plot(out_dir + "/bev_" + samples[i].sample_token + ".png", gt.boxes(samples[i].sample_token), r.boxes,
                           samples[i].ego2global, plot);
        }
        boxes[samples[i].sample_token] = std::move(r.boxes);
        network_ms += r.network_ms;
        if (const auto map = maps.find(samples[i].scene_token); map != maps.end() && r.seg_masks.defined()) {
            std::array<double, 6> range;
            for (int k = 0; k < 6; ++k) range[k] = cfg.pc_range[k];
            const DetectionSample & s = samples[i];
            BevSegmentationTarget t = bev_segmentation_target(map->second, s.ego2global * s.lidar2ego,
                                                              cfg.bev_h, cfg.bev_w, range);
            std::vector<uint8_t> target, predicted(r.seg_masks.data_ptr<uint8_t>(),
                                                   r.seg_masks.data_ptr<uint8_t>() + r.seg_masks.numel());
            for (const auto & m : t.masks) target.insert(target.end(), m.begin(), m.end());
            iou.add(predicted, target);
        }
        if (progress) progress(int64_t(i + 1), int64_t(samples.size()));
    }
    result.results_json = out_dir + "/results_nusc.json";
    result.metrics = score_boxes(ds, tokens, boxes, out_dir, result.results_json);
    result.frames = samples.size();
    result.mean_network_ms = samples.empty() ? 0 : network_ms / double(samples.size());
    if (iou.frames() > 0) result.seg_iou = iou.per_class();
    return result;
}

BevformerEvalResult evaluate_training_targets(const NuScenesDataset & ds, const std::string & split,
                                              const BevformerConfig & cfg, const std::string & out_dir) {
    const std::vector<DetectionSample> samples = load_split_detection_samples(ds, split, training_sample_options(cfg));
    const std::vector<std::string> tokens = split_sample_tokens(ds, split);
    if (tokens.empty()) throw std::invalid_argument("split '" + split + "' has no samples");
    std::filesystem::create_directories(out_dir);
    // Distinct scores: the devkit reads TP errors off the curve by confidence, so with ties every
    // box would count the error of the first one matched.
    int64_t total = 0, rank = 0;
    for (const DetectionSample & s : samples) total += int64_t(s.gt.size());
    std::map<std::string, std::vector<EvalBox>> boxes;
    for (const DetectionSample & s : samples) {
        const GtTensors gt = make_gt_tensors(s);
        const int64_t m = gt.boxes.size(0);
        Detections d;
        d.boxes = denormalize_boxes(normalize_boxes(gt.boxes));
        d.scores = 1.0 - (torch::arange(m, torch::kDouble) + double(rank + 1)) / double(total + 1);
        rank += m;
        d.labels = gt.labels;
        boxes[s.sample_token] = to_nuscenes_boxes(d, s.lidar2ego, s.ego2global, s.sample_token);
    }
    BevformerEvalResult result;
    result.results_json = out_dir + "/results_nusc.json";
    result.metrics = score_boxes(ds, tokens, boxes, out_dir, result.results_json);
    result.frames = samples.size();
    return result;
}

}  // namespace rs
