// Honest nuScenes visibility levels: the share of an object's own pixels that the cameras actually
// show. The numerator comes from the rendered instance-id images, the denominator from a small CPU
// rasteriser that draws the object's triangles alone (nothing in front of them) with the same
// pinhole projection, both summed over every camera.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/camera_renderer.h"
#include "engine/camera_rig.h"
#include "engine/scene_mesh.h"

namespace rs {

struct VisibilityResult {
    uint32_t instance_id = 0;
    int64_t visible_px = 0;  // pixels showing the instance id, all cameras
    int64_t total_px = 0;    // pixels its triangles cover with nothing in front, all cameras
    double fraction = 0;     // visible / total clamped to [0, 1]; 0 when total is 0
    std::string level;       // nuScenes visibility token "1".."4"
};

// Token of the nuScenes level holding `fraction`: "1" v0-40, "2" v40-60, "3" v60-80, "4" v80-100.
// Bands are closed below, open above (0.4 is "2"); 1.0 is "4".
const char * visibility_level(double fraction);

// One result per entry of `instance_ids`, in that order. `views[c]` filmed `images[c]`; their sizes
// must agree. Triangles are taken from `dynamic` by their vertices' instance id; an instance with
// no triangles or outside every camera gets total 0 and level "1" (nuScenes keeps such boxes as
// v0-40). Throws std::invalid_argument when views and images do not match.
std::vector<VisibilityResult> compute_visibility(const SceneMesh & dynamic, const std::vector<CameraView> & views,
                                                 const std::vector<CameraImage> & images,
                                                 const std::vector<uint32_t> & instance_ids);

}  // namespace rs
