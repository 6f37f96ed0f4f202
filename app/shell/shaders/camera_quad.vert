#version 450
// A textured quad from four strip vertices, no vertex buffer: the rectangle (NDC) and the
// texture window (mirroring swaps u) come in as push constants.
layout(push_constant) uniform Quad {
    vec4 rect;  // x0, y0, x1, y1 in NDC
    vec4 uv;    // u0, v0, u1, v1
} quad;

layout(location = 0) out vec2 v_uv;

void main() {
    vec2 corner = vec2(float(gl_VertexIndex & 1), float(gl_VertexIndex >> 1));
    gl_Position = vec4(mix(quad.rect.xy, quad.rect.zw, corner), 0.0, 1.0);
    v_uv = mix(quad.uv.xy, quad.uv.zw, corner);
}
