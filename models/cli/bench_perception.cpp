// `roadsight-models bench perception`: milliseconds per six-camera frame of the whole BEVFormer
// (backbone to decoded boxes) in online mode, with the previous BEV, on the nuScenes rig's
// calibration and random images of the config's input size.
#include <torch/cuda.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "engine/camera_rig.h"
#include "models/bevformer/bevformer.h"
#include "models/bevformer/detection_decoder.h"
#include "models/cli/cli_args.h"
#include "models/cli/commands.h"

namespace rs {

namespace {

const char * const kUsage =
    "usage: roadsight-models bench perception [options]\n"
    "  --configs LIST   comma-separated BEVFormer configs (embedded,tiny)\n"
    "  --threads T      CPU threads (2)\n"
    "  --iters N        timed frames; the median and the best are printed (5)\n"
    "  --device cpu|cuda|all  (all: CPU, and CUDA when this build and machine have it)\n";

// lidar2img of the nuScenes rig for images of `width` pixels (from 1600x900), BEVFormer's order.
torch::Tensor rig_lidar2img(double width) {
    const double s = width / 1600.0;
    const Pose lidar2ego = nuscenes_lidar_mount();
    torch::Tensor out = torch::empty({kNumCameras, 4, 4});
    const auto rig = nuscenes_camera_rig();
    for (int c = 0; c < kNumCameras; ++c) {
        const Intrinsics k = rig[c].intrinsics.scaled(s, s);
        Mat4 km;
        km.m = {k.fx, 0, k.cx, 0, 0, k.fy, k.cy, 0, 0, 0, 1, 0, 0, 0, 0, 1};
        const Mat4 m = km * Mat4::from_pose(rig[c].sensor_to_ego.inverse() * lidar2ego);
        for (int i = 0; i < 16; ++i) out[c][i / 4][i % 4] = m.m[i];
    }
    return out;
}

void bench_config(const BevformerConfig & cfg, const torch::Device & device, int64_t iters) {
    torch::manual_seed(0);
    Bevformer model(cfg);
    model->drop_training_heads();  // inference as shipped, so the parameter count is the shipped one
    model->to(device);
    model->eval();
    const double s = cfg.image_scale(1600);
    const int64_t w = int64_t(1600 * s), h = int64_t(900 * s);
    const int64_t pw = (w + 31) / 32 * 32, ph = (h + 31) / 32 * 32;
    BevformerFrame frame;
    frame.images = torch::randn({1, kNumCameras, 3, ph, pw}).to(device);
    frame.lidar2img = rig_lidar2img(double(w)).unsqueeze(0).to(device);
    frame.can_bus = torch::zeros({1, 18}).to(device);

    torch::NoGradGuard no_grad;
    torch::Tensor prev_bev;
    std::vector<double> ms;
    for (int64_t i = -1; i < iters; ++i) {  // one untimed warm-up frame, which also starts the history
        if (device.is_cuda()) torch::cuda::synchronize(device.index());
        const auto t0 = std::chrono::steady_clock::now();
        BevformerOutputs o = model->forward(frame, prev_bev);
        const int64_t last = o.detections.all_cls_scores.size(0) - 1;
        decode_detections(o.detections.all_cls_scores[last], o.detections.all_bbox_preds[last], cfg);
        if (device.is_cuda()) torch::cuda::synchronize(device.index());
        const auto t1 = std::chrono::steady_clock::now();
        prev_bev = o.bev;
        if (i >= 0) ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    int64_t params = 0;
    for (const torch::Tensor & p : model->parameters()) params += p.numel();
    const std::string where = device.is_cuda() ? "cuda" : "cpu, " + std::to_string(at::get_num_threads()) + " threads";
    std::printf("perception %-8s %s: input 6x%lldx%lld (padded %lldx%lld), BEV %dx%d, %d queries, %.1f M parameters\n"
                "  %9.1f ms per frame median (%.2f frames/s), %9.1f ms best of %lld\n",
                cfg.name.c_str(), where.c_str(), (long long)w, (long long)h, (long long)pw, (long long)ph, cfg.bev_w,
                cfg.bev_h, cfg.num_queries, params / 1e6, ms[ms.size() / 2], 1000.0 / ms[ms.size() / 2], ms.front(),
                (long long)iters);
}

}  // namespace

int run_bench_perception(const std::vector<std::string> & argv) {
    CliArgs args(argv, {"configs", "threads", "iters", "device"}, {"help"});
    if (args.has("help")) {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (!args.positional().empty()) throw std::invalid_argument("unexpected argument '" + args.positional()[0] + "'");
    std::vector<BevformerConfig> configs;
    std::stringstream list(args.get("configs", "embedded,tiny"));
    for (std::string name; std::getline(list, name, ',');) configs.push_back(BevformerConfig::named(name));
    const int64_t iters = args.get_int("iters", 5, 1, 100000);
    at::set_num_threads(int(args.get_int("threads", 2, 1, 1024)));
    const std::string device = args.get("device", "all");
    if (device != "cpu" && device != "cuda" && device != "all")
        throw std::invalid_argument("option --device expects cpu, cuda or all");
    const bool cuda = torch::cuda::is_available();
    if (device == "cuda" && !cuda) throw std::runtime_error("CUDA is not available (LibTorch build or machine)");
    for (const BevformerConfig & cfg : configs) {
        if (device != "cuda") bench_config(cfg, torch::Device(torch::kCPU), iters);
        if (device != "cpu" && cuda) bench_config(cfg, torch::Device(torch::kCUDA, 0), iters);
    }
    if (device == "all" && !cuda) std::printf("cuda: not available in this build or on this machine\n");
    std::printf("reference: the official BEVFormer-tiny in PyTorch runs at 15.9 frames/s on an RTX 3090 (FP32, batch 1)\n");
    return 0;
}

}  // namespace rs
