#version 450
layout(set = 0, binding = 0) uniform sampler2D camera_image;

layout(location = 0) in vec2 v_uv;
layout(location = 0) out vec4 out_colour;

void main() {
    out_colour = vec4(texture(camera_image, v_uv).rgb, 1.0);
}
