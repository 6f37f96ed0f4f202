// roadsight-cli: headless entry point for dataset generation, inspection and benchmarks.
#include <cstdio>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include "app/cli/commands.h"
#include "models/cli/commands.h"

namespace {

const char * const kUsage =
    "usage: roadsight-cli <command> [options]\n"
    "\n"
    "commands:\n"
    "  generate --scenes N --seconds S --seed K --out DIR [--width W --height H]\n"
    "           [--version v1.0-trainval] [--jpeg-quality Q] [--traffic D] [--pedestrians D]\n"
    "           [--town-blocks B] [--time-of-day H] [--split train]\n"
    "           film procedural scenes through the six-camera rig into a nuScenes-format dataset\n"
    "  info DIR [--version V]    summarise a nuScenes-format dataset (generated or real)\n"
    "  bench render [--frames N] [--width W --height H]\n"
    "           six-camera frames per second of the Vulkan renderer\n"
    "%s"
    "  --version, --help\n";

}  // namespace

int main(int argc, char ** argv) {
    if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
        std::fprintf(argc < 2 ? stderr : stdout, kUsage, rs::kModelsCommandsUsage);
        return argc < 2 ? 2 : 0;
    }
    if (!std::strcmp(argv[1], "--version")) {
        std::printf("roadsight-cli %s\n", ROADSIGHT_VERSION);
        return 0;
    }
    std::string command = argv[1];
    std::vector<std::string> args(argv + 2, argv + argc);
    try {
        if (command == "generate") return rs::run_generate_command(args);
        if (command == "info") return rs::run_info_command(args);
        if (command == "bench" && !args.empty() && args[0] == "perception")
            return rs::run_bench_perception({args.begin() + 1, args.end()});
        if (command == "bench") return rs::run_render_bench_command(args);
        if (command == "train") return rs::run_train_command(args);
        if (command == "eval") return rs::run_eval_command(args);
        if (command == "export") return rs::run_export_command(args);
        std::fprintf(stderr, "roadsight-cli: unknown command '%s'\n\n", command.c_str());
        std::fprintf(stderr, kUsage, rs::kModelsCommandsUsage);
        return 2;
    } catch (const std::invalid_argument & e) {
        std::fprintf(stderr, "roadsight-cli %s: %s\n", command.c_str(), e.what());
        return 2;
    } catch (const std::exception & e) {
        std::fprintf(stderr, "roadsight-cli %s: error: %s\n", command.c_str(), e.what());
        return 1;
    }
}
