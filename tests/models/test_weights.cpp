#include "models/weights.h"

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <filesystem>

#include "models/tensor_io.h"

namespace fs = std::filesystem;
using torch::Tensor;

namespace rs {
namespace {

// Parameters in a nested module, buffers of every kind BatchNorm has (float and int64).
struct BlockImpl : torch::nn::Module {
    BlockImpl() {
        fc = register_module("fc", torch::nn::Linear(4, 3));
        norm = register_module("norm", torch::nn::BatchNorm1d(3));
    }
    torch::nn::Linear fc{nullptr};
    torch::nn::BatchNorm1d norm{nullptr};
};
TORCH_MODULE(Block);

struct NetImpl : torch::nn::Module {
    explicit NetImpl(bool extra = false) {
        block = register_module("block", Block());
        scale = register_parameter("scale", torch::randn({2, 2}));
        if (extra) head = register_module("head", torch::nn::Linear(3, 1));
    }
    Block block{nullptr};
    Tensor scale;
    torch::nn::Linear head{nullptr};
};
TORCH_MODULE(Net);

class TempDir {
public:
    TempDir() : path_(fs::temp_directory_path() / ("roadsight_weights_" + std::to_string(::getpid()) + "_" +
                                                   std::to_string(counter_++))) {
        fs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    std::string file(const std::string & name) const { return (path_ / name).string(); }

private:
    static inline int counter_ = 0;
    fs::path path_;
};

std::map<std::string, Tensor> state_of(const torch::nn::Module & m) {
    std::map<std::string, Tensor> out;
    for (const auto & p : m.named_parameters()) out[p.key()] = p.value().detach().clone();
    for (const auto & b : m.named_buffers()) out[b.key()] = b.value().detach().clone();
    return out;
}

void expect_same_state(const torch::nn::Module & a, const torch::nn::Module & b) {
    auto sa = state_of(a), sb = state_of(b);
    ASSERT_EQ(sa.size(), sb.size());
    for (const auto & [name, t] : sa) {
        ASSERT_TRUE(sb.count(name)) << name;
        EXPECT_EQ(t.scalar_type(), sb[name].scalar_type()) << name;
        EXPECT_TRUE(torch::equal(t, sb[name])) << name;
    }
}

bool has(const std::vector<std::string> & v, const std::string & prefix) {
    for (const std::string & s : v)
        if (s.rfind(prefix, 0) == 0) return true;
    return false;
}

TEST(TensorIo, RoundTripsEveryTorchDtype) {
    TempDir dir;
    NamedTensors tensors{
        {"f64", torch::randn({2, 3}, torch::kDouble)},
        {"f32", torch::randn({4}, torch::kFloat)},
        {"f16", torch::randn({3, 1}).to(torch::kHalf)},
        {"bf16", torch::randn({5}).to(torch::kBFloat16)},
        {"i64", torch::tensor({int64_t(1) << 62, int64_t(-7)})},
        {"i32", torch::tensor({-3, 4}, torch::kInt)},
        {"i16", torch::tensor({-300, 300}, torch::kShort)},
        {"i8", torch::tensor({-100, 100}, torch::kChar)},
        {"u8", torch::tensor({0, 255}, torch::kByte)},
        {"bool", torch::tensor({true, false, true})},
        {"scalar", torch::tensor(2.5)},
        {"empty", torch::zeros({0, 3})},
        {"transposed", torch::arange(6, torch::kFloat).view({2, 3}).t()},
    };
    const std::string path = dir.file("t.safetensors");
    write_tensors(path, tensors, {{"format", "pt"}});
    NamedTensors back = read_tensors(path);
    ASSERT_EQ(back.size(), tensors.size());
    std::map<std::string, Tensor> by_name(back.begin(), back.end());
    for (const auto & [name, t] : tensors) {
        ASSERT_TRUE(by_name.count(name)) << name;
        EXPECT_EQ(by_name[name].scalar_type(), t.scalar_type()) << name;
        EXPECT_TRUE(torch::equal(by_name[name], t)) << name;
    }
    EXPECT_EQ(SafetensorsFile::read(path).metadata().at("format"), "pt");
}

TEST(TensorIo, ReportsDtypesWithoutCounterpart) {
    TempDir dir;
    EXPECT_THROW(write_tensors(dir.file("c.safetensors"), {{"c", torch::zeros({2}, torch::kComplexFloat)}}),
                 SafetensorsError);
    uint16_t raw[2] = {1, 2};
    write_safetensors(dir.file("u16.safetensors"), {{"u", SafetensorsDtype::U16, {2}, raw, 4}});
    try {
        read_tensors(dir.file("u16.safetensors"));
        FAIL() << "expected an error";
    } catch (const SafetensorsError & e) {
        EXPECT_NE(std::string(e.what()).find("tensor 'u': safetensors dtype U16 has no LibTorch type"),
                  std::string::npos)
            << e.what();
    }
}

// A Net whose BatchNorm buffers moved away from their defaults.
Net trained_net() {
    Net n;
    n->train();
    n->block->norm(n->block->fc(torch::randn({8, 4})));
    return n;
}

TEST(Weights, SaveThenLoadRestoresEveryParameterAndBuffer) {
    TempDir dir;
    torch::manual_seed(1);
    Net a = trained_net();
    EXPECT_EQ(a->block->norm->num_batches_tracked.item<int64_t>(), 1);
    const std::string path = dir.file("net.safetensors");
    save_weights(*a, path, {{"epoch", "3"}});
    EXPECT_EQ(SafetensorsFile::read(path).metadata().at("epoch"), "3");
    EXPECT_EQ(SafetensorsFile::read(path).find("block.norm.num_batches_tracked")->dtype, SafetensorsDtype::I64);

    torch::manual_seed(2);
    Net b;
    WeightsReport r = load_weights(*b, path);
    EXPECT_TRUE(r.complete()) << r.describe();
    EXPECT_EQ(r.loaded, int64_t(state_of(*a).size()));
    EXPECT_EQ(r.loaded, 8);  // fc.{weight,bias}, norm.{weight,bias,running_mean,running_var,num_batches_tracked}, scale
    EXPECT_TRUE(r.converted.empty());
    expect_same_state(*a, *b);
    EXPECT_TRUE(b->scale.requires_grad());  // loading keeps parameters trainable
}

TEST(Weights, StrictLoadReportsEveryMismatchAndChangesNothing) {
    TempDir dir;
    torch::manual_seed(3);
    Net small = trained_net();
    const std::string path = dir.file("small.safetensors");
    NamedTensors tensors;
    for (const auto & [name, t] : state_of(*small)) tensors.emplace_back(name, name == "scale" ? torch::zeros({3, 2}) : t);
    tensors.emplace_back("stray.weight", torch::zeros({1}));
    write_tensors(path, tensors);

    Net big(true);
    auto before = state_of(*big);
    try {
        load_weights(*big, path);
        FAIL() << "expected WeightsError";
    } catch (const WeightsError & e) {
        const WeightsReport & r = e.report();
        EXPECT_EQ(r.missing, (std::vector<std::string>{"head.weight", "head.bias"}));
        EXPECT_EQ(r.unexpected, (std::vector<std::string>{"stray.weight"}));
        EXPECT_EQ(r.mismatched, (std::vector<std::string>{"scale: file F32 [3, 2], module Float [2, 2]"}));
        EXPECT_EQ(r.loaded, 0);
        const std::string text = e.what();
        for (const char * part : {"small.safetensors: 0 tensors loaded, not all matched", "missing from the file (2)",
                                  "head.bias", "unexpected in the file (1)", "stray.weight",
                                  "wrong shape or dtype (1)", "scale: file F32 [3, 2]"})
            EXPECT_NE(text.find(part), std::string::npos) << part << " in\n" << text;
    }
    auto after = state_of(*big);
    for (const auto & [name, t] : before) EXPECT_TRUE(torch::equal(t, after[name])) << name;

    WeightsLoadOptions lenient;
    lenient.strict = false;
    WeightsReport r = load_weights(*big, path, lenient);
    EXPECT_FALSE(r.complete());
    EXPECT_EQ(r.loaded, 7);  // all but scale (wrong shape) and head.* (missing)
    EXPECT_TRUE(torch::equal(big->block->fc->weight, small->block->fc->weight));
    EXPECT_TRUE(torch::equal(big->scale, before["scale"]));
    EXPECT_TRUE(torch::equal(big->head->weight, before["head.weight"]));
}

TEST(Weights, ConvertsFloatingAndIntegerDtypesAndReportsIt) {
    TempDir dir;
    torch::manual_seed(4);
    Net a = trained_net();
    NamedTensors half;
    for (const auto & [name, t] : state_of(*a))
        half.emplace_back(name, t.is_floating_point() ? t.to(torch::kHalf) : t.to(torch::kInt));
    const std::string path = dir.file("half.safetensors");
    write_tensors(path, half);

    Net b;
    WeightsReport r = load_weights(*b, path);
    EXPECT_TRUE(r.complete()) << r.describe();
    EXPECT_EQ(r.converted.size(), 8u);
    EXPECT_TRUE(has(r.converted, "block.fc.weight: F16 -> Float"));
    EXPECT_TRUE(has(r.converted, "block.norm.num_batches_tracked: I32 -> Long"));
    EXPECT_EQ(b->block->fc->weight.scalar_type(), torch::kFloat);
    EXPECT_TRUE(torch::equal(b->block->fc->weight, a->block->fc->weight.to(torch::kHalf).to(torch::kFloat)));
    EXPECT_EQ(b->block->norm->num_batches_tracked.item<int64_t>(), 1);

    // A double module (Module::to converts its integer buffers too) takes float weights and the
    // int64 counter as conversions.
    Net d;
    d->to(torch::kDouble);
    const std::string f32 = dir.file("f32.safetensors");
    save_weights(*a, f32);
    WeightsReport rd = load_weights(*d, f32);
    EXPECT_TRUE(has(rd.converted, "scale: F32 -> Double"));
    EXPECT_TRUE(has(rd.converted, "block.norm.num_batches_tracked: I64 -> Double"));
    EXPECT_TRUE(torch::equal(d->scale, a->scale.to(torch::kDouble)));
    EXPECT_EQ(d->block->norm->num_batches_tracked.item<double>(), 1.0);

    // Floating data into an integer buffer, or integers into bool, would truncate: a mismatch.
    NamedTensors wrong = half;
    for (auto & [name, t] : wrong)
        if (name == "block.norm.num_batches_tracked") t = torch::tensor(1.0);
    write_tensors(path, wrong);
    try {
        load_weights(*b, path);
        FAIL() << "expected WeightsError";
    } catch (const WeightsError & e) {
        EXPECT_EQ(e.report().mismatched,
                  (std::vector<std::string>{"block.norm.num_batches_tracked: file F32 [], module Long []"}));
    }
    torch::nn::Module masked;
    masked.register_buffer("mask", torch::ones({2}, torch::kBool));
    write_tensors(path, {{"mask", torch::tensor({int64_t(0), int64_t(2)})}});
    WeightsLoadOptions lenient;
    lenient.strict = false;
    WeightsReport rm = load_weights(masked, path, lenient);
    EXPECT_EQ(rm.mismatched, (std::vector<std::string>{"mask: file I64 [2], module Bool [2]"}));
    EXPECT_EQ(rm.loaded, 0);
}

}  // namespace
}  // namespace rs
