#version 450
#include "camera_view.glsl"

layout(location = 0) in vec3 in_offset;
layout(location = 1) in vec3 in_color;
layout(location = 2) flat in uint in_instance_id;

layout(location = 0) out vec4 out_color;
layout(location = 1) out uint out_instance_id;

void main() {
    // Haze per pixel: large triangles (the ground) span near and far.
    float haze = view.fog.z * smoothstep(view.fog.x, view.fog.y, length(in_offset));
    out_color = vec4(mix(in_color, view.sky_horizon.rgb, haze), 1.0);
    out_instance_id = in_instance_id;
}
