#version 450

// The attachment's logic op ORs the flag into the cell, so overlapping layers all stay set.
layout(location = 0) flat in uint in_layer;
layout(location = 0) out uint out_layer;

void main() {
    out_layer = in_layer;
}
