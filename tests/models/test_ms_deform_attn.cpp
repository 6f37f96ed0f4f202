#include "models/ops/ms_deform_attn.h"

#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "models/tensor_io.h"

namespace fs = std::filesystem;
using torch::Tensor;

namespace rs {
namespace {

bool running_in_ci() {
    const char * ci = std::getenv("CI");
    return ci && std::string(ci) == "true";
}

struct Inputs {
    Tensor value, shapes, starts, loc, weights;
};

// Random inputs over levels of the given (H, W); locations spread over [lo, hi].
Inputs random_inputs(int64_t batch, int64_t heads, int64_t channels, std::vector<std::pair<int64_t, int64_t>> levels,
                     int64_t queries, int64_t points, double lo, double hi, torch::ScalarType dtype = torch::kDouble) {
    auto opt = torch::TensorOptions().dtype(dtype);
    std::vector<int64_t> shapes;
    std::vector<int64_t> starts;
    int64_t keys = 0;
    for (auto [h, w] : levels) {
        shapes.insert(shapes.end(), {h, w});
        starts.push_back(keys);
        keys += h * w;
    }
    const int64_t n_levels = int64_t(levels.size());
    Inputs in;
    in.shapes = torch::tensor(shapes, torch::kLong).view({n_levels, 2});
    in.starts = torch::tensor(starts, torch::kLong);
    in.value = torch::randn({batch, keys, heads, channels}, opt);
    in.loc = torch::rand({batch, queries, heads, n_levels, points, 2}, opt) * (hi - lo) + lo;
    in.weights = torch::rand({batch, queries, heads, n_levels, points}, opt);
    return in;
}

// The same op composed from grid_sample (the PyTorch reference algorithm), for cross-checking.
Tensor msda_by_grid_sample(const Tensor & value, const Tensor & shapes, const Tensor & loc, const Tensor & weights) {
    namespace F = torch::nn::functional;
    const int64_t batch = value.size(0), heads = value.size(2), channels = value.size(3);
    const int64_t queries = loc.size(1), levels = loc.size(3), points = loc.size(4);
    std::vector<int64_t> sizes;
    for (int64_t l = 0; l < levels; ++l) sizes.push_back(shapes[l][0].item<int64_t>() * shapes[l][1].item<int64_t>());
    std::vector<Tensor> per_level = value.split_with_sizes(sizes, 1);
    Tensor grids = 2 * loc - 1;
    std::vector<Tensor> samples;
    for (int64_t l = 0; l < levels; ++l) {
        Tensor v = per_level[size_t(l)].flatten(2).transpose(1, 2).reshape(
            {batch * heads, channels, shapes[l][0].item<int64_t>(), shapes[l][1].item<int64_t>()});
        Tensor g = grids.select(3, l).transpose(1, 2).flatten(0, 1);
        samples.push_back(F::grid_sample(
            v, g, F::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kZeros).align_corners(false)));
    }
    Tensor stacked = torch::stack(samples, -2).flatten(-2);
    Tensor w = weights.transpose(1, 2).reshape({batch * heads, 1, queries, levels * points});
    return (stacked * w).sum(-1).view({batch, heads * channels, queries}).transpose(1, 2);
}

struct Result {
    Tensor out, grad_value, grad_loc, grad_weights;
};

// Output and the gradients of sum(out * grad_out), through `op`.
template <class Op>
Result run_with_grad(const Inputs & in, const Tensor & grad_out, Op && op) {
    Tensor value = in.value.clone().requires_grad_(true);
    Tensor loc = in.loc.clone().requires_grad_(true);
    Tensor weights = in.weights.clone().requires_grad_(true);
    Tensor out = op(value, in.shapes, in.starts, loc, weights);
    out.backward(grad_out);
    return {out.detach(), value.grad(), loc.grad(), weights.grad()};
}

Result ours(const Inputs & in, const Tensor & grad_out) { return run_with_grad(in, grad_out, ms_deform_attn); }

Result by_grid_sample(const Inputs & in, const Tensor & grad_out) {
    return run_with_grad(in, grad_out, [](const Tensor & v, const Tensor & s, const Tensor &, const Tensor & l,
                                          const Tensor & w) { return msda_by_grid_sample(v, s, l, w); });
}

double max_abs_diff(const Tensor & a, const Tensor & b) {
    EXPECT_EQ(a.sizes(), b.sizes());
    return a.numel() ? (a - b).abs().max().item<double>() : 0.0;
}

void expect_close(const Result & a, const Result & b, double tol) {
    EXPECT_LE(max_abs_diff(a.out, b.out), tol);
    EXPECT_LE(max_abs_diff(a.grad_value, b.grad_value), tol);
    EXPECT_LE(max_abs_diff(a.grad_loc, b.grad_loc), tol);
    EXPECT_LE(max_abs_diff(a.grad_weights, b.grad_weights), tol);
}

// Locations exactly on the map edges (0 and 1), just inside and outside, partly outside (one
// row or column of taps in the map) and far outside, on every level and point.
void place_border_locations(Tensor & loc, const Tensor & shapes) {
    auto acc = loc.accessor<double, 6>();
    const double specials[] = {0.0, 1.0, 1e-7, 1 - 1e-7, -1e-7, 1 + 1e-7, -0.3, 1.3, -2.0, 3.0};
    int k = 0;
    for (int64_t b = 0; b < loc.size(0); ++b)
        for (int64_t q = 0; q < loc.size(1); ++q)
            for (int64_t h = 0; h < loc.size(2); ++h)
                for (int64_t l = 0; l < loc.size(3); ++l)
                    for (int64_t p = 0; p < loc.size(4); ++p, ++k) {
                        const int axis = k % 2;
                        // About a third of the samples stay random inside, to mix border and interior taps.
                        if (k % 3 == 2) continue;
                        acc[b][q][h][l][p][axis] = specials[(k / 2) % 10];
                        // Partly outside: pixel coordinate -0.8, where one row or column of taps still counts.
                        if (k % 7 == 0) acc[b][q][h][l][p][1 - axis] = -0.3 / shapes[l][axis].item<double>();
                    }
}

TEST(MsDeformAttn, MatchesGridSampleCompositionInDouble) {
    torch::manual_seed(1);
    Inputs in = random_inputs(2, 3, 5, {{7, 9}, {4, 5}, {1, 3}, {2, 1}}, 11, 4, -0.3, 1.3);
    Tensor grad_out = torch::randn({2, 11, 15}, torch::kDouble);
    Result a = ours(in, grad_out);
    Result b = by_grid_sample(in, grad_out);
    expect_close(a, b, 1e-9);
    EXPECT_GT(a.out.abs().max().item<double>(), 0.1);  // not trivially zero
    EXPECT_GT(a.grad_loc.abs().max().item<double>(), 0.1);
}

TEST(MsDeformAttn, MatchesGridSampleAtBordersAndOutside) {
    torch::manual_seed(2);
    Inputs in = random_inputs(1, 2, 4, {{5, 6}, {3, 2}}, 30, 3, 0.0, 1.0);
    place_border_locations(in.loc, in.shapes);
    Tensor grad_out = torch::randn({1, 30, 8}, torch::kDouble);
    Result a = ours(in, grad_out);
    Result b = by_grid_sample(in, grad_out);
    expect_close(a, b, 1e-9);
    // Far-outside samples contribute nothing and get no gradient.
    Tensor far = (in.loc < -1.5).any(-1) | (in.loc > 2.5).any(-1);
    ASSERT_GT(far.sum().item<int64_t>(), 0);
    EXPECT_EQ(a.grad_weights.masked_select(far).abs().max().item<double>(), 0.0);
}

TEST(MsDeformAttn, GradientsMatchFiniteDifferences) {
    torch::manual_seed(3);
    Inputs in = random_inputs(1, 2, 3, {{3, 4}, {2, 2}}, 3, 2, -0.2, 1.2);
    Tensor grad_out = torch::randn({1, 3, 6}, torch::kDouble);
    Result r = ours(in, grad_out);
    auto loss = [&](const Inputs & x) {
        return (ms_deform_attn(x.value, x.shapes, x.starts, x.loc, x.weights) * grad_out).sum().item<double>();
    };
    const double eps = 1e-6;
    int checked = 0;
    auto check = [&](Tensor Inputs::*member, const Tensor & analytic) {
        Tensor flat_grad = analytic.flatten();
        for (int64_t i = 0; i < (in.*member).numel(); ++i) {
            Inputs plus = in, minus = in;
            plus.*member = (in.*member).clone();
            minus.*member = (in.*member).clone();
            (plus.*member).view(-1)[i] += eps;
            (minus.*member).view(-1)[i] -= eps;
            const double numeric = (loss(plus) - loss(minus)) / (2 * eps);
            EXPECT_NEAR(flat_grad[i].item<double>(), numeric, 1e-6 * (1 + std::abs(numeric))) << "element " << i;
            ++checked;
        }
    };
    check(&Inputs::value, r.grad_value);
    check(&Inputs::loc, r.grad_loc);
    check(&Inputs::weights, r.grad_weights);
    EXPECT_EQ(checked, 16 * 2 * 3 + 3 * 2 * 2 * 2 * 2 + 3 * 2 * 2 * 2);
}

std::string error_of(const std::function<void()> & f) {
    try {
        f();
    } catch (const c10::Error & e) {
        return e.what_without_backtrace();
    }
    return "(no error)";
}

// Runs tests/models/msda_reference.py (grid_sample and autograd in Python) on CPU copies of the
// inputs; returns its output and gradients (an empty map, and a failure, if the script fails).
std::map<std::string, Tensor> python_reference(const Inputs & in, const Tensor & grad_out) {
    const std::string python = ROADSIGHT_TORCH_PYTHON3;
    const fs::path dir = fs::temp_directory_path() / ("roadsight_msda_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string in_path = (dir / "inputs.safetensors").string();
    const std::string out_path = (dir / "outputs.safetensors").string();
    write_tensors(in_path, {{"value", in.value.cpu()},
                            {"spatial_shapes", in.shapes.cpu()},
                            {"level_start_index", in.starts.cpu()},
                            {"sampling_locations", in.loc.cpu()},
                            {"attention_weights", in.weights.cpu()},
                            {"grad_output", grad_out.cpu()}});
    const std::string cmd = "\"" + python + "\" \"" + std::string(ROADSIGHT_SOURCE_DIR) +
                            "/tests/models/msda_reference.py\" \"" + in_path + "\" \"" + out_path + "\"";
    const int rc = std::system(cmd.c_str());
    EXPECT_EQ(rc, 0) << cmd;
    std::map<std::string, Tensor> ref;
    if (rc == 0)
        for (auto & [name, t] : read_tensors(out_path)) ref[name] = t;
    fs::remove_all(dir);
    return ref;
}

bool have_python() {
    const std::string python = ROADSIGHT_TORCH_PYTHON3;
    return !python.empty() && fs::exists(python);
}

const char * const kNoPython = "no python3 with torch found at configure time; install python3-torch and reconfigure";

// BEVFormer-like multi-level double case with borders and outside locations mixed in.
Inputs reference_case(Tensor & grad_out) {
    torch::manual_seed(4);
    Inputs in = random_inputs(2, 4, 8, {{12, 20}, {6, 10}, {3, 5}, {2, 3}}, 40, 4, -0.2, 1.2);
    place_border_locations(in.loc, in.shapes);
    grad_out = torch::randn({2, 40, 32}, torch::kDouble);
    return in;
}

// Largest differences of `r` from the Python reference, printed and checked against `tol`.
void expect_matches_reference(const char * what, const Result & r, const std::map<std::string, Tensor> & ref,
                              double tol) {
    ASSERT_EQ(ref.size(), 4u);
    const double d_out = max_abs_diff(r.out.cpu(), ref.at("output"));
    const double d_value = max_abs_diff(r.grad_value.cpu(), ref.at("grad_value"));
    const double d_loc = max_abs_diff(r.grad_loc.cpu(), ref.at("grad_sampling_locations"));
    const double d_weights = max_abs_diff(r.grad_weights.cpu(), ref.at("grad_attention_weights"));
    std::printf("max |%s - python grid_sample|: output %.3g, grad value %.3g, grad locations %.3g, "
                "grad weights %.3g\n", what, d_out, d_value, d_loc, d_weights);
    EXPECT_LE(d_out, tol);
    EXPECT_LE(d_value, tol);
    EXPECT_LE(d_loc, tol);
    EXPECT_LE(d_weights, tol);
}

TEST(MsDeformAttn, MatchesPythonGridSampleReference) {
    if (!have_python()) {
        if (running_in_ci()) FAIL() << kNoPython << " (CI=true)";
        GTEST_SKIP() << kNoPython;
    }
    Tensor grad_out;
    const Inputs in = reference_case(grad_out);
    const std::map<std::string, Tensor> ref = python_reference(in, grad_out);
    expect_matches_reference("cpu", ours(in, grad_out), ref, 1e-9);
}

Inputs to_device(const Inputs & in, const torch::Device & d, torch::ScalarType dtype) {
    return {in.value.to(d, dtype), in.shapes.to(d), in.starts.to(d), in.loc.to(d, dtype), in.weights.to(d, dtype)};
}

// The CUDA kernels against the Python reference (double, borders included) and against the CPU
// kernels on a BEVFormer-sized float case (tiny's 15x25 feature map of 800x450 images and three
// coarser levels, 2,500 queries). Skipped where
// this build or machine has no CUDA; CI has none, so this runs on GPU machines only.
TEST(MsDeformAttn, CudaKernelsMatchPythonReferenceAndCpu) {
    if (!torch::cuda::is_available()) GTEST_SKIP() << "CUDA not available in this build or on this machine";
    const torch::Device cuda(torch::kCUDA, 0);
    if (!have_python()) GTEST_SKIP() << kNoPython;
    Tensor grad_out;
    const Inputs in = reference_case(grad_out);
    const std::map<std::string, Tensor> ref = python_reference(in, grad_out);
    expect_matches_reference("cuda", ours(to_device(in, cuda, torch::kDouble), grad_out.to(cuda)), ref, 1e-9);

    torch::manual_seed(8);
    const Inputs big = random_inputs(1, 8, 32, {{15, 25}, {8, 13}, {4, 7}, {2, 4}}, 2500, 8, -0.1, 1.1, torch::kFloat);
    const Tensor go = torch::randn({1, 2500, 256});
    const Result cpu = ours(big, go);
    const Result gpu = ours(to_device(big, cuda, torch::kFloat), go.to(cuda));
    // Float sums in another order (and atomics in grad_value): differences relative to each
    // tensor's largest magnitude.
    auto rel = [](const Tensor & a, const Tensor & b) { return max_abs_diff(a.cpu(), b) / b.abs().max().item<double>(); };
    std::printf("cuda vs cpu, float, 2500 queries: relative max diff output %.3g, grad value %.3g, grad locations "
                "%.3g, grad weights %.3g\n", rel(gpu.out, cpu.out), rel(gpu.grad_value, cpu.grad_value),
                rel(gpu.grad_loc, cpu.grad_loc), rel(gpu.grad_weights, cpu.grad_weights));
    EXPECT_LE(rel(gpu.out, cpu.out), 1e-4);
    EXPECT_LE(rel(gpu.grad_value, cpu.grad_value), 1e-4);
    EXPECT_LE(rel(gpu.grad_loc, cpu.grad_loc), 1e-4);
    EXPECT_LE(rel(gpu.grad_weights, cpu.grad_weights), 1e-4);
    // The forward has no atomics: repeated runs are bit-identical.
    const Inputs d = to_device(big, cuda, torch::kFloat);
    EXPECT_TRUE(torch::equal(ms_deform_attn(d.value, d.shapes, d.starts, d.loc, d.weights), gpu.out));
    // A CPU level table beside CUDA values is refused by name.
    EXPECT_NE(error_of([&] { ms_deform_attn(d.value, big.shapes, d.starts, d.loc, d.weights); })
                  .find("all inputs must be on value's device"),
              std::string::npos);
}

TEST(MsDeformAttn, FloatAgreesWithDouble) {
    torch::manual_seed(5);
    Inputs in = random_inputs(1, 8, 32, {{50, 50}}, 200, 4, -0.1, 1.1);
    Tensor grad_out = torch::randn({1, 200, 256}, torch::kDouble);
    Result d = ours(in, grad_out);
    Inputs f{in.value.to(torch::kFloat), in.shapes, in.starts, in.loc.to(torch::kFloat), in.weights.to(torch::kFloat)};
    Result r = ours(f, grad_out.to(torch::kFloat));
    EXPECT_LE(max_abs_diff(r.out.to(torch::kDouble), d.out), 1e-4);
    EXPECT_LE(max_abs_diff(r.grad_value.to(torch::kDouble), d.grad_value), 1e-4);
    EXPECT_LE(max_abs_diff(r.grad_weights.to(torch::kDouble), d.grad_weights), 1e-4);
    // Location gradients scale with the map size (50 pixels per unit).
    EXPECT_LE(max_abs_diff(r.grad_loc.to(torch::kDouble), d.grad_loc), 5e-3);
}

TEST(MsDeformAttn, ResultsDoNotDependOnThreadCountOrLayout) {
    torch::manual_seed(6);
    Inputs in = random_inputs(2, 4, 8, {{9, 7}, {5, 4}}, 64, 4, -0.1, 1.1);
    Tensor grad_out = torch::randn({2, 64, 32}, torch::kDouble);
    const int threads = at::get_num_threads();
    at::set_num_threads(1);
    Result one = ours(in, grad_out);
    at::set_num_threads(std::max(2, threads));
    Result many = ours(in, grad_out);
    at::set_num_threads(threads);
    EXPECT_TRUE(torch::equal(one.out, many.out));
    EXPECT_TRUE(torch::equal(one.grad_value, many.grad_value));
    EXPECT_TRUE(torch::equal(one.grad_loc, many.grad_loc));

    // Non-contiguous views give the same result as their contiguous copies.
    Tensor value_t = in.value.transpose(0, 1).contiguous().transpose(0, 1);
    ASSERT_FALSE(value_t.is_contiguous());
    Tensor out = ms_deform_attn(value_t, in.shapes, in.starts, in.loc, in.weights);
    EXPECT_TRUE(torch::equal(out, one.out));
    // int32 level tables are accepted.
    Tensor out32 = ms_deform_attn(in.value, in.shapes.to(torch::kInt), in.starts.to(torch::kInt), in.loc, in.weights);
    EXPECT_TRUE(torch::equal(out32, one.out));
}

TEST(MsDeformAttn, RejectsInconsistentInputs) {
    Inputs in = random_inputs(1, 2, 3, {{3, 4}, {2, 2}}, 5, 2, 0, 1);
    auto call = [&](const Tensor & v, const Tensor & s, const Tensor & st, const Tensor & l, const Tensor & w) {
        return error_of([&] { ms_deform_attn(v, s, st, l, w); });
    };
    EXPECT_NE(call(in.value[0], in.shapes, in.starts, in.loc, in.weights).find("value must be (batch, keys"),
              std::string::npos);
    EXPECT_NE(call(in.value.to(torch::kHalf), in.shapes, in.starts, in.loc, in.weights).find("float or double"),
              std::string::npos);
    EXPECT_NE(call(in.value, in.shapes, in.starts, in.loc.to(torch::kFloat), in.weights).find("value's dtype"),
              std::string::npos);
    EXPECT_NE(call(in.value, in.shapes, torch::tensor({0, 11}), in.loc, in.weights)
                  .find("level_start_index[1] is 11 but the levels before it hold 12 keys"),
              std::string::npos);
    EXPECT_NE(call(in.value.narrow(1, 0, 15), in.shapes, in.starts, in.loc, in.weights)
                  .find("spatial_shapes hold 16 keys but value has 15"),
              std::string::npos);
    EXPECT_NE(call(in.value, in.shapes, in.starts, in.loc.narrow(3, 0, 1), in.weights).find("sampling_locations must be"),
              std::string::npos);
    EXPECT_NE(call(in.value, in.shapes, in.starts, in.loc, in.weights.narrow(4, 0, 1)).find("attention_weights must be"),
              std::string::npos);
    EXPECT_NE(call(in.value, in.shapes.to(torch::kDouble), in.starts, in.loc, in.weights).find("integer tensors"),
              std::string::npos);
    EXPECT_NE(call(in.value, torch::zeros({2, 2}, torch::kLong), torch::zeros({2}, torch::kLong), in.loc, in.weights)
                  .find("level 0 has spatial shape 0x0"),
              std::string::npos);

    // create_graph would need a differentiable backward, which the kernels do not provide.
    Tensor value = in.value.clone().requires_grad_(true);
    Tensor out = ms_deform_attn(value, in.shapes, in.starts, in.loc, in.weights);
    EXPECT_NE(error_of([&] { torch::autograd::grad({out.sum()}, {value}, {}, true, true); }).find("double backward"),
              std::string::npos);
}

}  // namespace
}  // namespace rs
