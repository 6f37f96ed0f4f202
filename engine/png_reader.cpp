#include "engine/png_reader.h"

#include <cstdlib>
#include <cstring>

#include "engine/file_io.h"
#include "engine/inflate.h"
#include "engine/png_writer.h"

namespace rs {

namespace {

uint32_t be32(const uint8_t * p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]; }

int paeth(int a, int b, int c) {
    int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
    return (pa <= pb && pa <= pc) ? a : pb <= pc ? b : c;
}

}  // namespace

PngImage decode_png(const uint8_t * data, size_t size, const std::string & source) {
    auto fail = [&](const std::string & what) -> void { throw std::runtime_error(source + ": " + what); };
    static const uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (size < 8 || std::memcmp(data, kSignature, 8) != 0) fail("not a PNG file");
    PngImage img;
    std::vector<uint8_t> z;
    bool have_header = false, ended = false;
    for (size_t pos = 8; pos < size && !ended;) {
        if (size - pos < 12) fail("truncated chunk at byte " + std::to_string(pos));
        const uint32_t len = be32(data + pos);
        if (len > size - pos - 12) fail("chunk at byte " + std::to_string(pos) + " runs past the end");
        const std::string type(reinterpret_cast<const char *>(data + pos + 4), 4);
        const uint8_t * body = data + pos + 8;
        if (crc32(data + pos + 4, len + 4) != be32(body + len)) fail("CRC mismatch in chunk " + type);
        if (type == "IHDR") {
            if (len != 13) fail("IHDR of " + std::to_string(len) + " bytes");
            img.width = int(be32(body));
            img.height = int(be32(body + 4));
            const int depth = body[8], colour = body[9];
            if (img.width <= 0 || img.height <= 0 || img.width > 65536 || img.height > 65536)
                fail("image size " + std::to_string(img.width) + "x" + std::to_string(img.height) + " out of range");
            if (depth != 8) fail("bit depth " + std::to_string(depth) + " (only 8 is read)");
            img.channels = colour == 0 ? 1 : colour == 2 ? 3 : colour == 6 ? 4 : 0;
            if (!img.channels) fail("colour type " + std::to_string(colour) + " (only grey, RGB, RGBA are read)");
            if (body[10] != 0 || body[11] != 0 || body[12] != 0) fail("unsupported compression, filter or interlace method");
            have_header = true;
        } else if (type == "IDAT") {
            z.insert(z.end(), body, body + len);
        } else if (type == "IEND") {
            ended = true;
        }
        pos += 12 + size_t(len);
    }
    if (!have_header) fail("no IHDR chunk");
    if (!ended) fail("no IEND chunk");

    const size_t row = size_t(img.width) * img.channels;
    const size_t expected = (row + 1) * size_t(img.height);
    std::vector<uint8_t> raw;
    try {
        raw = zlib_decompress(z.data(), z.size(), expected);
    } catch (const std::runtime_error & e) {
        fail(std::string("image data: ") + e.what());
    }
    if (raw.size() != expected)
        fail(std::to_string(raw.size()) + " bytes of scanlines, expected " + std::to_string(expected));
    // Unfiltered in place: row y is written at y * row, before its own filtered bytes at
    // y * (row + 1) + 1, so nothing is overwritten before it is read. Maps are hundreds of MB.
    const int bpp = img.channels;
    for (size_t y = 0; y < size_t(img.height); ++y) {
        const uint8_t filter = raw[y * (row + 1)];
        const uint8_t * src = &raw[y * (row + 1) + 1];
        uint8_t * out = &raw[y * row];
        const uint8_t * up = y > 0 ? &raw[(y - 1) * row] : nullptr;
        for (size_t i = 0; i < row; ++i) {
            const int a = i >= size_t(bpp) ? out[i - bpp] : 0, b = up ? up[i] : 0,
                      c = (up && i >= size_t(bpp)) ? up[i - bpp] : 0;
            int pred = 0;
            switch (filter) {
                case 0: pred = 0; break;
                case 1: pred = a; break;
                case 2: pred = b; break;
                case 3: pred = (a + b) / 2; break;
                case 4: pred = paeth(a, b, c); break;
                default: fail("row " + std::to_string(y) + " has filter type " + std::to_string(filter));
            }
            out[i] = uint8_t(src[i] + pred);
        }
    }
    raw.resize(row * size_t(img.height));
    img.pixels = std::move(raw);
    return img;
}

PngImage read_png_file(const std::string & path) {
    const std::vector<uint8_t> bytes = read_file_bytes(path);
    return decode_png(bytes.data(), bytes.size(), path);
}

}  // namespace rs
