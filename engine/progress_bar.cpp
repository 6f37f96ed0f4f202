#include "engine/progress_bar.h"

#include <unistd.h>

#include <cstdio>

namespace rs {

std::string format_duration(double s) {
    if (!(s >= 0) || s > 360000) return "--:--";
    int t = int(s + 0.5);
    char buf[32];
    if (t >= 3600) std::snprintf(buf, sizeof buf, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60);
    else std::snprintf(buf, sizeof buf, "%02d:%02d", t / 60, t % 60);
    return buf;
}

ProgressBar::ProgressBar(std::string label, std::string rate_unit, double unit_per_step)
    : label_(std::move(label)), rate_unit_(std::move(rate_unit)), unit_per_step_(unit_per_step),
      start_(std::chrono::steady_clock::now()), tty_(isatty(STDERR_FILENO)) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(int64_t done, int64_t total, const std::string & stage) {
    if (first_done_ < 0) {
        first_done_ = done;
        start_ = std::chrono::steady_clock::now();
    }
    last_done_ = done;
    last_total_ = total;
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    double frac = total > 0 ? double(done) / double(total) : 0.0;
    const int64_t progressed = done - first_done_;
    double eta = progressed > 0 ? elapsed * (total - done) / progressed : -1;
    std::string rate;
    if (!rate_unit_.empty() && progressed > 0 && elapsed > 0) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.2f %s/s  ", progressed * unit_per_step_ / elapsed, rate_unit_.c_str());
        rate = buf;
    }
    if (!tty_) {
        int decile = int(frac * 10);
        if (decile == last_decile_) return;
        last_decile_ = decile;
    }
    const int width = 30;
    int fill = int(frac * width);
    std::string bar(fill, '#');
    bar.append(width - fill, '-');
    std::fprintf(stderr, "%s%s [%s] %3d%% %lld/%lld  %s elapsed, ETA %s  %s%s%s", tty_ ? "\r" : "", label_.c_str(),
                 bar.c_str(), int(frac * 100), (long long)done, (long long)total, format_duration(elapsed).c_str(),
                 format_duration(eta).c_str(), rate.c_str(), stage.c_str(), tty_ ? "\033[K" : "\n");
    std::fflush(stderr);
}

void ProgressBar::finish() {
    if (finished_) return;
    finished_ = true;
    if (tty_ && last_total_ > 0) std::fputc('\n', stderr);
}

}  // namespace rs
