#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <map>
#include <set>

#include "models/bevformer/fpn.h"
#include "models/bevformer/resnet.h"
#include "models/tensor_io.h"
#include "models/weights.h"

namespace fs = std::filesystem;
using torch::Tensor;
// ModuleHolder's forwarding constructor cannot deduce braced lists.
using Stages = std::vector<int>;
using Channels = std::vector<int64_t>;

namespace rs {
namespace {

bool running_in_ci() {
    const char * ci = std::getenv("CI");
    return ci && std::string(ci) == "true";
}

std::map<std::string, std::vector<int64_t>> shapes_of(const torch::nn::Module & m) {
    std::map<std::string, std::vector<int64_t>> out;
    for (const auto & p : m.named_parameters()) out[p.key()] = p.value().sizes().vec();
    for (const auto & b : m.named_buffers()) out[b.key()] = b.value().sizes().vec();
    return out;
}

// The official names and shapes under `prefix` in the tiny key list (written by
// tests/models/converter_test.py from bevformer.md §12), prefix removed.
std::map<std::string, std::vector<int64_t>> official_tiny_keys(const std::string & prefix) {
    std::ifstream in(std::string(ROADSIGHT_SOURCE_DIR) + "/tests/models/fixtures/bevformer_tiny_keys.txt");
    EXPECT_TRUE(in.good()) << "missing tests/models/fixtures/bevformer_tiny_keys.txt";
    std::map<std::string, std::vector<int64_t>> out;
    std::string name, shape;
    while (in >> name >> shape) {
        if (name.rfind(prefix, 0) != 0) continue;
        std::vector<int64_t> sizes;
        if (shape != "scalar") {
            std::stringstream dims(shape);
            for (std::string d; std::getline(dims, d, ',');) sizes.push_back(std::stoll(d));
        }
        out[name.substr(prefix.size())] = sizes;
    }
    return out;
}

double relative_error(const Tensor & ours, const Tensor & ref) {
    EXPECT_EQ(ours.sizes(), ref.sizes());
    return (ours - ref).abs().max().item<double>() / ref.abs().max().item<double>();
}

// Non-trivial BN statistics and affine parameters, so a BN that trains or a BN in the wrong mode shows.
void randomise_batchnorm(torch::nn::Module & m) {
    torch::NoGradGuard no_grad;
    for (auto & child : m.modules()) {
        if (auto * bn = child->as<torch::nn::BatchNorm2d>()) {
            bn->weight.uniform_(0.5, 1.5);
            bn->bias.normal_(0.0, 0.1);
            bn->running_mean.normal_(0.0, 0.1);
            bn->running_var.uniform_(0.5, 1.5);
        }
    }
}

TEST(ResNet, MatchesTorchvisionStageOutputs) {
    const std::string python = ROADSIGHT_TORCH_PYTHON3;
    if (python.empty() || !fs::exists(python)) {
        if (running_in_ci()) FAIL() << "no python3 with torch found at configure time (CI=true); install python3-torch";
        GTEST_SKIP() << "no python3 with torch found at configure time; install python3-torch and reconfigure";
    }
    const fs::path dir = fs::temp_directory_path() / ("roadsight_resnet_" + std::to_string(::getpid()));
    const std::string cmd = "\"" + python + "\" \"" + std::string(ROADSIGHT_SOURCE_DIR) +
                            "/tests/models/resnet_reference.py\" \"" + dir.string() + "\"";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    for (int depth : {18, 50}) {
        SCOPED_TRACE("resnet" + std::to_string(depth));
        const std::string prefix = (dir / ("resnet" + std::to_string(depth))).string();
        ResNet net(depth, false, -1, Stages{0, 1, 2, 3});
        // Strict: every torchvision name (minus fc) and shape matches ours, num_batches_tracked included.
        WeightsReport report = load_weights(*net, prefix + ".weights.safetensors");
        EXPECT_TRUE(report.complete()) << report.describe();
        std::map<std::string, Tensor> ref;
        for (auto & [name, t] : read_tensors(prefix + ".features.safetensors")) ref[name] = t;
        net->eval();
        torch::NoGradGuard no_grad;
        std::vector<Tensor> outs = net->forward(ref.at("input"));
        ASSERT_EQ(outs.size(), 4u);
        for (int s = 0; s < 4; ++s) {
            const double err = relative_error(outs[size_t(s)], ref.at("c" + std::to_string(s + 2)));
            std::printf("resnet%d C%d: max |ours - torchvision| / max |torchvision| = %.3g\n", depth, s + 2, err);
            EXPECT_LE(err, 1e-4) << "stage C" << s + 2;
        }
    }
    fs::remove_all(dir);
}

TEST(ResNet, ChannelsShapesAndNames) {
    ResNet r50(50, false, -1, Stages{0, 1, 2, 3});
    EXPECT_EQ(r50->out_channels(), (Channels{256, 512, 1024, 2048}));
    ResNet r18(18, false, -1, Stages{1, 3});
    EXPECT_EQ(r18->out_channels(), (Channels{128, 512}));

    auto names = shapes_of(*r50);
    EXPECT_EQ(names.at("conv1.weight"), (Channels{64, 3, 7, 7}));
    EXPECT_EQ(names.at("layer1.0.downsample.0.weight"), (Channels{256, 64, 1, 1}));
    EXPECT_EQ(names.at("layer2.0.conv2.weight"), (Channels{128, 128, 3, 3}));
    EXPECT_EQ(names.at("layer4.2.bn3.running_var"), (Channels{2048}));
    EXPECT_EQ(names.at("layer3.5.bn1.num_batches_tracked"), (Channels{}));
    EXPECT_EQ(names.count("layer1.1.downsample.0.weight"), 0u);
    EXPECT_EQ(names.count("fc.weight"), 0u);
    // 53 convs (1 + 16 blocks × 3 + 4 downsamples) and as many BNs with 5 tensors each.
    EXPECT_EQ(names.size(), 53u + 53u * 5u);

    // Only the requested stages come back, at strides 16 and 32 (64×96 -> 4×6, 2×3).
    ResNet c4c5(50, true, 1, Stages{2, 3});
    c4c5->eval();
    torch::NoGradGuard no_grad;
    auto outs = c4c5->forward(torch::randn({1, 3, 64, 96}));
    ASSERT_EQ(outs.size(), 2u);
    EXPECT_EQ(outs[0].sizes(), (Channels{1, 1024, 4, 6}));
    EXPECT_EQ(outs[1].sizes(), (Channels{1, 2048, 2, 3}));
    // BEVFormer-tiny's padded 800×480 input gives its 15×25 map; odd sizes round up.
    ResNet tiny(BevformerConfig::tiny());
    tiny->eval();
    EXPECT_EQ(tiny->forward(torch::randn({1, 3, 33, 65}))[0].sizes(), (Channels{1, 2048, 2, 3}));
}

TEST(ResNet, RejectsBadOptionsAndInput) {
    EXPECT_THROW(ResNet(20, false, -1, Stages{3}), std::invalid_argument);
    EXPECT_THROW(ResNet(50, false, 5, Stages{3}), std::invalid_argument);
    EXPECT_THROW(ResNet(50, false, -2, Stages{3}), std::invalid_argument);
    EXPECT_THROW(ResNet(50, false, -1, Stages{}), std::invalid_argument);
    EXPECT_THROW(ResNet(50, false, -1, Stages{4}), std::invalid_argument);
    EXPECT_THROW(ResNet(50, false, -1, Stages{3, 2}), std::invalid_argument);
    ResNet net(18, false, -1, Stages{3});
    EXPECT_THROW(net->forward(torch::randn({1, 1, 32, 32})), std::invalid_argument);
    EXPECT_THROW(net->forward(torch::randn({3, 32, 32})), std::invalid_argument);
}

TEST(ResNet, FrozenBatchNormAndStages) {
    torch::manual_seed(3);
    ResNet net(18, true, 1, Stages{0, 1, 2, 3});
    randomise_batchnorm(*net);
    const Tensor x = torch::randn({2, 3, 32, 48});
    net->eval();
    std::vector<Tensor> eval_out = net->forward(x);
    net->train();
    EXPECT_TRUE(net->is_training());
    const Tensor mean_before = net->named_buffers()["layer3.0.bn1.running_mean"].clone();
    std::vector<Tensor> train_out = net->forward(x);
    for (size_t s = 0; s < 4; ++s) EXPECT_TRUE(torch::equal(train_out[s], eval_out[s])) << "stage " << s;
    EXPECT_TRUE(torch::equal(net->named_buffers()["layer3.0.bn1.running_mean"], mean_before));

    for (const auto & p : net->named_parameters()) {
        const std::string & name = p.key();
        const bool bn = name.find("bn") != std::string::npos || name.find("downsample.1") != std::string::npos;
        const bool frozen_stage = name.rfind("conv1.", 0) == 0 || name.rfind("layer1.", 0) == 0;
        EXPECT_EQ(p.value().requires_grad(), !bn && !frozen_stage) << name;
    }
    // Gradients reach the trainable convs of stage 2 and beyond, nothing before.
    train_out[3].sum().backward();
    EXPECT_TRUE(net->named_parameters()["layer2.0.conv1.weight"].grad().defined());
    EXPECT_FALSE(net->named_parameters()["layer1.0.conv1.weight"].grad().defined());

    // Without frozen BN only the frozen stages keep eval mode; later BNs update their statistics.
    ResNet partly(18, false, 1, Stages{0, 1});
    randomise_batchnorm(*partly);
    partly->train();
    const Tensor stem_mean = partly->named_buffers()["bn1.running_mean"].clone();
    const Tensor l1_mean = partly->named_buffers()["layer1.0.bn1.running_mean"].clone();
    const Tensor l2_mean = partly->named_buffers()["layer2.0.bn1.running_mean"].clone();
    partly->forward(x);
    EXPECT_TRUE(torch::equal(partly->named_buffers()["bn1.running_mean"], stem_mean));
    EXPECT_TRUE(torch::equal(partly->named_buffers()["layer1.0.bn1.running_mean"], l1_mean));
    EXPECT_FALSE(torch::equal(partly->named_buffers()["layer2.0.bn1.running_mean"], l2_mean));
    EXPECT_FALSE(partly->named_parameters()["bn1.weight"].requires_grad());
    EXPECT_TRUE(partly->named_parameters()["layer2.0.bn1.weight"].requires_grad());

    // A parent's train() reaches the override too (Module::train recurses through the virtual).
    torch::nn::Module parent;
    parent.register_module("img_backbone", partly);
    parent.eval();
    parent.train();
    EXPECT_TRUE(partly->named_modules()["layer2.0.bn1"]->is_training());
    EXPECT_FALSE(partly->named_modules()["layer1.0.bn1"]->is_training());
    EXPECT_FALSE(partly->named_modules()["bn1"]->is_training());

    // frozen_stages -1: everything trains.
    ResNet free(18, false, -1, Stages{3});
    for (const auto & p : free->named_parameters()) EXPECT_TRUE(p.value().requires_grad()) << p.key();
}

TEST(Backbone, TinyNamesAndShapesAreTheOfficialKeys) {
    const BevformerConfig tiny = BevformerConfig::tiny();
    ResNet backbone(tiny);
    Fpn neck(tiny, backbone->out_channels());
    const auto backbone_keys = official_tiny_keys("img_backbone.");
    const auto neck_keys = official_tiny_keys("img_neck.");
    EXPECT_EQ(backbone_keys.size(), 318u);
    EXPECT_EQ(shapes_of(*backbone), backbone_keys);
    EXPECT_EQ(shapes_of(*neck), neck_keys);
}

TEST(Fpn, RejectsBadOptionsAndInput) {
    EXPECT_THROW(Fpn(Channels{}, 256, 1, true), std::invalid_argument);
    EXPECT_THROW(Fpn(Channels{512, 0}, 256, 2, true), std::invalid_argument);
    EXPECT_THROW(Fpn(Channels{512, 1024}, 256, 1, true), std::invalid_argument);
    EXPECT_THROW(Fpn(Channels{512}, 0, 1, true), std::invalid_argument);
    Fpn fpn(Channels{8, 16}, 4, 2, true);
    EXPECT_THROW(fpn->forward({torch::randn({1, 8, 4, 4})}), std::invalid_argument);
    EXPECT_THROW(fpn->forward({torch::randn({1, 8, 4, 4}), torch::randn({1, 8, 2, 2})}), std::invalid_argument);
}

TEST(Fpn, TinyNamesAndShapes) {
    Fpn fpn(BevformerConfig::tiny(), Channels{2048});
    const std::map<std::string, std::vector<int64_t>> expected = {
        {"lateral_convs.0.conv.weight", {256, 2048, 1, 1}},
        {"lateral_convs.0.conv.bias", {256}},
        {"fpn_convs.0.conv.weight", {256, 256, 3, 3}},
        {"fpn_convs.0.conv.bias", {256}},
    };
    EXPECT_EQ(shapes_of(*fpn), expected);
    torch::NoGradGuard no_grad;
    auto outs = fpn->forward({torch::randn({2, 2048, 3, 5})});
    ASSERT_EQ(outs.size(), 1u);
    EXPECT_EQ(outs[0].sizes(), (Channels{2, 256, 3, 5}));
}

TEST(Fpn, BaseNamesAndShapes) {
    BevformerConfig base = BevformerConfig::base();
    Fpn fpn(base, Channels{512, 1024, 2048});
    std::map<std::string, std::vector<int64_t>> expected;
    const int64_t in[] = {512, 1024, 2048};
    for (int i = 0; i < 3; ++i) {
        expected["lateral_convs." + std::to_string(i) + ".conv.weight"] = {256, in[i], 1, 1};
        expected["lateral_convs." + std::to_string(i) + ".conv.bias"] = {256};
    }
    for (int i = 0; i < 4; ++i) {
        expected["fpn_convs." + std::to_string(i) + ".conv.weight"] = {256, 256, 3, 3};
        expected["fpn_convs." + std::to_string(i) + ".conv.bias"] = {256};
    }
    EXPECT_EQ(shapes_of(*fpn), expected);
    torch::NoGradGuard no_grad;
    // Odd sizes as the real 29×50 / 15×25 maps: the top-down path resizes to the lower level.
    auto outs = fpn->forward({torch::randn({1, 512, 15, 26}), torch::randn({1, 1024, 8, 13}),
                              torch::randn({1, 2048, 4, 7})});
    ASSERT_EQ(outs.size(), 4u);
    EXPECT_EQ(outs[0].sizes(), (Channels{1, 256, 15, 26}));
    EXPECT_EQ(outs[1].sizes(), (Channels{1, 256, 8, 13}));
    EXPECT_EQ(outs[2].sizes(), (Channels{1, 256, 4, 7}));
    EXPECT_EQ(outs[3].sizes(), (Channels{1, 256, 2, 4}));
}

TEST(Fpn, HandComputedTopDownSumAndExtraLevels) {
    // Two inputs, one output channel, four outputs (two extra). Every 3×3 conv is the identity at
    // its centre tap, so outputs show the laterals and the stride-2 subsampling directly.
    Fpn fpn(Channels{2, 3}, 1, 4, true);
    {
        torch::NoGradGuard no_grad;
        auto p = fpn->named_parameters();
        p["lateral_convs.0.conv.weight"].copy_(torch::tensor({3.f, -1.f}).view({1, 2, 1, 1}));
        p["lateral_convs.0.conv.bias"].fill_(0.f);
        p["lateral_convs.1.conv.weight"].copy_(torch::tensor({1.f, 1.f, -1.f}).view({1, 3, 1, 1}));
        p["lateral_convs.1.conv.bias"].fill_(-0.5f);
        for (int i = 0; i < 4; ++i) {
            Tensor w = p["fpn_convs." + std::to_string(i) + ".conv.weight"];
            w.zero_();
            w[0][0][1][1] = 1.f;
            p["fpn_convs." + std::to_string(i) + ".conv.bias"].fill_(i == 3 ? 0.25f : 0.f);
        }
    }
    // Level 0: channel 0 = 1, channel 1 = 2 -> lateral 3 - 2 = 1 everywhere.
    Tensor x0 = torch::cat({torch::ones({1, 1, 4, 4}), 2 * torch::ones({1, 1, 4, 4})}, 1);
    // Level 1: all channels [[-4, 2], [3, 1]] -> lateral (1 + 1 - 1)·v - 0.5.
    Tensor x1 = torch::tensor({-4.f, 2.f, 3.f, 1.f}).view({1, 1, 2, 2}).expand({1, 3, 2, 2}).contiguous();
    torch::NoGradGuard no_grad;
    auto outs = fpn->forward({x0, x1});
    ASSERT_EQ(outs.size(), 4u);
    EXPECT_TRUE(torch::allclose(outs[1], torch::tensor({-4.5f, 1.5f, 2.5f, 0.5f}).view({1, 1, 2, 2})));
    // Level 0 = 1 + nearest-upsampled level 1.
    Tensor expected0 = torch::tensor({-3.5f, -3.5f, 2.5f, 2.5f,  //
                                      -3.5f, -3.5f, 2.5f, 2.5f,  //
                                      3.5f, 3.5f, 1.5f, 1.5f,    //
                                      3.5f, 3.5f, 1.5f, 1.5f})
                           .view({1, 1, 4, 4});
    EXPECT_TRUE(torch::allclose(outs[0], expected0));
    // First extra conv reads the last output directly (no ReLU): top-left value -4.5.
    EXPECT_TRUE(torch::allclose(outs[2], torch::full({1, 1, 1, 1}, -4.5f)));
    // Second extra conv sees ReLU(-4.5) = 0, so only its bias remains.
    EXPECT_TRUE(torch::allclose(outs[3], torch::full({1, 1, 1, 1}, 0.25f)));

    // Same weights without the ReLU: the negative value passes through the second extra conv.
    Fpn plain(Channels{2, 3}, 1, 4, false);
    auto from = fpn->named_parameters();
    for (auto & p : plain->named_parameters()) p.value().copy_(from[p.key()]);
    EXPECT_TRUE(torch::allclose(plain->forward({x0, x1})[3], torch::full({1, 1, 1, 1}, -4.25f)));
}

}  // namespace
}  // namespace rs
