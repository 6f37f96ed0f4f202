// What the engine needs from a renderer: film a scene through a set of pinhole cameras and return,
// per camera, an RGB image and an instance-id image (0 = background). render/ implements it with
// Vulkan; the dataset generator and the app only see this interface.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/camera_rig.h"
#include "engine/scene_mesh.h"

namespace rs {

struct CameraImage {
    int width = 0, height = 0;
    std::vector<uint8_t> rgb;            // width * height * 3, row-major, top row first
    std::vector<uint32_t> instance_ids;  // width * height
};

struct Lighting {
    Vec3 sun_direction{0.4, 0.3, 0.85};  // towards the sun, world frame
    float sun_intensity = 1.0f;          // dims at dusk
    uint8_t sky_top[3] = {92, 142, 210};
    uint8_t sky_horizon[3] = {196, 214, 232};
};

class CameraRenderer {
public:
    virtual ~CameraRenderer() = default;
    // Geometry that does not move (roads, buildings); uploaded once per world.
    virtual void set_static_scene(const SceneMesh & mesh) = 0;
    // Films `dynamic` (agents, lights) plus the static scene through every view.
    virtual void render(const SceneMesh & dynamic, const std::vector<CameraView> & views, const Lighting & lighting,
                        std::vector<CameraImage> & out) = 0;
    virtual std::string device_name() const = 0;
};

}  // namespace rs
