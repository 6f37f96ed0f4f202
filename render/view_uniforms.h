// The per-view constants of the camera shaders (shaders/camera_view.glsl): projection, camera
// pose, lighting and fog, built from a CameraView and the Lighting.
#pragma once

#include "engine/camera_renderer.h"
#include "engine/camera_rig.h"
#include "engine/geometry.h"

namespace rs {

// std140 layout: every member is a vec4, a vec4 array or a mat4.
struct ViewUniforms {
    float rotation_to_clip[16];  // column-major; clip = M * vec4(p_world - camera_position, 1)
    // The camera position (world, metres) rounded to float, and what that rounding lost: the
    // shaders subtract both from a vertex, which stays exact however far the world is from its origin.
    float camera_position[4];
    float camera_position_low[4];
    // For the sky: pixel (u, v) looks along the camera-frame ray (u a + c, v b + d, 1) with
    // pixel_to_ray = (a, b, c, d) = (1/fx, 1/fy, -cx/fx, -cy/fy); up_in_camera is the world's z
    // axis in the camera frame, so the ray's elevation needs no rotation per pixel.
    float pixel_to_ray[4];
    float up_in_camera[4];
    float sun[4];          // unit direction towards the sun, world; w = intensity
    float sky_top[4];      // rgb in [0, 1]
    float sky_horizon[4];
    float fog[4];          // distance where fog starts, where it is strongest, strongest amount
};
static_assert(sizeof(ViewUniforms) == 192, "ViewUniforms must match the std140 block");

// Camera frame (x right, y down, z forward) -> Vulkan clip space, such that the rasterised
// position is exactly the pinhole pixel (fx x/z + cx, fy y/z + cy), with depth reversed (1 at the
// near plane, 0 at the far plane) for precision.
Mat4 pinhole_clip_matrix(const Intrinsics & k, int width, int height, double near_plane, double far_plane);

ViewUniforms make_view_uniforms(const CameraView & view, const Lighting & lighting);

}  // namespace rs
