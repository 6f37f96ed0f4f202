// Terminal progress bar with rate and ETA. On a terminal it redraws one line; otherwise (logs, CI)
// it prints a line every 10 %, so logs stay short.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace rs {

class ProgressBar {
public:
    explicit ProgressBar(std::string label);
    ~ProgressBar();

    void update(int64_t done, int64_t total, const std::string & stage = {});
    void finish();

private:
    std::string label_;
    std::chrono::steady_clock::time_point start_;
    bool tty_ = false;
    bool finished_ = false;
    int last_decile_ = -1;
    int64_t last_done_ = 0, last_total_ = 0;
};

std::string format_duration(double seconds);

}  // namespace rs
