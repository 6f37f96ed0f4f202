// `roadsight-cli bench render`: six-camera frames per second, on a synthetic box field (the
// renderer alone) and on the procedural town (world step + dynamic mesh + render + read-back), and
// the town's BEV semantic raster on the CPU beside Vulkan.
#include <chrono>
#include <memory>
#include <utility>
#include <cstdio>
#include <stdexcept>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "engine/bev_raster.h"
#include "engine/world.h"
#include "render/offscreen_camera_renderer.h"
#include "render/render_bench.h"
#include "render/vulkan_bev_rasterizer.h"

namespace rs {

namespace {

void bench_town(CameraRenderer & renderer, int width, int height, int frames) {
    Scenario sc;
    World world(sc);
    for (int s = 0; s < 120; ++s) world.step();
    renderer.set_static_scene(world.static_mesh());
    auto rig = nuscenes_camera_rig(width, height);
    SceneMesh dyn;
    std::vector<CameraImage> images;
    double render_s = 0, total_s = 0;
    for (int f = -2; f < frames; ++f) {  // two untimed warm-up frames
        auto t0 = std::chrono::steady_clock::now();
        for (int s = 0; s < 5; ++s) world.step();  // 12 Hz camera frames
        std::vector<CameraView> views;
        for (const CameraSpec & c : rig) views.push_back(make_camera_view(c, world.ego().pose));
        world.build_dynamic_mesh(dyn);
        auto t1 = std::chrono::steady_clock::now();
        renderer.render(dyn, views, world.lighting(), images);
        auto t2 = std::chrono::steady_clock::now();
        if (f < 0) continue;
        render_s += std::chrono::duration<double>(t2 - t1).count();
        total_s += std::chrono::duration<double>(t2 - t0).count();
    }
    std::printf("town:      %d frames, %zu static + %zu dynamic triangles: render %.2f six-camera frames/s "
                "(%.1f ms), with simulation %.2f frames/s\n",
                frames, world.static_mesh().triangle_count(), dyn.triangle_count(), frames / render_s,
                1000 * render_s / frames, frames / total_s);
}

// Milliseconds per raster (mean of `repeats`, after one untimed call), turning with the ego.
double time_bev_raster(BevRasterizer & rasterizer, const std::vector<BevQuad> & quads, const Pose & ego,
                       double resolution, int size, int repeats) {
    double seconds = 0;
    for (int i = -1; i < repeats; ++i) {
        Pose centre = ego;
        centre.rotation = Quat::from_yaw(ego.rotation.yaw() + 0.01 * i);
        auto t0 = std::chrono::steady_clock::now();
        rasterizer.rasterize(quads, centre, resolution, size);
        if (i >= 0) seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    return 1000 * seconds / repeats;
}

void bench_bev_raster(const std::shared_ptr<VulkanContext> & context, int repeats) {
    Scenario sc;
    World world(sc);
    for (int s = 0; s < 120; ++s) world.step();
    CpuBevRasterizer cpu;
    std::unique_ptr<VulkanBevRasterizer> gpu;
    try {
        gpu = std::make_unique<VulkanBevRasterizer>(context);
    } catch (const std::exception & e) {
        std::printf("bev raster: no Vulkan rasterizer (%s)\n", e.what());
    }
    // The viewer's layer (±50 m at 0.25 m) and the dataset's map size (1 km at 1 m).
    for (auto [resolution, size] : {std::pair{0.25, 400}, std::pair{1.0, 1024}, std::pair{0.1, 4096}}) {
        const std::vector<BevQuad> quads = bev_quads(world.road_network(), world.agents(), resolution);
        double cpu_ms = time_bev_raster(cpu, quads, world.ego().pose, resolution, size, repeats);
        std::printf("bev raster: %dx%d cells of %.2f m, %zu quads: CPU %.2f ms", size, size, resolution, quads.size(),
                    cpu_ms);
        if (gpu) {
            double gpu_ms = time_bev_raster(*gpu, quads, world.ego().pose, resolution, size, repeats);
            std::printf(", %s %.2f ms (%.2fx the CPU speed)", gpu->name().c_str(), gpu_ms, cpu_ms / gpu_ms);
        }
        std::printf("\n");
    }
}

}  // namespace

int run_render_bench_command(const std::vector<std::string> & argv) {
    Args args(argv, {"frames", "width", "height"}, {});
    if (args.positional().size() != 1 || args.positional()[0] != "render")
        throw std::invalid_argument("usage: roadsight-cli bench render [--frames N] [--width W --height H]");
    RenderBenchOptions opt;
    opt.frames = int(args.get_int("frames", 30, 1, 100000));
    opt.width = int(args.get_int("width", 800, 16, 8192));
    opt.height = int(args.get_int("height", 450, 16, 8192));

    OffscreenCameraRenderer renderer;
    RenderBenchResult r = run_render_bench(renderer, opt);
    std::printf("device:    %s\n", r.device_name.c_str());
    std::printf("synthetic: %d frames of %d cameras at %dx%d, %zu static + %zu dynamic triangles: "
                "%.2f six-camera frames/s (mean %.1f ms, best %.1f ms, %.1f Mpx/s)\n",
                r.frames, r.cameras, r.width, r.height, r.static_triangles, r.dynamic_triangles, r.fps,
                r.mean_frame_ms, r.best_frame_ms, r.megapixels_per_second);
    bench_town(renderer, opt.width, opt.height, opt.frames);
    bench_bev_raster(renderer.context(), opt.frames);
    return 0;
}

}  // namespace rs
