// The output folder of one training run, independent of the model trained:
//   <dir>/state.json                      step, config name, seed, loss names, wall time of the
//                                         latest checkpoint (rewritten atomically)
//   <dir>/checkpoints/step_<N>.safetensors  model weights (save_weights: parameters and buffers)
//   <dir>/checkpoints/step_<N>.optim.pt     optimizer state (torch::save)
//   <dir>/losses.csv                      step, wall_s, lr, samples_per_s, then one column per loss
//   <dir>/loss_curve.png                  the losses against step, log-y
// A checkpoint is complete when both of its files exist: each is written under a temporary name and
// renamed, the optimizer first, so a run killed at any moment resumes from the last complete one.
// Also the learning-rate schedule and gradient clipping every trainer uses.
#pragma once

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rs {

class TrainingRun {
public:
    // Creates <dir> and <dir>/checkpoints and reads the rows of losses.csv if present. A folder
    // holding another config's run (state.json) or other losses (CSV header) is refused with
    // std::runtime_error naming both.
    TrainingRun(std::string dir, std::string config_name, uint64_t seed, std::vector<std::string> loss_names);

    // Restores the latest complete checkpoint into the model (strict, by name) and the optimizer,
    // drops log rows past it and returns its step; 0 and nothing touched when there is none.
    int64_t resume(torch::nn::Module & model, torch::optim::Optimizer & optimizer);

    // Appends one CSV row; `losses` in the order of the constructor's loss names. Steps must grow.
    void log(int64_t step, double lr, double samples_per_s, const std::vector<double> & losses);
    void save_checkpoint(int64_t step, const torch::nn::Module & model, torch::optim::Optimizer & optimizer);
    // Renders every logged loss to loss_curve.png (atomically).
    void write_loss_plot(int width = 800, int height = 480) const;

    // Largest step with a complete checkpoint.
    std::optional<int64_t> latest_checkpoint() const;
    // Seconds of training since the run began, over all sessions (resumed from the CSV).
    double wall_s() const;

    const std::string & dir() const { return dir_; }
    std::string state_path() const { return dir_ + "/state.json"; }
    std::string csv_path() const { return dir_ + "/losses.csv"; }
    std::string plot_path() const { return dir_ + "/loss_curve.png"; }
    std::string model_path(int64_t step) const;
    std::string optimizer_path(int64_t step) const;

    struct Row {
        int64_t step = 0;
        double wall_s = 0, lr = 0, samples_per_s = 0;
        std::vector<double> losses;
    };
    const std::vector<Row> & rows() const { return rows_; }

private:
    void read_csv();
    void rewrite_csv() const;

    std::string dir_;
    std::string config_name_;
    uint64_t seed_ = 0;
    std::vector<std::string> loss_names_;
    std::vector<Row> rows_;
    double wall_offset_ = 0;  // wall_s reached by earlier sessions
    std::chrono::steady_clock::time_point session_start_;
};

// Cosine annealing from base_lr to base_lr * min_lr_ratio over total_steps with mmcv's linear
// warm-up: for step < warmup_steps the cosine value is scaled by
// 1 - (1 - step / warmup_steps) * (1 - warmup_ratio), so warm-up starts at warmup_ratio of it.
// BEVFormer: warm-up 500 steps, warmup_ratio 1/3, min_lr_ratio 1e-3 (its cosine runs per epoch,
// this one per step).
struct LrSchedule {
    double base_lr = 2e-4;
    int64_t total_steps = 1;
    int64_t warmup_steps = 500;
    double warmup_ratio = 1.0 / 3.0;
    double min_lr_ratio = 1e-3;

    double at(int64_t step) const;  // step counts from 0; throws std::invalid_argument for total_steps < 1
};

// Scales the gradients so that their global L2 norm is at most max_norm, with torch's
// clip_grad_norm_ factor max_norm / (norm + 1e-6) applied when below 1 (the norm is summed in
// double); returns the norm before clipping. Parameters without a gradient are skipped.
double clip_grad_norm(const std::vector<torch::Tensor> & parameters, double max_norm);

// Sets parameter group i's learning rate to lr * group_mult[i] (1 for groups past the list), e.g.
// BEVFormer's backbone group at 0.1.
void set_learning_rate(torch::optim::Optimizer & optimizer, double lr, const std::vector<double> & group_mult = {});

}  // namespace rs
