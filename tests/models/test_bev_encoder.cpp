// BEVFormer encoder pieces: reference points, camera projection, temporal self-attention,
// spatial cross-attention (sparse rebatch against a dense masked form), the shift-aliasing quirk
// and the official parameter names of an encoder layer.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <map>
#include <string>

#include "models/bevformer/bev_encoder.h"

using torch::Tensor;

namespace rs {
namespace {

// Small and non-square, so that a swapped h / w shows.
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
    c.dropout = 0.f;
    return c;
}

// Every parameter drawn from N(0, scale), so no test leans on the zero-initialised weights.
void randomize(torch::nn::Module & m, double scale = 0.3) {
    torch::NoGradGuard no_grad;
    for (auto & p : m.parameters()) p.normal_(0.0, scale);
}

void set_identity(torch::nn::Linear & l) {
    torch::NoGradGuard no_grad;
    l->weight.copy_(torch::eye(l->weight.size(0), l->weight.options()));
    l->bias.zero_();
}

TEST(BevReference, CellCentresAndPillarHeights) {
    const BevformerConfig c = small_config();
    const Tensor ref3 = bev_reference_3d(c, 2, torch::kDouble);
    const Tensor ref2 = bev_reference_2d(c, 2, torch::kDouble);
    ASSERT_EQ(ref3.sizes(), (std::vector<int64_t>{2, 4, 24, 3}));
    ASSERT_EQ(ref2.sizes(), (std::vector<int64_t>{2, 24, 2}));
    const double heights[4] = {-4.5, -5.0 + 8.0 * (0.5 + 7.0 / 3.0) / 8.0, -5.0 + 8.0 * (0.5 + 14.0 / 3.0) / 8.0, 2.5};
    for (int64_t row = 0; row < 4; ++row)
        for (int64_t col = 0; col < 6; ++col) {
            const int64_t q = row * 6 + col;
            EXPECT_DOUBLE_EQ(ref2[1][q][0].item<double>(), (col + 0.5) / 6);
            EXPECT_DOUBLE_EQ(ref2[1][q][1].item<double>(), (row + 0.5) / 4);
            for (int64_t d = 0; d < 4; ++d) {
                EXPECT_NEAR(ref3[1][d][q][0].item<double>(), (col + 0.5) / 6, 1e-12);
                EXPECT_NEAR(ref3[1][d][q][1].item<double>(), (row + 0.5) / 4, 1e-12);
                EXPECT_NEAR(ref3[1][d][q][2].item<double>() * 8 - 5, heights[d], 1e-9);
            }
        }
}

// A pinhole camera at the lidar origin looking along +x (forward) or -x (backward):
// camera x = -lidar y, camera y = -lidar z, camera z = +-lidar x.
Tensor camera_lidar2img(double f, double cx, double cy, bool backward) {
    const double s = backward ? -1.0 : 1.0;
    Tensor k = torch::tensor({f, 0.0, cx, 0.0, 0.0, f, cy, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0}).view({4, 4});
    Tensor r = torch::tensor({0.0, -s, 0.0, 0.0, 0.0, 0.0, -1.0, 0.0, s, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0}).view({4, 4});
    return k.matmul(r);
}

// Lidar metres to ref_3d's normalised coordinates over the default pc_range.
Tensor normalised(std::vector<std::array<double, 3>> pts) {
    std::vector<double> v;
    for (auto & p : pts) v.insert(v.end(), {(p[0] + 51.2) / 102.4, (p[1] + 51.2) / 102.4, (p[2] + 5.0) / 8.0});
    return torch::tensor(v).view({1, 1, int64_t(pts.size()), 3});
}

TEST(PointSampling, HandComputedProjections) {
    const BevformerConfig c = small_config();
    // Image 64 x 40 (principal point at its centre), padded to 64 x 48.
    const double f = 20;
    const Tensor l2i = torch::stack({camera_lidar2img(f, 32, 20, false), camera_lidar2img(f, 32, 20, true)}).unsqueeze(0);
    const Tensor ref = normalised({{10, 0, 0}, {-10, 0, 0}, {10, -2, 1}, {10, 20, 0}, {10, 0, -9.9}});
    const CameraProjection p = point_sampling(ref, c.pc_range, l2i, {48, 64});
    ASSERT_EQ(p.reference_points_cam.sizes(), (std::vector<int64_t>{2, 1, 5, 1, 2}));
    ASSERT_EQ(p.bev_mask.sizes(), (std::vector<int64_t>{2, 1, 5, 1}));
    EXPECT_EQ(p.reference_points_cam.scalar_type(), torch::kFloat);
    auto uv = [&](int cam, int q) {
        return std::pair<double, double>{p.reference_points_cam[cam][0][q][0][0].item<double>(),
                                         p.reference_points_cam[cam][0][q][0][1].item<double>()};
    };
    auto hit = [&](int cam, int q) { return p.bev_mask[cam][0][q][0].item<bool>(); };
    // Straight ahead: the principal point, normalised by the padded size.
    EXPECT_NEAR(uv(0, 0).first, 0.5, 1e-6);
    EXPECT_NEAR(uv(0, 0).second, 20.0 / 48, 1e-6);
    EXPECT_TRUE(hit(0, 0));
    EXPECT_FALSE(hit(1, 0));  // behind the backward camera
    EXPECT_FALSE(hit(0, 1));  // behind the forward camera ...
    EXPECT_TRUE(hit(1, 1));   // ... straight ahead of the backward one
    EXPECT_NEAR(uv(1, 1).first, 0.5, 1e-6);
    // 2 m right, 1 m up at 10 m: u = 32 + 20 * 2 / 10, v = 20 - 20 * 1 / 10.
    EXPECT_NEAR(uv(0, 2).first, 36.0 / 64, 1e-6);
    EXPECT_NEAR(uv(0, 2).second, 18.0 / 48, 1e-6);
    EXPECT_TRUE(hit(0, 2));
    // 20 m left at 10 m: u = 32 - 40 < 0, outside.
    EXPECT_NEAR(uv(0, 3).first, -8.0 / 64, 1e-6);
    EXPECT_FALSE(hit(0, 3));
    // 9.9 m down at 10 m: v = 20 + 19.8 = 39.8 of 48, inside the padded height.
    EXPECT_NEAR(uv(0, 4).second, 39.8 / 48, 1e-6);
    EXPECT_TRUE(hit(0, 4));
    EXPECT_THROW(point_sampling(ref, c.pc_range, l2i.squeeze(0), {48, 64}), std::invalid_argument);
}

TEST(PointSampling, StrictBoundsAndBatchItems) {
    const BevformerConfig c = small_config();
    // Item 1's camera maps every point to u = 0, the left image edge: not a hit (strict bounds).
    Tensor l2i = torch::stack({camera_lidar2img(10, 32, 24, false), camera_lidar2img(10, 32, 24, false)}).view({2, 1, 4, 4});
    l2i[1][0][0].zero_();
    const Tensor ref = normalised({{10, 0, 0}}).expand({2, 1, 1, 3});
    const CameraProjection p = point_sampling(ref, c.pc_range, l2i, {48, 64});
    EXPECT_TRUE(p.bev_mask[0][0][0][0].item<bool>());
    EXPECT_NEAR(p.reference_points_cam[0][1][0][0][0].item<double>(), 0.0, 1e-7);
    EXPECT_FALSE(p.bev_mask[0][1][0][0].item<bool>());
}

TEST(TemporalSelfAttention, NoHistoryEqualsCurrentTwice) {
    const BevformerConfig c = small_config();
    TemporalSelfAttention tsa(c);
    randomize(*tsa);
    tsa->eval();
    const Tensor q = torch::randn({1, 24, 16}), pos = torch::randn({1, 24, 16});
    const Tensor ref = (bev_reference_2d(c, 1, torch::kFloat) + 0.03).unsqueeze(1).expand({1, 2, 24, 2});
    const Tensor a = tsa(q, pos, Tensor(), ref);
    const Tensor b = tsa(q, pos, torch::stack({q, q}, 1), ref);
    EXPECT_TRUE(torch::allclose(a, b, 1e-6, 1e-6));
    // A different history changes the result (the queue is really read).
    const Tensor other = tsa(q, pos, torch::stack({torch::randn({1, 24, 16}), q}, 1), ref);
    EXPECT_GT((other - a).abs().max().item<double>(), 1e-3);
}

TEST(TemporalSelfAttention, BatchItemsAreIndependentUnlessTheFirstRowsQuirk) {
    BevformerConfig c = small_config();
    auto model = [&](bool quirk) {
        c.quirk_tsa_first_rows = quirk;
        torch::manual_seed(7);
        TemporalSelfAttention tsa(c);
        randomize(*tsa);
        tsa->eval();
        return tsa;
    };
    TemporalSelfAttention fixed = model(false), quirky = model(true);
    const Tensor q = torch::randn({2, 24, 16}), pos = torch::randn({2, 24, 16});
    Tensor queue = torch::randn({2, 2, 24, 16});
    const Tensor ref = (bev_reference_2d(c, 2, torch::kFloat) + 0.02).unsqueeze(1).expand({2, 2, 24, 2}).contiguous();
    auto item = [&](TemporalSelfAttention & m, int64_t b) {
        return m(q.narrow(0, b, 1), pos.narrow(0, b, 1), queue.narrow(0, b, 1), ref.narrow(0, b, 1));
    };
    const Tensor both = fixed(q, pos, queue, ref);
    EXPECT_TRUE(torch::allclose(both.narrow(0, 0, 1), item(fixed, 0), 1e-5, 1e-5));
    EXPECT_TRUE(torch::allclose(both.narrow(0, 1, 1), item(fixed, 1), 1e-5, 1e-5));
    // The quirk: item 1 predicts its offsets from queue row 1, item 0's current BEV.
    const Tensor odd = quirky(q, pos, queue, ref);
    EXPECT_TRUE(torch::allclose(odd.narrow(0, 0, 1), item(fixed, 0), 1e-5, 1e-5));
    EXPECT_GT((odd.narrow(0, 1, 1) - item(fixed, 1)).abs().max().item<float>(), 1e-3);
    queue[1][0] = queue[0][1];
    EXPECT_TRUE(torch::allclose(quirky(q, pos, queue, ref).narrow(0, 1, 1), item(fixed, 1), 1e-5, 1e-5));
}

TEST(TemporalSelfAttention, HandComputedSamplingAtShiftedReference) {
    const BevformerConfig c = small_config();
    TemporalSelfAttention tsa(c);
    tsa->eval();
    // All points at the reference (no offsets), equal weights, identity projections: each queue
    // entry contributes its value at the reference cell, and the entries are averaged.
    {
        torch::NoGradGuard no_grad;
        tsa->sampling_offsets->weight.zero_();
        tsa->sampling_offsets->bias.zero_();
    }
    set_identity(tsa->value_proj);
    set_identity(tsa->output_proj);
    const Tensor q = torch::randn({1, 24, 16}), pos = torch::randn({1, 24, 16}), prev = torch::randn({1, 24, 16});
    const Tensor ref = bev_reference_2d(c, 1, torch::kFloat);
    // History reference one cell to the right (+x): query (row, col) reads prev at (row, col + 1).
    const Tensor shifted = ref + torch::tensor({1.0f / 6, 0.0f});
    const Tensor out = tsa(q, pos, torch::stack({prev, q}, 1), torch::stack({shifted, ref}, 1));
    for (int64_t row = 0; row < 4; ++row)
        for (int64_t col = 0; col < 6; ++col) {
            const int64_t i = row * 6 + col;
            const Tensor from_prev = col + 1 < 6 ? prev[0][i + 1] : torch::zeros({16});
            const Tensor expected = (from_prev + q[0][i]) / 2 + q[0][i];
            EXPECT_TRUE(torch::allclose(out[0][i], expected, 1e-5, 1e-5)) << "row " << row << " col " << col;
        }
}

TEST(SpatialCrossAttention, PointsCycleThroughTheHeightAnchors) {
    // 8 points over 4 anchors: point p belongs to anchor p mod 4. Points 0 and 4 are pushed off
    // the map, so exactly anchor 0 loses both of its points; the rest sample their anchor's cell.
    const BevformerConfig c = small_config();
    MsDeformableAttention3D attn(c);
    attn->eval();
    set_identity(attn->value_proj);
    {
        torch::NoGradGuard no_grad;
        attn->sampling_offsets->weight.zero_();
        Tensor bias = attn->sampling_offsets->bias.view({2, 1, 8, 2});
        bias.zero_();
        bias.select(2, 0).select(-1, 0).fill_(100.f);
        bias.select(2, 4).select(-1, 0).fill_(100.f);
    }
    const Tensor value = torch::randn({1, 15, 16});  // one 3 x 5 level
    const Tensor shapes = torch::tensor({3, 5}, torch::kLong).view({1, 2}), starts = torch::zeros({1}, torch::kLong);
    const int cells[4][2] = {{0, 0}, {1, 2}, {2, 4}, {0, 3}};  // (row, col) per anchor
    Tensor refs = torch::empty({1, 1, 4, 2});
    for (int a = 0; a < 4; ++a) {
        refs[0][0][a][0] = (cells[a][1] + 0.5f) / 5;
        refs[0][0][a][1] = (cells[a][0] + 0.5f) / 3;
    }
    const Tensor out = attn(torch::randn({1, 1, 16}), value, refs, shapes, starts);
    Tensor expected = torch::zeros({16});
    for (int a = 1; a < 4; ++a) expected += value[0][cells[a][0] * 5 + cells[a][1]] * (2.0 / 8.0);
    EXPECT_TRUE(torch::allclose(out[0][0], expected, 1e-5, 1e-5));
}

struct ScaInputs {
    Tensor query, value, refs, mask, shapes, starts;
};

ScaInputs sca_inputs(int64_t b, int64_t n, int64_t q, int64_t c) {
    ScaInputs in;
    in.shapes = torch::tensor({3, 5, 2, 3}, torch::kLong).view({2, 2});
    in.starts = torch::tensor({0, 15}, torch::kLong);
    in.query = torch::randn({b, q, c}, torch::kDouble);
    in.value = torch::randn({b, n, 21, c}, torch::kDouble);
    in.refs = torch::rand({n, b, q, 4, 2}, torch::kDouble) * 1.2 - 0.1;
    in.mask = torch::rand({n, b, q, 4}) < 0.25;
    // Query 0 sees no camera in any item; query 1 every camera in item 0.
    in.mask.select(2, 0).fill_(false);
    in.mask.select(2, 1).select(1, 0).fill_(true);
    return in;
}

// The dense form: every query evaluated for every camera, masked by `selector` hits, averaged
// over each item's own hit cameras.
Tensor dense_sca(SpatialCrossAttention & sca, const ScaInputs & in, const Tensor & selector_hit) {
    const Tensor hit = in.mask.any(-1);  // [N, B, Q]
    const int64_t n = in.value.size(1);
    Tensor slots = torch::zeros_like(in.query);
    for (int64_t i = 0; i < n; ++i) {
        const Tensor out = sca->deformable_attention(in.query, in.value.select(1, i), in.refs[i], in.shapes, in.starts);
        slots = slots + out * selector_hit[i].unsqueeze(-1).to(torch::kDouble);
    }
    const Tensor count = hit.permute({1, 2, 0}).sum(-1).clamp_min(1).to(torch::kDouble);
    return sca->output_proj(slots / count.unsqueeze(-1)) + in.query;
}

TEST(SpatialCrossAttention, SparseRebatchEqualsDenseMaskedForm) {
    BevformerConfig c = small_config();
    c.neck_outs = 2;
    c.quirk_sca_first_item_mask = false;
    SpatialCrossAttention sca(c);
    randomize(*sca);
    sca->to(torch::kDouble);
    sca->eval();
    const ScaInputs in = sca_inputs(2, 3, 24, 16);
    const Tensor sparse = sca(in.query, in.value, in.refs, in.mask, in.shapes, in.starts);
    const Tensor dense = dense_sca(sca, in, in.mask.any(-1));
    EXPECT_TRUE(torch::allclose(sparse, dense, 1e-10, 1e-10)) << (sparse - dense).abs().max();
    // A query seeing no camera gets only output_proj's bias on top of itself.
    EXPECT_TRUE(torch::allclose(sparse[1][0], in.query[1][0] + sca->output_proj->bias, 1e-12, 1e-12));
}

TEST(SpatialCrossAttention, FirstItemMaskQuirkSelectsByItemZero) {
    BevformerConfig c = small_config();
    c.neck_outs = 2;
    c.quirk_sca_first_item_mask = true;
    SpatialCrossAttention sca(c);
    randomize(*sca);
    sca->to(torch::kDouble);
    sca->eval();
    const ScaInputs in = sca_inputs(2, 3, 24, 16);
    const Tensor sparse = sca(in.query, in.value, in.refs, in.mask, in.shapes, in.starts);
    const Tensor hit = in.mask.any(-1);
    const Tensor item0 = hit.narrow(1, 0, 1).expand_as(hit);
    EXPECT_TRUE(torch::allclose(sparse, dense_sca(sca, in, item0), 1e-10, 1e-10));
    // ... which differs from the per-item selection for item 1 (its masks differ from item 0's).
    EXPECT_GT((sparse[1] - dense_sca(sca, in, hit)[1]).abs().max().item<double>(), 1e-6);
    EXPECT_TRUE(torch::allclose(sparse[0], dense_sca(sca, in, hit)[0], 1e-10, 1e-10));
}

TEST(BevEncoder, ShiftAliasingQuirk) {
    BevformerConfig c = small_config();
    const Tensor query = torch::randn({1, 24, 16}), pos = torch::randn({1, 24, 16}), prev = torch::randn({1, 24, 16});
    const Tensor value = torch::randn({1, 2, 15, 16});
    const Tensor shapes = torch::tensor({3, 5}, torch::kLong).view({1, 2}), starts = torch::zeros({1}, torch::kLong);
    const Tensor l2i = torch::stack({camera_lidar2img(8, 20, 12, false), camera_lidar2img(8, 20, 12, true)}).unsqueeze(0);
    const Tensor still = torch::zeros({1, 2}), moved = torch::tensor({{0.1f, -0.05f}});
    auto model = [&](bool quirk) {
        c.quirk_shift_ref_aliasing = quirk;
        torch::manual_seed(5);
        BevEncoder enc(c);
        randomize(*enc, 0.2);
        enc->eval();
        return enc;
    };
    BevEncoder aliased = model(true), fixed = model(false);
    auto run = [&](BevEncoder & enc, const Tensor & history, const Tensor & shift) {
        return enc->forward(query, pos, value, shapes, starts, l2i, {32, 40}, history, shift);
    };
    const Tensor base = run(aliased, prev, still);
    ASSERT_EQ(base.sizes(), (std::vector<int64_t>{1, 24, 16}));
    EXPECT_TRUE(torch::isfinite(base).all().item<bool>());
    // Without motion the flag changes nothing; with motion it moves the current entry too.
    EXPECT_TRUE(torch::allclose(run(fixed, prev, still), base));
    EXPECT_GT((run(fixed, prev, moved) - run(aliased, prev, moved)).abs().max().item<float>(), 1e-4);
    // Without history only the aliased version sees the shift.
    EXPECT_TRUE(torch::allclose(run(fixed, Tensor(), moved), run(fixed, Tensor(), still)));
    EXPECT_GT((run(aliased, Tensor(), moved) - run(aliased, Tensor(), still)).abs().max().item<float>(), 1e-4);
    EXPECT_THROW(run(fixed, prev, torch::zeros({2, 2})), std::invalid_argument);
}

TEST(BevEncoderLayer, OfficialParameterNamesAndShapes) {
    BevEncoderLayer layer(BevformerConfig::tiny());
    std::map<std::string, std::vector<int64_t>> expected = {
        {"attentions.0.sampling_offsets.weight", {128, 512}},
        {"attentions.0.sampling_offsets.bias", {128}},
        {"attentions.0.attention_weights.weight", {64, 512}},
        {"attentions.0.attention_weights.bias", {64}},
        {"attentions.0.value_proj.weight", {256, 256}},
        {"attentions.0.value_proj.bias", {256}},
        {"attentions.0.output_proj.weight", {256, 256}},
        {"attentions.0.output_proj.bias", {256}},
        {"attentions.1.output_proj.weight", {256, 256}},
        {"attentions.1.output_proj.bias", {256}},
        {"attentions.1.deformable_attention.sampling_offsets.weight", {128, 256}},
        {"attentions.1.deformable_attention.sampling_offsets.bias", {128}},
        {"attentions.1.deformable_attention.attention_weights.weight", {64, 256}},
        {"attentions.1.deformable_attention.attention_weights.bias", {64}},
        {"attentions.1.deformable_attention.value_proj.weight", {256, 256}},
        {"attentions.1.deformable_attention.value_proj.bias", {256}},
        {"ffns.0.layers.0.0.weight", {512, 256}},
        {"ffns.0.layers.0.0.bias", {512}},
        {"ffns.0.layers.1.weight", {256, 512}},
        {"ffns.0.layers.1.bias", {256}},
        {"norms.0.weight", {256}},
        {"norms.0.bias", {256}},
        {"norms.1.weight", {256}},
        {"norms.1.bias", {256}},
        {"norms.2.weight", {256}},
        {"norms.2.bias", {256}},
    };
    std::map<std::string, std::vector<int64_t>> actual;
    for (const auto & p : layer->named_parameters()) actual[p.key()] = p.value().sizes().vec();
    EXPECT_EQ(actual, expected);
    EXPECT_EQ(layer->named_buffers().size(), 0u);
}

TEST(TemporalSelfAttention, InitialOffsetsFollowTheReferencePattern) {
    BevformerConfig c = small_config();
    c.num_heads = 4;
    c.tsa_points = 2;
    TemporalSelfAttention tsa(c);
    // (head, queue, point, xy): head h points along angle h * 90 deg, scaled to unit max-norm,
    // point p at distance p + 1.
    const Tensor b = tsa->sampling_offsets->bias.view({4, 2, 2, 2});
    const float dirs[4][2] = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}};
    for (int h = 0; h < 4; ++h)
        for (int qe = 0; qe < 2; ++qe)
            for (int p = 0; p < 2; ++p)
                for (int k = 0; k < 2; ++k) EXPECT_NEAR(b[h][qe][p][k].item<float>(), dirs[h][k] * (p + 1), 1e-6);
    EXPECT_EQ(tsa->sampling_offsets->weight.abs().sum().item<float>(), 0.f);
    EXPECT_EQ(tsa->attention_weights->weight.abs().sum().item<float>(), 0.f);
}

}  // namespace
}  // namespace rs
