// Two-stage queries from the BEV heatmap: the CenterPoint target on hand-computed cases, the top-k pick and what it hands the decoder, and a whole model that trains and loads
// with the head.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <set>

#include <unistd.h>

#include "models/bevformer/bev_proposal_head.h"
#include "models/bevformer/center_heatmap.h"
#include "models/bevformer/bevformer.h"
#include "models/bevformer/bevformer_eval.h"
#include "models/bevformer/detection_loss.h"
#include "models/weights.h"
#include "tests/models/micro_bevformer.h"

namespace fs = std::filesystem;
using namespace rs;

namespace {

// micro_config's 8×8 cells of 12.8 m over ±51.2 m, with the proposal head.
BevformerConfig grid_config() {
    BevformerConfig c = rs::test::micro_config();
    c.bev_proposals = true;
    return c;
}

}  // namespace

TEST(BevHeatmapTarget, GaussianPeakAtTheCentreCellOfTheBoxClass) {
    const BevformerConfig cfg = grid_config();
    // x 0.1 -> column (0.1 + 51.2) / 12.8 = 4.008 -> 4; y -20 -> row 31.2 / 12.8 = 2.44 -> 2.
    const torch::Tensor boxes = torch::tensor({{0.1f, -20.f, -1.f, 2.f, 4.f, 1.5f, 0.f, 0.f, 0.f}});
    const torch::Tensor t = bev_heatmap_target(boxes, torch::tensor({int64_t(3)}), cfg);
    ASSERT_EQ(t.sizes(), (std::vector<int64_t>{10, 8, 8}));
    EXPECT_FLOAT_EQ(t[3][2][4].item<float>(), 1.f);
    // Radius 1, sigma 3 / 6: a side neighbour exp(-1 / 0.5) = exp(-2), a diagonal one exp(-4).
    EXPECT_NEAR(t[3][2][5].item<float>(), std::exp(-2.0), 1e-6);
    EXPECT_NEAR(t[3][1][4].item<float>(), std::exp(-2.0), 1e-6);
    EXPECT_NEAR(t[3][3][3].item<float>(), std::exp(-4.0), 1e-6);
    EXPECT_FLOAT_EQ(t[3][2][6].item<float>(), 0.f);  // outside the radius
    EXPECT_FLOAT_EQ(t.sum().item<float>() - t[3].sum().item<float>(), 0.f);  // other classes empty
    EXPECT_EQ(t.eq(1).sum().item<int64_t>(), 1);
}

TEST(BevHeatmapTarget, LargeBoxesSpreadOverlapsKeepTheMaximumAndOffGridBoxesAreSkipped) {
    const BevformerConfig cfg = grid_config();
    // A 40 m trailer: radius round(40 / 2 / 12.8) = 2, sigma 5 / 6; a car two cells to its right.
    const torch::Tensor boxes = torch::tensor({{0.1f, 0.1f, 0.f, 3.f, 40.f, 4.f, 0.f, 0.f, 0.f},
                                               {25.7f, 0.1f, 0.f, 2.f, 4.f, 1.5f, 0.f, 0.f, 0.f},
                                               {80.f, 0.f, 0.f, 2.f, 4.f, 1.5f, 0.f, 0.f, 0.f}});
    const torch::Tensor t = bev_heatmap_target(boxes, torch::tensor({int64_t(1), int64_t(1), int64_t(1)}), cfg);
    const double sigma = 5.0 / 6.0;
    EXPECT_NEAR(t[1][4][2].item<float>(), std::exp(-4.0 / (2 * sigma * sigma)), 1e-6);  // the trailer's reach
    EXPECT_FLOAT_EQ(t[1][4][6].item<float>(), 1.f);                                      // the car's peak
    // Cell (4, 5): the trailer gives exp(-1 / (2 sigma^2)) = 0.487, the car exp(-2) = 0.135.
    EXPECT_NEAR(t[1][4][5].item<float>(), std::exp(-1.0 / (2 * sigma * sigma)), 1e-6);
    EXPECT_EQ(t.eq(1).sum().item<int64_t>(), 2);  // the box at x = 80 m is off the grid
}

TEST(BevHeatmapTarget, BadInputGetsAClearError) {
    const BevformerConfig cfg = grid_config();
    const torch::Tensor box = torch::zeros({1, 9});
    try {
        bev_heatmap_target(box, torch::tensor({int64_t(10)}), cfg);
        FAIL() << "label 10 accepted";
    } catch (const std::invalid_argument & e) {
        EXPECT_NE(std::string(e.what()).find("label 10"), std::string::npos) << e.what();
    }
    EXPECT_THROW(bev_heatmap_target(box, torch::zeros({2}, torch::kLong), cfg), std::invalid_argument);
    EXPECT_THROW(bev_heatmap_target(torch::zeros({9}), torch::zeros({1}, torch::kLong), cfg), std::invalid_argument);
    const torch::Tensor nan_box = torch::full({1, 9}, std::nan(""));
    EXPECT_EQ(bev_heatmap_target(nan_box, torch::zeros({1}, torch::kLong), cfg).sum().item<float>(), 0.f);
}

TEST(BevProposalHead, PicksTheBestCellsAndHandsTheDecoderTheirCentresAndFeatures) {
    torch::manual_seed(4);
    const BevformerConfig cfg = grid_config();
    BevProposalHead head(cfg);
    const torch::Tensor bev = torch::randn({2, 64, 32});
    const torch::Tensor bev_pos = torch::randn({2, 64, 32});
    const BevProposals p = head->forward(bev, bev_pos);
    ASSERT_EQ(p.heatmap.sizes(), (std::vector<int64_t>{2, 10, 8, 8}));
    ASSERT_EQ(p.cells.sizes(), (std::vector<int64_t>{2, 20}));
    ASSERT_EQ(p.reference.sizes(), (std::vector<int64_t>{2, 20, 2}));
    ASSERT_EQ(p.query.sizes(), (std::vector<int64_t>{2, 20, 32}));
    const torch::Tensor best = std::get<0>(p.heatmap.max(1)).flatten(1);  // [2, 64]
    for (int64_t b = 0; b < 2; ++b) {
        std::set<int64_t> seen;
        const torch::Tensor scores = best[b].index_select(0, p.cells[b]);
        EXPECT_TRUE(torch::equal(scores, std::get<0>(scores.sort(0, /*descending=*/true)))) << "not best first";
        // No cell outside the pick scores higher than the worst pick.
        EXPECT_GE(scores[-1].item<float>(), std::get<0>(best[b].topk(21)).index({20}).item<float>());
        for (int64_t k = 0; k < 20; ++k) {
            const int64_t cell = p.cells[b][k].item<int64_t>(), row = cell / 8, col = cell % 8;
            EXPECT_TRUE(seen.insert(cell).second) << "cell " << cell << " picked twice";
            EXPECT_FLOAT_EQ(p.reference[b][k][0].item<float>(), (col + 0.5f) / 8.f);
            EXPECT_FLOAT_EQ(p.reference[b][k][1].item<float>(), (row + 0.5f) / 8.f);
            EXPECT_TRUE(torch::equal(p.query_pos[b][k], bev_pos[b][cell]));
        }
    }
    EXPECT_THROW(head->forward(torch::randn({1, 63, 32}), torch::randn({1, 63, 32})), std::invalid_argument);
    EXPECT_THROW(head->forward(bev, torch::randn({2, 64, 16})), std::invalid_argument);
}

TEST(BevProposalHead, DecoderStartsFromTheProposedCells) {
    torch::manual_seed(5);
    const BevformerConfig cfg = grid_config();
    PerceptionTransformer transformer(cfg);
    BevProposalHead head(cfg);
    const torch::Tensor bev = torch::randn({1, 64, 32});
    const BevProposals p = head->forward(bev, torch::randn({1, 64, 32}));
    const torch::Tensor queries = torch::randn({cfg.num_queries, 64});
    const DecoderOutputs dec = transformer->decode(bev, queries, nullptr, &p);
    EXPECT_TRUE(torch::allclose(dec.init_reference.narrow(2, 0, 2), p.reference));
    const torch::Tensor z = dec.init_reference.narrow(2, 2, 1);
    EXPECT_TRUE((z > 0).all().item<bool>() && (z < 1).all().item<bool>());
    BevProposals wrong = p;
    wrong.reference = p.reference.narrow(1, 0, 10);
    EXPECT_THROW(transformer->decode(bev, queries, nullptr, &wrong), std::invalid_argument);
}

TEST(BevProposalHead, WholeModelTrainsThroughTheHeatmapAndLoadsWithIt) {
    torch::manual_seed(6);
    const BevformerConfig cfg = grid_config();
    Bevformer model(cfg);
    model->train();
    const torch::Tensor gt_boxes = torch::tensor({{2.f, 10.f, 0.f, 1.8f, 4.5f, 1.6f, 0.3f, 1.f, 0.f}});
    const torch::Tensor gt_labels = torch::tensor({int64_t(0)});
    BevformerOutputs out = model->forward(rs::test::random_frame(), torch::Tensor());
    ASSERT_EQ(out.proposal_heatmap.sizes(), (std::vector<int64_t>{1, 10, 8, 8}));
    const torch::Tensor heat = heatmap_focal_loss(out.proposal_heatmap, bev_heatmap_target(gt_boxes, gt_labels, cfg).unsqueeze(0));
    const DetectionLoss det = compute_detection_loss(out.detections.all_cls_scores, out.detections.all_bbox_preds,
                                                     {gt_boxes}, {gt_labels}, cfg);
    (det.total + heat).backward();
    for (const auto & p : model->proposal_head->named_parameters())
        EXPECT_GT(p.value().grad().abs().sum().item<double>(), 0) << "no gradient for proposal_head." << p.key();
    // The heatmap's gradient reaches the BEV queries.
    EXPECT_GT(model->pts_bbox_head->bev_embedding->weight.grad().abs().sum().item<double>(), 0);

    const fs::path path = fs::temp_directory_path() / ("roadsight_proposals_" + std::to_string(::getpid()) + ".safetensors");
    BevformerConfig named = BevformerConfig::embedded();
    named.bev_proposals = true;
    Bevformer embedded(named);
    save_weights(*embedded, path.string(), {{"config", "embedded"}});
    Bevformer loaded = load_bevformer(path.string());
    fs::remove(path);
    EXPECT_TRUE(loaded->config().bev_proposals);
    EXPECT_TRUE(loaded->proposal_head);
    EXPECT_FALSE(Bevformer(BevformerConfig::tiny())->proposal_head);  // the official configs have none
}

TEST(BevProposalHead, ConfigRefusesMoreQueriesThanCells) {
    BevformerConfig cfg = grid_config();
    cfg.num_queries = 65;
    try {
        cfg.validate();
        FAIL() << "65 queries over 64 cells accepted";
    } catch (const std::invalid_argument & e) {
        EXPECT_NE(std::string(e.what()).find("num_queries"), std::string::npos) << e.what();
    }
}
