#include "models/bevformer/bevformer_trainer.h"

#include <torch/optim/adamw.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <deque>
#include <map>
#include <numeric>
#include <random>
#include <stdexcept>

#include "engine/bev_segmentation_target.h"
#include "engine/dataset_error.h"
#include "engine/dataset_folder.h"
#include "engine/detection_sample.h"
#include "engine/nuscenes_reader.h"
#include "models/bevformer/bev_proposal_head.h"
#include "models/bevformer/bev_velocity_head.h"
#include "models/bevformer/bevformer.h"
#include "models/bevformer/center_heatmap.h"
#include "models/bevformer/detection_loss.h"
#include "models/bevformer/grid_mask.h"
#include "models/bevformer/perspective_head.h"
#include "models/bevformer/photometric_distortion.h"
#include "models/bevformer/sample_batch.h"
#include "models/bevformer/segmentation_loss.h"
#include "models/training_run.h"
#include "models/weights.h"

namespace rs {

namespace {

torch::Tensor relative_can_bus_tensor(const DetectionSample & s, const DetectionSample * prev) {
    const std::array<double, 18> rel = relative_can_bus(s.can_bus, prev ? &prev->can_bus : nullptr);
    return torch::tensor(std::vector<double>(rel.begin(), rel.end()), torch::kFloat64).to(torch::kFloat32);
}

BevformerFrame make_frame(const SampleTensors & t, const torch::Tensor & can_bus, const torch::Device & device) {
    BevformerFrame f;
    f.images = t.images.unsqueeze(0).to(device);
    f.lidar2img = t.lidar2img.unsqueeze(0).to(device);
    f.can_bus = can_bus.unsqueeze(0).to(device);
    return f;
}

// PhotoMetricDistortion works on 0..255 values: the image area goes back to them, is distorted and
// normalised again; the zero padding stays.
void distort_colours(SampleTensors & t, const BevformerConfig & cfg, std::mt19937 & rng) {
    torch::Tensor mean = torch::tensor({cfg.image_mean[0], cfg.image_mean[1], cfg.image_mean[2]}).view({1, 3, 1, 1});
    torch::Tensor std = torch::tensor({cfg.image_std[0], cfg.image_std[1], cfg.image_std[2]}).view({1, 3, 1, 1});
    torch::Tensor area = t.images.narrow(2, 0, t.img_h).narrow(3, 0, t.img_w);
    area.copy_((apply_photometric_distortion(area * std + mean, rng, cfg.image_bgr) - mean) / std);
}

// The queues of every step from step 0, so a resumed run sees the same data as an uninterrupted one.
std::vector<std::vector<size_t>> plan_queues(const std::vector<DetectionSample> & samples, const BevformerConfig & cfg,
                                             int64_t steps, uint64_t seed) {
    std::mt19937 rng(static_cast<uint32_t>(seed));
    std::vector<size_t> perm(samples.size());
    size_t pos = perm.size();
    std::vector<std::vector<size_t>> queues;
    queues.reserve(static_cast<size_t>(steps));
    for (int64_t s = 0; s < steps; ++s) {
        if (pos == perm.size()) {
            std::iota(perm.begin(), perm.end(), size_t{0});
            std::shuffle(perm.begin(), perm.end(), rng);
            pos = 0;
        }
        queues.push_back(history_indices(samples, perm[pos++], cfg.queue_length, cfg.queue_span_s, rng));
    }
    return queues;
}

}  // namespace

void load_init_weights(Bevformer & model, const std::string & path) {
    WeightsLoadOptions lenient;
    lenient.strict = false;
    WeightsReport report = load_weights(*model, path, lenient);
    report.missing.erase(
        std::remove_if(report.missing.begin(), report.missing.end(), BevformerImpl::is_training_head_tensor),
        report.missing.end());
    if (!report.complete()) throw WeightsError(report);
}

BevformerTrainSummary train_bevformer(const BevformerTrainOptions & opt,
                                      const std::function<void(int64_t, int64_t)> & progress) {
    const BevformerConfig & cfg = opt.config;
    cfg.validate();
    if (opt.steps < 1) throw std::invalid_argument("--steps must be at least 1");
    if (opt.out_dir.empty()) throw std::invalid_argument("an output folder (--out) is required");
    torch::manual_seed(opt.seed);
    torch::set_num_threads(opt.threads);

    const NuScenesDataset ds = load_nuscenes(opt.data_dir, find_version_folder(opt.data_dir, opt.version));
    const DetectionSampleOptions sample_opt = training_sample_options(cfg);
    const std::vector<DetectionSample> samples = load_split_detection_samples(ds, opt.split, sample_opt);
    if (samples.empty()) throw std::invalid_argument("split '" + opt.split + "' of " + opt.data_dir + " has no key frames");

    // Map-segmentation targets come from our generator's map rasters, one per scene.
    std::map<std::string, GeneratedMap> maps;
    if (cfg.seg_head) {
        try {
            for (const DetectionSample & s : samples)
                if (!maps.count(s.scene_token)) maps.emplace(s.scene_token, load_generated_map(ds, s.scene_token));
        } catch (const DatasetError & e) {
            throw DatasetError(std::string(e.what()) + "; without map targets, train with --no-seg");
        }
    }

    Bevformer model(cfg);
    // Moved before the optimizer takes its parameters; checkpoints and --init weights load onto it.
    model->to(opt.device);
    const torch::Device dev = opt.device;
    std::vector<torch::Tensor> backbone, rest;
    for (const auto & p : model->named_parameters()) {
        if (!p.value().requires_grad()) continue;
        (p.key().rfind("img_backbone.", 0) == 0 ? backbone : rest).push_back(p.value());
    }
    const auto adamw = [&](double lr) { return std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(lr).weight_decay(cfg.weight_decay)); };
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(backbone, adamw(cfg.lr * cfg.backbone_lr_mult));
    groups.emplace_back(rest, adamw(cfg.lr));
    torch::optim::AdamW optimizer(groups, torch::optim::AdamWOptions(cfg.lr).weight_decay(cfg.weight_decay));
    std::vector<torch::Tensor> trainable = backbone;
    trainable.insert(trainable.end(), rest.begin(), rest.end());

    std::vector<std::string> loss_names = {"total", "loss_cls", "loss_bbox"};
    if (cfg.seg_head) loss_names.push_back("loss_seg");
    if (cfg.bev_proposals) loss_names.push_back("loss_heatmap");
    if (cfg.perspective_head) loss_names.push_back("loss_perspective");
    if (cfg.bev_velocity) loss_names.push_back("loss_bev_velocity");
    TrainingRun run(opt.out_dir, cfg.name, opt.seed, loss_names);
    BevformerTrainSummary summary;
    summary.samples = samples.size();
    summary.first_step = run.resume(*model, optimizer);
    if (summary.first_step == 0 && !opt.init_weights.empty()) {
        load_init_weights(model, opt.init_weights);
        summary.initialised = true;
    }
    if (summary.first_step >= opt.steps)
        throw std::invalid_argument("the run in " + opt.out_dir + " is already at step " + std::to_string(summary.first_step) +
                                    "; ask for more --steps to continue it");

    const std::vector<std::vector<size_t>> queues = plan_queues(samples, cfg, opt.steps, opt.seed);
    std::vector<size_t> order;
    for (int64_t s = summary.first_step; s < opt.steps; ++s) order.insert(order.end(), queues[s].begin(), queues[s].end());
    SampleLoader loader(samples, order, cfg, 2 * cfg.queue_length);

    LrSchedule schedule;
    schedule.base_lr = cfg.lr;
    schedule.total_steps = opt.steps;
    schedule.warmup_steps = cfg.warmup_steps;
    model->train();
    std::deque<double> recent;
    const auto session_start = std::chrono::steady_clock::now();
    for (int64_t step = summary.first_step; step < opt.steps; ++step) {
        const auto step_start = std::chrono::steady_clock::now();
        const double lr = schedule.at(step);
        set_learning_rate(optimizer, lr, {cfg.backbone_lr_mult, 1.0});

        const std::vector<size_t> & queue = queues[step];
        // Seeded per step, so a resumed run draws what an uninterrupted one would.
        std::mt19937 colour_rng(static_cast<uint32_t>(opt.seed * 1000033u + uint64_t(step)));
        std::vector<BevformerFrame> history;
        SampleTensors current;
        for (size_t k = 0; k < queue.size(); ++k) {
            std::optional<SampleTensors> t = loader.next();
            if (!t) throw std::logic_error("sample loader ran dry");
            // Every frame of the queue goes through the official train pipeline, so each is distorted.
            if (cfg.photometric) distort_colours(*t, cfg, colour_rng);
            const DetectionSample * prev = k ? &samples[queue[k - 1]] : nullptr;
            torch::Tensor can_bus = relative_can_bus_tensor(samples[queue[k]], prev);
            if (k + 1 < queue.size()) {
                history.push_back(make_frame(*t, can_bus, dev));
            } else {
                current = std::move(*t);
                BevformerFrame frame = make_frame(current, can_bus, dev);
                // History frames are encoded in eval mode, where the official GridMask is off.
                if (cfg.grid_mask) {
                    std::mt19937 mask_rng(static_cast<uint32_t>(opt.seed * 1000003u + uint64_t(step)));
                    frame.images = apply_grid_mask(frame.images, mask_rng, cfg.grid_mask_prob);
                }
                BevformerOutputs out = model->forward_train(history, frame);
                DetectionLoss det = compute_detection_loss(out.detections.all_cls_scores, out.detections.all_bbox_preds,
                                                           {current.gt_boxes.to(dev)}, {current.gt_labels.to(dev)}, cfg);
                torch::Tensor total = det.total;
                std::vector<double> logged = {0, det.part("loss_cls").item<double>(), det.part("loss_bbox").item<double>()};
                if (cfg.seg_head) {
                    const DetectionSample & s = samples[queue[k]];
                    BevSegmentationTarget target = bev_segmentation_target(
                        maps.at(s.scene_token), s.ego2global * s.lidar2ego, cfg.bev_h, cfg.bev_w, sample_opt.pc_range);
                    torch::Tensor masks = torch::empty({1, kNumBevSegClasses, cfg.bev_h, cfg.bev_w});
                    for (int c = 0; c < kNumBevSegClasses; ++c)
                        masks[0][c].copy_(torch::from_blob(target.masks[c].data(), {cfg.bev_h, cfg.bev_w}, torch::kUInt8)
                                              .to(torch::kFloat32));
                    SegmentationLoss seg = compute_segmentation_loss(out.seg_logits, masks.to(dev));
                    total = total + seg.total;
                    logged.push_back(seg.total.item<double>());
                }
                if (cfg.bev_proposals) {
                    const torch::Tensor target =
                        bev_heatmap_target(current.gt_boxes, current.gt_labels, cfg).unsqueeze(0).to(dev);
                    const torch::Tensor heatmap = heatmap_focal_loss(out.proposal_heatmap, target);
                    total = total + cfg.proposal_loss_weight * heatmap;
                    logged.push_back(heatmap.item<double>());
                }
                if (cfg.perspective_head) {
                    const torch::Tensor & heat = out.perspective_heatmap;
                    const torch::Tensor target = perspective_heatmap_target(
                        current.gt_boxes, current.gt_labels, current.lidar2img, {current.img_h, current.img_w},
                        {current.pad_h, current.pad_w}, {heat.size(3), heat.size(4)}, cfg.num_classes);
                    const torch::Tensor perspective = heatmap_focal_loss(heat, target.unsqueeze(0).to(dev));
                    total = total + cfg.perspective_loss_weight * perspective;
                    logged.push_back(perspective.item<double>());
                }
                if (cfg.bev_velocity) {
                    const torch::Tensor velocity = bev_velocity_loss(out.bev_velocity, bev_velocity_target(current.gt_boxes, cfg));
                    total = total + cfg.bev_velocity_loss_weight * velocity;
                    logged.push_back(velocity.item<double>());
                }
                logged[0] = total.item<double>();
                if (!std::isfinite(logged[0]))
                    throw std::runtime_error("training diverged at step " + std::to_string(step + 1) + " (loss " +
                                             std::to_string(logged[0]) + "); lower the learning rate");
                optimizer.zero_grad();
                total.backward();
                clip_grad_norm(trainable, cfg.grad_clip);
                optimizer.step();

                const double step_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - step_start).count();
                run.log(step + 1, lr, 1.0 / step_s, logged);
                recent.push_back(logged[0]);
                if (recent.size() > 50) recent.pop_front();
            }
        }
        if ((step + 1) % opt.checkpoint_every == 0 || step + 1 == opt.steps) {
            run.save_checkpoint(step + 1, *model, optimizer);
            run.write_loss_plot();
        }
        if (progress) progress(step + 1, opt.steps);
    }
    const double session_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - session_start).count();
    summary.steps = opt.steps;
    summary.samples_per_s = double(opt.steps - summary.first_step) / session_s;
    summary.final_loss = std::accumulate(recent.begin(), recent.end(), 0.0) / double(recent.size());
    summary.weights = run.model_path(opt.steps);
    return summary;
}

}  // namespace rs
