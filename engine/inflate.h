// zlib streams (RFC 1950) of DEFLATE data (RFC 1951): stored, fixed-Huffman and dynamic-Huffman
// blocks, Adler-32 checked. What PNG image data needs (nuScenes map masks, PNGs of other tools).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace rs {

// The decompressed bytes. std::runtime_error saying what is wrong (bad header, preset dictionary,
// invalid code, distance too far back, truncated stream, checksum) for a malformed stream, and for
// one that would produce more than `max_output` bytes.
std::vector<uint8_t> zlib_decompress(const uint8_t * data, size_t size, size_t max_output);

uint32_t adler32(const uint8_t * data, size_t size);

}  // namespace rs
