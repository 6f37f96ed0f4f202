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

}  // namespace rs
