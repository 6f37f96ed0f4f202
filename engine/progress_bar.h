// Terminal progress bar with rate and ETA, shared by roadsight-cli and the models tools. On a
// terminal it redraws one line; otherwise (logs, CI) it prints a line every 10 %, so logs stay short.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace rs {

class ProgressBar {
public:
    // With a rate unit ("samples"), each line also shows unit_per_step * steps per second.
    explicit ProgressBar(std::string label, std::string rate_unit = {}, double unit_per_step = 1.0);
    ~ProgressBar();

    // Rate and ETA count from the first update's `done`, so a resumed run is not credited with
    // the steps done before it started.
    void update(int64_t done, int64_t total, const std::string & stage = {});
    void finish();

private:
    std::string label_;
    std::string rate_unit_;
    double unit_per_step_ = 1.0;
    std::chrono::steady_clock::time_point start_;
    bool tty_ = false;
    bool finished_ = false;
    int last_decile_ = -1;
    int64_t first_done_ = -1;
    int64_t last_done_ = 0, last_total_ = 0;
};

std::string format_duration(double seconds);

}  // namespace rs
