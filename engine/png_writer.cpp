#include "engine/png_writer.h"

#include <stdexcept>

#include "engine/file_io.h"

namespace rs {

namespace {

void put_be32(std::vector<uint8_t> & out, uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(uint8_t(v >> s));
}

void put_chunk(std::vector<uint8_t> & out, const char type[4], const std::vector<uint8_t> & body) {
    put_be32(out, uint32_t(body.size()));
    size_t start = out.size();
    out.insert(out.end(), type, type + 4);
    out.insert(out.end(), body.begin(), body.end());
    put_be32(out, crc32(out.data() + start, out.size() - start));
}

}  // namespace

uint32_t crc32(const uint8_t * data, size_t size, uint32_t crc) {
    static uint32_t table[256];
    static bool init = [] {
        for (uint32_t n = 0; n < 256; ++n) {
            uint32_t c = n;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return true;
    }();
    (void)init;
    crc = ~crc;
    for (size_t i = 0; i < size; ++i) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

std::vector<uint8_t> encode_png(const uint8_t * pixels, int width, int height, int channels) {
    if (width <= 0 || height <= 0 || (channels != 1 && channels != 3 && channels != 4))
        throw std::invalid_argument("encode_png: bad image shape");
    // Raw scanlines, each prefixed by its filter byte (2 = Up: cheap and helps nothing here, but
    // keeps the stream valid; 0 would do equally).
    size_t row = size_t(width) * channels;
    std::vector<uint8_t> raw;
    raw.reserve((row + 1) * height);
    for (int y = 0; y < height; ++y) {
        raw.push_back(0);
        raw.insert(raw.end(), pixels + y * row, pixels + (y + 1) * row);
    }
    // zlib stream of stored blocks (<= 65535 bytes each) + Adler-32.
    std::vector<uint8_t> z = {0x78, 0x01};
    for (size_t pos = 0; pos < raw.size() || raw.empty();) {
        size_t n = std::min<size_t>(65535, raw.size() - pos);
        bool last = pos + n == raw.size();
        z.push_back(last ? 1 : 0);
        z.push_back(uint8_t(n)); z.push_back(uint8_t(n >> 8));
        z.push_back(uint8_t(~n)); z.push_back(uint8_t(~n >> 8));
        z.insert(z.end(), raw.begin() + pos, raw.begin() + pos + n);
        pos += n;
        if (last) break;
    }
    uint32_t a = 1, b = 0;
    for (uint8_t v : raw) { a = (a + v) % 65521; b = (b + a) % 65521; }
    put_be32(z, (b << 16) | a);

    std::vector<uint8_t> out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    std::vector<uint8_t> ihdr;
    put_be32(ihdr, uint32_t(width));
    put_be32(ihdr, uint32_t(height));
    ihdr.push_back(8);
    ihdr.push_back(channels == 1 ? 0 : channels == 3 ? 2 : 6);
    ihdr.insert(ihdr.end(), {0, 0, 0});
    put_chunk(out, "IHDR", ihdr);
    put_chunk(out, "IDAT", z);
    put_chunk(out, "IEND", {});
    return out;
}

void write_png_file(const std::string & path, const uint8_t * pixels, int width, int height, int channels) {
    write_file_atomic(path, encode_png(pixels, width, height, channels));
}

}  // namespace rs
