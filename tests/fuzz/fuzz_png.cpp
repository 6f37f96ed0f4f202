// libFuzzer target for the PNG reader and its inflate: any input either fails with
// std::runtime_error or decodes to exactly width × height × channels pixels; and the raw input as
// a zlib stream either fails or stays within its output limit.
#include <cstdint>
#include <cstdlib>
#include <stdexcept>

#include "engine/inflate.h"
#include "engine/png_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t * data, size_t size) {
    try {
        const rs::PngImage img = rs::decode_png(data, size, "fuzz");
        if (img.pixels.size() != size_t(img.width) * img.height * img.channels) std::abort();
    } catch (const std::runtime_error &) {
    }
    try {
        const size_t limit = 1 << 16;
        if (rs::zlib_decompress(data, size, limit).size() > limit) std::abort();
    } catch (const std::runtime_error &) {
    }
    return 0;
}
