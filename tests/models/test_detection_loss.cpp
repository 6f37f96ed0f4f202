// Box code, Hungarian assignment, BEVFormer detection loss and the segmentation loss, on cases
// small enough to work out by hand. Focal terms used throughout (alpha 0.25, gamma 2), for a
// class with probability p:
//   positive (target 1): -ln(p)·0.25·(1-p)²      negative (target 0): -ln(1-p)·0.75·p²
//   p = 0.75 (logit ln 3):  pos 0.00449503   neg 0.58484293
//   p = 0.50 (logit 0):     pos 0.04332170   neg 0.12996510
//   p = 0.25 (logit -ln 3): pos 0.19494764   neg 0.01348510
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "models/bevformer/box_code.h"
#include "models/bevformer/detection_loss.h"
#include "models/bevformer/hungarian_assigner.h"
#include "models/bevformer/segmentation_loss.h"
#include "models/tensor_io.h"

using torch::Tensor;

namespace rs {
namespace {

const double kLn3 = std::log(3.0);
const double kPi = std::acos(-1.0);

double focal_pos(double p) { return -std::log(p) * 0.25 * (1 - p) * (1 - p); }
double focal_neg(double p) { return -std::log(1 - p) * 0.75 * p * p; }

BevformerConfig config_with_classes(int classes) {
    BevformerConfig c = BevformerConfig::tiny();
    c.num_classes = classes;
    return c;
}

Tensor dbl(std::vector<double> v, std::vector<int64_t> shape) { return torch::tensor(v, torch::kDouble).view(shape); }

// A box at (x, y) with fixed size and heading, velocity (vx, vy).
std::vector<double> box_at(double x, double y, double vx = 0, double vy = 0) { return {x, y, 0.5, 2, 4, 1.5, 0.3, vx, vy}; }

TEST(BoxCode, NormalizeByHand) {
    // yaw pi/2 -> sin 1, cos 0; sizes go to logs, z moves to slot 4.
    Tensor code = normalize_boxes(dbl({1, 2, 3, 2, 4, 1.5, kPi / 2, 0.5, -0.5}, {1, 9}));
    const std::vector<double> expected = {1, 2, std::log(2.0), std::log(4.0), 3, std::log(1.5), 1, 0, 0.5, -0.5};
    ASSERT_EQ(code.sizes(), (std::vector<int64_t>{1, 10}));
    for (int i = 0; i < 10; ++i) EXPECT_NEAR(code[0][i].item<double>(), expected[size_t(i)], 1e-12) << "dim " << i;
}

TEST(BoxCode, RoundTrip) {
    // Yaws inside (-pi, pi] come back unchanged through atan2.
    Tensor boxes = dbl({1, 2, 3, 2, 4, 1.5, kPi / 2, 0.5, -0.5,  //
                        -7, 0.25, -1, 0.6, 0.8, 1.7, -3 * kPi / 4, 0, 3},
                       {2, 9});
    Tensor back = denormalize_boxes(normalize_boxes(boxes));
    EXPECT_TRUE(torch::allclose(back, boxes, 1e-12, 1e-12)) << back;
    EXPECT_THROW(normalize_boxes(torch::zeros({2, 8})), std::invalid_argument);
    EXPECT_THROW(denormalize_boxes(torch::zeros({2, 9})), std::invalid_argument);
}

TEST(HungarianAssigner, FocalCostByHand) {
    // Query 0 has p = (0.75, 0.25), query 1 p = (0.5, 0.5); GT labels (1, 0).
    Tensor logits = dbl({kLn3, -kLn3, 0, 0}, {2, 2});
    Tensor cost = focal_loss_cost(logits, torch::tensor({1, 0}, torch::kLong), 0.25, 2.0);
    ASSERT_EQ(cost.sizes(), (std::vector<int64_t>{2, 2}));
    EXPECT_NEAR(cost[0][0].item<double>(), 0.18146255, 1e-7);   // label 1 at p 0.25: 0.19494764 - 0.01348510
    EXPECT_NEAR(cost[0][1].item<double>(), -0.58034790, 1e-7);  // label 0 at p 0.75: 0.00449503 - 0.58484293
    EXPECT_NEAR(cost[1][0].item<double>(), -0.08664340, 1e-7);  // p 0.5: 0.04332170 - 0.12996510
    EXPECT_NEAR(cost[1][1].item<double>(), -0.08664340, 1e-7);
    EXPECT_THROW(focal_loss_cost(logits, torch::tensor({2}, torch::kLong), 0.25, 2.0), std::invalid_argument);
    EXPECT_THROW(focal_loss_cost(logits, torch::tensor({0}, torch::kInt), 0.25, 2.0), std::invalid_argument);
}

TEST(HungarianAssigner, PicksTheObviousMatch) {
    const HungarianAssigner3D assigner(config_with_classes(2));
    std::vector<double> flat;
    for (double x : {10.0, 20.0, 30.0})
        for (double v : box_at(x, 0)) flat.push_back(v);
    Tensor gt = dbl(flat, {3, 9});
    Tensor labels = torch::tensor({0, 1, 0}, torch::kLong);
    Tensor codes = normalize_boxes(gt);
    // Query 0 sits on box 2, query 1 far away, query 2 on box 0, query 3 on box 1.
    Tensor far = normalize_boxes(dbl(box_at(-40, 0), {1, 9}));
    Tensor preds = torch::cat({codes[2].unsqueeze(0), far, codes[0].unsqueeze(0), codes[1].unsqueeze(0)});
    Tensor logits = torch::zeros({4, 2}, torch::kDouble);
    Tensor assigned = assigner.assign(logits, preds, gt, labels);
    EXPECT_EQ(assigned.scalar_type(), torch::kLong);
    EXPECT_TRUE(torch::equal(assigned, torch::tensor({2, -1, 0, 1}, torch::kLong))) << assigned;

    // cost = 2·focal + 0.25·L1: query 1 vs box 0 differs by 50 m in x only.
    Tensor cost = assigner.cost(logits, preds, gt, labels);
    EXPECT_NEAR(cost[1][0].item<double>(), 2 * -0.08664340 + 0.25 * 50, 1e-6);
    EXPECT_NEAR(cost[2][0].item<double>(), 2 * -0.08664340, 1e-6);

    // More boxes than queries: both queries matched, one box left over.
    Tensor two = assigner.assign(logits.slice(0, 2, 4), preds.slice(0, 2, 4), gt, labels);
    EXPECT_TRUE(torch::equal(two, torch::tensor({0, 1}, torch::kLong))) << two;
    // No boxes: every query unmatched.
    Tensor none = assigner.assign(logits, preds, dbl({}, {0, 9}), torch::zeros({0}, torch::kLong));
    EXPECT_TRUE(torch::equal(none, torch::full({4}, -1, torch::kLong)));
    // A NaN prediction does not stop the matching.
    Tensor broken = preds.clone();
    broken[1][0] = std::nan("");
    EXPECT_TRUE(torch::equal(assigner.assign(logits, broken, gt, labels), torch::tensor({2, -1, 0, 1}, torch::kLong)));
    EXPECT_THROW(assigner.assign(logits, preds, gt.slice(1, 0, 8), labels), std::invalid_argument);
    EXPECT_THROW(assigner.assign(logits.slice(0, 0, 3), preds, gt, labels), std::invalid_argument);
}

TEST(DetectionLoss, TwoLayersByHand) {
    // One GT (label 0), two queries over two classes. Query 0: p = (0.75, 0.25), box near the GT;
    // query 1: p = (0.5, 0.5), 50 m away. Query 0 is matched in both layers, P = 1.
    // loss_cls = 2 · (pos(0.75) + neg(0.25) + 2·neg(0.5)) = 2 · 0.27791032 = 0.55582064 per layer.
    // Last layer box error: 0.1 in x (weight 1), 0.5 in vx (weight 0.2) -> 0.25 · 0.2 = 0.05.
    // Layer 0: -0.2 in y, 0.4 in z -> 0.25 · 0.6 = 0.15.
    const BevformerConfig cfg = config_with_classes(2);
    Tensor gt = dbl(box_at(5, -3, 1, 2), {1, 9});
    Tensor code = normalize_boxes(gt)[0];
    Tensor far = normalize_boxes(dbl(box_at(55, -3), {1, 9}))[0];
    Tensor d_last = torch::zeros({10}, torch::kDouble), d_first = torch::zeros({10}, torch::kDouble);
    d_last[0] = 0.1;
    d_last[8] = 0.5;
    d_first[1] = -0.2;
    d_first[4] = 0.4;
    Tensor boxes = torch::stack({torch::stack({code + d_first, far}), torch::stack({code + d_last, far})}).unsqueeze(1);
    Tensor logits = dbl({kLn3, -kLn3, 0, 0}, {1, 1, 2, 2}).expand({2, 1, 2, 2}).contiguous();
    DetectionLoss loss = compute_detection_loss(logits, boxes, {gt}, {torch::tensor({0}, torch::kLong)}, cfg);

    const double cls = 2 * (focal_pos(0.75) + focal_neg(0.25) + 2 * focal_neg(0.5));
    EXPECT_NEAR(cls, 0.55582064, 1e-8);
    ASSERT_EQ(loss.parts.size(), 4u);
    EXPECT_EQ(loss.parts[0].first, "loss_cls");
    EXPECT_EQ(loss.parts[1].first, "loss_bbox");
    EXPECT_EQ(loss.parts[2].first, "d0.loss_cls");
    EXPECT_EQ(loss.parts[3].first, "d0.loss_bbox");
    EXPECT_NEAR(loss.part("loss_cls").item<double>(), cls, 1e-9);
    EXPECT_NEAR(loss.part("d0.loss_cls").item<double>(), cls, 1e-9);
    EXPECT_NEAR(loss.part("loss_bbox").item<double>(), 0.05, 1e-9);
    EXPECT_NEAR(loss.part("d0.loss_bbox").item<double>(), 0.15, 1e-9);
    EXPECT_NEAR(loss.total.item<double>(), 1.31164129, 1e-7);
    EXPECT_EQ(loss.matched_last_layer, 1);
    EXPECT_THROW(loss.part("d1.loss_cls"), std::out_of_range);
}

TEST(DetectionLoss, PerfectPredictionsCostAlmostNothing) {
    // Queries 1 and 3 carry the exact GT codes and are confident in the right class; the rest are
    // far away and confident in no class.
    const BevformerConfig cfg = config_with_classes(3);
    std::vector<double> flat = box_at(12, 4, 3, -1);
    for (double v : box_at(-20, 8, 0, 0)) flat.push_back(v);
    Tensor gt = dbl(flat, {2, 9});
    Tensor labels = torch::tensor({2, 0}, torch::kLong);
    Tensor codes = normalize_boxes(gt);
    Tensor boxes = normalize_boxes(dbl(box_at(45, 45), {1, 9})).repeat({5, 1});
    boxes[1] = codes[0];
    boxes[3] = codes[1];
    Tensor logits = torch::full({5, 3}, -12.0, torch::kDouble);
    logits[1][2] = 12.0;
    logits[3][0] = 12.0;
    DetectionLoss loss = compute_detection_loss(logits.view({1, 1, 5, 3}), boxes.view({1, 1, 5, 10}), {gt}, {labels}, cfg);
    EXPECT_EQ(loss.matched_last_layer, 2);
    EXPECT_LT(loss.part("loss_bbox").item<double>(), 1e-12);
    EXPECT_LT(loss.part("loss_cls").item<double>(), 1e-8);
    EXPECT_GE(loss.part("loss_cls").item<double>(), 0.0);
    EXPECT_EQ(loss.parts.size(), 2u);
}

TEST(DetectionLoss, UnknownVelocityDropsTheRowFromL1) {
    // GT A has NaN velocity (label 0), GT B is complete (label 1). Query 0 is 0.4 m off A in x,
    // query 1 is 0.2 m off B in y, query 2 far. P = 2, A's row is masked:
    // loss_bbox = 0.25 · 0.2 / 2 = 0.025.
    const BevformerConfig cfg = config_with_classes(2);
    std::vector<double> flat = box_at(3, 3, std::nan(""), std::nan(""));
    for (double v : box_at(-6, 2, 1, 1)) flat.push_back(v);
    Tensor gt = dbl(flat, {2, 9});
    Tensor codes = normalize_boxes(gt);
    Tensor boxes = normalize_boxes(dbl(box_at(40, -40), {1, 9})).repeat({3, 1});
    boxes[0] = torch::nan_to_num(codes[0], 0.0);
    boxes[0][0] += 0.4;
    boxes[1] = codes[1];
    boxes[1][1] += 0.2;
    Tensor preds = boxes.view({1, 1, 3, 10}).clone().requires_grad_(true);
    Tensor logits = torch::zeros({1, 1, 3, 2}, torch::kDouble).requires_grad_(true);
    DetectionLoss loss = compute_detection_loss(logits, preds, {gt}, {torch::tensor({0, 1}, torch::kLong)}, cfg);
    EXPECT_EQ(loss.matched_last_layer, 2);
    EXPECT_NEAR(loss.part("loss_bbox").item<double>(), 0.025, 1e-9);
    // Both matches count as positives: 2 · (2·pos(0.5) + 4·neg(0.5)) / 2.
    EXPECT_NEAR(loss.part("loss_cls").item<double>(), 2 * focal_pos(0.5) + 4 * focal_neg(0.5), 1e-9);
    loss.total.backward();
    Tensor g = preds.grad()[0][0];
    EXPECT_TRUE(torch::isfinite(g).all().item<bool>());
    EXPECT_EQ(g[0].abs().sum().item<double>(), 0.0);  // the masked row gets nothing
    EXPECT_NEAR(g[1][1].item<double>(), 0.25 / 2, 1e-12);
    EXPECT_EQ(g[2].abs().sum().item<double>(), 0.0);  // unmatched
}

TEST(DetectionLoss, ItemsWithoutGroundTruth) {
    const BevformerConfig cfg = config_with_classes(2);
    const Tensor no_boxes = dbl({}, {0, 9});
    const Tensor no_labels = torch::zeros({0}, torch::kLong);
    // Nothing to match at all: loss_bbox 0, loss_cls = 2 · 4 · neg(0.5) / max(0, 1).
    {
        Tensor logits = torch::zeros({1, 1, 2, 2}, torch::kDouble).requires_grad_(true);
        Tensor boxes = torch::randn({1, 1, 2, 10}, torch::kDouble).requires_grad_(true);
        DetectionLoss loss = compute_detection_loss(logits, boxes, {no_boxes}, {no_labels}, cfg);
        EXPECT_EQ(loss.matched_last_layer, 0);
        EXPECT_EQ(loss.part("loss_bbox").item<double>(), 0.0);
        EXPECT_NEAR(loss.part("loss_cls").item<double>(), 8 * focal_neg(0.5), 1e-9);
        loss.total.backward();
        EXPECT_TRUE(torch::isfinite(logits.grad()).all().item<bool>());
    }
    // Item 0 empty, item 1 with one box that query 0 sits on. Zero logits everywhere:
    // 2 · (pos(0.5) + 7 · neg(0.5)) / 1 = 1.90615475.
    {
        Tensor gt = dbl(box_at(1, 1), {1, 9});
        Tensor boxes = normalize_boxes(dbl(box_at(30, 30), {1, 9})).repeat({2, 2, 1});
        boxes[1][0] = normalize_boxes(gt)[0];
        DetectionLoss loss = compute_detection_loss(torch::zeros({1, 2, 2, 2}, torch::kDouble), boxes.unsqueeze(0), {no_boxes, gt},
                                                    {no_labels, torch::tensor({1}, torch::kLong)}, cfg);
        EXPECT_EQ(loss.matched_last_layer, 1);
        EXPECT_NEAR(loss.part("loss_cls").item<double>(), 1.90615475, 1e-7);
        EXPECT_NEAR(loss.part("loss_bbox").item<double>(), 0.0, 1e-12);
    }
}

TEST(DetectionLoss, GradientsAreFiniteAndReachOnlyMatchedBoxes) {
    torch::manual_seed(3);
    const BevformerConfig cfg = BevformerConfig::tiny();  // 10 classes, 6 decoder layers
    const int64_t layers = 3, batch = 2, queries = 20, gts = 5;
    Tensor centres = torch::rand({gts, 2}) * 80 - 40;
    Tensor sizes = torch::rand({gts, 3}) * 3 + 0.5;
    Tensor gt = torch::cat({centres, torch::rand({gts, 1}), sizes, torch::rand({gts, 1}) * 6 - 3, torch::randn({gts, 2})}, 1);
    Tensor labels = torch::randint(0, 10, {gts}, torch::kLong);
    Tensor logits = torch::randn({layers, batch, queries, 10}).requires_grad_(true);
    Tensor boxes = (torch::randn({layers, batch, queries, 10}) * 10).requires_grad_(true);
    DetectionLoss loss = compute_detection_loss(logits, boxes, {gt, torch::zeros({0, 9})}, {labels, torch::zeros({0}, torch::kLong)}, cfg);
    EXPECT_EQ(loss.parts.size(), size_t(2 * layers));
    EXPECT_EQ(loss.matched_last_layer, gts);
    double sum = 0;
    for (const auto & part : loss.parts) sum += part.second.item<double>();
    EXPECT_NEAR(loss.total.item<double>(), sum, 1e-4);
    loss.total.backward();
    EXPECT_TRUE(torch::isfinite(logits.grad()).all().item<bool>());
    EXPECT_TRUE(torch::isfinite(boxes.grad()).all().item<bool>());
    // Focal loss pushes every logit; L1 touches exactly one query per GT box in each layer.
    EXPECT_TRUE((logits.grad() != 0).all().item<bool>());
    Tensor touched = (boxes.grad().abs().sum(-1) > 0);
    for (int64_t l = 0; l < layers; ++l) {
        EXPECT_EQ(touched[l][0].sum().item<int64_t>(), gts) << "layer " << l;
        EXPECT_EQ(touched[l][1].sum().item<int64_t>(), 0) << "layer " << l;
    }
}

TEST(DetectionLoss, MatchesPythonReference) {
    const std::string python = ROADSIGHT_TORCH_PYTHON3;
    if (python.empty() || !std::filesystem::exists(python)) {
        const char * ci = std::getenv("CI");
        if (ci && std::string(ci) == "true") FAIL() << "no python3 with torch found at configure time (CI=true)";
        GTEST_SKIP() << "no python3 with torch found at configure time; install python3-torch and reconfigure";
    }
    // Odd weights so that every one of them is exercised; 3 layers, 3 items with 3, 0 and 2 boxes,
    // one box with unknown velocity. Random logits and boxes, so the optimum is unique.
    BevformerConfig cfg = config_with_classes(4);
    cfg.focal_alpha = 0.3f;
    cfg.focal_gamma = 1.5f;
    cfg.loss_cls_weight = 1.7f;
    cfg.loss_bbox_weight = 0.4f;
    cfg.code_weights = {1.0f, 0.9f, 0.8f, 0.7f, 1.1f, 0.6f, 1.2f, 0.5f, 0.2f, 0.3f};
    torch::manual_seed(11);
    auto random_boxes = [](int64_t n) {
        return torch::cat({torch::rand({n, 3}, torch::kDouble) * 10 - 5, torch::rand({n, 3}, torch::kDouble) * 3 + 0.5,
                           torch::rand({n, 1}, torch::kDouble) * 6 - 3, torch::randn({n, 2}, torch::kDouble)},
                          1);
    };
    std::vector<Tensor> gts = {random_boxes(3), random_boxes(0), random_boxes(2)};
    gts[0][1][7] = std::nan("");
    std::vector<Tensor> labels = {torch::tensor({3, 0, 3}, torch::kLong), torch::zeros({0}, torch::kLong),
                                  torch::tensor({1, 2}, torch::kLong)};
    Tensor logits = torch::randn({3, 3, 6, 4}, torch::kDouble).requires_grad_(true);
    Tensor boxes = (normalize_boxes(random_boxes(3 * 3 * 6)).view({3, 3, 6, 10})).detach().requires_grad_(true);

    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("roadsight_detloss_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string in_path = (dir / "inputs.safetensors").string();
    const std::string out_path = (dir / "outputs.safetensors").string();
    NamedTensors inputs = {{"all_cls_scores", logits},
                           {"all_bbox_preds", boxes},
                           {"scalars", torch::tensor({double(cfg.focal_alpha), double(cfg.focal_gamma), double(cfg.loss_cls_weight),
                                                      double(cfg.loss_bbox_weight)})},
                           {"code_weights", torch::tensor(cfg.code_weights).to(torch::kDouble)}};
    for (size_t b = 0; b < gts.size(); ++b) {
        inputs.emplace_back("gt_boxes_" + std::to_string(b), gts[b]);
        inputs.emplace_back("gt_labels_" + std::to_string(b), labels[b]);
    }
    write_tensors(in_path, inputs);
    const std::string cmd = "\"" + python + "\" \"" + std::string(ROADSIGHT_SOURCE_DIR) +
                            "/tests/models/detection_loss_reference.py\" \"" + in_path + "\" \"" + out_path + "\"";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::map<std::string, Tensor> ref;
    for (auto & [name, t] : read_tensors(out_path)) ref[name] = t;
    fs::remove_all(dir);

    DetectionLoss loss = compute_detection_loss(logits, boxes, gts, labels, cfg);
    ASSERT_EQ(loss.parts.size(), 6u);
    for (const auto & [name, value] : loss.parts) {
        ASSERT_TRUE(ref.count(name)) << name;
        EXPECT_NEAR(value.item<double>(), ref.at(name).item<double>(), 1e-10) << name;
    }
    EXPECT_GT(loss.part("loss_bbox").item<double>(), 0.0);
    loss.total.backward();
    EXPECT_LE((logits.grad() - ref.at("grad_cls")).abs().max().item<double>(), 1e-10);
    EXPECT_LE((boxes.grad() - ref.at("grad_bbox")).abs().max().item<double>(), 1e-10);
}

TEST(DetectionLoss, RejectsInconsistentInput) {
    const BevformerConfig cfg = config_with_classes(2);
    Tensor logits = torch::zeros({1, 1, 3, 2});
    Tensor boxes = torch::zeros({1, 1, 3, 10});
    Tensor gt = torch::tensor({1.f, 1.f, 0.f, 2.f, 4.f, 1.5f, 0.f, 0.f, 0.f}).view({1, 9});
    Tensor label = torch::tensor({0}, torch::kLong);
    EXPECT_THROW(compute_detection_loss(torch::zeros({1, 1, 3, 3}), boxes, {gt}, {label}, cfg), std::invalid_argument);
    EXPECT_THROW(compute_detection_loss(logits, torch::zeros({1, 1, 3, 9}), {gt}, {label}, cfg), std::invalid_argument);
    EXPECT_THROW(compute_detection_loss(logits, boxes, {gt, gt}, {label, label}, cfg), std::invalid_argument);
    EXPECT_THROW(compute_detection_loss(logits, boxes, {gt.slice(1, 0, 7)}, {label}, cfg), std::invalid_argument);
    EXPECT_THROW(compute_detection_loss(logits, boxes, {gt}, {torch::tensor({0, 1}, torch::kLong)}, cfg), std::invalid_argument);
    EXPECT_THROW(compute_detection_loss(logits, boxes, {gt}, {torch::tensor({5}, torch::kLong)}, cfg), std::invalid_argument);
    EXPECT_THROW(compute_detection_loss(torch::zeros({0, 1, 3, 2}), torch::zeros({0, 1, 3, 10}), {gt}, {label}, cfg),
                 std::invalid_argument);
}

TEST(SegmentationLoss, ByHand) {
    // Zero logits (p = 0.5) against target 1 0 1 1: BCE = ln 2 per pixel;
    // dice = 1 - (2·1.5 + 1) / (2 + 3 + 1) = 1/3.
    Tensor logits = torch::zeros({1, 1, 2, 2}, torch::kDouble);
    Tensor target = torch::tensor({1, 0, 1, 1}, torch::kUInt8).view({1, 1, 2, 2});
    SegmentationLoss loss = compute_segmentation_loss(logits, target);
    EXPECT_NEAR(loss.bce.item<double>(), std::log(2.0), 1e-12);
    EXPECT_NEAR(loss.dice.item<double>(), 1.0 / 3, 1e-12);
    EXPECT_NEAR(loss.total.item<double>(), std::log(2.0) + 1.0 / 3, 1e-12);
    SegmentationLoss weighted = compute_segmentation_loss(logits, target, {0.5, 2.0, 1.0});
    EXPECT_NEAR(weighted.total.item<double>(), 0.5 * std::log(2.0) + 2.0 / 3, 1e-12);

    // Confident and right: both parts vanish; the empty second class costs nothing either.
    Tensor targets2 = torch::cat({target, torch::zeros_like(target)}, 1).to(torch::kDouble);
    Tensor sure = (targets2 * 2 - 1) * 30;
    SegmentationLoss good = compute_segmentation_loss(sure.requires_grad_(true), targets2);
    EXPECT_LT(good.bce.item<double>(), 1e-12);
    EXPECT_LT(good.dice.item<double>(), 1e-12);
    good.total.backward();
    EXPECT_TRUE(torch::isfinite(sure.grad()).all().item<bool>());

    EXPECT_THROW(compute_segmentation_loss(logits, target.view({1, 1, 4, 1})), std::invalid_argument);
    EXPECT_THROW(compute_segmentation_loss(logits.view({1, 4}), target.view({1, 4})), std::invalid_argument);
    EXPECT_THROW(compute_segmentation_loss(logits, target, {1.0, 1.0, 0.0}), std::invalid_argument);
}

}  // namespace
}  // namespace rs
