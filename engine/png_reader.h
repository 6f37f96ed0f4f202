// Reads 8-bit grey, RGB or RGBA PNGs, not interlaced, any of the five scanline filters, any DEFLATE
// compression (engine/inflate): the map rasters of generated datasets (png_writer) and the real
// nuScenes map masks alike. Other bit depths, palettes and interlacing are refused by name.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace rs {

struct PngImage {
    int width = 0, height = 0, channels = 0;  // channels 1, 3 or 4
    std::vector<uint8_t> pixels;              // row-major, interleaved
};

// std::runtime_error naming `source` and the problem for anything malformed or unsupported.
PngImage decode_png(const uint8_t * data, size_t size, const std::string & source);
PngImage read_png_file(const std::string & path);

}  // namespace rs
