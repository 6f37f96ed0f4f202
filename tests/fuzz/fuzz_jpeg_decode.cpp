// libFuzzer target for the baseline JPEG decoder: any input either fails with JpegError or decodes
// to a consistent image; small decoded images must also survive re-encoding and decoding again.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "engine/jpeg_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t * data, size_t size) {
    rs::RgbImage image;
    try {
        image = rs::decode_jpeg(data, size, "fuzz");
    } catch (const rs::JpegError &) {
        return 0;
    }
    if (image.width < 1 || image.height < 1 || image.rgb.size() != size_t(image.width) * image.height * 3) std::abort();
    // Bounded so that the encoder check does not dominate the fuzzing time.
    if (int64_t(image.width) * image.height <= 4096) {
        for (bool subsample : {true, false}) {
            std::vector<uint8_t> jpeg = rs::encode_jpeg(image.rgb.data(), image.width, image.height, 75, subsample);
            rs::RgbImage again = rs::decode_jpeg(jpeg.data(), jpeg.size(), "re-encoded");
            if (again.width != image.width || again.height != image.height) std::abort();
        }
    }
    return 0;
}
