#include "models/training_run.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <sstream>

#include "engine/file_io.h"

namespace rs {
namespace {

namespace fs = std::filesystem;

struct TempDir {
    TempDir() {
        static int counter = 0;
        path = (fs::temp_directory_path() / ("roadsight_training_run_" + std::to_string(::getpid()) + "_" +
                                              std::to_string(counter++)))
                   .string();
        fs::remove_all(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string path;
};

struct ToyImpl : torch::nn::Module {
    ToyImpl() { fc = register_module("fc", torch::nn::Linear(3, 1)); }
    torch::Tensor forward(const torch::Tensor & x) { return fc(x); }
    torch::nn::Linear fc{nullptr};
};
TORCH_MODULE(Toy);

// y = 2 x0 - x1 + 0.5 x2 + 1 on 64 fixed points; step k trains on rows 8(k mod 8) .. +8.
struct ToyData {
    torch::Tensor x, y;
    ToyData() {
        torch::manual_seed(0);
        x = torch::randn({64, 3});
        y = torch::matmul(x, torch::tensor({2.f, -1.f, 0.5f}).unsqueeze(1)) + 1.f;
    }
};

const LrSchedule kSchedule{0.2, 40, 5, 1.0 / 3.0, 1e-3};

// Trains until `last_step`, resuming from whatever the folder holds; checkpoints every 5 steps.
// `extra_steps` are trained and logged after the last checkpoint, as a run killed mid-way would.
Toy train(const std::string & dir, int64_t last_step, int64_t extra_steps = 0) {
    static const ToyData data;
    torch::manual_seed(1);
    Toy model;
    torch::optim::AdamW opt(model->parameters(), torch::optim::AdamWOptions(kSchedule.base_lr).weight_decay(0.01));
    TrainingRun run(dir, "toy", 1, {"loss_mse", "loss_l1"});
    int64_t step = run.resume(*model, opt);
    for (; step < last_step + extra_steps;) {
        const int64_t b = step % 8;
        torch::Tensor x = data.x.slice(0, 8 * b, 8 * b + 8), y = data.y.slice(0, 8 * b, 8 * b + 8);
        set_learning_rate(opt, kSchedule.at(step));
        opt.zero_grad();
        torch::Tensor pred = model->forward(x);
        torch::Tensor mse = torch::mse_loss(pred, y), l1 = torch::l1_loss(pred, y);
        mse.backward();
        clip_grad_norm(model->parameters(), 10.0);
        opt.step();
        ++step;
        run.log(step, kSchedule.at(step - 1), 8.0, {mse.item<double>(), l1.item<double>()});
        if (step % 5 == 0 && step <= last_step) run.save_checkpoint(step, *model, opt);
    }
    run.write_loss_plot(640, 360);
    return model;
}

std::vector<int64_t> csv_steps(const std::string & path) {
    std::istringstream in(read_file_text(path));
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "step,wall_s,lr,samples_per_s,loss_mse,loss_l1");
    std::vector<int64_t> steps;
    while (std::getline(in, line)) steps.push_back(std::stoll(line.substr(0, line.find(','))));
    return steps;
}

TEST(TrainingRun, ResumeIsBitIdenticalAndLogsOneRowPerStep) {
    TempDir a, b;
    Toy full = train(a.path, 40);
    {
        TrainingRun run(a.path, "toy", 1, {"loss_mse", "loss_l1"});
        torch::manual_seed(1);
        Toy probe;
        torch::optim::AdamW opt(probe->parameters());
        EXPECT_EQ(run.resume(*probe, opt), 40);
        ASSERT_EQ(run.rows().size(), 40u);
        // The toy problem is learnt: the loss falls more than tenfold.
        EXPECT_LT(run.rows().back().losses[0], 0.1 * run.rows().front().losses[0]);
        EXPECT_THROW(TrainingRun(a.path, "other", 1, {"loss_mse", "loss_l1"}), std::runtime_error);
        EXPECT_THROW(TrainingRun(a.path, "toy", 1, {"loss_mse"}), std::runtime_error);  // CSV header differs
        // Without resume() the logged rows are still known: restarting at step 1 is refused.
        TrainingRun fresh(a.path, "toy", 1, {"loss_mse", "loss_l1"});
        EXPECT_THROW(fresh.log(1, 0.1, 8.0, {1.0, 1.0}), std::invalid_argument);
    }

    // Stopped 3 steps after the step-20 checkpoint, then resumed to 40.
    train(b.path, 20, 3);
    EXPECT_EQ(csv_steps(b.path + "/losses.csv").size(), 23u);
    Toy resumed = train(b.path, 40);
    std::vector<int64_t> steps = csv_steps(b.path + "/losses.csv");
    ASSERT_EQ(steps.size(), 40u);
    for (size_t i = 0; i < steps.size(); ++i) EXPECT_EQ(steps[i], int64_t(i) + 1);
    auto pa = full->named_parameters(), pb = resumed->named_parameters();
    for (const auto & p : pa) EXPECT_TRUE(torch::equal(p.value(), pb[p.key()])) << p.key();
    EXPECT_TRUE(fs::exists(b.path + "/checkpoints/step_40.safetensors"));
    EXPECT_TRUE(fs::exists(b.path + "/checkpoints/step_40.optim.pt"));
    EXPECT_NE(read_file_text(b.path + "/state.json").find("\"step\": 40"), std::string::npos);

    // A checkpoint whose optimizer file is missing is incomplete and not chosen.
    fs::remove(b.path + "/checkpoints/step_40.optim.pt");
    TrainingRun run(b.path, "toy", 1, {"loss_mse", "loss_l1"});
    EXPECT_EQ(run.latest_checkpoint(), std::optional<int64_t>(35));

    // PNG signature and IHDR size (big-endian width, height at bytes 16..23).
    std::vector<uint8_t> png = read_file_bytes(b.path + "/loss_curve.png");
    ASSERT_GT(png.size(), 24u);
    EXPECT_EQ(png[1], 'P');
    EXPECT_EQ((png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19], 640);
    EXPECT_EQ((png[20] << 24) | (png[21] << 16) | (png[22] << 8) | png[23], 360);
    EXPECT_EQ(png[25], 2);  // colour type RGB
}

TEST(TrainingRun, CosineScheduleWithLinearWarmup) {
    // Hand values (Python): base 2e-4, 1000 steps, warm-up 500 at ratio 1/3, min ratio 1e-3.
    LrSchedule s{2e-4, 1000, 500, 1.0 / 3.0, 1e-3};
    EXPECT_NEAR(s.at(0), 6.666666666666666e-05, 1e-18);
    EXPECT_NEAR(s.at(250), 0.0001138266449603574, 1e-18);
    EXPECT_NEAR(s.at(500), 0.00010010000000000001, 1e-18);
    EXPECT_NEAR(s.at(1000), 2e-07, 1e-20);
    EXPECT_NEAR(s.at(1500), 2e-07, 1e-20);
    EXPECT_THROW((LrSchedule{2e-4, 0}.at(0)), std::invalid_argument);
}

TEST(TrainingRun, GradientClippingAndLearningRates) {
    torch::Tensor a = torch::zeros({2}, torch::requires_grad()), b = torch::zeros({1}, torch::requires_grad()),
                  c = torch::zeros({1}, torch::requires_grad());
    a.mutable_grad() = torch::tensor({3.f, 0.f});
    b.mutable_grad() = torch::tensor({4.f});
    EXPECT_NEAR(clip_grad_norm({a, b, c}, 10.0), 5.0, 1e-9);
    EXPECT_FLOAT_EQ(a.grad()[0].item<float>(), 3.f);  // under the limit: untouched
    EXPECT_NEAR(clip_grad_norm({a, b, c}, 1.0), 5.0, 1e-9);
    EXPECT_NEAR(a.grad()[0].item<float>(), 0.6f, 1e-6);
    EXPECT_NEAR(b.grad()[0].item<float>(), 0.8f, 1e-6);
    EXPECT_FALSE(c.grad().defined());

    torch::optim::AdamW opt(std::vector<torch::optim::OptimizerParamGroup>{
        torch::optim::OptimizerParamGroup({a}), torch::optim::OptimizerParamGroup({b})});
    set_learning_rate(opt, 1e-3, {0.1});
    EXPECT_NEAR(opt.param_groups()[0].options().get_lr(), 1e-4, 1e-12);
    EXPECT_NEAR(opt.param_groups()[1].options().get_lr(), 1e-3, 1e-12);
}

}  // namespace
}  // namespace rs
