// `roadsight-cli eval detection`: scores a nuScenes detection submission JSON exactly as the
// devkit's evaluate script does and writes metrics_summary.json and metrics_details.json.
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "app/cli/dataset_folder.h"
#include "engine/detection_eval.h"
#include "engine/nuscenes_reader.h"
#include "engine/nuscenes_splits.h"

namespace rs {

int run_eval_command(const std::vector<std::string> & argv) {
    Args args(argv, {"data", "version", "split", "results", "out"}, {});
    if (args.positional().size() != 1 || args.positional()[0] != "detection")
        throw std::invalid_argument(
            "usage: roadsight-cli eval detection --data DIR [--version V] --split S --results R.json --out OUT");
    const std::string root = args.require("data");
    const std::string version = find_version_folder(root, args.get("version", ""));
    const std::string split = args.require("split");
    NuScenesDataset ds = load_nuscenes(root, version);
    std::vector<std::string> samples = split_sample_tokens(ds, split);
    if (samples.empty()) throw std::invalid_argument("split '" + split + "' has no samples in " + root);
    const std::string out = args.require("out");
    DetectionMetrics m = evaluate_submission(ds, samples, args.require("results"), out);

    auto tp = m.tp_errors();
    std::printf("%s %s: %zu samples\n", version.c_str(), split.c_str(), samples.size());
    std::printf("mAP: %.4f\nmATE: %.4f\nmASE: %.4f\nmAOE: %.4f\nmAVE: %.4f\nmAAE: %.4f\nNDS: %.4f\n", m.mean_ap(), tp[0],
                tp[1], tp[2], tp[3], tp[4], m.nd_score());
    std::printf("\n%-22s %6s %6s %6s %6s %6s %6s\n", "class", "AP", "ATE", "ASE", "AOE", "AVE", "AAE");
    auto aps = m.mean_dist_aps();
    for (int c = 0; c < kNumObjectClasses; ++c) {
        std::printf("%-22s %6.3f", class_name(ObjectClass(c)), aps[c]);
        for (double e : m.label_tp_errors[c]) std::isnan(e) ? std::printf(" %6s", "nan") : std::printf(" %6.3f", e);
        std::printf("\n");
    }
    std::printf("\nwrote %s/metrics_summary.json and metrics_details.json\n", out.c_str());
    return 0;
}

}  // namespace rs
