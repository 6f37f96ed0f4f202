// `roadsight-models bench msda`: forward and backward milliseconds of multi-scale deformable
// attention on random inputs shaped like BEVFormer's (defaults: tiny's 50x50 BEV self-attention).
#include <torch/cuda.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "models/cli/cli_args.h"
#include "models/cli/commands.h"
#include "models/ops/ms_deform_attn.h"

namespace rs {

namespace {

const char * const kBenchUsage =
    "usage: roadsight-models bench msda [options]   (bench perception --help: the whole network)\n"
    "  --batch B        batch size (1)\n"
    "  --queries N      queries (2500, the 50x50 BEV of BEVFormer-tiny)\n"
    "  --heads H        attention heads (8)\n"
    "  --levels L       feature levels (1); level l is the --map size halved l times, rounded up\n"
    "  --points P       sampling points per head and level (4)\n"
    "  --dim D          channels per head (32)\n"
    "  --map HxW        size of level 0 (50x50)\n"
    "  --threads T      CPU threads (LibTorch's default when omitted)\n"
    "  --iters N        timed iterations; the median and the best are printed (20)\n"
    "  --dtype float|double   (float)\n"
    "  --device cpu|cuda|all  (all: CPU, and CUDA when this build and machine have it)\n";

struct BenchConfig {
    int64_t batch, queries, heads, levels, points, dim, height, width, iters;
    torch::ScalarType dtype;
};

struct Timing {
    double median_ms, best_ms;
};

Timing summarise(std::vector<double> ms) {
    std::sort(ms.begin(), ms.end());
    return {ms[ms.size() / 2], ms.front()};
}

void sync(const torch::Device & device) {
    if (device.is_cuda()) torch::cuda::synchronize(device.index());
}

template <class F>
Timing time_ms(const torch::Device & device, int64_t iters, F && f) {
    std::vector<double> ms;
    for (int64_t i = -2; i < iters; ++i) {  // two untimed warm-up runs
        sync(device);
        auto t0 = std::chrono::steady_clock::now();
        f();
        sync(device);
        auto t1 = std::chrono::steady_clock::now();
        if (i >= 0) ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    return summarise(ms);
}

void bench_on(const BenchConfig & c, const torch::Device & device) {
    auto opt = torch::TensorOptions().dtype(c.dtype).device(device);
    std::vector<int64_t> shapes;
    std::vector<int64_t> starts;
    int64_t keys = 0;
    std::string maps;
    for (int64_t l = 0, h = c.height, w = c.width; l < c.levels; ++l, h = (h + 1) / 2, w = (w + 1) / 2) {
        shapes.insert(shapes.end(), {h, w});
        starts.push_back(keys);
        keys += h * w;
        maps += (l ? ", " : "") + std::to_string(h) + "x" + std::to_string(w);
    }
    torch::manual_seed(0);
    auto long_opt = torch::TensorOptions().dtype(torch::kLong);
    torch::Tensor spatial = torch::tensor(shapes, long_opt).view({c.levels, 2}).to(device);
    torch::Tensor level_start = torch::tensor(starts, long_opt).to(device);
    torch::Tensor value = torch::randn({c.batch, keys, c.heads, c.dim}, opt);
    // Locations spread a little past the map, as learned offsets do.
    torch::Tensor loc = torch::rand({c.batch, c.queries, c.heads, c.levels, c.points, 2}, opt) * 1.1 - 0.05;
    torch::Tensor weights = torch::softmax(
        torch::randn({c.batch, c.queries, c.heads, c.levels * c.points}, opt), -1).view(
        {c.batch, c.queries, c.heads, c.levels, c.points});

    Timing fwd = time_ms(device, c.iters, [&] {
        torch::NoGradGuard no_grad;
        ms_deform_attn(value, spatial, level_start, loc, weights);
    });

    value.requires_grad_(true);
    loc.requires_grad_(true);
    weights.requires_grad_(true);
    torch::Tensor grad = torch::randn({c.batch, c.queries, c.heads * c.dim}, opt);
    std::vector<double> ms;
    for (int64_t i = -2; i < c.iters; ++i) {
        torch::Tensor out = ms_deform_attn(value, spatial, level_start, loc, weights);
        sync(device);
        auto t0 = std::chrono::steady_clock::now();
        out.backward(grad);
        sync(device);
        auto t1 = std::chrono::steady_clock::now();
        if (i >= 0) ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        for (torch::Tensor * t : {&value, &loc, &weights}) t->mutable_grad() = torch::Tensor();
    }
    Timing bwd = summarise(ms);

    std::string where = device.is_cuda() ? "cuda" : "cpu, " + std::to_string(at::get_num_threads()) + " threads";
    std::printf("msda %s %s: batch %lld, queries %lld, heads %lld, levels %lld (%s, %lld keys), points %lld, "
                "dim %lld\n  forward  %9.3f ms median, %9.3f ms best of %lld\n"
                "  backward %9.3f ms median, %9.3f ms best of %lld\n",
                where.c_str(), c10::toString(c.dtype), (long long)c.batch, (long long)c.queries, (long long)c.heads,
                (long long)c.levels, maps.c_str(), (long long)keys, (long long)c.points, (long long)c.dim,
                fwd.median_ms, fwd.best_ms, (long long)c.iters, bwd.median_ms, bwd.best_ms, (long long)c.iters);
}

void parse_map(const std::string & text, int64_t & height, int64_t & width) {
    const size_t x = text.find('x');
    try {
        size_t used_h = 0, used_w = 0;
        if (x == std::string::npos) throw std::invalid_argument(text);
        height = std::stoll(text.substr(0, x), &used_h);
        width = std::stoll(text.substr(x + 1), &used_w);
        if (used_h != x || used_w != text.size() - x - 1 || height < 1 || width < 1 || height > 100000 ||
            width > 100000)
            throw std::invalid_argument(text);
    } catch (const std::exception &) {
        throw std::invalid_argument("option --map expects HxW with positive sizes, got '" + text + "'");
    }
}

int bench_msda(const CliArgs & args) {
    BenchConfig c;
    c.batch = args.get_int("batch", 1, 1, 1024);
    c.queries = args.get_int("queries", 2500, 1, 10'000'000);
    c.heads = args.get_int("heads", 8, 1, 1024);
    c.levels = args.get_int("levels", 1, 1, 16);
    c.points = args.get_int("points", 4, 1, 1024);
    c.dim = args.get_int("dim", 32, 1, 4096);
    c.iters = args.get_int("iters", 20, 1, 100000);
    parse_map(args.get("map", "50x50"), c.height, c.width);
    const std::string dtype = args.get("dtype", "float");
    if (dtype != "float" && dtype != "double") throw std::invalid_argument("option --dtype expects float or double");
    c.dtype = dtype == "float" ? torch::kFloat : torch::kDouble;
    const std::string device = args.get("device", "all");
    if (device != "cpu" && device != "cuda" && device != "all")
        throw std::invalid_argument("option --device expects cpu, cuda or all");
    if (args.has("threads")) at::set_num_threads(int(args.get_int("threads", 1, 1, 1024)));

    const bool cuda = torch::cuda::is_available();
    if (device == "cuda" && !cuda) throw std::runtime_error("CUDA is not available (LibTorch build or machine)");
    if (device != "cuda") bench_on(c, torch::Device(torch::kCPU));
    if (device != "cpu" && cuda) bench_on(c, torch::Device(torch::kCUDA, 0));
    if (device == "all" && !cuda) std::printf("cuda: not available in this build or on this machine\n");
    return 0;
}

}  // namespace

int run_bench_command(const std::vector<std::string> & argv) {
    if (!argv.empty() && argv[0] == "perception") return run_bench_perception({argv.begin() + 1, argv.end()});
    CliArgs args(argv, {"batch", "queries", "heads", "levels", "points", "dim", "map", "threads", "iters", "dtype",
                        "device"},
                 {"help"});
    if (args.has("help")) {
        std::fputs(kBenchUsage, stdout);
        return 0;
    }
    if (args.positional().size() != 1 || args.positional()[0] != "msda")
        throw std::invalid_argument(std::string("expected a benchmark name\n") + kBenchUsage);
    return bench_msda(args);
}

}  // namespace rs
