// zlib_decompress against Python's zlib (the C zlib) at several levels and strategies, compressed
// PNGs assembled in Python with every scanline filter, and malformed streams that must fail with
// a message rather than crash or over-allocate.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine/file_io.h"
#include "engine/inflate.h"
#include "engine/png_reader.h"
#include "nuscenes_test_data.h"

namespace rs {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

bool running_in_ci() {
    const char * ci = std::getenv("CI");
    return ci && std::string(ci) == "true";
}

std::vector<std::string> lines_of(const std::string & path) {
    std::ifstream in(path);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) out.push_back(line);
    return out;
}

std::string error_of(const std::vector<uint8_t> & z, size_t max_output = 1 << 20) {
    try {
        zlib_decompress(z.data(), z.size(), max_output);
    } catch (const std::runtime_error & e) {
        return e.what();
    }
    return "";
}

TEST(Inflate, MatchesPythonZlibStreamsAndPngs) {
    const std::string python = ROADSIGHT_PYTHON3;
    if (python.empty() || python.find("NOTFOUND") != std::string::npos || !fs::exists(python)) {
        if (running_in_ci()) FAIL() << "python3 not found at configure time (CI=true)";
        GTEST_SKIP() << "python3 not found at configure time";
    }
    TempDir dir;
    const std::string cmd = "\"" + python + "\" \"" + std::string(ROADSIGHT_SOURCE_DIR) +
                            "/tests/engine/zlib_fixture.py\" \"" + dir.path() + "\"";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;

    const std::vector<std::string> streams = lines_of(dir.path() + "/streams.txt");
    ASSERT_GE(streams.size(), 12u);
    for (const std::string & name : streams) {
        SCOPED_TRACE(name);
        const std::vector<uint8_t> z = read_file_bytes(dir.path() + "/" + name + ".z");
        const std::vector<uint8_t> raw = read_file_bytes(dir.path() + "/" + name + ".raw");
        EXPECT_EQ(zlib_decompress(z.data(), z.size(), raw.size()), raw);
        if (!raw.empty()) {
            EXPECT_NE(error_of(z, raw.size() - 1).find("more than the expected"), std::string::npos);
        }
    }

    const std::vector<std::string> images = lines_of(dir.path() + "/images.txt");
    ASSERT_EQ(images.size(), 3u);
    for (const std::string & name : images) {
        SCOPED_TRACE(name);
        int width = 0, height = 0, channels = 0;
        std::ifstream(dir.path() + "/" + name + ".shape") >> width >> height >> channels;
        const PngImage img = read_png_file(dir.path() + "/" + name + ".png");
        EXPECT_EQ(img.width, width);
        EXPECT_EQ(img.height, height);
        EXPECT_EQ(img.channels, channels);
        EXPECT_EQ(img.pixels, read_file_bytes(dir.path() + "/" + name + ".pixels"));
    }
}

TEST(Inflate, HandMadeStreams) {
    // "a" as one stored block: header 78 01, BFINAL|stored, LEN 1, NLEN ~1, 'a', Adler-32 of "a".
    std::vector<uint8_t> z = {0x78, 0x01, 0x01, 0x01, 0x00, 0xfe, 0xff, 'a', 0x00, 0x62, 0x00, 0x62};
    EXPECT_EQ(zlib_decompress(z.data(), z.size(), 10), std::vector<uint8_t>{'a'});
    EXPECT_EQ(adler32(reinterpret_cast<const uint8_t *>("Wikipedia"), 9), 0x11E60398u);

    std::vector<uint8_t> bad = z;
    bad[11] ^= 1;
    EXPECT_NE(error_of(bad).find("Adler-32"), std::string::npos);
    bad = z;
    bad[5] = 0;
    EXPECT_NE(error_of(bad).find("length check"), std::string::npos);
    bad = z;
    bad[1] = 0x02;
    EXPECT_NE(error_of(bad).find("header check"), std::string::npos);
    bad = {0x78, 0xbb, 0, 0, 0, 0};  // FDICT set
    EXPECT_NE(error_of(bad).find("dictionary"), std::string::npos);
    bad = {0x78, 0x01, 0x07, 0, 0, 0, 0};  // block type 3
    EXPECT_NE(error_of(bad).find("reserved"), std::string::npos);
    bad.assign(z.begin(), z.begin() + 8);
    EXPECT_FALSE(error_of(bad).empty());
}

TEST(Inflate, TruncatedAndCorruptedStreamsFailCleanly) {
    // Every prefix of a stream fails, and every single-bit corruption either decodes within the
    // limit or throws; none may crash (the fuzz target tries many more).
    // zlib.compress(b"abcabcabc"): fixed Huffman, literals a b c then a match of 6 at distance 3.
    std::vector<uint8_t> z = {0x78, 0x9c, 0x4b, 0x4c, 0x4a, 0x4e, 0x04, 0x23, 0x00, 0x11, 0x3d, 0x03, 0x73};
    const std::vector<uint8_t> abc = {'a', 'b', 'c', 'a', 'b', 'c', 'a', 'b', 'c'};
    ASSERT_EQ(zlib_decompress(z.data(), z.size(), 100), abc);
    for (size_t n = 0; n < z.size(); ++n) {
        std::vector<uint8_t> prefix(z.begin(), z.begin() + long(n));
        EXPECT_FALSE(error_of(prefix).empty()) << n;
    }
    for (size_t i = 0; i < z.size(); ++i)
        for (int bit = 0; bit < 8; ++bit) {
            std::vector<uint8_t> c = z;
            c[i] ^= uint8_t(1 << bit);
            error_of(c, 64);  // must return or throw, within the limit
        }
}

}  // namespace
}  // namespace rs
