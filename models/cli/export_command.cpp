// `export bevformer`: turns a training checkpoint into a file to ship. The weights are loaded
// strictly into their config first, so a file that would not load never ships; heads used only in
// training are left out; --half stores the floating tensors as float16 (half the size; they load
// back into float32, the conversion reported).
#include <cstdio>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "engine/safetensors.h"
#include "models/bevformer/bevformer_eval.h"
#include "models/cli/cli_args.h"
#include "models/cli/commands.h"
#include "models/weights.h"

namespace rs {

namespace {

const char * const kUsage =
    "usage: export bevformer --weights W --out FILE [--half] [--config C]\n"
    "  --weights W   a checkpoint (RUN/checkpoints/step_N.safetensors) or any BEVFormer weights\n"
    "  --out FILE    written atomically, with metadata config, step and source (W's file name);\n"
    "                training-only heads (perspective heatmap, BEV velocity) are left out\n"
    "  --half        store floating tensors as float16\n"
    "  --config C    for weights whose metadata does not name their config\n";

}  // namespace

int run_export_command(const std::vector<std::string> & argv) {
    CliArgs args(argv, {"weights", "out", "config"}, {"help", "half"});
    if (args.has("help")) {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (args.positional().size() != 1 || args.positional()[0] != "bevformer")
        throw std::invalid_argument(std::string("expected the model to export\n") + kUsage);
    const std::string weights = args.get("weights", ""), out = args.get("out", "");
    if (weights.empty() || out.empty()) throw std::invalid_argument(std::string("--weights and --out are required\n") + kUsage);

    Bevformer model = load_bevformer(weights, args.get("config", ""));
    if (model->config().perspective_head) std::printf("leaving out the training-only perspective head\n");
    if (model->config().bev_velocity) std::printf("leaving out the training-only BEV velocity head\n");
    model->drop_training_heads();
    const SafetensorsFile file = SafetensorsFile::read(weights);
    const std::map<std::string, std::string> & meta = file.metadata();
    std::map<std::string, std::string> metadata = {{"config", model->config().name},
                                                   {"source", std::filesystem::path(weights).filename().string()}};
    if (auto step = meta.find("step"); step != meta.end()) metadata["step"] = step->second;
    if (args.has("half")) cast_floating_tensors(*model, torch::kHalf);
    save_weights(*model, out, metadata);
    std::printf("%s: BEVFormer %s%s, %.1f MB\n", out.c_str(), model->config().name.c_str(),
                args.has("half") ? " (float16)" : "", double(std::filesystem::file_size(out)) / 1e6);
    return 0;
}

}  // namespace rs
