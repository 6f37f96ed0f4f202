// `roadsight-cli bench render`: films a synthetic town of a few thousand boxes through the six
// nuScenes cameras and times full frames (every camera, dynamic upload and readback included).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/camera_renderer.h"

namespace rs {

struct RenderBenchOptions {
    int width = 800, height = 450;
    int frames = 30;          // timed six-camera frames
    int warmup_frames = 2;    // untimed: first-use allocations and shader compilation
    int static_boxes = 2500;  // buildings and street furniture, uploaded once
    int dynamic_boxes = 400;  // agents, moved and re-uploaded every frame
    uint64_t seed = 1;
};

struct RenderBenchResult {
    std::string device_name;
    int width = 0, height = 0, cameras = 0, frames = 0;
    size_t static_triangles = 0, dynamic_triangles = 0;
    double setup_seconds = 0;  // set_static_scene
    double seconds = 0;        // all timed frames
    double fps = 0;            // six-camera frames per second
    double mean_frame_ms = 0, best_frame_ms = 0;
    double megapixels_per_second = 0;  // rendered and read back, all cameras
};

// Throws std::invalid_argument for non-positive sizes or frame counts; renderer errors propagate.
RenderBenchResult run_render_bench(CameraRenderer & renderer, const RenderBenchOptions & options = {});

}  // namespace rs
