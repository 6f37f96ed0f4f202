// roadsight-cli subcommands. Each takes the arguments after its name and returns an exit code.
#pragma once

#include <string>
#include <vector>

namespace rs {

int run_generate_command(const std::vector<std::string> & args);
int run_info_command(const std::vector<std::string> & args);
int run_render_bench_command(const std::vector<std::string> & args);  // bench render

}  // namespace rs
