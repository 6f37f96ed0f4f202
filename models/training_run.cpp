#include "models/training_run.h"

#include <torch/serialize.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "engine/file_io.h"
#include "engine/geometry.h"
#include "engine/json.h"
#include "engine/loss_plot.h"
#include "models/weights.h"

namespace rs {

namespace fs = std::filesystem;

namespace {

std::string number(double v) {
    std::string s;
    append_json_number(s, v);
    return s;
}

std::string csv_header(const std::vector<std::string> & loss_names) {
    std::string h = "step,wall_s,lr,samples_per_s";
    for (const std::string & n : loss_names) h += "," + n;
    return h + "\n";
}

std::string csv_row(const TrainingRun::Row & r) {
    std::string s = std::to_string(r.step) + "," + number(r.wall_s) + "," + number(r.lr) + "," + number(r.samples_per_s);
    for (double l : r.losses) s += "," + number(l);
    return s + "\n";
}

double parse_double(const std::string & field, const std::string & source, int line) {
    if (field == "NaN") return NAN;
    if (field == "Infinity") return INFINITY;
    if (field == "-Infinity") return -INFINITY;
    try {
        size_t used = 0;
        double v = std::stod(field, &used);
        if (used == field.size()) return v;
    } catch (const std::exception &) {
    }
    throw std::runtime_error(source + ":" + std::to_string(line) + ": not a number: '" + field + "'");
}

}  // namespace

TrainingRun::TrainingRun(std::string dir, std::string config_name, uint64_t seed, std::vector<std::string> loss_names)
    : dir_(std::move(dir)), config_name_(std::move(config_name)), seed_(seed), loss_names_(std::move(loss_names)),
      session_start_(std::chrono::steady_clock::now()) {
    for (const std::string & n : loss_names_)
        if (n.empty() || n.find_first_of(",\n\"") != std::string::npos)
            throw std::invalid_argument("TrainingRun: loss name '" + n + "' is empty or holds a comma, quote or newline");
    fs::create_directories(dir_ + "/checkpoints");
    if (fs::exists(state_path())) {
        Json state = parse_json(read_file_text(state_path()), state_path());
        const std::string & other = state.at("config").as_string();
        if (other != config_name_)
            throw std::runtime_error(dir_ + " holds a run of config '" + other + "', not '" + config_name_ + "'");
    }
    // Rows of an earlier session stay known, so logging from step 1 again without resume() is refused.
    read_csv();
}

std::string TrainingRun::model_path(int64_t step) const {
    return dir_ + "/checkpoints/step_" + std::to_string(step) + ".safetensors";
}

std::string TrainingRun::optimizer_path(int64_t step) const {
    return dir_ + "/checkpoints/step_" + std::to_string(step) + ".optim.pt";
}

std::optional<int64_t> TrainingRun::latest_checkpoint() const {
    std::optional<int64_t> best;
    for (const fs::directory_entry & e : fs::directory_iterator(dir_ + "/checkpoints")) {
        const std::string name = e.path().filename().string();
        const std::string prefix = "step_", suffix = ".safetensors";
        if (name.size() <= prefix.size() + suffix.size() || name.compare(0, prefix.size(), prefix) != 0 ||
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
            continue;
        const std::string digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
        if (digits.find_first_not_of("0123456789") != std::string::npos) continue;
        const int64_t step = std::stoll(digits);
        if (fs::exists(optimizer_path(step)) && (!best || step > *best)) best = step;
    }
    return best;
}

int64_t TrainingRun::resume(torch::nn::Module & model, torch::optim::Optimizer & optimizer) {
    const std::optional<int64_t> step = latest_checkpoint();
    if (!step) return 0;
    load_weights(model, model_path(*step));
    // The optimizer's moments go where the parameters are, whichever device wrote them.
    const std::vector<torch::Tensor> params = model.parameters();
    torch::load(optimizer, optimizer_path(*step), params.empty() ? torch::Device(torch::kCPU) : params.front().device());
    while (!rows_.empty() && rows_.back().step > *step) rows_.pop_back();
    rewrite_csv();
    wall_offset_ = rows_.empty() ? 0.0 : rows_.back().wall_s;
    session_start_ = std::chrono::steady_clock::now();
    return *step;
}

double TrainingRun::wall_s() const {
    return wall_offset_ + std::chrono::duration<double>(std::chrono::steady_clock::now() - session_start_).count();
}

void TrainingRun::read_csv() {
    rows_.clear();
    if (!fs::exists(csv_path())) return;
    std::istringstream in(read_file_text(csv_path()));
    std::string line;
    std::getline(in, line);
    if (line + "\n" != csv_header(loss_names_))
        throw std::runtime_error(csv_path() + ": header '" + line + "' does not match the losses of this run ('" +
                                 csv_header(loss_names_).substr(0, csv_header(loss_names_).size() - 1) + "')");
    int line_no = 1;
    while (std::getline(in, line)) {
        ++line_no;
        if (line.empty()) continue;
        std::vector<std::string> fields;
        std::stringstream ss(line);
        for (std::string f; std::getline(ss, f, ',');) fields.push_back(f);
        if (fields.size() != 4 + loss_names_.size()) {
            // A row cut short by a crash after the last checkpoint; later rows cannot exist.
            if (in.peek() == std::char_traits<char>::eof()) break;
            throw std::runtime_error(csv_path() + ":" + std::to_string(line_no) + ": " + std::to_string(fields.size()) +
                                     " fields, expected " + std::to_string(4 + loss_names_.size()));
        }
        Row r;
        r.step = std::stoll(fields[0]);
        r.wall_s = parse_double(fields[1], csv_path(), line_no);
        r.lr = parse_double(fields[2], csv_path(), line_no);
        r.samples_per_s = parse_double(fields[3], csv_path(), line_no);
        for (size_t k = 4; k < fields.size(); ++k) r.losses.push_back(parse_double(fields[k], csv_path(), line_no));
        rows_.push_back(std::move(r));
    }
}

void TrainingRun::rewrite_csv() const {
    std::string text = csv_header(loss_names_);
    for (const Row & r : rows_) text += csv_row(r);
    write_file_atomic(csv_path(), text);
}

void TrainingRun::log(int64_t step, double lr, double samples_per_s, const std::vector<double> & losses) {
    if (losses.size() != loss_names_.size())
        throw std::invalid_argument("TrainingRun::log: " + std::to_string(losses.size()) + " losses, expected " +
                                    std::to_string(loss_names_.size()));
    if (!rows_.empty() && step <= rows_.back().step)
        throw std::invalid_argument("TrainingRun::log: step " + std::to_string(step) + " after step " +
                                    std::to_string(rows_.back().step));
    if (rows_.empty() && !fs::exists(csv_path())) write_file_atomic(csv_path(), csv_header(loss_names_));
    Row r{step, wall_s(), lr, samples_per_s, losses};
    // Appended, not rewritten: one row per step must stay cheap on long runs.
    std::ofstream out(csv_path(), std::ios::app | std::ios::binary);
    out << csv_row(r);
    out.flush();
    if (!out) throw std::runtime_error("cannot append to " + csv_path());
    rows_.push_back(std::move(r));
}

void TrainingRun::save_checkpoint(int64_t step, const torch::nn::Module & model, torch::optim::Optimizer & optimizer) {
    const std::string optim = optimizer_path(step), tmp = optim + ".tmp";
    torch::save(optimizer, tmp);
    fs::rename(tmp, optim);
    save_weights(model, model_path(step), {{"step", std::to_string(step)}, {"config", config_name_}});
    Json state = Json::object();
    state.set("step", step);
    state.set("config", config_name_);
    state.set("seed", seed_);
    Json names = Json::array();
    for (const std::string & n : loss_names_) names.push_back(n);
    state.set("losses", std::move(names));
    state.set("wall_s", wall_s());
    write_file_atomic(state_path(), write_json(state, {2}) + "\n");
}

void TrainingRun::write_loss_plot(int width, int height) const {
    std::vector<PlotSeries> series(loss_names_.size());
    for (size_t k = 0; k < loss_names_.size(); ++k) {
        series[k].name = loss_names_[k];
        for (const Row & r : rows_) {
            series[k].x.push_back(double(r.step));
            series[k].y.push_back(r.losses[k]);
        }
    }
    rs::write_loss_plot(plot_path(), series, width, height);
}

double LrSchedule::at(int64_t step) const {
    if (total_steps < 1) throw std::invalid_argument("LrSchedule: total_steps must be >= 1, got " + std::to_string(total_steps));
    const double target = base_lr * min_lr_ratio;
    const double progress = std::min(1.0, double(std::max<int64_t>(step, 0)) / double(total_steps));
    double lr = target + 0.5 * (base_lr - target) * (1.0 + std::cos(kPi * progress));
    if (step < warmup_steps) lr *= 1.0 - (1.0 - double(step) / double(warmup_steps)) * (1.0 - warmup_ratio);
    return lr;
}

double clip_grad_norm(const std::vector<torch::Tensor> & parameters, double max_norm) {
    torch::NoGradGuard no_grad;
    // One reduction and one read-back (on CUDA a read per tensor would wait on the device each time).
    std::vector<torch::Tensor> squares;
    for (const torch::Tensor & p : parameters)
        if (p.grad().defined()) squares.push_back(p.grad().to(torch::kDouble).pow(2).sum());
    const double norm = squares.empty() ? 0.0 : std::sqrt(torch::stack(squares).sum().item<double>());
    const double factor = max_norm / (norm + 1e-6);
    if (factor < 1)
        for (const torch::Tensor & p : parameters)
            if (p.grad().defined()) p.grad().mul_(factor);
    return norm;
}

void set_learning_rate(torch::optim::Optimizer & optimizer, double lr, const std::vector<double> & group_mult) {
    auto & groups = optimizer.param_groups();
    for (size_t i = 0; i < groups.size(); ++i) groups[i].options().set_lr(lr * (i < group_mult.size() ? group_mult[i] : 1.0));
}

}  // namespace rs
