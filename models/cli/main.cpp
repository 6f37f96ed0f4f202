// roadsight-models: the models-only entry point (builds with nothing but CMake and LibTorch).
#include <cstdio>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/cli/commands.h"

namespace {

struct Command {
    const char * name;
    int (*run)(const std::vector<std::string> &);
};

const Command kCommands[] = {
    {"bench", rs::run_bench_command},
    {"train", rs::run_train_command},
    {"eval", rs::run_eval_command},
    {"export", rs::run_export_command},
};

const char * const kUsage =
    "usage: roadsight-models <command> [options]\n"
    "\n"
    "commands:\n"
    "  bench msda [--batch B] [--queries N] [--heads H] [--levels L] [--points P] [--dim D]\n"
    "             [--map HxW] [--threads T] [--iters N] [--dtype float|double] [--device cpu|cuda|all]\n"
    "           forward and backward milliseconds of multi-scale deformable attention\n"
    "%s"
    "  --version, --help\n"
    "\n"
    "`roadsight-models <command> --help` describes one command.\n";

}  // namespace

int main(int argc, char ** argv) {
    if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
        std::fprintf(argc < 2 ? stderr : stdout, kUsage, rs::kModelsCommandsUsage);
        return argc < 2 ? 2 : 0;
    }
    if (!std::strcmp(argv[1], "--version")) {
        std::printf("roadsight-models %s\n", ROADSIGHT_VERSION);
        return 0;
    }
    const std::string name = argv[1];
    const std::vector<std::string> args(argv + 2, argv + argc);
    for (const Command & c : kCommands) {
        if (name != c.name) continue;
        try {
            return c.run(args);
        } catch (const std::invalid_argument & e) {
            std::fprintf(stderr, "roadsight-models %s: %s\n", c.name, e.what());
            return 2;
        } catch (const std::exception & e) {
            std::fprintf(stderr, "roadsight-models %s: error: %s\n", c.name, e.what());
            return 1;
        }
    }
    std::fprintf(stderr, "roadsight-models: unknown command '%s'\n\n", name.c_str());
    std::fprintf(stderr, kUsage, rs::kModelsCommandsUsage);
    return 2;
}
