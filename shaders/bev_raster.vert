#version 450

// A BEV quad's corner, already relative to the raster centre (metres, world axes), to the raster's
// cell grid: row 0 ahead along the centre's heading, column 0 on its left.
layout(location = 0) in vec2 in_offset;
layout(location = 1) in uint in_layer;

layout(push_constant) uniform Raster {
    vec2 heading;      // cos, sin of the centre's yaw
    float cells_per_m; // 1 / resolution
    float half_cells;  // size / 2
} raster;

layout(location = 0) flat out uint out_layer;

void main() {
    float forward = dot(raster.heading, in_offset);
    float left = raster.heading.x * in_offset.y - raster.heading.y * in_offset.x;
    vec2 cell = vec2(raster.half_cells - left * raster.cells_per_m, raster.half_cells - forward * raster.cells_per_m);
    gl_Position = vec4(cell / raster.half_cells - 1.0, 0.0, 1.0);
    out_layer = in_layer;
}
