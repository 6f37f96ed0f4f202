// Dense BEV velocity supervision: where the targets land, what the loss measures, and the head's
// place in the model (training mode only, gradients into the BEV encoder, left out of exports).
#include <gtest/gtest.h>

#include <filesystem>

#include <unistd.h>

#include "models/bevformer/bev_velocity_head.h"
#include "models/bevformer/bevformer.h"
#include "models/bevformer/bevformer_trainer.h"
#include "models/weights.h"
#include "tests/models/micro_bevformer.h"

namespace fs = std::filesystem;
using namespace rs;

namespace {

// A box [x, y, z, w, l, h, yaw, vx, vy] in the lidar frame.
std::vector<float> box(float x, float y, float vx, float vy) { return {x, y, 0.f, 1.8f, 4.5f, 1.6f, 0.f, vx, vy}; }

}  // namespace

TEST(BevVelocityTarget, CentreCellsAndVelocities) {
    const BevformerConfig cfg = rs::test::micro_config();  // 8×8 cells of 12.8 m over ±51.2 m
    std::vector<float> flat;
    for (const auto & b : {box(0.5f, 0.5f, 3.f, -1.f),        // cell (row 4, col 4)
                           box(-51.0f, 40.0f, 0.f, 2.f),      // row 7, col 0
                           box(60.f, 0.f, 9.f, 9.f),          // off the grid: skipped
                           box(-12.0f, -1.0f, 1.f, 1.f),      // row 3, col 3
                           box(-1.0f, -12.0f, 5.f, 5.f)})     // row 3, col 3 again: replaces the one before
        flat.insert(flat.end(), b.begin(), b.end());
    const BevVelocityTarget t = bev_velocity_target(torch::tensor(flat).view({5, 9}), cfg);
    ASSERT_EQ(t.cells.numel(), 3);
    EXPECT_TRUE(torch::equal(t.cells, torch::tensor({int64_t(3 * 8 + 3), int64_t(4 * 8 + 4), int64_t(7 * 8 + 0)})));
    EXPECT_TRUE(torch::equal(t.velocity, torch::tensor({{5.f, 5.f}, {3.f, -1.f}, {0.f, 2.f}})));
    EXPECT_THROW(bev_velocity_target(torch::zeros({2, 7}), cfg), std::invalid_argument);
    EXPECT_EQ(bev_velocity_target(torch::zeros({0, 9}), cfg).cells.numel(), 0);
}

TEST(BevVelocityLoss, MeanL1AtTheTargetCellsOnly) {
    BevVelocityTarget t;
    t.cells = torch::tensor({int64_t(5), int64_t(9)});
    t.velocity = torch::tensor({{2.f, -1.f}, {0.f, 4.f}});
    torch::Tensor pred = torch::zeros({1, 2, 4, 4}, torch::requires_grad());
    const torch::Tensor loss = bev_velocity_loss(pred, t);
    EXPECT_FLOAT_EQ(loss.item<float>(), (2.f + 1.f + 0.f + 4.f) / 4.f);
    loss.backward();
    const torch::Tensor g = pred.grad().view({2, 16});
    EXPECT_EQ(g.ne(0).sum().item<int64_t>(), 3);  // the exact 0 component has no L1 slope
    EXPECT_FLOAT_EQ(g[0][5].item<float>(), -0.25f);
    EXPECT_FLOAT_EQ(g[1][9].item<float>(), -0.25f);

    BevVelocityTarget none;
    none.cells = torch::zeros({0}, torch::kLong);
    none.velocity = torch::zeros({0, 2});
    EXPECT_EQ(bev_velocity_loss(pred, none).item<float>(), 0.f);
    EXPECT_THROW(bev_velocity_loss(torch::zeros({1, 3, 4, 4}), t), std::invalid_argument);
}

TEST(BevVelocityHead, TrainsTheEncoderInTrainingOnlyAndIsLeftOutOfExports) {
    torch::manual_seed(11);
    BevformerConfig cfg = rs::test::micro_config();
    cfg.bev_velocity = true;
    Bevformer model(cfg);
    const BevformerFrame f = rs::test::random_frame();
    model->eval();
    EXPECT_FALSE(model->forward(f, torch::Tensor()).bev_velocity.defined());
    model->train();
    const BevformerOutputs out = model->forward(f, torch::Tensor());
    ASSERT_EQ(out.bev_velocity.sizes(), (std::vector<int64_t>{1, 2, 8, 8}));
    std::vector<float> b = box(0.5f, 0.5f, 3.f, -1.f);
    bev_velocity_loss(out.bev_velocity, bev_velocity_target(torch::tensor(b).view({1, 9}), cfg)).backward();
    EXPECT_GT(model->pts_bbox_head->bev_embedding->weight.grad().abs().sum().item<double>(), 0);

    model->eval();  // training mode moved BatchNorm's statistics: compare from here
    const torch::Tensor before = model->forward(f, torch::Tensor()).detections.all_cls_scores;
    model->drop_training_heads();
    EXPECT_FALSE(model->config().bev_velocity);
    for (const auto & p : model->named_parameters()) EXPECT_EQ(p.key().rfind("velocity_head.", 0), std::string::npos) << p.key();
    EXPECT_TRUE(torch::equal(model->forward(f, torch::Tensor()).detections.all_cls_scores, before));

    // An export starts a fine-tune with a fresh velocity head; the file loads back without it.
    const fs::path path = fs::temp_directory_path() / ("roadsight_velocity_" + std::to_string(::getpid()) + ".safetensors");
    save_weights(*model, path.string(), {{"config", "embedded"}});
    Bevformer tuned(cfg);
    EXPECT_NO_THROW(load_init_weights(tuned, path.string()));
    fs::remove(path);
}
