// Perspective supervision: the projected-centre heatmap target on a hand-built camera, and the
// head's place in the model (training mode only, gradients into the backbone, loads back, left out of
// exports and started fresh when fine-tuning from one).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include <unistd.h>

#include "models/bevformer/bevformer.h"
#include "models/bevformer/bevformer_eval.h"
#include "models/bevformer/bevformer_trainer.h"
#include "models/bevformer/center_heatmap.h"
#include "models/bevformer/perspective_head.h"
#include "models/weights.h"
#include "tests/models/micro_bevformer.h"

namespace fs = std::filesystem;
using namespace rs;

namespace {

// A camera looking along lidar +y: focal 100 px, principal point (160, 90); lidar x to the right,
// z up.
torch::Tensor forward_camera() {
    const torch::Tensor k = torch::tensor({{100.f, 0.f, 160.f, 0.f}, {0.f, 100.f, 90.f, 0.f}, {0.f, 0.f, 1.f, 0.f}, {0.f, 0.f, 0.f, 1.f}});
    const torch::Tensor lidar2cam =
        torch::tensor({{1.f, 0.f, 0.f, 0.f}, {0.f, 0.f, -1.f, 0.f}, {0.f, 1.f, 0.f, 0.f}, {0.f, 0.f, 0.f, 1.f}});
    return k.matmul(lidar2cam);
}

}  // namespace

TEST(PerspectiveHeatmapTarget, ProjectedCentresPeakInTheirCameraAndClass) {
    // Camera 0 looks ahead, camera 1 backwards (the same camera turned by pi about z).
    const torch::Tensor turn = torch::tensor({{-1.f, 0.f, 0.f, 0.f}, {0.f, -1.f, 0.f, 0.f}, {0.f, 0.f, 1.f, 0.f}, {0.f, 0.f, 0.f, 1.f}});
    const torch::Tensor l2i = torch::stack({forward_camera(), forward_camera().matmul(turn)});
    // Car 10 m ahead, 2 m right, centre 0.5 m up: pixel (160 + 20, 90 - 5) = (180, 85), cell
    // (85 / 16, 180 / 16) = (5, 11). Pedestrian 20 m behind: camera 1 at (160, 90), cell (5, 10).
    const torch::Tensor boxes = torch::tensor({{2.f, 10.f, 0.5f, 1.8f, 4.5f, 1.6f, 0.f, 0.f, 0.f},
                                               {0.f, -20.f, 0.f, 0.6f, 0.6f, 1.7f, 0.f, 0.f, 0.f}});
    const torch::Tensor labels = torch::tensor({int64_t(0), int64_t(8)});
    const torch::Tensor t = perspective_heatmap_target(boxes, labels, l2i, {180, 320}, {192, 320}, {12, 20}, 10);
    ASSERT_EQ(t.sizes(), (std::vector<int64_t>{2, 10, 12, 20}));
    EXPECT_FLOAT_EQ(t[0][0][5][11].item<float>(), 1.f);
    EXPECT_FLOAT_EQ(t[1][8][5][10].item<float>(), 1.f);
    EXPECT_EQ(t[0].eq(1).sum().item<int64_t>(), 1);  // the pedestrian is behind camera 0
    EXPECT_EQ(t[1].eq(1).sum().item<int64_t>(), 1);
    // The car's cube (4.5 m wide, 1.6 m tall at 7.75 to 12.25 m) spans at least 13 px vertically:
    // radius 1, so its row neighbour holds exp(-2).
    EXPECT_NEAR(t[0][0][4][11].item<float>(), std::exp(-2.0), 1e-6);
    EXPECT_FLOAT_EQ(t[0][0][5][13].item<float>(), 0.f);
}

TEST(PerspectiveHeatmapTarget, NearBoxesSpreadAndPaddingOrOffImageCentresAreSkipped) {
    const torch::Tensor l2i = forward_camera().unsqueeze(0);
    // 4 m ahead, a 4.5 m cube: about 160 px of the 180 px tall image, radius round(160 / 4 / 16) = 2 or 3.
    const torch::Tensor near = torch::tensor({{0.f, 4.f, 0.f, 1.8f, 4.5f, 4.5f, 0.f, 0.f, 0.f}});
    const torch::Tensor t = perspective_heatmap_target(near, torch::tensor({int64_t(1)}), l2i, {180, 320}, {192, 320}, {12, 20}, 10);
    EXPECT_FLOAT_EQ(t[0][1][5][10].item<float>(), 1.f);
    EXPECT_GT(t[0][1][5][12].item<float>(), 0.f);  // two cells away: radius at least 2
    // Centre 60 m to the side (off the image), and one projecting into the padding rows 180..191.
    const torch::Tensor off = torch::tensor({{60.f, 10.f, 0.f, 1.8f, 4.5f, 1.6f, 0.f, 0.f, 0.f},
                                             {0.f, 10.f, -9.5f, 1.8f, 4.5f, 1.6f, 0.f, 0.f, 0.f}});  // v = 185
    const torch::Tensor none = perspective_heatmap_target(off, torch::tensor({int64_t(0), int64_t(0)}), l2i, {180, 320},
                                                          {192, 320}, {12, 20}, 10);
    EXPECT_EQ(none.sum().item<float>(), 0.f);
}

TEST(PerspectiveHeatmapTarget, BadInputGetsAClearError) {
    const torch::Tensor l2i = forward_camera().unsqueeze(0);
    const torch::Tensor box = torch::tensor({{0.f, 10.f, 0.f, 1.8f, 4.5f, 1.6f, 0.f, 0.f, 0.f}});
    try {
        perspective_heatmap_target(box, torch::tensor({int64_t(12)}), l2i, {180, 320}, {192, 320}, {12, 20}, 10);
        FAIL() << "label 12 accepted";
    } catch (const std::invalid_argument & e) {
        EXPECT_NE(std::string(e.what()).find("label 12"), std::string::npos) << e.what();
    }
    EXPECT_THROW(perspective_heatmap_target(box, torch::zeros({1}, torch::kLong), l2i, {200, 320}, {192, 320}, {12, 20}, 10),
                 std::invalid_argument);
    EXPECT_THROW(perspective_heatmap_target(box, torch::zeros({1}, torch::kLong), torch::eye(4), {180, 320}, {192, 320},
                                            {12, 20}, 10),
                 std::invalid_argument);
    const torch::Tensor nan_box = torch::full({1, 9}, std::nan(""));
    EXPECT_EQ(perspective_heatmap_target(nan_box, torch::zeros({1}, torch::kLong), l2i, {180, 320}, {192, 320}, {12, 20}, 10)
                  .sum()
                  .item<float>(),
              0.f);
}

TEST(PerspectiveHead, TrainingOnlyHeatmapTrainsTheBackboneAndLoadsBack) {
    torch::manual_seed(7);
    BevformerConfig cfg = rs::test::micro_config();
    cfg.perspective_head = true;
    Bevformer model(cfg);
    const BevformerFrame f = rs::test::random_frame();
    model->eval();
    EXPECT_FALSE(model->forward(f, torch::Tensor()).perspective_heatmap.defined());
    model->train();
    const BevformerOutputs out = model->forward(f, torch::Tensor());
    ASSERT_EQ(out.perspective_heatmap.sizes(), (std::vector<int64_t>{1, 6, 10, 8, 8}));  // stride 8 at C3
    const torch::Tensor boxes = torch::tensor({{0.f, 10.f, 0.f, 1.8f, 4.5f, 1.6f, 0.f, 0.f, 0.f}});
    const torch::Tensor target = perspective_heatmap_target(boxes, torch::tensor({int64_t(0)}), f.lidar2img[0], {64, 64},
                                                            {64, 64}, {8, 8}, 10);
    heatmap_focal_loss(out.perspective_heatmap, target.unsqueeze(0)).backward();
    EXPECT_GT(model->img_backbone->named_parameters()["conv1.weight"].grad().abs().sum().item<double>(), 0);
    EXPECT_GT(model->perspective_head->named_parameters()["heatmap.0.weight"].grad().abs().sum().item<double>(), 0);

    const fs::path path = fs::temp_directory_path() / ("roadsight_perspective_" + std::to_string(::getpid()) + ".safetensors");
    BevformerConfig named = BevformerConfig::embedded();
    named.perspective_head = true;
    named.bev_proposals = false;
    save_weights(*Bevformer(named), path.string(), {{"config", "embedded"}});
    Bevformer loaded = load_bevformer(path.string());
    fs::remove(path);
    EXPECT_TRUE(loaded->config().perspective_head);
    EXPECT_FALSE(loaded->config().bev_proposals);
}

// What `export bevformer` ships: the model without its training-only head, same inference.
TEST(PerspectiveHead, DroppedForShippingWithoutChangingInference) {
    torch::manual_seed(8);
    BevformerConfig cfg = rs::test::micro_config();
    cfg.perspective_head = true;
    Bevformer model(cfg);
    model->eval();
    const BevformerFrame f = rs::test::random_frame();
    const torch::Tensor before = model->forward(f, torch::Tensor()).detections.all_cls_scores;
    const size_t params = model->named_parameters().size();
    model->drop_training_heads();
    EXPECT_FALSE(model->config().perspective_head);
    EXPECT_FALSE(model->perspective_head);
    EXPECT_LT(model->named_parameters().size(), params);
    for (const auto & p : model->named_parameters()) EXPECT_EQ(p.key().rfind("perspective_head.", 0), std::string::npos) << p.key();
    EXPECT_TRUE(torch::equal(model->forward(f, torch::Tensor()).detections.all_cls_scores, before));
    model->train();
    EXPECT_FALSE(model->forward(f, torch::Tensor()).perspective_heatmap.defined());
}

// Fine-tuning starts from an exported model: its weights load, the dropped perspective head starts
// fresh; a file of another architecture is refused with the tensors named.
TEST(PerspectiveHead, ExportedModelStartsAFineTuneWithAFreshHead) {
    torch::manual_seed(9);
    BevformerConfig cfg = rs::test::micro_config();
    cfg.perspective_head = true;
    Bevformer trained(cfg);
    trained->drop_training_heads();
    const fs::path path = fs::temp_directory_path() / ("roadsight_init_" + std::to_string(::getpid()) + ".safetensors");
    save_weights(*trained, path.string());

    Bevformer tuned(cfg);
    const torch::Tensor head_before = tuned->perspective_head->named_parameters()["heatmap.0.weight"].clone();
    load_init_weights(tuned, path.string());
    const auto source = trained->named_parameters();
    for (const auto & p : tuned->named_parameters()) {
        if (p.key().rfind("perspective_head.", 0) == 0) continue;
        EXPECT_TRUE(torch::equal(p.value(), source[p.key()])) << p.key();
    }
    EXPECT_TRUE(torch::equal(tuned->perspective_head->named_parameters()["heatmap.0.weight"], head_before));

    BevformerConfig other = cfg;
    other.bev_proposals = true;  // the file has no proposal head
    Bevformer wrong(other);
    try {
        load_init_weights(wrong, path.string());
        ADD_FAILURE() << "a file without the proposal head was accepted";
    } catch (const WeightsError & e) {
        EXPECT_NE(std::string(e.what()).find("proposal_head."), std::string::npos) << e.what();
        EXPECT_EQ(std::string(e.what()).find("perspective_head."), std::string::npos) << e.what();
    }
    fs::remove(path);
}
