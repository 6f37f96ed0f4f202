#include "render/render_bench.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "engine/camera_rig.h"
#include "engine/random.h"
#include "engine/scene_mesh.h"

namespace rs {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

void add_flat(SceneMesh & mesh, double x0, double y0, double x1, double y1, double height, const uint8_t color[4]) {
    const Vec2 corners[4] = {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}};
    mesh.add_quad_z(corners, height, color, 0);
}

// Ground, a crossroads and `count` buildings kept off the roads, all background (id 0).
SceneMesh build_town(int count, Rng & rng) {
    SceneMesh mesh;
    const uint8_t grass[4] = {104, 122, 84, 255}, asphalt[4] = {72, 74, 78, 255};
    add_flat(mesh, -300, -300, 300, 300, 0.0, grass);
    add_flat(mesh, -300, -8, 300, 8, 0.02, asphalt);
    add_flat(mesh, -8, -300, 8, 300, 0.03, asphalt);
    for (int i = 0; i < count; ++i) {
        double x = rng.uniform(-220, 220), y = rng.uniform(-220, 220);
        if (std::abs(x) < 16 || std::abs(y) < 16) continue;  // keep the streets clear
        Vec3 half{rng.uniform(2, 9), rng.uniform(2, 9), rng.uniform(2, 12)};
        uint8_t shade = uint8_t(rng.range(120, 220));
        const uint8_t color[4] = {shade, uint8_t(shade * 0.92), uint8_t(shade * 0.85), 255};
        Pose pose{{x, y, half.z}, Quat::from_yaw(rng.uniform(-0.3, 0.3))};
        mesh.add_box(pose, half, color, 0);
    }
    return mesh;
}

struct Agent {
    Vec3 start;
    double heading, speed;
    uint8_t color[4];
};

std::vector<Agent> make_agents(int count, Rng & rng) {
    std::vector<Agent> agents(size_t(std::max(count, 0)));
    for (Agent & a : agents) {
        bool along_x = rng.chance(0.5);
        double lane = rng.uniform(-6, 6), offset = rng.uniform(-200, 200);
        a.start = along_x ? Vec3{offset, lane, 0.8} : Vec3{lane, offset, 0.8};
        a.heading = (along_x ? 0.0 : kPi / 2) + (rng.chance(0.5) ? kPi : 0.0);
        a.speed = rng.uniform(3, 15);
        for (int c = 0; c < 3; ++c) a.color[c] = uint8_t(rng.range(30, 250));
        a.color[3] = 255;
    }
    return agents;
}

void build_agents(const std::vector<Agent> & agents, double t, SceneMesh & mesh) {
    mesh.clear();
    uint32_t id = 1;
    for (const Agent & a : agents) {
        Vec3 position = a.start + Vec3{std::cos(a.heading), std::sin(a.heading), 0} * (a.speed * t);
        mesh.add_box({position, Quat::from_yaw(a.heading)}, {2.3, 0.95, 0.8}, a.color, id++);
    }
}

}  // namespace

RenderBenchResult run_render_bench(CameraRenderer & renderer, const RenderBenchOptions & options) {
    if (options.width <= 0 || options.height <= 0 || options.frames <= 0 || options.warmup_frames < 0)
        throw std::invalid_argument("render bench needs a positive image size and frame count");

    Rng rng(options.seed);
    SceneMesh town = build_town(options.static_boxes, rng);
    std::vector<Agent> agents = make_agents(options.dynamic_boxes, rng);

    RenderBenchResult result;
    result.device_name = renderer.device_name();
    result.width = options.width;
    result.height = options.height;
    result.cameras = kNumCameras;
    result.frames = options.frames;
    result.static_triangles = town.triangle_count();

    Clock::time_point start = Clock::now();
    renderer.set_static_scene(town);
    result.setup_seconds = seconds_since(start);

    std::vector<CameraView> views;
    const Pose ego{{0, -3, 0}, Quat::from_yaw(0.0)};
    for (const CameraSpec & spec : nuscenes_camera_rig(options.width, options.height))
        views.push_back(make_camera_view(spec, ego));

    Lighting lighting;
    SceneMesh dynamic;
    std::vector<CameraImage> images;
    result.best_frame_ms = 1e300;
    for (int frame = -options.warmup_frames; frame < options.frames; ++frame) {
        build_agents(agents, (frame + options.warmup_frames) * 0.1, dynamic);
        Clock::time_point frame_start = Clock::now();
        renderer.render(dynamic, views, lighting, images);
        double elapsed = seconds_since(frame_start);
        if (frame < 0) continue;
        result.seconds += elapsed;
        result.best_frame_ms = std::min(result.best_frame_ms, elapsed * 1e3);
    }
    result.dynamic_triangles = dynamic.triangle_count();
    result.fps = result.frames / result.seconds;
    result.mean_frame_ms = result.seconds * 1e3 / result.frames;
    result.megapixels_per_second = double(options.width) * options.height * kNumCameras * result.fps / 1e6;
    return result;
}

}  // namespace rs
