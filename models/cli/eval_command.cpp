// `eval detection`: nuScenes detection metrics exactly as the devkit computes them, either of a
// BEVFormer run over the split (the shipped weights by default) or of an existing submission JSON.
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "engine/dataset_folder.h"
#include "engine/detection_eval.h"
#include "engine/nuscenes_reader.h"
#include "engine/nuscenes_splits.h"
#include "engine/progress_bar.h"
#include "models/bevformer/bevformer_eval.h"
#include "models/bevformer/bevformer_perceiver.h"
#include "models/cli/cli_args.h"
#include "models/cli/commands.h"
#include "models/torch_device.h"

namespace rs {

namespace {

const char * const kUsage =
    "usage: eval detection --data DIR --split S --out OUT [--version V] [--weights W.safetensors]\n"
    "                      [--config C] [--threads T] [--device D] [--pictures N] [--no-history]\n"
    "                      [--results R.json | --targets]\n"
    "  Runs BEVFormer online over the split (the shipped embedded weights unless --weights) and\n"
    "  writes OUT/results_nusc.json, metrics_summary.json and metrics_details.json; with --results\n"
    "  it scores that submission instead, like the devkit's evaluate script. The first N samples\n"
    "  (--pictures, 1) also get OUT/bev_<sample token>.png: GT in green, predictions in red.\n"
    "  --no-history withholds the previous BEV: every frame runs as its scene's first.\n"
    "  --device runs the network on cpu (default), cuda or cuda:N; decoding and scoring stay on CPU.\n"
    "  --targets scores the training targets of config C (embedded) as if a model had predicted them:\n"
    "  the ceiling the trainer's choice of boxes leaves, and a check of the frames between them.\n";

void print_metrics(const DetectionMetrics & m) {
    const auto tp = m.tp_errors();
    std::printf("mAP: %.4f\nmATE: %.4f\nmASE: %.4f\nmAOE: %.4f\nmAVE: %.4f\nmAAE: %.4f\nNDS: %.4f\n", m.mean_ap(), tp[0],
                tp[1], tp[2], tp[3], tp[4], m.nd_score());
    std::printf("mAVE had every velocity been 0 (same matches): %.4f\n", m.zero_velocity_mave());
    std::printf("\n%-22s %6s %6s %6s %6s %6s %6s %6s\n", "class", "AP", "ATE", "ASE", "AOE", "AVE", "AAE", "AVE@0");
    const auto aps = m.mean_dist_aps();
    const auto cell = [](double e) { std::isnan(e) ? std::printf(" %6s", "nan") : std::printf(" %6.3f", e); };
    for (int c = 0; c < kNumObjectClasses; ++c) {
        std::printf("%-22s %6.3f", class_name(ObjectClass(c)), aps[c]);
        for (double e : m.label_tp_errors[c]) cell(e);
        cell(m.zero_velocity_ave[c]);
        std::printf("\n");
    }
    std::printf("\nAP by distance from the ego (GT and predictions cut to each band; mean over the thresholds;"
                " GT boxes in brackets)\n%-22s",
                "class");
    const auto & edges = DetectionMetrics::kRangeEdges;
    for (int b = 0; b < DetectionMetrics::kRangeBands; ++b) {
        const std::string band = std::to_string(int(edges[b])) + "-" + std::to_string(int(edges[b + 1])) + " m";
        std::printf(" %13s", band.c_str());
    }
    std::printf("\n");
    for (int c = 0; c < kNumObjectClasses; ++c) {
        std::printf("%-22s", class_name(ObjectClass(c)));
        for (int b = 0; b < DetectionMetrics::kRangeBands; ++b) {
            const double ap = m.range_ap[c][b];
            std::isnan(ap) ? std::printf(" %13s", "-") : std::printf(" %5.3f (%5d)", ap, m.range_gt[c][b]);
        }
        std::printf("\n");
    }
}

}  // namespace

int run_eval_command(const std::vector<std::string> & argv) {
    CliArgs args(argv, {"data", "version", "split", "results", "out", "weights", "config", "threads", "pictures", "device"},
                 {"help", "no-history", "targets"});
    if (args.has("help")) {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (args.positional().size() != 1 || args.positional()[0] != "detection")
        throw std::invalid_argument(std::string("expected what to evaluate\n") + kUsage);
    const std::string root = args.get("data", ""), split = args.get("split", ""), out = args.get("out", "");
    if (root.empty() || split.empty() || out.empty())
        throw std::invalid_argument(std::string("--data, --split and --out are required\n") + kUsage);
    if (args.has("results") && (args.has("weights") || args.has("config") || args.has("no-history") || args.has("targets") ||
                                args.has("device")))
        throw std::invalid_argument(
            "--results scores a submission; it does not take --weights, --config, --no-history, --targets or --device");
    if (args.has("targets") && (args.has("weights") || args.has("no-history") || args.has("device")))
        throw std::invalid_argument(
            "--targets scores the training targets; it does not take --weights, --no-history or --device");
    const std::string version = find_version_folder(root, args.get("version", ""));
    const NuScenesDataset ds = load_nuscenes(root, version);
    const std::vector<std::string> samples = split_sample_tokens(ds, split);
    if (samples.empty()) throw std::invalid_argument("split '" + split + "' has no samples in " + root);

    DetectionMetrics m;
    if (args.has("results")) {
        m = evaluate_submission(ds, samples, args.get("results", ""), out);
    } else if (args.has("targets")) {
        const BevformerConfig cfg = BevformerConfig::named(args.get("config", "embedded"));
        const BevformerEvalResult r = evaluate_training_targets(ds, split, cfg, out);
        m = r.metrics;
        std::printf("the training targets of BEVFormer %s, %zu frames; wrote %s\n", cfg.name.c_str(), r.frames,
                    r.results_json.c_str());
    } else {
        std::string weights = args.get("weights", "");
        if (weights.empty()) weights = shipped_bevformer_weights();
        if (weights.empty())
            throw std::invalid_argument("no --weights given and no shipped assets/bevformer_embedded.safetensors found");
        at::set_num_threads(int(args.get_int("threads", 2, 1, 1024)));
        BevformerEvalOptions opt;
        opt.device = parse_torch_device(args.get("device", "cpu"));
        Bevformer model = load_bevformer(weights, args.get("config", ""));
        std::printf("%s: BEVFormer %s on %s\n", weights.c_str(), model->config().name.c_str(), opt.device.str().c_str());
        ProgressBar bar("perceive", "frames");
        opt.pictures = int(args.get_int("pictures", 1, 0, 1'000'000));
        opt.history = !args.has("no-history");
        if (!opt.history) std::printf("previous BEV withheld (--no-history)\n");
        BevformerEvalResult r =
            evaluate_bevformer(model, ds, split, out, opt, [&](int64_t d, int64_t t) { bar.update(d, t); });
        bar.finish();
        m = r.metrics;
        std::printf("%zu frames, network %.1f ms per frame; wrote %s\n", r.frames, r.mean_network_ms, r.results_json.c_str());
        if (!r.seg_iou.empty())
            std::printf("BEV map IoU: drivable %.4f, lane line %.4f, crossing %.4f\n", r.seg_iou[0], r.seg_iou[1],
                        r.seg_iou[2]);
    }
    std::printf("%s %s: %zu samples\n", version.c_str(), split.c_str(), samples.size());
    print_metrics(m);
    std::printf("\nwrote %s/metrics_summary.json and metrics_details.json\n", out.c_str());
    return 0;
}

}  // namespace rs
