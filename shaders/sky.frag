#version 450
#include "camera_view.glsl"

layout(location = 0) out vec4 out_color;
layout(location = 1) out uint out_instance_id;

void main() {
    // gl_FragCoord.xy is the pixel centre (i + 0.5, j + 0.5): the pinhole's continuous pixel.
    vec3 ray = vec3(gl_FragCoord.xy * view.pixel_to_ray.xy + view.pixel_to_ray.zw, 1.0);
    // Sine of the ray's elevation: horizon colour at and below the horizon, blending to the top
    // colour as the ray rises (square root so the blue builds up quickly above the horizon).
    float rise = clamp(dot(ray, view.up_in_camera.xyz) * inversesqrt(dot(ray, ray)), 0.0, 1.0);
    out_color = vec4(mix(view.sky_horizon.rgb, view.sky_top.rgb, sqrt(rise)), 1.0);
    out_instance_id = 0u;
}
