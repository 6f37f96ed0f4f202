// Job runtime shared by the CLI and the app: long work reports progress and checks for
// cancellation through a JobContext; it never knows whether a terminal bar or a dialog listens.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

namespace rs {

struct JobCancelled : std::runtime_error {
    JobCancelled() : std::runtime_error("cancelled") {}
};

class JobContext {
public:
    using ProgressFn = std::function<void(int64_t done, int64_t total, const std::string & stage)>;

    explicit JobContext(ProgressFn fn = {}) : progress_(std::move(fn)) {}

    void cancel() { cancelled_.store(true); }
    bool cancelled() const { return cancelled_.load(); }
    // Throws JobCancelled when cancel() was called, so deep loops stop at the next checkpoint.
    void checkpoint() const { if (cancelled()) throw JobCancelled(); }
    void report(int64_t done, int64_t total, const std::string & stage = {}) const {
        if (progress_) progress_(done, total, stage);
    }

private:
    std::atomic<bool> cancelled_{false};
    ProgressFn progress_;
};

}  // namespace rs
