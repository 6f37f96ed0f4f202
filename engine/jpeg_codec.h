// Baseline JPEG (ITU T.81) codec for camera images, with no library beyond the standard one.
// The encoder writes JFIF files with the Annex K tables (IJG quality scaling) in YCbCr 4:2:0 or
// 4:4:4. The decoder reads baseline sequential Huffman files with 8-bit samples and 1 or 3
// components, sampling factors 1..2, restart intervals and several scans; chroma is upsampled
// with the triangle ("fancy") filter libjpeg uses by default, so decodes match libjpeg closely.
// Anything else (progressive, arithmetic, 12-bit, lossless, CMYK) and every malformed input
// throws JpegError; the decoder never reads out of bounds and stops as soon as data runs out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace rs {

class JpegError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct RgbImage {
    int width = 0, height = 0;
    std::vector<uint8_t> rgb;  // row-major, 3 bytes per pixel, no padding
};

// Larger declared images are refused before anything is allocated.
constexpr int kJpegMaxDimension = 16384;
constexpr int64_t kJpegMaxPixels = int64_t(8192) * 8192;

// `rgb` holds width * height * 3 bytes; quality 1..100 as in IJG's cjpeg. Deterministic output.
std::vector<uint8_t> encode_jpeg(const uint8_t * rgb, int width, int height, int quality,
                                 bool subsample_420 = true);

// `source_name` (a path, usually) is only used in error messages.
RgbImage decode_jpeg(const uint8_t * data, size_t size, const std::string & source_name);

// Writes path + ".tmp" and renames it, so readers never see a half-written file.
void write_jpeg_file(const std::string & path, const uint8_t * rgb, int width, int height, int quality,
                     bool subsample_420 = true);
RgbImage read_jpeg_file(const std::string & path);

}  // namespace rs
