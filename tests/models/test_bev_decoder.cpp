// BEVFormer decoder and PerceptionTransformer: iterative refinement against the formula,
// official parameter names, the query embedding split, ego shift, previous-BEV rotation (by hand
// and against torchvision), temporal switches and gradient flow.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "models/bevformer/bev_decoder.h"
#include "models/bevformer/perception_transformer.h"
#include "models/bevformer/reference_refinement.h"
#include "models/tensor_io.h"

using torch::Tensor;

namespace rs {
namespace {

BevformerConfig small_config() {
    BevformerConfig c = BevformerConfig::tiny();
    c.name = "test";
    c.embed_dims = 16;
    c.num_heads = 2;
    c.ffn_dims = 32;
    c.bev_h = 4;
    c.bev_w = 6;
    c.encoder_layers = 2;
    c.decoder_layers = 2;
    c.num_queries = 5;
    c.dropout = 0.f;
    c.rotate_center = {3.f, 2.f};
    return c;
}

TEST(InverseSigmoid, ClampsAndInverts) {
    const Tensor x = torch::tensor({0.25, 0.5, 0.9, 0.0, 1.0, -3.0, 2.0}, torch::kDouble);
    const Tensor y = inverse_sigmoid(x);
    EXPECT_NEAR(y[0].item<double>(), std::log(1.0 / 3.0), 1e-12);
    EXPECT_NEAR(y[1].item<double>(), 0.0, 1e-12);
    EXPECT_NEAR(y[2].item<double>(), std::log(9.0), 1e-12);
    EXPECT_NEAR(y[3].item<double>(), std::log(1e-5 / 1.0), 1e-12);
    EXPECT_NEAR(y[4].item<double>(), std::log(1.0 / 1e-5), 1e-12);
    EXPECT_NEAR(y[5].item<double>(), std::log(1e-5), 1e-12);  // below 0 clamps to 0 first
    EXPECT_NEAR(y[6].item<double>(), std::log(1e5), 1e-12);
}

TEST(BevDecoder, RefinementFollowsTheFormula) {
    const BevformerConfig c = small_config();
    BevDecoder decoder(c);
    decoder->eval();
    const Tensor query = torch::randn({2, 5, 16}), pos = torch::randn({2, 5, 16}), bev = torch::randn({2, 24, 16});
    const Tensor ref0 = torch::full({2, 5, 3}, 0.5);
    std::vector<Tensor> seen;
    // Code with log 3 at x, -log 3 at y, 0 at z (index 4) and noise elsewhere (unused).
    auto regression = [&](int layer, const Tensor & hidden) {
        EXPECT_EQ(layer, int(seen.size()));
        seen.push_back(hidden);
        Tensor code = torch::randn({2, 5, 10});
        code.select(-1, 0).fill_(std::log(3.0));
        code.select(-1, 1).fill_(-std::log(3.0));
        code.select(-1, 4).zero_();
        return code;
    };
    const DecoderOutputs out = decoder(query, pos, bev, ref0, regression);
    ASSERT_EQ(out.hidden_states.sizes(), (std::vector<int64_t>{2, 2, 5, 16}));
    ASSERT_EQ(out.references.sizes(), (std::vector<int64_t>{2, 2, 5, 3}));
    EXPECT_TRUE(torch::equal(out.init_reference, ref0));
    // sigmoid(log 3 + logit 0.5) = 0.75, then sigmoid(log 3 + log 3) = 0.9; y mirrored; z stays.
    EXPECT_TRUE(torch::allclose(out.references[0], torch::tensor({0.75f, 0.25f, 0.5f}).expand({2, 5, 3}), 1e-5, 1e-6));
    EXPECT_TRUE(torch::allclose(out.references[1], torch::tensor({0.9f, 0.1f, 0.5f}).expand({2, 5, 3}), 1e-5, 1e-6));
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_TRUE(torch::equal(seen[0], out.hidden_states[0]));
    EXPECT_TRUE(torch::equal(seen[1], out.hidden_states[1]));

    // Without a callback the references stay; the first layer's output does not depend on it.
    const DecoderOutputs plain = decoder(query, pos, bev, ref0);
    EXPECT_TRUE(torch::equal(plain.references[0], ref0));
    EXPECT_TRUE(torch::equal(plain.references[1], ref0));
    EXPECT_TRUE(torch::allclose(plain.hidden_states[0], out.hidden_states[0]));
    EXPECT_GT((plain.hidden_states[1] - out.hidden_states[1]).abs().max().item<float>(), 1e-4);
}

TEST(BevDecoder, ReferencesAreDetached) {
    const BevformerConfig c = small_config();
    BevDecoder decoder(c);
    const Tensor query = torch::randn({1, 5, 16}), pos = torch::randn({1, 5, 16}), bev = torch::randn({1, 24, 16});
    torch::nn::Linear reg(16, 10);
    const DecoderOutputs out =
        decoder(query, pos, bev, torch::rand({1, 5, 3}), [&](int, const Tensor & h) { return reg(h); });
    EXPECT_FALSE(out.references.requires_grad());
    EXPECT_TRUE(out.hidden_states.requires_grad());
}

TEST(BevDecoder, SelfAttentionMatchesTorchMultiheadAttention) {
    // mmcv MultiheadAttention: q = k = x + pos, v = x, residual on x.
    const BevformerConfig c = small_config();
    DecoderSelfAttention sa(c);
    sa->eval();
    const Tensor x = torch::randn({2, 5, 16}), pos = torch::randn({2, 5, 16});
    const Tensor out = sa(x, pos);
    // Hand-written scaled dot-product attention on the module's own projections.
    const Tensor w = sa->attn->in_proj_weight, b = sa->attn->in_proj_bias;
    const Tensor qk = x + pos;
    const Tensor q = torch::nn::functional::linear(qk, w.narrow(0, 0, 16), b.narrow(0, 0, 16)).view({2, 5, 2, 8}).transpose(1, 2);
    const Tensor k = torch::nn::functional::linear(qk, w.narrow(0, 16, 16), b.narrow(0, 16, 16)).view({2, 5, 2, 8}).transpose(1, 2);
    const Tensor v = torch::nn::functional::linear(x, w.narrow(0, 32, 16), b.narrow(0, 32, 16)).view({2, 5, 2, 8}).transpose(1, 2);
    const Tensor attn = (q.matmul(k.transpose(-1, -2)) / std::sqrt(8.0)).softmax(-1).matmul(v).transpose(1, 2).reshape({2, 5, 16});
    const Tensor expected = x + sa->attn->out_proj(attn);
    EXPECT_TRUE(torch::allclose(out, expected, 1e-5, 1e-5));
}

TEST(BevDecoder, CrossAttentionSamplesTheBevAtTheReference) {
    // No offsets, equal weights, identity projections: query + BEV value at the reference cell.
    const BevformerConfig c = small_config();
    BevDeformableAttention attn(c);
    attn->eval();
    for (auto * l : {&attn->value_proj, &attn->output_proj}) {
        torch::NoGradGuard no_grad;
        (*l)->weight.copy_(torch::eye(16));
        (*l)->bias.zero_();
    }
    {
        torch::NoGradGuard no_grad;
        attn->sampling_offsets->bias.zero_();
    }
    const Tensor bev = torch::randn({1, 24, 16}), query = torch::randn({1, 2, 16}), pos = torch::randn({1, 2, 16});
    // (x, y) = centres of (row 3, col 1) and (row 0, col 5) of the 4 x 6 map.
    const Tensor ref = torch::tensor({1.5f / 6, 3.5f / 4, 5.5f / 6, 0.5f / 4}).view({1, 2, 2});
    const Tensor out = attn(query, pos, bev, ref);
    EXPECT_TRUE(torch::allclose(out[0][0], query[0][0] + bev[0][3 * 6 + 1], 1e-5, 1e-5));
    EXPECT_TRUE(torch::allclose(out[0][1], query[0][1] + bev[0][0 * 6 + 5], 1e-5, 1e-5));
}

TEST(BevShift, MotionAlongAndAcrossTheHeading) {
    BevformerConfig c = small_config();  // 102.4 m over 4 rows and 6 columns
    const double yaw = 0.6;
    Tensor can_bus = torch::zeros({2, 18}, torch::kDouble);
    // Item 0: 2 m straight along the heading; item 1: 3 m to the right of it (heading - 90 deg).
    can_bus[0][0] = 2 * std::cos(yaw);
    can_bus[0][1] = 2 * std::sin(yaw);
    can_bus[1][0] = 3 * std::cos(yaw - M_PI / 2);
    can_bus[1][1] = 3 * std::sin(yaw - M_PI / 2);
    can_bus.select(1, 16).fill_(yaw);
    const Tensor shift = bev_shift(c, can_bus);
    const double grid_y = 102.4 / 4, grid_x = 102.4 / 6;
    // In cells: 2 / grid_len along y; 3 / grid_len along x.
    EXPECT_NEAR(shift[0][1].item<double>() * 4, 2 / grid_y, 1e-7);
    EXPECT_NEAR(shift[0][0].item<double>() * 6, 0.0, 1e-7);
    EXPECT_NEAR(shift[1][0].item<double>() * 6, 3 / grid_x, 1e-7);
    EXPECT_NEAR(shift[1][1].item<double>() * 4, 0.0, 1e-7);
    c.use_shift = false;
    EXPECT_EQ(bev_shift(c, can_bus).abs().sum().item<double>(), 0.0);
}

TEST(RotateBev, QuarterTurnCounterClockwiseAboutTheCentre) {
    const Tensor grid = torch::arange(16, torch::kFloat).view({4, 4});  // [row, col]
    const Tensor bev = torch::stack({grid, grid * 10}, -1).view({1, 16, 2});
    const Tensor out = rotate_bev(bev, torch::tensor({90.0}), 4, 4, {2.f, 2.f}).view({4, 4, 2});
    // Counter-clockwise as displayed: the top row becomes the left column, read bottom to top.
    for (int64_t r = 0; r < 4; ++r)
        for (int64_t col = 0; col < 4; ++col) {
            const float expected = grid[col][3 - r].item<float>();
            EXPECT_EQ(out[r][col][0].item<float>(), expected) << r << "," << col;
            EXPECT_EQ(out[r][col][1].item<float>(), expected * 10);
        }
    // About the reference's default centre (100, 100) a small map turns entirely off itself.
    EXPECT_EQ(rotate_bev(bev, torch::tensor({90.0}), 4, 4, {100.f, 100.f}).abs().sum().item<float>(), 0.f);
    // 0 degrees is the identity; 180 about the centre reverses both axes.
    EXPECT_TRUE(torch::equal(rotate_bev(bev, torch::tensor({0.0}), 4, 4, {2.f, 2.f}), bev));
    const Tensor half = rotate_bev(bev, torch::tensor({180.0}), 4, 4, {2.f, 2.f}).view({4, 4, 2});
    EXPECT_TRUE(torch::equal(half.select(-1, 0), grid.flip({0, 1})));
}

TEST(RotateBev, MatchesTorchvisionRotate) {
    const std::string python = ROADSIGHT_TORCH_PYTHON3;
    if (python.empty() || !std::filesystem::exists(python)) {
        const char * ci = std::getenv("CI");
        if (ci && std::string(ci) == "true") FAIL() << "no python3 with torch found at configure time (CI=true)";
        GTEST_SKIP() << "no python3 with torch found at configure time";
    }
    if (std::system(("\"" + python + "\" -c \"import torchvision\"").c_str()) != 0) {
        GTEST_SKIP() << python << " has no torchvision (Debian: python3-torchvision)";
    }
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("roadsight_rotate_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string in_path = (dir / "in.safetensors").string(), out_path = (dir / "out.safetensors").string();
    // Odd angles, an off-centre centre and a non-square map: nearest sampling at non-grid points.
    const int64_t h = 7, w = 9;
    const Tensor bev = torch::randn({3, h * w, 2});
    const Tensor angles = torch::tensor({17.0, -63.5, 151.0});
    const std::array<float, 2> center = {3.f, 5.f};
    write_tensors(in_path, {{"images", bev.view({3, h, w, 2}).permute({0, 3, 1, 2}).contiguous()},
                            {"angles", angles},
                            {"center", torch::tensor({double(center[0]), double(center[1])})}});
    const std::string cmd = "\"" + python + "\" \"" + std::string(ROADSIGHT_SOURCE_DIR) +
                            "/tests/models/rotate_reference.py\" \"" + in_path + "\" \"" + out_path + "\"";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    const Tensor expected = read_tensors(out_path).at(0).second.permute({0, 2, 3, 1}).reshape({3, h * w, 2});
    fs::remove_all(dir);
    const Tensor ours = rotate_bev(bev, angles, h, w, center);
    EXPECT_TRUE(torch::equal(ours, expected)) << (ours - expected).abs().max();
    EXPECT_GT(expected.abs().sum().item<float>(), 0.f);
}

TEST(PerceptionTransformer, OfficialParameterNamesAndShapes) {
    PerceptionTransformer t(BevformerConfig::tiny());
    std::map<std::string, std::vector<int64_t>> names;
    for (const auto & p : t->named_parameters()) names[p.key()] = p.value().sizes().vec();
    const std::map<std::string, std::vector<int64_t>> top = {
        {"level_embeds", {4, 256}},
        {"cams_embeds", {6, 256}},
        {"reference_points.weight", {3, 256}},
        {"reference_points.bias", {3}},
        {"can_bus_mlp.0.weight", {128, 18}},
        {"can_bus_mlp.0.bias", {128}},
        {"can_bus_mlp.2.weight", {256, 128}},
        {"can_bus_mlp.2.bias", {256}},
        {"can_bus_mlp.norm.weight", {256}},
        {"can_bus_mlp.norm.bias", {256}},
    };
    const std::map<std::string, std::vector<int64_t>> decoder_layer = {
        {"attentions.0.attn.in_proj_weight", {768, 256}},
        {"attentions.0.attn.in_proj_bias", {768}},
        {"attentions.0.attn.out_proj.weight", {256, 256}},
        {"attentions.0.attn.out_proj.bias", {256}},
        {"attentions.1.sampling_offsets.weight", {64, 256}},
        {"attentions.1.sampling_offsets.bias", {64}},
        {"attentions.1.attention_weights.weight", {32, 256}},
        {"attentions.1.attention_weights.bias", {32}},
        {"attentions.1.value_proj.weight", {256, 256}},
        {"attentions.1.value_proj.bias", {256}},
        {"attentions.1.output_proj.weight", {256, 256}},
        {"attentions.1.output_proj.bias", {256}},
        {"ffns.0.layers.0.0.weight", {512, 256}},
        {"ffns.0.layers.0.0.bias", {512}},
        {"ffns.0.layers.1.weight", {256, 512}},
        {"ffns.0.layers.1.bias", {256}},
        {"norms.0.weight", {256}}, {"norms.0.bias", {256}},
        {"norms.1.weight", {256}}, {"norms.1.bias", {256}},
        {"norms.2.weight", {256}}, {"norms.2.bias", {256}},
    };
    std::map<std::string, std::vector<int64_t>> expected = top;
    for (int j = 0; j < 6; ++j)
        for (const auto & [k, v] : decoder_layer) expected["decoder.layers." + std::to_string(j) + "." + k] = v;
    // Encoder layers: their names are checked in test_bev_encoder; here only that there are 3.
    std::set<std::string> encoder_layers;
    for (auto it = names.begin(); it != names.end();) {
        if (it->first.rfind("encoder.layers.", 0) == 0) {
            encoder_layers.insert(it->first.substr(0, it->first.find('.', 15)));
            EXPECT_TRUE(it->first.find(".attentions.") != std::string::npos || it->first.find(".norms.") != std::string::npos ||
                        it->first.find(".ffns.") != std::string::npos)
                << it->first;
            it = names.erase(it);
        } else {
            ++it;
        }
    }
    EXPECT_EQ(encoder_layers, (std::set<std::string>{"encoder.layers.0", "encoder.layers.1", "encoder.layers.2"}));
    EXPECT_EQ(names, expected);
}

struct Scene {
    std::vector<Tensor> feats;
    Tensor bev_queries, bev_pos, lidar2img, can_bus, prev_bev, query_embedding;
};

// Two cameras looking forward and backward from 1.5 m up; features 3 x 5 at stride 8 of a
// 40 x 24 image padded to 40 x 32.
Scene scene(const BevformerConfig & c, int64_t b) {
    Scene s;
    const int64_t q = c.bev_queries(), dim = c.embed_dims;
    s.feats = {torch::randn({b, 2, dim, 3, 5})};
    s.bev_queries = torch::randn({q, dim});
    s.bev_pos = torch::randn({b, q, dim});
    const Tensor k = torch::tensor({8.f, 0.f, 20.f, 0.f, 0.f, 8.f, 12.f, 0.f, 0.f, 0.f, 1.f, 0.f, 0.f, 0.f, 0.f, 1.f}).view({4, 4});
    auto pose = [](float s) {
        return torch::tensor({0.f, -s, 0.f, 0.f, 0.f, 0.f, -1.f, 1.5f, s, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 1.f}).view({4, 4});
    };
    s.lidar2img = torch::stack({k.matmul(pose(1.f)), k.matmul(pose(-1.f))}).unsqueeze(0).expand({b, 2, 4, 4}).contiguous();
    s.can_bus = torch::randn({b, 18});
    s.prev_bev = torch::randn({b, q, dim});
    s.query_embedding = torch::randn({c.num_queries, 2 * dim});
    return s;
}

Tensor bev_of(PerceptionTransformer & t, const Scene & s, const Tensor & prev) {
    return t->get_bev_features(s.feats, s.bev_queries, s.bev_pos, s.lidar2img, s.can_bus, {32, 40}, prev);
}

TEST(PerceptionTransformer, TemporalSwitches) {
    BevformerConfig c = small_config();
    torch::manual_seed(3);
    PerceptionTransformer t(c);
    t->eval();
    Scene s = scene(c, 1);
    s.can_bus[0][17] = 90.f;  // a quarter turn since the previous frame
    const Tensor without = bev_of(t, s, Tensor());
    ASSERT_EQ(without.sizes(), (std::vector<int64_t>{1, 24, 16}));
    const Tensor with = bev_of(t, s, s.prev_bev);
    EXPECT_GT((with - without).abs().max().item<float>(), 1e-4);
    // BEVFormer-S: the previous BEV is ignored.
    c.temporal = false;
    torch::manual_seed(3);
    PerceptionTransformer static_model(c);
    static_model->eval();
    EXPECT_TRUE(torch::allclose(bev_of(static_model, s, s.prev_bev), without));
    // Rotation on: the encoder sees the rotated map, identical to rotating it beforehand.
    c.temporal = true;
    c.rotate_prev_bev = false;
    torch::manual_seed(3);
    PerceptionTransformer unrotated(c);
    unrotated->eval();
    const Tensor turned = rotate_bev(s.prev_bev, s.can_bus.select(1, 17), 4, 6, c.rotate_center);
    EXPECT_TRUE(torch::allclose(bev_of(unrotated, s, turned), with, 1e-5, 1e-5));
}

TEST(PerceptionTransformer, QueryEmbeddingSplitsPositionFirst) {
    const BevformerConfig c = small_config();
    PerceptionTransformer t(c);
    t->eval();
    const Tensor bev = torch::randn({2, 24, 16});
    const Tensor emb = torch::randn({5, 32});
    const DecoderOutputs out = t->decode(bev, emb);
    const Tensor pos = emb.narrow(1, 0, 16).unsqueeze(0).expand({2, 5, 16});
    const Tensor content = emb.narrow(1, 16, 16).unsqueeze(0).expand({2, 5, 16});
    const Tensor init = t->reference_points(pos).sigmoid();
    EXPECT_TRUE(torch::allclose(out.init_reference, init));
    const DecoderOutputs direct = t->decoder(content, pos, bev, init);
    EXPECT_TRUE(torch::allclose(out.hidden_states, direct.hidden_states));
    EXPECT_THROW(t->decode(bev, torch::randn({5, 16})), std::invalid_argument);
}

TEST(PerceptionTransformer, GradientsReachEveryParameter) {
    BevformerConfig c = small_config();
    PerceptionTransformer t(c);
    torch::nn::Linear reg(16, 10);
    Scene s = scene(c, 1);
    s.can_bus = torch::zeros({1, 18});
    s.can_bus[0][0] = 1.f;  // some motion, no turn, so the shifted history overlaps the grid
    const Tensor bev = bev_of(t, s, s.prev_bev);
    const DecoderOutputs out = t->decode(bev, s.query_embedding, [&](int, const Tensor & h) { return reg(h); });
    (out.hidden_states.pow(2).sum() + bev.pow(2).sum()).backward();
    for (const auto & p : t->named_parameters()) {
        ASSERT_TRUE(p.value().grad().defined()) << p.key();
        EXPECT_GT(p.value().grad().abs().sum().item<double>(), 0.0) << p.key();
    }
}

TEST(PerceptionTransformer, RejectsMismatchedInputs) {
    const BevformerConfig c = small_config();
    PerceptionTransformer t(c);
    const Scene s = scene(c, 1);
    EXPECT_THROW(t->get_bev_features(s.feats, s.bev_queries, s.bev_pos, s.lidar2img, torch::zeros({1, 17}), {32, 40}, Tensor()),
                 std::invalid_argument);
    EXPECT_THROW(t->get_bev_features({s.feats[0], s.feats[0]}, s.bev_queries, s.bev_pos, s.lidar2img, s.can_bus, {32, 40},
                                     Tensor()),
                 std::invalid_argument);
    EXPECT_THROW(t->get_bev_features(s.feats, s.bev_queries, s.bev_pos, s.lidar2img, s.can_bus, {32, 40},
                                     torch::zeros({1, 23, 16})),
                 std::invalid_argument);
}

}  // namespace
}  // namespace rs
