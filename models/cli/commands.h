// roadsight-models subcommands, also reached through roadsight-cli. Each takes the arguments
// after its name and returns an exit code; std::invalid_argument means a usage error (exit 2),
// other exceptions a failure (exit 1).
#pragma once

#include <string>
#include <vector>

namespace rs {

int run_bench_command(const std::vector<std::string> & args);       // bench msda | perception
int run_bench_perception(const std::vector<std::string> & args);
int run_train_command(const std::vector<std::string> & args);       // train bevformer
int run_eval_command(const std::vector<std::string> & args);        // eval detection
int run_export_command(const std::vector<std::string> & args);      // export bevformer

// The usage lines of these commands, for both CLIs' help.
inline constexpr const char * kModelsCommandsUsage =
    "  train bevformer --data DIR --out RUN_DIR [--config C] [--steps N] [--static] ...\n"
    "           train BEVFormer on a nuScenes-format dataset (resumable; CSV log, loss curve)\n"
    "  eval detection --data DIR --split S --out OUT [--weights W | --results R.json] ...\n"
    "           nuScenes detection metrics (mAP, TP errors, NDS) exactly as the devkit, of BEVFormer\n"
    "           (the shipped weights by default) or of a submission JSON\n"
    "  export bevformer --weights W --out FILE [--half]\n"
    "           a checkpoint as a file to ship (loaded strictly first; --half: float16)\n"
    "  bench perception [--configs embedded,tiny] [--threads T] [--iters N] [--device cpu|cuda|all]\n"
    "           milliseconds per six-camera frame of the whole BEVFormer, online\n";

}  // namespace rs
