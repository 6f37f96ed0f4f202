// Baseline JPEG codec: round trips, determinism, hand-built streams for restart intervals and
// grayscale, malformed input, the real nuScenes camera image and (when the test links the system
// libjpeg, ROADSIGHT_HAVE_LIBJPEG) pixel agreement with libjpeg in both directions.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <initializer_list>
#include <random>
#include <string>
#include <vector>

#ifdef ROADSIGHT_HAVE_LIBJPEG
#include <jpeglib.h>  // needs <cstdio> first
#endif

#include "engine/jpeg_codec.h"

namespace fs = std::filesystem;
using namespace rs;

namespace {

bool running_in_ci() {
    const char * ci = std::getenv("CI");
    return ci && std::string(ci) == "true";
}

// Triangle wave 0..period..0 over v, so gradients keep the same gentle slope at every image size.
int ramp(int v, int period) {
    int t = v % (2 * period);
    return t < period ? t : 2 * period - t;
}

// Colour gradients, a luminance checkerboard (sharp edges that 4:2:0 keeps, since equal offsets
// on R, G and B leave Cb and Cr alone) and, in images of 240x134 and up, a red box with chroma
// edges on the 2x2 grid; small images are crops of the same pattern.
std::vector<uint8_t> synthetic_image(int width, int height) {
    std::vector<uint8_t> rgb(size_t(width) * height * 3);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            uint8_t * p = &rgb[(size_t(y) * width + x) * 3];
            int checker = ((x / 12 + y / 10) % 2) ? 70 : 0;
            p[0] = uint8_t(30 + 150 * ramp(x, 320) / 320 + checker);
            p[1] = uint8_t(40 + 140 * ramp(y, 180) / 180 + checker);
            p[2] = uint8_t(160 - 120 * ramp(x + y, 500) / 500 + checker);
            if (x >= 160 && x < 240 && y >= 90 && y < 134) {
                p[0] = 220;
                p[1] = 40;
                p[2] = 50;
            }
        }
    }
    return rgb;
}

double psnr(const std::vector<uint8_t> & a, const std::vector<uint8_t> & b) {
    double squared = 0;
    for (size_t i = 0; i < a.size(); ++i) squared += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
    if (squared == 0) return 99.0;
    return 10 * std::log10(255.0 * 255.0 * double(a.size()) / squared);
}

std::vector<uint8_t> encode(const std::vector<uint8_t> & rgb, int width, int height, int quality, bool sub) {
    return encode_jpeg(rgb.data(), width, height, quality, sub);
}

RgbImage decode(const std::vector<uint8_t> & jpeg, const std::string & name = "test.jpg") {
    return decode_jpeg(jpeg.data(), jpeg.size(), name);
}

// Offset of the first 0xFF <code> marker in the header part of `jpeg`; walks segment lengths.
size_t find_marker(const std::vector<uint8_t> & jpeg, uint8_t code) {
    for (size_t p = 2; p + 4 <= jpeg.size();) {
        if (jpeg[p + 1] == code) return p;
        if (jpeg[p + 1] == 0xDA) break;
        p += 2 + (size_t(jpeg[p + 2]) << 8 | jpeg[p + 3]);
    }
    ADD_FAILURE() << "marker not found";
    return 0;
}

std::string error_of(const std::vector<uint8_t> & jpeg, const std::string & name = "bad.jpg") {
    try {
        decode(jpeg, name);
    } catch (const JpegError & e) {
        return e.what();
    }
    return "(no error)";
}

void append(std::vector<uint8_t> & v, std::initializer_list<uint8_t> bytes) { v.insert(v.end(), bytes); }

std::string real_nuscenes_jpeg() {
    fs::path dir = fs::path(ROADSIGHT_SHARED_DIR) / "data/nuscenes-sample/samples/CAM_FRONT";
    std::vector<std::string> found;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->path().extension() == ".jpg") found.push_back(it->path().string());
    }
    std::sort(found.begin(), found.end());
    return found.empty() ? std::string() : found.front();
}

// A hand-assembled grayscale 16x8 stream (two blocks, DC only, every quantiser 8 so that a DC
// value of v decodes to sample 128 + v) using the Annex K luminance tables; `entropy` follows SOS.
std::vector<uint8_t> gray_stream(int restart_interval, std::initializer_list<uint8_t> entropy) {
    std::vector<uint8_t> s = {0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x43, 0x00};
    s.insert(s.end(), 64, 8);
    append(s, {0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x08, 0x00, 0x10, 0x01, 0x01, 0x11, 0x00});
    // DC table 0 as Annex K luminance: codes "00" (category 0), "010".."110" (1..5), ...
    append(s, {0xFF, 0xC4, 0x00, 0x1F, 0x00, 0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0});
    append(s, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
    // AC table 0 reduced to what the stream needs: EOB = "00".
    append(s, {0xFF, 0xC4, 0x00, 0x14, 0x10, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00});
    if (restart_interval > 0) append(s, {0xFF, 0xDD, 0x00, 0x04, 0x00, uint8_t(restart_interval)});
    append(s, {0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00});
    append(s, entropy);
    append(s, {0xFF, 0xD9});
    return s;
}

}  // namespace

TEST(JpegCodec, RoundTripPsnrAtQuality90) {
    struct Size { int w, h; };
    for (bool sub : {true, false}) {
        for (Size size : {Size{320, 180}, Size{33, 17}, Size{17, 33}, Size{1, 1}, Size{8, 8}, Size{16, 16},
                          Size{2, 3}, Size{31, 1}}) {
            SCOPED_TRACE(std::to_string(size.w) + "x" + std::to_string(size.h) + (sub ? " 4:2:0" : " 4:4:4"));
            std::vector<uint8_t> rgb = synthetic_image(size.w, size.h);
            RgbImage image = decode(encode(rgb, size.w, size.h, 90, sub));
            ASSERT_EQ(image.width, size.w);
            ASSERT_EQ(image.height, size.h);
            ASSERT_EQ(image.rgb.size(), rgb.size());
            double db = psnr(rgb, image.rgb);
            EXPECT_GT(db, 30.0);
            std::printf("[ jpeg     ] %dx%d q90 %s PSNR %.2f dB\n", size.w, size.h, sub ? "4:2:0" : "4:4:4", db);
        }
    }
}

TEST(JpegCodec, QualityTradesSizeForFidelity) {
    std::vector<uint8_t> rgb = synthetic_image(160, 96);
    std::vector<uint8_t> low = encode(rgb, 160, 96, 20, true), high = encode(rgb, 160, 96, 95, true);
    EXPECT_LT(low.size(), high.size());
    EXPECT_LT(psnr(rgb, decode(low).rgb), psnr(rgb, decode(high).rgb));
    EXPECT_GT(psnr(rgb, decode(encode(rgb, 160, 96, 1, true)).rgb), 10.0);
    EXPECT_GT(psnr(rgb, decode(encode(rgb, 160, 96, 100, false)).rgb), 40.0);
}

TEST(JpegCodec, OutputIsDeterministicJfif) {
    std::vector<uint8_t> rgb = synthetic_image(97, 61);
    for (bool sub : {true, false}) {
        std::vector<uint8_t> a = encode(rgb, 97, 61, 85, sub), b = encode(rgb, 97, 61, 85, sub);
        EXPECT_EQ(a, b);
        ASSERT_GT(a.size(), 24u);
        EXPECT_EQ(a[0], 0xFF);
        EXPECT_EQ(a[1], 0xD8);
        EXPECT_EQ(std::string(a.begin() + 6, a.begin() + 11), std::string("JFIF\0", 5));
        EXPECT_EQ(a[a.size() - 2], 0xFF);
        EXPECT_EQ(a[a.size() - 1], 0xD9);
    }
}

TEST(JpegCodec, EncoderRejectsBadArguments) {
    std::vector<uint8_t> rgb(12);
    EXPECT_THROW(encode_jpeg(nullptr, 2, 2, 90), JpegError);
    EXPECT_THROW(encode_jpeg(rgb.data(), 0, 2, 90), JpegError);
    EXPECT_THROW(encode_jpeg(rgb.data(), 2, 2, 0), JpegError);
    EXPECT_THROW(encode_jpeg(rgb.data(), 2, 2, 101), JpegError);
    EXPECT_THROW(encode_jpeg(rgb.data(), kJpegMaxDimension + 1, 1, 90), JpegError);
}

TEST(JpegCodec, FileHelpersRoundTrip) {
    fs::path dir = fs::temp_directory_path() / ("roadsight_test_jpeg_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::string path = (dir / "frame.jpg").string();
    std::vector<uint8_t> rgb = synthetic_image(64, 40);
    write_jpeg_file(path, rgb.data(), 64, 40, 90);
    EXPECT_FALSE(fs::exists(path + ".tmp"));
    RgbImage image = read_jpeg_file(path);
    EXPECT_EQ(image.rgb, decode(encode(rgb, 64, 40, 90, true)).rgb);
    EXPECT_THROW(write_jpeg_file((dir / "missing" / "x.jpg").string(), rgb.data(), 64, 40, 90), JpegError);
    try {
        read_jpeg_file((dir / "absent.jpg").string());
        ADD_FAILURE() << "reading a missing file did not throw";
    } catch (const JpegError & e) {
        EXPECT_NE(std::string(e.what()).find("absent.jpg"), std::string::npos);
    }
    fs::remove_all(dir);
}

TEST(JpegCodec, RestartIntervalsResetPrediction) {
    // Block 1: category 3 "100", value +5 "101", EOB "00" = 0x94. After RST0 the prediction
    // restarts at 0, so block 2 codes -5: "100", "010", "00" = 0x88.
    RgbImage image = decode(gray_stream(1, {0x94, 0xFF, 0xD0, 0x88}));
    ASSERT_EQ(image.width, 16);
    ASSERT_EQ(image.height, 8);
    EXPECT_EQ(image.rgb[0], 133);
    EXPECT_EQ(image.rgb[1], 133);
    EXPECT_EQ(image.rgb[2], 133);
    EXPECT_EQ(image.rgb[3 * 8], 123);
    EXPECT_EQ(image.rgb[3 * (7 * 16 + 15)], 123);
    // Fill bytes in front of the restart marker are allowed.
    EXPECT_EQ(decode(gray_stream(1, {0x94, 0xFF, 0xFF, 0xFF, 0xD0, 0x88})).rgb, image.rgb);
    // Without the interval the second difference accumulates: 5 - 5 = 0 -> 128.
    EXPECT_EQ(decode(gray_stream(0, {0x94, 0x88})).rgb[3 * 8], 128);
    EXPECT_NE(error_of(gray_stream(1, {0x94, 0xFF, 0xD3, 0x88})).find("RST0"), std::string::npos);
    EXPECT_NE(error_of(gray_stream(1, {0x94, 0x88})).find("RST0"), std::string::npos);
}

TEST(JpegCodec, SkipsApplicationSegmentsCommentsAndFillBytes) {
    std::vector<uint8_t> jpeg = encode(synthetic_image(40, 24), 40, 24, 80, true);
    RgbImage reference = decode(jpeg);
    std::vector<uint8_t> edited(jpeg.begin(), jpeg.begin() + 2);
    append(edited, {0xFF, 0xE1, 0x00, 0x08, 'E', 'x', 'i', 'f', 0x00, 0x00});
    append(edited, {0xFF, 0xFE, 0x00, 0x06, 'h', 'i', '!', '!'});
    append(edited, {0xFF, 0xEE, 0x00, 0x0E, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 1});  // transform 1: YCbCr
    edited.push_back(0xFF);  // fill byte before the next marker
    edited.insert(edited.end(), jpeg.begin() + 2, jpeg.end());
    EXPECT_EQ(decode(edited).rgb, reference.rgb);
}

TEST(JpegCodec, RejectsUnsupportedAndMalformedStreams) {
    std::vector<uint8_t> jpeg = encode(synthetic_image(24, 16), 24, 16, 75, true);
    size_t sof = find_marker(jpeg, 0xC0);
    auto with = [&](size_t offset, uint8_t value) {
        std::vector<uint8_t> v = jpeg;
        v[offset] = value;
        return v;
    };
    EXPECT_NE(error_of(with(sof + 1, 0xC2)).find("progressive"), std::string::npos);
    EXPECT_NE(error_of(with(sof + 1, 0xC9)).find("arithmetic"), std::string::npos);
    EXPECT_NE(error_of(with(sof + 1, 0xC3)).find("lossless"), std::string::npos);
    EXPECT_NE(error_of(with(sof + 4, 12)).find("12-bit"), std::string::npos);
    EXPECT_NE(error_of(with(sof + 5, 0x50)).find("limit"), std::string::npos);       // height 20496
    EXPECT_NE(error_of(with(sof + 6, 0x00)).find("height 0"), std::string::npos);
    EXPECT_NE(error_of(with(sof + 11, 0x33)).find("sampling"), std::string::npos);    // luma 3x3
    EXPECT_NE(error_of(with(0, 0x00)).find("SOI"), std::string::npos);
    EXPECT_NE(error_of(with(find_marker(jpeg, 0xC4) + 5, 0xFF)).find("Huffman"), std::string::npos);
    // An impossible code: no Annex K DC code is sixteen 1 bits (stuffed as FF 00 FF 00).
    EXPECT_NE(error_of(gray_stream(0, {0xFF, 0x00, 0xFF, 0x00})).find("Huffman code"), std::string::npos);
    std::vector<uint8_t> empty_scan(jpeg.begin(), jpeg.begin() + std::ptrdiff_t(find_marker(jpeg, 0xDA)));
    append(empty_scan, {0xFF, 0xDA, 0x00, 0x02});
    EXPECT_NE(error_of(empty_scan).find("SOS"), std::string::npos);
    std::string message = error_of(with(sof + 1, 0xC2), "cam/front.jpg");
    EXPECT_EQ(message.rfind("cam/front.jpg: ", 0), 0u) << message;
    EXPECT_THROW(decode_jpeg(nullptr, 0, "null"), JpegError);
}

TEST(JpegCodec, EveryTruncationThrows) {
    for (bool sub : {true, false}) {
        std::vector<uint8_t> jpeg = encode(synthetic_image(24, 20), 24, 20, 75, sub);
        for (size_t length = 0; length < jpeg.size(); ++length) {
            std::vector<uint8_t> prefix(jpeg.begin(), jpeg.begin() + std::ptrdiff_t(length));
            EXPECT_THROW(decode(prefix), JpegError) << "prefix of " << length << " of " << jpeg.size() << " bytes";
        }
    }
}

TEST(JpegCodec, CorruptedBytesThrowOrDecodeButNeverCrash) {
    std::vector<uint8_t> jpeg = encode(synthetic_image(40, 24), 40, 24, 75, true);
    std::mt19937 rng(20240601);
    int decoded = 0, rejected = 0;
    for (int trial = 0; trial < 4000; ++trial) {
        std::vector<uint8_t> bad = jpeg;
        int flips = 1 + int(rng() % 4);
        for (int i = 0; i < flips; ++i) bad[rng() % bad.size()] ^= uint8_t(1 + rng() % 255);
        try {
            RgbImage image = decode(bad);
            EXPECT_EQ(image.rgb.size(), size_t(image.width) * image.height * 3);
            ++decoded;
        } catch (const JpegError &) {
            ++rejected;
        }
    }
    std::printf("[ jpeg     ] corrupted inputs: %d decoded, %d rejected\n", decoded, rejected);
    EXPECT_GT(rejected, 0);
}

TEST(JpegCodec, DecodesRealNuScenesCameraImage) {
    std::string path = real_nuscenes_jpeg();
    if (path.empty()) {
        if (running_in_ci()) FAIL() << "no nuScenes CAM_FRONT JPEG under " << ROADSIGHT_SHARED_DIR;
        GTEST_SKIP() << "nuScenes sample not found under " << ROADSIGHT_SHARED_DIR
                     << "/data/nuscenes-sample/samples/CAM_FRONT";
    }
    RgbImage image = read_jpeg_file(path);
    EXPECT_EQ(image.width, 1600);
    EXPECT_EQ(image.height, 900);
    double sum = 0, squares = 0;
    for (uint8_t v : image.rgb) {
        sum += v;
        squares += double(v) * v;
    }
    double mean = sum / double(image.rgb.size());
    double spread = std::sqrt(squares / double(image.rgb.size()) - mean * mean);
    EXPECT_GT(mean, 20.0);
    EXPECT_LT(mean, 235.0);
    EXPECT_GT(spread, 10.0);  // a photograph, not a flat fill
}

#ifdef ROADSIGHT_HAVE_LIBJPEG
namespace {

struct PixelDiff {
    double mean = 0;
    int max = 0;
};

PixelDiff pixel_diff(const RgbImage & a, const RgbImage & b) {
    PixelDiff d;
    double sum = 0;
    for (size_t i = 0; i < a.rgb.size(); ++i) {
        int e = std::abs(int(a.rgb[i]) - int(b.rgb[i]));
        sum += e;
        d.max = std::max(d.max, e);
    }
    d.mean = a.rgb.empty() ? 0 : sum / double(a.rgb.size());
    return d;
}


RgbImage libjpeg_decode(const std::vector<uint8_t> & jpeg) {
    jpeg_decompress_struct info;
    jpeg_error_mgr errors;
    info.err = jpeg_std_error(&errors);
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, jpeg.data(), static_cast<unsigned long>(jpeg.size()));
    jpeg_read_header(&info, TRUE);
    info.out_color_space = JCS_RGB;
    jpeg_start_decompress(&info);
    RgbImage image;
    image.width = int(info.output_width);
    image.height = int(info.output_height);
    image.rgb.resize(size_t(image.width) * image.height * 3);
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = image.rgb.data() + size_t(info.output_scanline) * image.width * 3;
        jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
    jpeg_destroy_decompress(&info);
    return image;
}

struct LibjpegOptions {
    bool gray = false;
    int luma_h = 2, luma_v = 2;
    unsigned restart_interval = 0;
    bool optimize = false;
    bool one_scan_per_component = false;
};

std::vector<uint8_t> libjpeg_encode(const std::vector<uint8_t> & rgb, int width, int height, LibjpegOptions o) {
    jpeg_compress_struct info;
    jpeg_error_mgr errors;
    info.err = jpeg_std_error(&errors);
    jpeg_create_compress(&info);
    unsigned char * buffer = nullptr;
    unsigned long size = 0;
    jpeg_mem_dest(&info, &buffer, &size);
    info.image_width = JDIMENSION(width);
    info.image_height = JDIMENSION(height);
    info.input_components = 3;
    info.in_color_space = JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, 85, TRUE);
    if (o.gray) jpeg_set_colorspace(&info, JCS_GRAYSCALE);
    info.comp_info[0].h_samp_factor = o.luma_h;
    info.comp_info[0].v_samp_factor = o.luma_v;
    info.restart_interval = o.restart_interval;
    info.optimize_coding = o.optimize ? TRUE : FALSE;
    jpeg_scan_info scans[3];
    if (o.one_scan_per_component) {
        for (int i = 0; i < 3; ++i) scans[i] = jpeg_scan_info{1, {i, 0, 0, 0}, 0, 63, 0, 0};
        info.scan_info = scans;
        info.num_scans = 3;
    }
    jpeg_start_compress(&info, TRUE);
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = const_cast<uint8_t *>(rgb.data()) + size_t(info.next_scanline) * width * 3;
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    std::vector<uint8_t> out(buffer, buffer + size);
    std::free(buffer);
    jpeg_destroy_compress(&info);
    return out;
}

}  // namespace

TEST(JpegCodec, MatchesLibjpegOnRealNuScenesImage) {
    std::string path = real_nuscenes_jpeg();
    if (path.empty()) {
        if (running_in_ci()) FAIL() << "no nuScenes CAM_FRONT JPEG under " << ROADSIGHT_SHARED_DIR;
        GTEST_SKIP() << "nuScenes sample not found under " << ROADSIGHT_SHARED_DIR;
    }
    FILE * file = std::fopen(path.c_str(), "rb");
    ASSERT_NE(file, nullptr);
    std::vector<uint8_t> jpeg;
    for (int c; (c = std::fgetc(file)) != EOF;) jpeg.push_back(uint8_t(c));
    std::fclose(file);
    RgbImage ours = decode(jpeg, path), theirs = libjpeg_decode(jpeg);
    ASSERT_EQ(ours.width, theirs.width);
    ASSERT_EQ(ours.height, theirs.height);
    PixelDiff d = pixel_diff(ours, theirs);
    std::printf("[ jpeg     ] real CAM_FRONT vs libjpeg: mean abs diff %.4f, max %d\n", d.mean, d.max);
    EXPECT_LT(d.mean, 1.5);
    EXPECT_LE(d.max, 6);
}

TEST(JpegCodec, MatchesLibjpegOnLibjpegStreams) {
    struct Case { const char * name; int w, h; LibjpegOptions o; };
    const Case cases[] = {
        {"4:2:0", 203, 117, {}},
        {"4:4:4", 203, 117, {false, 1, 1}},
        {"4:2:2", 203, 117, {false, 2, 1}},
        {"4:4:0", 203, 117, {false, 1, 2}},
        {"gray", 203, 117, {true, 1, 1}},
        {"4:2:0 DRI 7 optimised tables", 203, 117, {false, 2, 2, 7, true}},
        {"4:4:4 DRI 1", 61, 37, {false, 1, 1, 1}},
        {"4:2:0 one scan per component, DRI 5", 203, 117, {false, 2, 2, 5, false, true}},
        {"4:2:0 17x9", 17, 9, {}},
        {"4:4:0 5x33", 5, 33, {false, 1, 2}},
    };
    for (const Case & c : cases) {
        SCOPED_TRACE(c.name);
        std::vector<uint8_t> jpeg = libjpeg_encode(synthetic_image(c.w, c.h), c.w, c.h, c.o);
        RgbImage ours = decode(jpeg), theirs = libjpeg_decode(jpeg);
        ASSERT_EQ(ours.width, theirs.width);
        ASSERT_EQ(ours.height, theirs.height);
        PixelDiff d = pixel_diff(ours, theirs);
        EXPECT_LT(d.mean, 0.2);
        EXPECT_LE(d.max, 4);
    }
}

TEST(JpegCodec, LibjpegDecodesOurOutput) {
    std::vector<uint8_t> rgb = synthetic_image(321, 179);
    for (bool sub : {true, false}) {
        SCOPED_TRACE(sub ? "4:2:0" : "4:4:4");
        std::vector<uint8_t> jpeg = encode(rgb, 321, 179, 90, sub);
        RgbImage ours = decode(jpeg), theirs = libjpeg_decode(jpeg);
        ASSERT_EQ(theirs.width, 321);
        ASSERT_EQ(theirs.height, 179);
        EXPECT_GT(psnr(rgb, theirs.rgb), 30.0);
        PixelDiff d = pixel_diff(ours, theirs);
        EXPECT_LT(d.mean, 0.2);
        EXPECT_LE(d.max, 4);
    }
}
#else
TEST(JpegCodec, MatchesLibjpeg) {
    GTEST_SKIP() << "test built without libjpeg (ROADSIGHT_HAVE_LIBJPEG); link JPEG::JPEG to compare against it";
}
#endif

// Informational timing at the nuScenes camera size; never an assertion. Wall time (steady_clock)
// and process CPU time (std::clock) are both printed: on a shared machine the first inflates.
namespace {

struct Timing {
    double wall_ms = 1e9, cpu_ms = 1e9;
};

template <typename F>
Timing best_of_3(F && work) {
    Timing best;
    for (int i = 0; i < 3; ++i) {
        auto wall0 = std::chrono::steady_clock::now();
        std::clock_t cpu0 = std::clock();
        work();
        std::clock_t cpu1 = std::clock();
        auto wall1 = std::chrono::steady_clock::now();
        best.wall_ms = std::min(best.wall_ms, std::chrono::duration<double, std::milli>(wall1 - wall0).count());
        best.cpu_ms = std::min(best.cpu_ms, 1000.0 * double(cpu1 - cpu0) / CLOCKS_PER_SEC);
    }
    return best;
}

}  // namespace

TEST(JpegCodec, Benchmark1600x900) {
    const int width = 1600, height = 900;
    std::vector<uint8_t> rgb = synthetic_image(width, height);
    for (bool sub : {true, false}) {
        std::vector<uint8_t> jpeg;
        Timing enc = best_of_3([&] { jpeg = encode(rgb, width, height, 90, sub); });
        Timing dec = best_of_3([&] { decode(jpeg); });
        std::printf("[ jpeg     ] 1600x900 q90 %s (%zu bytes), best of 3: encode %.1f ms wall / %.1f ms cpu, "
                    "decode %.1f ms wall / %.1f ms cpu\n",
                    sub ? "4:2:0" : "4:4:4", jpeg.size(), enc.wall_ms, enc.cpu_ms, dec.wall_ms, dec.cpu_ms);
    }
    std::string path = real_nuscenes_jpeg();
    if (!path.empty()) {
        Timing read = best_of_3([&] { read_jpeg_file(path); });
        std::printf("[ jpeg     ] real CAM_FRONT read + decode, best of 3: %.1f ms wall / %.1f ms cpu\n",
                    read.wall_ms, read.cpu_ms);
    }
}
