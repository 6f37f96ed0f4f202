// BEVFormer's head: official state_dict names and shapes, the positional-encoding layout, the
// refinement and denormalisation of predict(), NMS-free decoding, conversion to nuScenes boxes,
// and the map-segmentation head.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "models/bevformer/box_code.h"
#include "models/bevformer/detection_decoder.h"
#include "models/bevformer/detection_head.h"
#include "models/bevformer/positional_encoding.h"
#include "models/bevformer/segmentation_head.h"

namespace rs {
namespace {

using Shapes = std::map<std::string, std::vector<int64_t>>;

Shapes state_shapes(const torch::nn::Module & m) {
    Shapes s;
    for (const auto & p : m.named_parameters()) s[p.key()] = p.value().sizes().vec();
    for (const auto & b : m.named_buffers()) s[b.key()] = b.value().sizes().vec();
    return s;
}

// A head small enough to reason about by hand.
BevformerConfig small_config() {
    BevformerConfig c = BevformerConfig::tiny();
    c.embed_dims = 8;
    c.num_heads = 2;
    c.ffn_dims = 16;
    c.bev_h = 2;
    c.bev_w = 3;
    c.decoder_layers = 2;
    c.num_queries = 4;
    c.num_classes = 3;
    return c;
}

TEST(DetectionHead, TinyStateDictMatchesTheOfficialLayout) {
    DetectionHead head(BevformerConfig::tiny());
    Shapes want = {{"code_weights", {10}},
                   {"bev_embedding.weight", {2500, 256}},
                   {"query_embedding.weight", {900, 512}},
                   {"positional_encoding.row_embed.weight", {50, 128}},
                   {"positional_encoding.col_embed.weight", {50, 128}}};
    for (int l = 0; l < 6; ++l) {
        const std::string cls = "cls_branches." + std::to_string(l) + ".";
        for (const char * i : {"0", "3"}) {
            want[cls + i + ".weight"] = {256, 256};
            want[cls + i + ".bias"] = {256};
        }
        for (const char * i : {"1", "4"}) {
            want[cls + i + ".weight"] = {256};
            want[cls + i + ".bias"] = {256};
        }
        want[cls + "6.weight"] = {10, 256};
        want[cls + "6.bias"] = {10};
        const std::string reg = "reg_branches." + std::to_string(l) + ".";
        for (const char * i : {"0", "2"}) {
            want[reg + i + ".weight"] = {256, 256};
            want[reg + i + ".bias"] = {256};
        }
        want[reg + "4.weight"] = {10, 256};
        want[reg + "4.bias"] = {10};
    }
    EXPECT_EQ(state_shapes(*head), want);

    const auto params = head->named_parameters();
    EXPECT_FALSE(params["code_weights"].requires_grad());
    EXPECT_TRUE(params["cls_branches.0.6.bias"].requires_grad());
    const torch::Tensor expected = torch::tensor({1.f, 1.f, 1.f, 1.f, 1.f, 1.f, 1.f, 1.f, 0.2f, 0.2f});
    EXPECT_TRUE(torch::equal(head->code_weights, expected));
}

TEST(DetectionHead, ClassPriorIsOnePercent) {
    torch::manual_seed(0);
    BevformerConfig cfg = small_config();
    cfg.embed_dims = 64;
    DetectionHead head(cfg);
    for (int l = 0; l < cfg.decoder_layers; ++l) {
        const torch::Tensor bias = head->named_parameters()["cls_branches." + std::to_string(l) + ".6.bias"];
        EXPECT_TRUE(torch::allclose(bias.sigmoid(), torch::full({cfg.num_classes}, 0.01f), 0, 1e-6));
    }
    // The random last layer spreads the logits, but the typical probability stays near the prior.
    torch::NoGradGuard no_grad;
    const float mean = head->cls_branch(0, torch::randn({4096, 64})).sigmoid().mean().item<float>();
    EXPECT_GT(mean, 0.005f);
    EXPECT_LT(mean, 0.03f);
}

TEST(PositionalEncoding, ColumnThenRowInRowMajorCells) {
    LearnedPositionalEncoding pe(2, 2, 3);  // 2 rows, 3 columns, 2 channels per axis
    {
        torch::NoGradGuard no_grad;
        pe->row_embed->weight.copy_(torch::tensor({{10.f, 11.f}, {20.f, 21.f}}));
        pe->col_embed->weight.copy_(torch::tensor({{1.f, 2.f}, {3.f, 4.f}, {5.f, 6.f}}));
    }
    const torch::Tensor pos = pe->forward(2);
    ASSERT_EQ(pos.sizes(), torch::IntArrayRef({2, 6, 4}));
    const torch::Tensor want = torch::tensor({{1.f, 2.f, 10.f, 11.f},
                                              {3.f, 4.f, 10.f, 11.f},
                                              {5.f, 6.f, 10.f, 11.f},
                                              {1.f, 2.f, 20.f, 21.f},
                                              {3.f, 4.f, 20.f, 21.f},
                                              {5.f, 6.f, 20.f, 21.f}});
    EXPECT_TRUE(torch::equal(pos[0], want));
    EXPECT_TRUE(torch::equal(pos[1], want));
    // mmdet initialises the tables uniformly in [0, 1).
    LearnedPositionalEncoding fresh(16, 5, 7);
    EXPECT_GE(fresh->row_embed->weight.min().item<float>(), 0.f);
    EXPECT_LT(fresh->col_embed->weight.max().item<float>(), 1.f);
}

TEST(DetectionHead, InverseSigmoidClampsLikeMmdet) {
    const torch::Tensor x = torch::tensor({0.f, 0.25f, 0.5f, 1.f, 1.5f});
    const torch::Tensor y = inverse_sigmoid(x);
    EXPECT_NEAR(y[0].item<float>(), std::log(1e-5), 1e-4);
    EXPECT_NEAR(y[1].item<float>(), std::log(0.25 / 0.75), 1e-6);
    EXPECT_NEAR(y[2].item<float>(), 0.f, 1e-7);
    EXPECT_NEAR(y[3].item<float>(), -std::log(1e-5), 1e-4);
    EXPECT_NEAR(y[4].item<float>(), -std::log(1e-5), 1e-4);  // clamped to 1 first
}

// Zero weights everywhere in the regression branches, so tmp = the last bias.
void set_reg_output(DetectionHead & head, int layer, const torch::Tensor & bias) {
    torch::NoGradGuard no_grad;
    for (auto & p : head->reg_branches[layer]->parameters()) p.zero_();
    head->named_parameters()["reg_branches." + std::to_string(layer) + ".4.bias"].copy_(bias);
}

TEST(DetectionHead, ZeroRegressionPutsCentresOnTheReferences) {
    const BevformerConfig cfg = small_config();
    DetectionHead head(cfg);
    for (int l = 0; l < cfg.decoder_layers; ++l) set_reg_output(head, l, torch::zeros({10}));
    const torch::Tensor hidden = torch::randn({2, 1, 4, 8});
    const torch::Tensor init = torch::rand({1, 4, 3});
    const torch::Tensor inter = torch::rand({2, 1, 4, 3});
    const HeadOutputs out = head->predict(hidden, init, inter);
    ASSERT_EQ(out.all_cls_scores.sizes(), torch::IntArrayRef({2, 1, 4, 3}));
    ASSERT_EQ(out.all_bbox_preds.sizes(), torch::IntArrayRef({2, 1, 4, 10}));
    // Layer 0 sits on init, layer 1 on inter[0]; inter[1] belongs to no layer's output.
    for (int l = 0; l < 2; ++l) {
        const torch::Tensor ref = l == 0 ? init : inter[0];
        const torch::Tensor box = out.all_bbox_preds[l];
        EXPECT_TRUE(torch::allclose(box.select(-1, 0), ref.select(-1, 0) * 102.4f - 51.2f, 1e-5, 1e-4));
        EXPECT_TRUE(torch::allclose(box.select(-1, 1), ref.select(-1, 1) * 102.4f - 51.2f, 1e-5, 1e-4));
        EXPECT_TRUE(torch::allclose(box.select(-1, 4), ref.select(-1, 2) * 8.f - 5.f, 1e-5, 1e-4));
        for (int i : {2, 3, 5, 6, 7, 8, 9}) EXPECT_EQ(box.select(-1, i).abs().max().item<float>(), 0.f);
        EXPECT_TRUE(torch::allclose(out.all_cls_scores[l], head->cls_branch(l, hidden[l])));
    }
}

TEST(DetectionHead, RegressionOffsetsAddInLogitSpace) {
    BevformerConfig cfg = small_config();
    cfg.pc_range = {-10.f, -20.f, -2.f, 30.f, 20.f, 6.f};
    DetectionHead head(cfg);
    const std::vector<float> bias = {0.5f, -1.f, 0.3f, 0.4f, 2.f, 0.6f, 0.7f, 0.8f, 0.9f, 1.1f};
    set_reg_output(head, 0, torch::tensor(bias));
    set_reg_output(head, 1, torch::zeros({10}));
    const torch::Tensor init = torch::tensor({0.25f, 0.5f, 0.75f}).view({1, 1, 3}).expand({1, 4, 3}).contiguous();
    const HeadOutputs out = head->predict(torch::randn({2, 1, 4, 8}), init, torch::rand({2, 1, 4, 3}));
    const auto sig = [](double v) { return 1 / (1 + std::exp(-v)); };
    const torch::Tensor box = out.all_bbox_preds[0][0][2];
    EXPECT_NEAR(box[0].item<float>(), sig(0.5 + std::log(0.25 / 0.75)) * 40 - 10, 1e-4);
    EXPECT_NEAR(box[1].item<float>(), sig(-1.0) * 40 - 20, 1e-4);
    EXPECT_NEAR(box[4].item<float>(), sig(2.0 + std::log(3.0)) * 8 - 2, 1e-4);
    for (int i : {2, 3, 5, 6, 7, 8, 9}) EXPECT_FLOAT_EQ(box[i].item<float>(), bias[i]);
    // The decoder's refinement is the same formula in sigmoid space.
    const torch::Tensor refined = refine_reference(torch::tensor(bias), torch::tensor({0.25f, 0.5f, 0.75f}));
    EXPECT_NEAR(refined[2].item<float>(), sig(2.0 + std::log(3.0)), 1e-6);
}

TEST(DetectionHead, PredictRejectsWrongShapes) {
    DetectionHead head(small_config());
    EXPECT_THROW(head->predict(torch::randn({3, 1, 4, 8}), torch::rand({1, 4, 3}), torch::rand({3, 1, 4, 3})),
                 std::invalid_argument);
    EXPECT_THROW(head->predict(torch::randn({2, 1, 4, 8}), torch::rand({1, 5, 3}), torch::rand({2, 1, 4, 3})),
                 std::invalid_argument);
    EXPECT_THROW(head->reg_branch(2, torch::randn({1, 8})), std::invalid_argument);
}

// One sample of codes for the given lidar boxes [cx, cy, cz, w, l, h, yaw, vx, vy].
torch::Tensor codes(const std::vector<std::vector<float>> & boxes) {
    std::vector<torch::Tensor> rows;
    for (const auto & b : boxes) rows.push_back(torch::tensor(b));
    return normalize_boxes(torch::stack(rows));
}

TEST(DetectionDecoder, TopKOverClassQueryPairsAndRangeFilter) {
    BevformerConfig cfg = small_config();
    cfg.max_detections = 3;
    // Q = 3 queries, K = 3 classes. Best pairs: (q2, c1) 3.0, (q0, c2) 2.0, (q1, c0) 1.0; q0 lies
    // outside post_center_range in x, q1 exactly on its upper z bound (kept).
    torch::Tensor logits = torch::full({1, 3, 3}, -5.f);
    logits[0][2][1] = 3.f;
    logits[0][0][2] = 2.f;
    logits[0][1][0] = 1.f;
    logits[0][0][0] = 0.5f;
    const torch::Tensor preds = codes({{61.3f, 0.f, 0.f, 1.f, 2.f, 3.f, 0.1f, 0.f, 0.f},
                                       {-61.2f, 61.2f, 10.f, 2.f, 4.f, 1.5f, -2.f, 1.f, -1.f},
                                       {5.f, -3.f, -1.f, 0.5f, 0.6f, 1.7f, 3.f, 0.2f, 0.3f}})
                                     .unsqueeze(0);
    const auto det = decode_detections(logits, preds, cfg);
    ASSERT_EQ(det.size(), 1u);
    ASSERT_EQ(det[0].labels.numel(), 2);
    EXPECT_EQ(det[0].labels[0].item<int64_t>(), 1);
    EXPECT_EQ(det[0].labels[1].item<int64_t>(), 0);
    EXPECT_NEAR(det[0].scores[0].item<float>(), 1 / (1 + std::exp(-3.0)), 1e-6);
    EXPECT_NEAR(det[0].scores[1].item<float>(), 1 / (1 + std::exp(-1.0)), 1e-6);
    const torch::Tensor want = torch::tensor({{5.f, -3.f, -1.f, 0.5f, 0.6f, 1.7f, 3.f, 0.2f, 0.3f},
                                              {-61.2f, 61.2f, 10.f, 2.f, 4.f, 1.5f, -2.f, 1.f, -1.f}});
    EXPECT_TRUE(torch::allclose(det[0].boxes, want, 1e-5, 1e-5)) << det[0].boxes;
}

TEST(DetectionDecoder, BatchItemsAndScoreThreshold) {
    BevformerConfig cfg = small_config();
    cfg.max_detections = 100;  // more than Q * K: every pair is ranked
    torch::Tensor logits = torch::full({2, 2, 3}, -6.f);
    logits[0][1][2] = 0.f;    // 0.5
    logits[0][0][0] = -1.f;   // 0.269
    logits[1][0][1] = -3.f;   // 0.047, the best of item 1
    const torch::Tensor box = codes({{1.f, 2.f, 0.f, 1.f, 1.f, 1.f, 0.f, 0.f, 0.f}});
    const torch::Tensor preds = box.expand({2, 2, 10}).contiguous();
    const auto all = decode_detections(logits, preds, cfg);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].scores.numel(), 6);
    EXPECT_EQ(all[1].labels[0].item<int64_t>(), 1);

    const auto thr = decode_detections(logits, preds, cfg, 0.3f);
    ASSERT_EQ(thr[0].scores.numel(), 1);  // only 0.5 clears 0.3
    EXPECT_EQ(thr[0].labels[0].item<int64_t>(), 2);
    // Nothing in item 1 clears 0.3: the threshold falls by 0.9 steps until 0.047 passes
    // (0.3·0.9^18 ≈ 0.045), and then nothing else (0.0025) does.
    ASSERT_EQ(thr[1].scores.numel(), 1);
    EXPECT_EQ(thr[1].labels[0].item<int64_t>(), 1);

    EXPECT_THROW(decode_detections(logits, preds.narrow(2, 0, 9), cfg), std::invalid_argument);
    EXPECT_THROW(decode_detections(logits, preds.narrow(1, 0, 1), cfg), std::invalid_argument);
}

TEST(DetectionDecoder, NuScenesBoxesRoundTrip) {
    const Pose lidar2ego{{0.94, 0.01, 1.84}, Quat::from_yaw(-1.5708)};
    const Pose ego2global{{411.3, 1180.9, 0.2}, Quat::from_yaw(2.4)};
    // A global box taken into the lidar frame with the inverse formulas, then decoded back.
    const Vec3 centre{420.5, 1175.25, 1.1};
    const double yaw_global = 0.8;
    const Vec2 vel{3.0, -1.5};
    const Pose global2lidar = (ego2global * lidar2ego).inverse();
    const Vec3 c = global2lidar.apply(centre);
    const double yaw_nus = (global2lidar.rotation * Quat::from_yaw(yaw_global)).yaw();
    const Vec3 v = global2lidar.rotation.rotate({vel.x, vel.y, 0});
    Detections det;
    det.boxes = torch::tensor({c.x, c.y, c.z, 1.9, 4.6, 1.7, -yaw_nus - kPi / 2, v.x, v.y}, torch::kDouble).view({1, 9});
    det.scores = torch::tensor({0.6f});
    det.labels = torch::tensor({int64_t(4)});  // trailer
    const auto out = to_nuscenes_boxes(det, lidar2ego, ego2global, "sample");
    ASSERT_EQ(out.size(), 1u);
    const EvalBox & e = out[0];
    EXPECT_EQ(e.sample_token, "sample");
    EXPECT_NEAR(e.translation.x, centre.x, 1e-9);
    EXPECT_NEAR(e.translation.y, centre.y, 1e-9);
    EXPECT_NEAR(e.translation.z, centre.z, 1e-9);
    EXPECT_DOUBLE_EQ(e.size.x, 1.9);
    EXPECT_DOUBLE_EQ(e.size.y, 4.6);
    EXPECT_DOUBLE_EQ(e.size.z, 1.7);
    EXPECT_NEAR(e.rotation.yaw(), yaw_global, 1e-9);
    EXPECT_NEAR(e.velocity.x, vel.x, 1e-9);
    EXPECT_NEAR(e.velocity.y, vel.y, 1e-9);
    EXPECT_EQ(e.detection_name, ObjectClass::trailer);
    EXPECT_NEAR(e.detection_score, 0.6, 1e-7);
    EXPECT_EQ(e.attribute_name, "vehicle.moving");

    det.labels = torch::tensor({int64_t(4), int64_t(0)});
    EXPECT_THROW(to_nuscenes_boxes(det, lidar2ego, ego2global, "sample"), std::invalid_argument);
}

TEST(SegmentationHead, MaskShapeAndGradientsReachEveryPart) {
    torch::manual_seed(1);
    BevformerConfig cfg = small_config();
    cfg.bev_h = 4;
    cfg.bev_w = 5;
    SegmentationHead seg(cfg);
    const torch::Tensor bev = torch::randn({2, 20, 8}, torch::requires_grad());
    const torch::Tensor masks = seg->forward(bev);
    ASSERT_EQ(masks.sizes(), torch::IntArrayRef({2, 3, 4, 5}));
    masks.pow(2).sum().backward();
    EXPECT_GT(bev.grad().abs().sum().item<float>(), 0.f);
    for (const auto & p : seg->named_parameters()) {
        ASSERT_TRUE(p.value().grad().defined()) << p.key();
        EXPECT_GT(p.value().grad().abs().sum().item<float>(), 0.f) << p.key();
    }
    EXPECT_THROW(seg->forward(torch::randn({2, 21, 8})), std::invalid_argument);
}

TEST(SegmentationHead, MasksAreScaledDotProductsPerCell) {
    // In eval mode a cell's logits depend on its own projected feature linearly once the queries
    // are fixed: scaling the projection's weight and bias by s scales every mask logit by s.
    torch::manual_seed(2);
    BevformerConfig cfg = small_config();
    SegmentationHead seg(cfg);
    seg->eval();
    const torch::Tensor bev = torch::randn({1, 6, 8});
    torch::NoGradGuard no_grad;
    const torch::Tensor before = seg->forward(bev);
    seg->pixel_proj->weight.mul_(3);
    seg->pixel_proj->bias.mul_(3);
    EXPECT_TRUE(torch::allclose(seg->forward(bev), before * 3, 1e-5, 1e-5));
    // Layout: zeroing the projection bias and one cell's feature zeroes exactly that cell.
    seg->pixel_proj->bias.zero_();
    torch::Tensor one_zero = bev.clone();
    one_zero[0][4].zero_();  // row 1, column 1 of the 2×3 grid
    const torch::Tensor m = seg->forward(one_zero);
    EXPECT_EQ(m.index({0, torch::indexing::Slice(), 1, 1}).abs().max().item<float>(), 0.f);
    EXPECT_GT(m.index({0, torch::indexing::Slice(), 1, 0}).abs().min().item<float>(), 0.f);
}

}  // namespace
}  // namespace rs
