// roadsight-models subcommands. Each takes the arguments after its name and returns an exit
// code; std::invalid_argument means a usage error (exit 2), other exceptions a failure (exit 1).
#pragma once

#include <string>
#include <vector>

namespace rs {

int run_bench_command(const std::vector<std::string> & args);

}  // namespace rs
