// `train bevformer`: trains a BEVFormer on a nuScenes-format dataset with progress, resumable
// checkpoints, a CSV loss log and a loss-curve PNG (models/bevformer/bevformer_trainer.h).
#include <cstdio>
#include <stdexcept>
#include <string>

#include "engine/progress_bar.h"
#include "models/bevformer/bevformer_trainer.h"
#include "models/bevformer/box_code.h"
#include "models/cli/cli_args.h"
#include "models/cli/commands.h"
#include "models/torch_device.h"

namespace rs {

namespace {

const char * const kUsage =
    "usage: train bevformer --data DIR --out RUN_DIR [options]\n"
    "  --config C       tiny, small, base or embedded, each also as C-static (embedded)\n"
    "  --steps N        total steps, counting those of a resumed run (1000)\n"
    "  --split S        split of the dataset to train on (train)\n"
    "  --version V      v1.0-* folder (the only one under DIR)\n"
    "  --seed K         initialisation and data order (1)\n"
    "  --threads T      CPU threads (2)\n"
    "  --device D       cpu (default), cuda or cuda:N: where the network trains; images are still\n"
    "                   decoded and augmented on CPU threads\n"
    "  --checkpoint-every N   steps between checkpoints and loss plots (250)\n"
    "  --init W         fine-tune: a new run starts from these weights (a checkpoint, or an exported\n"
    "                   model whose training-only heads then start fresh); a resumed run keeps its own\n"
    "  --queue-span S   seconds before the current frame from which the training queue's earlier\n"
    "                   frames are drawn (the config's: 2); 1 with the 3-frame embedded queue makes\n"
    "                   it the two preceding key frames, 0.5 s apart as at inference\n"
    "  --static         BEVFormer-S (same as C-static): no temporal attention to the previous BEV\n"
    "  --no-seg         without the map-segmentation head\n"
    "  --grid-mask / --no-grid-mask   GridMask on the training images (default: the config's;\n"
    "                   on for tiny/small/base as officially, off for embedded)\n"
    "  --photometric / --no-photometric   colour distortion of the training images (default as\n"
    "                   GridMask's)\n"
    "  --proposals / --no-proposals   two-stage queries from a dense BEV heatmap (default: the\n"
    "                   config's; on for embedded, off for tiny/small/base)\n"
    "  --perspective / --no-perspective   per-camera centre heatmap supervising the image\n"
    "                   features in training (default as --proposals')\n"
    "  --bev-velocity / --no-bev-velocity   each object's velocity regressed at its BEV centre cell\n"
    "                   in training (CenterPoint-style; default off)\n"
    "  --velocity-weight V   L1 weight of the box code's vx and vy (the config's: 0.2, as officially)\n"
    "  --lr LR          peak learning rate of the cosine schedule (the config's: 2e-4, embedded 4e-4);\n"
    "                   lower for a fine-tune that should keep what --init learned. Give a resumed run\n"
    "                   the same --lr and --steps: they shape the schedule\n"
    "RUN_DIR gets checkpoints/, losses.csv, loss_curve.png and state.json; running the same command\n"
    "again resumes from its last checkpoint.\n";

// --NAME turns a config switch on, --no-NAME off; neither keeps the config's default.
void switch_flag(const CliArgs & args, const std::string & name, bool & value) {
    if (args.has(name) && args.has("no-" + name))
        throw std::invalid_argument("--" + name + " or --no-" + name + ", not both");
    if (args.has(name)) value = true;
    if (args.has("no-" + name)) value = false;
}

}  // namespace

int run_train_command(const std::vector<std::string> & argv) {
    CliArgs args(argv, {"data", "out", "config", "steps", "split", "version", "seed", "threads", "checkpoint-every",
                        "init", "queue-span", "velocity-weight", "lr", "device"},
                 {"help", "static", "no-seg", "grid-mask", "no-grid-mask", "photometric", "no-photometric",
                  "proposals", "no-proposals", "perspective", "no-perspective", "bev-velocity", "no-bev-velocity"});
    if (args.has("help")) {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (args.positional().size() != 1 || args.positional()[0] != "bevformer")
        throw std::invalid_argument(std::string("expected the model to train\n") + kUsage);
    BevformerTrainOptions opt;
    opt.data_dir = args.get("data", "");
    opt.out_dir = args.get("out", "");
    if (opt.data_dir.empty() || opt.out_dir.empty()) throw std::invalid_argument(std::string("--data and --out are required\n") + kUsage);
    std::string config = args.get("config", "embedded");
    if (args.has("static") && config.find("-static") == std::string::npos) config += "-static";
    opt.config = BevformerConfig::named(config);
    if (args.has("no-seg")) opt.config.seg_head = false;
    switch_flag(args, "grid-mask", opt.config.grid_mask);
    switch_flag(args, "photometric", opt.config.photometric);
    switch_flag(args, "proposals", opt.config.bev_proposals);
    switch_flag(args, "perspective", opt.config.perspective_head);
    switch_flag(args, "bev-velocity", opt.config.bev_velocity);
    if (args.has("queue-span")) opt.config.queue_span_s = float(args.get_double("queue-span", 2.0, 0.01, 60.0));
    if (args.has("velocity-weight")) {
        const float w = float(args.get_double("velocity-weight", 0.2, 0.0, 100.0));
        opt.config.code_weights[kCodeVelocity] = opt.config.code_weights[kCodeVelocity + 1] = w;
    }
    if (args.has("lr")) opt.config.lr = float(args.get_double("lr", 2e-4, 1e-8, 1.0));
    opt.init_weights = args.get("init", "");
    opt.steps = args.get_int("steps", 1000, 1, 100'000'000);
    opt.split = args.get("split", "train");
    opt.version = args.get("version", "");
    opt.seed = uint64_t(args.get_int("seed", 1, 0, INT64_MAX));
    opt.threads = int(args.get_int("threads", 2, 1, 1024));
    opt.device = parse_torch_device(args.get("device", "cpu"));
    opt.checkpoint_every = args.get_int("checkpoint-every", 250, 1, 100'000'000);

    ProgressBar bar("train " + opt.config.name, "samples");
    BevformerTrainSummary s = train_bevformer(opt, [&](int64_t done, int64_t total) { bar.update(done, total); });
    bar.finish();
    if (s.initialised) std::printf("started from %s\n", opt.init_weights.c_str());
    std::printf("trained %s on %zu key frames of %s (%s): steps %lld to %lld, %.2f samples/s, mean loss of the last steps %.4f\n"
                "weights: %s\n",
                opt.config.name.c_str(), s.samples, opt.split.c_str(), opt.device.str().c_str(), (long long)s.first_step,
                (long long)s.steps, s.samples_per_s, s.final_loss, s.weights.c_str());
    return 0;
}

}  // namespace rs
