#version 450
#include "camera_view.glsl"

layout(location = 0) in vec3 in_position;
layout(location = 1) in vec3 in_normal;
layout(location = 2) in vec4 in_color;
layout(location = 3) in uint in_instance_id;

layout(location = 0) out vec3 out_offset;  // from the camera to the vertex, world axes
layout(location = 1) out vec3 out_color;   // lit, display-encoded, before fog
layout(location = 2) flat out uint out_instance_id;

vec3 to_linear(vec3 c) { return pow(c, vec3(2.2)); }

void main() {
    // Subtracting first keeps precision when the world is far from its origin: the first difference
    // is exact for a vertex near the camera, the remainder corrects the camera's own rounding
    // (`precise` keeps the compiler from reassociating the two).
    precise vec3 offset = (in_position - view.camera_position.xyz) - view.camera_position_low.xyz;
    gl_Position = view.rotation_to_clip * vec4(offset, 1.0);

    // Lit per vertex: scene faces are flat with one normal each, so this equals per-pixel Lambert
    // at a fraction of the cost on a software rasteriser.
    vec3 n = normalize(in_normal);
    // Meshes are drawn without culling and not wound consistently: light whichever side is seen.
    // Across a flat face the sign of this test is the same at every point.
    if (dot(n, offset) > 0.0) n = -n;
    float sun = max(dot(n, view.sun.xyz), 0.0) * view.sun.w;
    // Hemisphere light: sky colour from above, a darker horizon-tinted bounce from below.
    vec3 hemisphere = mix(0.4 * to_linear(view.sky_horizon.rgb), to_linear(view.sky_top.rgb), 0.5 + 0.5 * n.z);
    vec3 light = vec3(0.08) + 0.45 * hemisphere + vec3(0.9 * sun);

    out_offset = offset;
    out_color = pow(to_linear(in_color.rgb) * light, vec3(1.0 / 2.2));
    out_instance_id = in_instance_id;
}
