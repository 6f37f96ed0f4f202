// `roadsight-cli bench render`: six-camera frames per second, on a synthetic box field (the
// renderer alone) and on the procedural town (world step + dynamic mesh + render + read-back).
#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "engine/world.h"
#include "render/offscreen_camera_renderer.h"
#include "render/render_bench.h"

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
    return 0;
}

}  // namespace rs
