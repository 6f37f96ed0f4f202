// Minimal PNG writer (8-bit grey, RGB or RGBA) for maps, golden images and screenshots. Uses
// zlib "stored" blocks with an Up filter: no compression library needed, files stay readable by
// every decoder. Written to a temporary name, then renamed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rs {

std::vector<uint8_t> encode_png(const uint8_t * pixels, int width, int height, int channels);
void write_png_file(const std::string & path, const uint8_t * pixels, int width, int height, int channels);

uint32_t crc32(const uint8_t * data, size_t size, uint32_t crc = 0);

}  // namespace rs
