// Reads the PNGs Roadsight writes (png_writer: zlib "stored" blocks, no compression), such as the
// semantic map rasters of generated datasets. 8-bit grey, RGB or RGBA, not interlaced, any of the
// five scanline filters. Compressed deflate blocks (most PNGs from other tools, e.g. the real
// nuScenes maps) are refused with an error saying so: no inflate implementation is carried.
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
PngImage decode_stored_png(const uint8_t * data, size_t size, const std::string & source);
PngImage read_stored_png_file(const std::string & path);

}  // namespace rs
