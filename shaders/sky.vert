#version 450

// One triangle covering the whole viewport at depth 0, the far end of the reversed depth range,
// so the depth test lets the sky through only where no geometry was drawn.
void main() {
    vec2 corner = vec2((gl_VertexIndex << 1) & 2, gl_VertexIndex & 2);
    gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
}
