#include "engine/jpeg_codec.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace rs {
namespace {

// ---------------------------------------------------------------------------------------------
// Tables shared by encoder and decoder

// kZigzag[k] is the row-major index of the k-th coefficient in zigzag order (T.81 figure A.6).
constexpr std::array<uint8_t, 64> make_zigzag() {
    std::array<uint8_t, 64> order{};
    int k = 0;
    for (int diagonal = 0; diagonal < 15; ++diagonal) {
        int lo = diagonal < 8 ? 0 : diagonal - 7, hi = diagonal < 8 ? diagonal : 7;
        for (int i = 0; i <= hi - lo; ++i) {
            // Odd diagonals run down-left, even ones up-right.
            int row = diagonal % 2 == 1 ? lo + i : hi - i;
            order[k++] = uint8_t(row * 8 + diagonal - row);
        }
    }
    return order;
}
constexpr std::array<uint8_t, 64> kZigzag = make_zigzag();

// AAN scale factors: the float DCTs below compute 8 * s[u] * s[v] * F(u, v) with s[0] = 1 and
// s[k] = sqrt(2) cos(k pi / 16); the factors are folded into the (de)quantisation tables.
float aan_scale(int natural_index) {
    static const std::array<float, 8> s = [] {
        std::array<float, 8> f{};
        f[0] = 1.0f;
        for (int k = 1; k < 8; ++k) f[size_t(k)] = float(std::sqrt(2.0) * std::cos(k * 3.14159265358979323846 / 16));
        return f;
    }();
    return s[size_t(natural_index / 8)] * s[size_t(natural_index % 8)];
}

// Annex K.1 quantisation tables, row-major.
constexpr uint8_t kLumaQuant[64] = {
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
    14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
    18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99};
constexpr uint8_t kChromaQuant[64] = {
    17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99,
    24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99};

// Annex K.3 Huffman tables: code counts per length 1..16, then symbols in code order.
constexpr uint8_t kDcLumaCounts[16] = {0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0};
constexpr uint8_t kDcChromaCounts[16] = {0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0};
constexpr uint8_t kDcSymbols[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
constexpr uint8_t kAcLumaCounts[16] = {0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d};
constexpr uint8_t kAcLumaSymbols[162] = {
    0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
    0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0,
    0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28,
    0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
    0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
    0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
    0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
    0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5,
    0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
    0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
    0xf9, 0xfa};
constexpr uint8_t kAcChromaCounts[16] = {0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77};
constexpr uint8_t kAcChromaSymbols[162] = {
    0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71,
    0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0,
    0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26,
    0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
    0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
    0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
    0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5,
    0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
    0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda,
    0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
    0xf9, 0xfa};

std::string hex_byte(int value) {
    char text[8];
    std::snprintf(text, sizeof text, "0x%02X", value & 0xFF);
    return text;
}

std::string marker_name(int code) {
    char text[8];
    std::snprintf(text, sizeof text, "0xFF%02X", code & 0xFF);
    return text;
}

// ---------------------------------------------------------------------------------------------
// Encoder

// Forward AAN DCT of 8 values spaced `stride` apart, in place (scaled as described at aan_scale).
inline void forward_dct_1d(float * p, int stride) {
    float t0 = p[0] + p[7 * stride], t7 = p[0] - p[7 * stride];
    float t1 = p[stride] + p[6 * stride], t6 = p[stride] - p[6 * stride];
    float t2 = p[2 * stride] + p[5 * stride], t5 = p[2 * stride] - p[5 * stride];
    float t3 = p[3 * stride] + p[4 * stride], t4 = p[3 * stride] - p[4 * stride];

    float e10 = t0 + t3, e13 = t0 - t3, e11 = t1 + t2, e12 = t1 - t2;
    p[0] = e10 + e11;
    p[4 * stride] = e10 - e11;
    float z1 = (e12 + e13) * 0.707106781f;
    p[2 * stride] = e13 + z1;
    p[6 * stride] = e13 - z1;

    float o10 = t4 + t5, o11 = t5 + t6, o12 = t6 + t7;
    float z5 = (o10 - o12) * 0.382683433f;
    float z2 = 0.541196100f * o10 + z5;
    float z4 = 1.306562965f * o12 + z5;
    float z3 = o11 * 0.707106781f;
    float z11 = t7 + z3, z13 = t7 - z3;
    p[5 * stride] = z13 + z2;
    p[3 * stride] = z13 - z2;
    p[stride] = z11 + z4;
    p[7 * stride] = z11 - z4;
}

struct EncodeTable {
    std::array<uint16_t, 256> code{};
    std::array<uint8_t, 256> length{};
};

// Canonical code assignment of T.81 Annex C.
EncodeTable make_encode_table(const uint8_t counts[16], const uint8_t * symbols) {
    EncodeTable table;
    int code = 0, k = 0;
    for (int length = 1; length <= 16; ++length) {
        for (int i = 0; i < counts[length - 1]; ++i, ++k) {
            table.code[symbols[k]] = uint16_t(code++);
            table.length[symbols[k]] = uint8_t(length);
        }
        code <<= 1;
    }
    return table;
}

class BitWriter {
public:
    explicit BitWriter(std::vector<uint8_t> & out) : out_(out) {}

    // `bits` holds exactly `count` (<= 16) significant bits.
    void put(uint32_t bits, int count) {
        acc_ = (acc_ << count) | bits;
        nbits_ += count;
        while (nbits_ >= 8) {
            nbits_ -= 8;
            uint8_t byte = uint8_t(acc_ >> nbits_);
            out_.push_back(byte);
            if (byte == 0xFF) out_.push_back(0x00);  // stuffed so that it does not read as a marker
        }
    }
    // Pads with 1 bits (T.81 F.1.2.3) to the byte boundary.
    void flush() {
        if (nbits_ > 0) put((1u << (8 - nbits_)) - 1, 8 - nbits_);
    }

private:
    std::vector<uint8_t> & out_;
    uint64_t acc_ = 0;
    int nbits_ = 0;
};

int bit_length(unsigned value) {
    int n = 0;
    while (value) {
        ++n;
        value >>= 1;
    }
    return n;
}

// Appends a magnitude category's extra bits: positive values as is, negative ones as value - 1.
inline void put_value(BitWriter & bits, int value, int category) {
    if (category > 0) bits.put(unsigned(value < 0 ? value - 1 : value) & ((1u << category) - 1), category);
}

struct EncodeComponent {
    std::vector<float> plane;  // level-shifted samples, padded to whole MCUs
    int stride = 0;
    std::array<float, 64> reciprocal{};  // zigzag order: 1 / (quantiser * AAN scale)
    const EncodeTable * dc = nullptr;
    const EncodeTable * ac = nullptr;
    int pred = 0;
};

void encode_block(BitWriter & bits, EncodeComponent & c, int x0, int y0) {
    float block[64];
    for (int r = 0; r < 8; ++r) std::memcpy(block + 8 * r, &c.plane[size_t(y0 + r) * c.stride + x0], 8 * sizeof(float));
    for (int r = 0; r < 8; ++r) forward_dct_1d(block + 8 * r, 1);
    for (int col = 0; col < 8; ++col) forward_dct_1d(block + col, 8);

    int q[64];
    for (int k = 0; k < 64; ++k) {
        // Magnitudes stay far below 16384, so the offset makes truncation round half up.
        q[k] = int(block[kZigzag[k]] * c.reciprocal[k] + 16384.5f) - 16384;
    }

    int diff = q[0] - c.pred;
    c.pred = q[0];
    int category = bit_length(unsigned(std::abs(diff)));
    bits.put(c.dc->code[category], c.dc->length[category]);
    put_value(bits, diff, category);

    int run = 0;
    for (int k = 1; k < 64; ++k) {
        if (q[k] == 0) {
            ++run;
            continue;
        }
        for (; run > 15; run -= 16) bits.put(c.ac->code[0xF0], c.ac->length[0xF0]);  // ZRL
        category = bit_length(unsigned(std::abs(q[k])));
        int symbol = (run << 4) | category;
        bits.put(c.ac->code[symbol], c.ac->length[symbol]);
        put_value(bits, q[k], category);
        run = 0;
    }
    if (run > 0) bits.put(c.ac->code[0x00], c.ac->length[0x00]);  // EOB
}

void put_u16(std::vector<uint8_t> & out, int value) {
    out.push_back(uint8_t(value >> 8));
    out.push_back(uint8_t(value));
}

void put_marker(std::vector<uint8_t> & out, uint8_t marker, int payload_length) {
    out.push_back(0xFF);
    out.push_back(marker);
    put_u16(out, payload_length + 2);
}

// IJG quality scaling of an Annex K table, kept to 8-bit baseline entries; row-major.
std::array<int, 64> scaled_quant(const uint8_t base[64], int quality) {
    int scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;
    std::array<int, 64> table{};
    for (int i = 0; i < 64; ++i) table[i] = std::clamp((base[i] * scale + 50) / 100, 1, 255);
    return table;
}

// ---------------------------------------------------------------------------------------------
// Decoder

constexpr int kFastBits = 9;

struct HuffTable {
    bool defined = false;
    std::array<uint16_t, 1 << kFastBits> fast{};  // (length << 8) | symbol; 0: longer code
    std::array<int32_t, 17> maxcode{};            // largest code of each length, -1 if none
    std::array<int32_t, 17> valoffset{};          // symbol index = code + valoffset[length]
    std::array<uint8_t, 256> symbols{};
};

struct QuantTable {
    bool defined = false;
    std::array<uint16_t, 64> values{};  // zigzag order
};

struct Component {
    int id = 0, h = 1, v = 1, tq = 0;
    int width = 0, height = 0;  // sample counts of this component (T.81 A.1.1)
    int stride = 0, rows = 0;   // plane size: whole MCUs
    std::vector<uint8_t> plane;
    std::array<float, 64> dequant{};  // zigzag order, IDCT scaling folded in
    int dc_table = 0, ac_table = 0;
    int pred = 0;
    bool decoded = false;
};

[[noreturn]] void fail(const std::string & source, const std::string & what) {
    throw JpegError(source + ": " + what);
}

// Reads entropy-coded data (T.81 F.2.2.5): removes stuffed zero bytes, stops in front of a marker
// and then supplies zero bits, but refuses to let any of those invented bits be consumed.
class BitReader {
public:
    BitReader(const uint8_t * data, size_t size, size_t pos, const std::string & source)
        : data_(data), size_(size), pos_(pos), source_(source) {}

    // Guarantees 32 buffered bits: a Huffman code (<= 16) plus its extra bits (<= 11).
    void ensure() {
        if (nbits_ < 32) refill();
    }

    int decode(const HuffTable & t) {
        uint16_t entry = t.fast[acc_ >> (64 - kFastBits)];
        if (entry) {
            consume(entry >> 8);
            return entry & 0xFF;
        }
        for (int length = kFastBits + 1; length <= 16; ++length) {
            int32_t code = int32_t(acc_ >> (64 - length));
            if (code <= t.maxcode[length]) {
                consume(length);
                return t.symbols[code + t.valoffset[length]];
            }
        }
        fail(source_, "corrupt data: invalid Huffman code");
    }

    // Reads `count` (1..16) bits and sign-extends them as T.81 F.2.2.1 EXTEND does.
    int receive_extend(int count) {
        int value = int(acc_ >> (64 - count));
        consume(count);
        return value < (1 << (count - 1)) ? value - (1 << count) + 1 : value;
    }

    // Drops the padding bits of an interval (fewer than 8) and steps over the expected RSTn.
    void restart(int index) {
        const std::string rst = "RST" + std::to_string(index & 7);
        size_t p = pos_;
        if (nbits_ - fake_bits_ >= 8 || (p < size_ && data_[p] != 0xFF))
            fail(source_, "corrupt data: restart interval longer than its MCUs (" + rst + " expected)");
        while (p < size_ && data_[p] == 0xFF) ++p;
        if (p >= size_) fail(source_, "truncated: data ends inside a restart interval");
        if (data_[p] != 0xD0 + (index & 7))
            fail(source_, "expected restart marker " + rst + ", found " + marker_name(data_[p]));
        pos_ = p + 1;
        acc_ = 0;
        nbits_ = fake_bits_ = 0;
        at_marker_ = false;
    }

    // Where marker parsing resumes after the scan: the next marker, skipping any leftover bytes.
    size_t end_position() const {
        for (size_t p = pos_; p + 1 < size_; ++p) {
            if (data_[p] == 0xFF && data_[p + 1] != 0x00) return p;
        }
        return size_;
    }

private:
    void refill() {
        while (nbits_ <= 56) {
            uint64_t byte = 0;
            if (!at_marker_ && pos_ < size_ && data_[pos_] != 0xFF) {
                byte = data_[pos_++];
            } else if (!at_marker_ && pos_ + 1 < size_ && data_[pos_] == 0xFF && data_[pos_ + 1] == 0x00) {
                byte = 0xFF;
                pos_ += 2;
            } else {
                at_marker_ = true;  // a marker or the end of the data: invent zero bits
                fake_bits_ += 8;
            }
            acc_ |= byte << (56 - nbits_);
            nbits_ += 8;
        }
    }

    void consume(int count) {
        acc_ <<= count;
        nbits_ -= count;
        if (nbits_ < fake_bits_) fail(source_, "truncated: entropy-coded data ends too early");
    }

    const uint8_t * data_;
    size_t size_;
    size_t pos_;
    const std::string & source_;
    uint64_t acc_ = 0;  // next bit is the most significant
    int nbits_ = 0;
    int fake_bits_ = 0;  // invented zero bits at the bottom of acc_
    bool at_marker_ = false;
};

// Inverse AAN DCT of 8 values spaced `stride` apart, in place; input is prescaled by dequant.
inline void inverse_dct_1d(float * p, int stride) {
    float x0 = p[0], x1 = p[stride], x2 = p[2 * stride], x3 = p[3 * stride];
    float x4 = p[4 * stride], x5 = p[5 * stride], x6 = p[6 * stride], x7 = p[7 * stride];

    float t0 = x0 + x4, t1 = x0 - x4;
    float t3 = x2 + x6, t2 = (x2 - x6) * 1.414213562f - t3;
    float e0 = t0 + t3, e3 = t0 - t3, e1 = t1 + t2, e2 = t1 - t2;

    float z13 = x5 + x3, z10 = x5 - x3, z11 = x1 + x7, z12 = x1 - x7;
    float o7 = z11 + z13;
    float t11 = (z11 - z13) * 1.414213562f;
    float z5 = (z10 + z12) * 1.847759065f;
    float t10 = z5 - z12 * 1.082392200f;
    float t12 = z5 - z10 * 2.613125930f;
    float o6 = t12 - o7, o5 = t11 - o6, o4 = t10 - o5;

    p[0] = e0 + o7;
    p[7 * stride] = e0 - o7;
    p[stride] = e1 + o6;
    p[6 * stride] = e1 - o6;
    p[2 * stride] = e2 + o5;
    p[5 * stride] = e2 - o5;
    p[3 * stride] = e3 + o4;
    p[4 * stride] = e3 - o4;
}

inline uint8_t to_sample(float level_shifted) {
    float v = level_shifted + 128.5f;  // truncation below then rounds half up
    return uint8_t(v < 0.0f ? 0.0f : (v > 255.0f ? 255.0f : v));
}

void inverse_dct_store(float * block, uint8_t * out, int stride) {
    for (int col = 0; col < 8; ++col) {
        float * c = block + col;
        // Most columns of natural images carry only their DC term.
        if (c[8] == 0 && c[16] == 0 && c[24] == 0 && c[32] == 0 && c[40] == 0 && c[48] == 0 && c[56] == 0) {
            for (int r = 1; r < 8; ++r) c[8 * r] = c[0];
        } else {
            inverse_dct_1d(c, 8);
        }
    }
    for (int r = 0; r < 8; ++r) {
        float * row = block + 8 * r;
        inverse_dct_1d(row, 1);
        uint8_t * o = out + size_t(r) * stride;
        for (int i = 0; i < 8; ++i) o[i] = to_sample(row[i]);
    }
}

// JFIF YCbCr -> RGB, tabulated per chroma sample: red and blue offsets rounded, green in 16.16 fixed point.
struct ColorTables {
    int cr_r[256], cb_b[256], cb_g[256], cr_g[256];
    static constexpr int kGreenBias = 256;  // keeps the green sum positive for the shift
    ColorTables() {
        for (int i = 0; i < 256; ++i) {
            int c = i - 128;
            cr_r[i] = int(std::floor(1.40200 * c + 0.5));
            cb_b[i] = int(std::floor(1.77200 * c + 0.5));
            cb_g[i] = -int(std::lround(0.34414 * 65536)) * c + (kGreenBias << 16) + (1 << 15);
            cr_g[i] = -int(std::lround(0.71414 * 65536)) * c;
        }
    }
};

inline uint8_t clamp_byte(int v) { return uint8_t(v < 0 ? 0 : (v > 255 ? 255 : v)); }

class Decoder {
public:
    Decoder(const uint8_t * data, size_t size, const std::string & source)
        : data_(data), size_(size), source_(source) {}

    RgbImage run() {
        if (data_ == nullptr || size_ < 2 || data_[0] != 0xFF || data_[1] != 0xD8)
            fail(source_, "not a JPEG file (no SOI marker)");
        size_t pos = 2;
        for (;;) {
            if (pos >= size_) fail(source_, "truncated: data ends before the EOI marker");
            if (data_[pos] != 0xFF)
                fail(source_, "bad marker: expected 0xFF at offset " + std::to_string(pos) + ", found " +
                                  hex_byte(data_[pos]));
            while (pos < size_ && data_[pos] == 0xFF) ++pos;  // fill bytes (B.1.1.2)
            if (pos >= size_) fail(source_, "truncated: data ends before the EOI marker");
            int marker = data_[pos++];
            if (marker == 0xD9) break;
            // RSTn outside a scan and TEM carry nothing.
            if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) continue;
            if (marker == 0x00 || marker == 0xD8)
                fail(source_, "bad marker " + marker_name(marker) + " at offset " + std::to_string(pos - 2));
            if (pos + 2 > size_) fail(source_, "truncated: marker segment length missing");
            size_t length = read_u16(pos);
            if (length < 2) fail(source_, "bad length in marker segment " + marker_name(marker));
            if (pos + length > size_) fail(source_, "truncated: marker segment " + marker_name(marker) +
                                                         " runs past the end of the data");
            size_t body = pos + 2, end = pos + length;
            pos = end;
            switch (marker) {
            case 0xC0: case 0xC1: read_frame(body, end); break;
            case 0xC2: fail(source_, "progressive JPEG (SOF2) is not supported");
            case 0xC3: fail(source_, "lossless JPEG (SOF3) is not supported");
            case 0xC5: case 0xC6: case 0xC7: case 0xDE: case 0xDF:
                fail(source_, "hierarchical JPEG is not supported");
            case 0xC9: case 0xCA: case 0xCB: case 0xCC: case 0xCD: case 0xCE: case 0xCF:
                fail(source_, "arithmetic-coded JPEG is not supported");
            case 0xC4: read_huffman_tables(body, end); break;
            case 0xDB: read_quant_tables(body, end); break;
            case 0xDD:
                if (length != 4) fail(source_, "bad DRI segment length");
                restart_interval_ = read_u16(body);
                break;
            case 0xDA: pos = read_scan(body, end); break;
            case 0xEE: read_adobe(body, end); break;
            default:
                if ((marker >= 0xE0 && marker <= 0xEF) || marker == 0xFE) break;  // APPn, COM
                fail(source_, "unsupported or misplaced marker " + marker_name(marker));
            }
        }
        if (components_.empty()) fail(source_, "no frame header (SOF) before EOI");
        for (const Component & c : components_) {
            if (!c.decoded) fail(source_, "truncated: no scan for component " + std::to_string(c.id));
        }
        return to_rgb();
    }

private:
    size_t read_u16(size_t at) const { return size_t(data_[at]) << 8 | data_[at + 1]; }

    void read_frame(size_t body, size_t end) {
        if (!components_.empty()) fail(source_, "more than one frame header (SOF)");
        if (end - body < 6) fail(source_, "SOF segment too short");
        int precision = data_[body];
        if (precision != 8) fail(source_, std::to_string(precision) + "-bit samples are not supported (only 8-bit)");
        height_ = int(read_u16(body + 1));
        width_ = int(read_u16(body + 3));
        int count = data_[body + 5];
        if (height_ == 0) fail(source_, "image height 0 (height given by DNL) is not supported");
        if (width_ == 0) fail(source_, "image width is 0");
        if (width_ > kJpegMaxDimension || height_ > kJpegMaxDimension || int64_t(width_) * height_ > kJpegMaxPixels)
            fail(source_, "image " + std::to_string(width_) + "x" + std::to_string(height_) +
                              " exceeds the decoder's size limit");
        if (count != 1 && count != 3)
            fail(source_, std::to_string(count) + " components are not supported (only 1 or 3)");
        if (end - body != size_t(6 + 3 * count)) fail(source_, "SOF segment length does not match its component count");
        components_.resize(size_t(count));
        for (int i = 0; i < count; ++i) {
            Component & c = components_[size_t(i)];
            const uint8_t * p = data_ + body + 6 + 3 * i;
            c.id = p[0];
            c.h = p[1] >> 4;
            c.v = p[1] & 15;
            c.tq = p[2];
            if (c.h < 1 || c.h > 2 || c.v < 1 || c.v > 2)
                fail(source_, "sampling factors " + std::to_string(c.h) + "x" + std::to_string(c.v) +
                                  " are not supported (only 1 or 2)");
            if (c.tq > 3) fail(source_, "bad quantisation table index in SOF");
            for (int j = 0; j < i; ++j) {
                if (components_[size_t(j)].id == c.id) fail(source_, "duplicate component id in SOF");
            }
            hmax_ = std::max(hmax_, c.h);
            vmax_ = std::max(vmax_, c.v);
        }
        mcus_x_ = (width_ + 8 * hmax_ - 1) / (8 * hmax_);
        mcus_y_ = (height_ + 8 * vmax_ - 1) / (8 * vmax_);
        for (Component & c : components_) {
            c.width = (width_ * c.h + hmax_ - 1) / hmax_;
            c.height = (height_ * c.v + vmax_ - 1) / vmax_;
            c.stride = mcus_x_ * c.h * 8;
            c.rows = mcus_y_ * c.v * 8;
        }
    }

    void read_quant_tables(size_t p, size_t end) {
        while (p < end) {
            int precision = data_[p] >> 4, index = data_[p] & 15;
            ++p;
            if (precision > 1 || index > 3) fail(source_, "bad DQT table header " + hex_byte(data_[p - 1]));
            size_t need = precision ? 128 : 64;
            if (end - p < need) fail(source_, "DQT segment too short");
            QuantTable & t = quant_[size_t(index)];
            for (int k = 0; k < 64; ++k) t.values[size_t(k)] = uint16_t(precision ? read_u16(p + 2 * k) : data_[p + k]);
            t.defined = true;
            p += need;
        }
    }

    void read_huffman_tables(size_t p, size_t end) {
        while (p < end) {
            if (end - p < 17) fail(source_, "DHT segment too short");
            int table_class = data_[p] >> 4, index = data_[p] & 15;
            if (table_class > 1 || index > 3) fail(source_, "bad DHT table header " + hex_byte(data_[p]));
            const uint8_t * counts = data_ + p + 1;
            size_t total = 0;
            for (int i = 0; i < 16; ++i) total += counts[i];
            if (total > 256 || end - p - 17 < total) fail(source_, "bad Huffman table: symbol count exceeds segment");
            build_huffman(table_class ? ac_[size_t(index)] : dc_[size_t(index)], counts, data_ + p + 17);
            p += 17 + total;
        }
    }

    void build_huffman(HuffTable & t, const uint8_t counts[16], const uint8_t * symbols) {
        t.fast.fill(0);
        int code = 0, k = 0;
        for (int length = 1; length <= 16; ++length) {
            t.valoffset[size_t(length)] = k - code;
            for (int i = 0; i < counts[length - 1]; ++i, ++code, ++k) {
                if (code >= (1 << length))
                    fail(source_, "bad Huffman table: too many codes of length " + std::to_string(length));
                t.symbols[size_t(k)] = symbols[k];
                if (length <= kFastBits) {
                    int shift = kFastBits - length;
                    for (int j = 0; j < (1 << shift); ++j)
                        t.fast[size_t((code << shift) | j)] = uint16_t(length << 8 | symbols[k]);
                }
            }
            t.maxcode[size_t(length)] = counts[length - 1] ? code - 1 : -1;
            code <<= 1;
        }
        t.defined = true;
    }

    void read_adobe(size_t body, size_t end) {
        if (end - body >= 12 && std::memcmp(data_ + body, "Adobe", 5) == 0) adobe_transform_ = data_[body + 11];
    }

    // Parses SOS and decodes its entropy-coded data; returns where marker parsing resumes.
    size_t read_scan(size_t body, size_t end) {
        if (components_.empty()) fail(source_, "scan (SOS) before the frame header (SOF)");
        if (end == body) fail(source_, "bad SOS segment");
        int count = data_[body];
        if (count < 1 || count > int(components_.size()) || end - body != size_t(4 + 2 * count))
            fail(source_, "bad SOS segment");
        std::vector<Component *> scan;
        int blocks_per_mcu = 0;
        int64_t min_blocks = 0;
        for (int i = 0; i < count; ++i) {
            int id = data_[body + 1 + 2 * i], tables = data_[body + 2 + 2 * i];
            auto it = std::find_if(components_.begin(), components_.end(),
                                   [&](const Component & c) { return c.id == id; });
            if (it == components_.end()) fail(source_, "scan refers to unknown component " + std::to_string(id));
            if (it->decoded || std::find(scan.begin(), scan.end(), &*it) != scan.end())
                fail(source_, "component " + std::to_string(id) + " appears in more than one scan");
            it->dc_table = tables >> 4;
            it->ac_table = tables & 15;
            if (it->dc_table > 3 || !dc_[size_t(it->dc_table)].defined || it->ac_table > 3 ||
                !ac_[size_t(it->ac_table)].defined)
                fail(source_, "scan uses an undefined Huffman table");
            const QuantTable & q = quant_[size_t(it->tq)];
            if (!q.defined) fail(source_, "component " + std::to_string(id) + " uses an undefined quantisation table");
            for (int k = 0; k < 64; ++k)
                it->dequant[size_t(k)] = q.values[size_t(k)] * aan_scale(kZigzag[size_t(k)]) / 8.0f;
            blocks_per_mcu += it->h * it->v;
            min_blocks += int64_t((it->width + 7) / 8) * ((it->height + 7) / 8);
            scan.push_back(&*it);
        }
        size_t ss = body + 1 + 2 * size_t(count);
        if (data_[ss] != 0 || data_[ss + 1] != 63 || data_[ss + 2] != 0)
            fail(source_, "scan is not baseline sequential (Ss/Se/Ah/Al; progressive data?)");
        if (count > 1 && blocks_per_mcu > 10) fail(source_, "too many blocks per MCU");
        // Every block costs at least 2 bits, so short data cannot make us allocate a huge image.
        if (min_blocks > 4 * int64_t(size_ - end) + 4)
            fail(source_, "truncated: too little data for a " + std::to_string(width_) + "x" +
                              std::to_string(height_) + " image");
        for (Component * c : scan) {
            c->plane.assign(size_t(c->stride) * size_t(c->rows), 0);
            c->pred = 0;
        }

        BitReader bits(data_, size_, end, source_);
        int mcus_x = count == 1 ? (scan[0]->width + 7) / 8 : mcus_x_;
        int mcus_y = count == 1 ? (scan[0]->height + 7) / 8 : mcus_y_;
        int total = mcus_x * mcus_y, restarts = 0;
        for (int m = 0; m < total; ++m) {
            if (restart_interval_ > 0 && m > 0 && m % restart_interval_ == 0) {
                bits.restart(restarts++);
                for (Component * c : scan) c->pred = 0;
            }
            int mx = m % mcus_x, my = m / mcus_x;
            if (count == 1) {
                decode_block(bits, *scan[0], mx, my);
                continue;
            }
            for (Component * c : scan) {
                for (int v = 0; v < c->v; ++v) {
                    for (int h = 0; h < c->h; ++h) decode_block(bits, *c, mx * c->h + h, my * c->v + v);
                }
            }
        }
        for (Component * c : scan) c->decoded = true;
        return bits.end_position();
    }

    void decode_block(BitReader & bits, Component & c, int bx, int by) {
        float block[64] = {};
        bits.ensure();
        int category = bits.decode(dc_[size_t(c.dc_table)]);
        if (category > 11) fail(source_, "corrupt data: bad DC difference category " + std::to_string(category));
        if (category > 0) c.pred += bits.receive_extend(category);
        if (c.pred < -2048 || c.pred > 2047) fail(source_, "corrupt data: DC coefficient out of range");
        block[0] = float(c.pred) * c.dequant[0];

        const HuffTable & ac = ac_[size_t(c.ac_table)];
        bool dc_only = true;
        for (int k = 1; k < 64;) {
            bits.ensure();
            int symbol = bits.decode(ac);
            int run = symbol >> 4, size = symbol & 15;
            if (size == 0) {
                if (run != 15) break;  // EOB
                k += 16;               // ZRL
                continue;
            }
            k += run;
            if (k > 63) fail(source_, "corrupt data: AC coefficient index past 63");
            if (size > 10) fail(source_, "corrupt data: bad AC coefficient size " + std::to_string(size));
            block[kZigzag[size_t(k)]] = float(bits.receive_extend(size)) * c.dequant[size_t(k)];
            dc_only = false;
            ++k;
        }

        uint8_t * out = c.plane.data() + size_t(by) * 8 * size_t(c.stride) + size_t(bx) * 8;
        if (dc_only) {
            uint8_t value = to_sample(block[0]);
            for (int r = 0; r < 8; ++r) std::memset(out + size_t(r) * c.stride, value, 8);
        } else {
            inverse_dct_store(block, out, c.stride);
        }
    }

    // One row of component `c` at full image resolution, upsampled with libjpeg's default
    // triangle filter: each output is 3/4 of the nearer and 1/4 of the further sample per axis.
    const uint8_t * upsampled_row(const Component & c, int y, uint8_t * out, int * colsum) const {
        int rx = hmax_ / c.h, ry = vmax_ / c.v;
        if (ry == 1) {
            const uint8_t * row = c.plane.data() + size_t(y) * c.stride;
            if (rx == 1) return row;
            for (int i = 0; i < c.width; ++i) {
                int near3 = 3 * row[i];
                out[2 * i] = uint8_t((near3 + row[std::max(i - 1, 0)] + 1) >> 2);
                if (2 * i + 1 < width_) out[2 * i + 1] = uint8_t((near3 + row[std::min(i + 1, c.width - 1)] + 2) >> 2);
            }
            return out;
        }
        int near = y / 2, far = y % 2 ? std::min(near + 1, c.height - 1) : std::max(near - 1, 0);
        const uint8_t * a = c.plane.data() + size_t(near) * c.stride;
        const uint8_t * b = c.plane.data() + size_t(far) * c.stride;
        for (int i = 0; i < c.width; ++i) colsum[i] = 3 * a[i] + b[i];
        if (rx == 1) {
            int bias = y % 2 ? 2 : 1;
            for (int i = 0; i < c.width; ++i) out[i] = uint8_t((colsum[i] + bias) >> 2);
            return out;
        }
        for (int i = 0; i < c.width; ++i) {
            int near3 = 3 * colsum[i];
            out[2 * i] = uint8_t((near3 + colsum[std::max(i - 1, 0)] + 8) >> 4);
            if (2 * i + 1 < width_) out[2 * i + 1] = uint8_t((near3 + colsum[std::min(i + 1, c.width - 1)] + 7) >> 4);
        }
        return out;
    }

    RgbImage to_rgb() const {
        RgbImage image;
        image.width = width_;
        image.height = height_;
        image.rgb.resize(size_t(width_) * size_t(height_) * 3);
        std::vector<uint8_t> rows(size_t(width_ + 1) * 3);
        std::vector<int> colsum(size_t(width_ + 1));
        bool gray = components_.size() == 1;
        bool rgb = !gray && (adobe_transform_ == 0 || (components_[0].id == 'R' && components_[1].id == 'G' &&
                                                        components_[2].id == 'B'));
        static const ColorTables tables;
        for (int y = 0; y < height_; ++y) {
            uint8_t * out = image.rgb.data() + size_t(y) * width_ * 3;
            const uint8_t * p0 = upsampled_row(components_[0], y, rows.data(), colsum.data());
            if (gray) {
                for (int x = 0; x < width_; ++x) out[3 * x] = out[3 * x + 1] = out[3 * x + 2] = p0[x];
                continue;
            }
            const uint8_t * p1 = upsampled_row(components_[1], y, rows.data() + width_ + 1, colsum.data());
            const uint8_t * p2 = upsampled_row(components_[2], y, rows.data() + 2 * (width_ + 1), colsum.data());
            if (rgb) {
                for (int x = 0; x < width_; ++x) {
                    out[3 * x] = p0[x];
                    out[3 * x + 1] = p1[x];
                    out[3 * x + 2] = p2[x];
                }
                continue;
            }
            for (int x = 0; x < width_; ++x) {
                int luma = p0[x], cb = p1[x], cr = p2[x];
                out[3 * x] = clamp_byte(luma + tables.cr_r[cr]);
                int green = ((tables.cb_g[cb] + tables.cr_g[cr]) >> 16) - ColorTables::kGreenBias;
                out[3 * x + 1] = clamp_byte(luma + green);
                out[3 * x + 2] = clamp_byte(luma + tables.cb_b[cb]);
            }
        }
        return image;
    }

    const uint8_t * data_;
    size_t size_;
    const std::string & source_;
    std::array<QuantTable, 4> quant_;
    std::array<HuffTable, 4> dc_, ac_;
    std::vector<Component> components_;
    int width_ = 0, height_ = 0, hmax_ = 1, vmax_ = 1, mcus_x_ = 0, mcus_y_ = 0;
    int restart_interval_ = 0;
    int adobe_transform_ = -1;
};

}  // namespace

std::vector<uint8_t> encode_jpeg(const uint8_t * rgb, int width, int height, int quality, bool subsample_420) {
    const std::string source = "encode_jpeg";
    if (rgb == nullptr) fail(source, "no pixel data");
    if (width < 1 || height < 1 || width > kJpegMaxDimension || height > kJpegMaxDimension ||
        int64_t(width) * height > kJpegMaxPixels)
        fail(source, "unsupported image size " + std::to_string(width) + "x" + std::to_string(height));
    if (quality < 1 || quality > 100) fail(source, "quality " + std::to_string(quality) + " outside 1..100");

    const int mcu = subsample_420 ? 16 : 8;
    const int padded_w = (width + mcu - 1) / mcu * mcu, padded_h = (height + mcu - 1) / mcu * mcu;
    const int chroma_w = subsample_420 ? padded_w / 2 : padded_w, chroma_h = subsample_420 ? padded_h / 2 : padded_h;

    static const EncodeTable dc_luma = make_encode_table(kDcLumaCounts, kDcSymbols);
    static const EncodeTable dc_chroma = make_encode_table(kDcChromaCounts, kDcSymbols);
    static const EncodeTable ac_luma = make_encode_table(kAcLumaCounts, kAcLumaSymbols);
    static const EncodeTable ac_chroma = make_encode_table(kAcChromaCounts, kAcChromaSymbols);
    const std::array<int, 64> luma_q = scaled_quant(kLumaQuant, quality);
    const std::array<int, 64> chroma_q = scaled_quant(kChromaQuant, quality);

    EncodeComponent comp[3];
    comp[0].stride = padded_w;
    comp[0].plane.resize(size_t(padded_w) * padded_h);
    for (int i = 1; i < 3; ++i) {
        comp[i].stride = chroma_w;
        comp[i].plane.resize(size_t(chroma_w) * chroma_h);
    }
    for (int k = 0; k < 64; ++k) {
        int n = kZigzag[size_t(k)];
        comp[0].reciprocal[size_t(k)] = 1.0f / (float(luma_q[size_t(n)]) * aan_scale(n) * 8.0f);
        comp[1].reciprocal[size_t(k)] = 1.0f / (float(chroma_q[size_t(n)]) * aan_scale(n) * 8.0f);
        comp[2].reciprocal[size_t(k)] = comp[1].reciprocal[size_t(k)];
    }
    comp[0].dc = &dc_luma;
    comp[0].ac = &ac_luma;
    comp[1].dc = comp[2].dc = &dc_chroma;
    comp[1].ac = comp[2].ac = &ac_chroma;

    // JFIF RGB -> YCbCr, level shifted by -128; the padding repeats the last row and column.
    // Chroma is linear in RGB, so 4:2:0 simply accumulates each 2x2 cell with weight 1/4.
    const int step = subsample_420 ? 2 : 1;
    const float weight = subsample_420 ? 0.25f : 1.0f;
    for (int y = 0; y < padded_h; ++y) {
        const uint8_t * row = rgb + size_t(std::min(y, height - 1)) * width * 3;
        float * luma = &comp[0].plane[size_t(y) * padded_w];
        float * cb = &comp[1].plane[size_t(y / step) * chroma_w];
        float * cr = &comp[2].plane[size_t(y / step) * chroma_w];
        for (int x = 0; x < padded_w; ++x) {
            const uint8_t * p = row + 3 * size_t(std::min(x, width - 1));
            float r = p[0], g = p[1], b = p[2];
            luma[x] = 0.299f * r + 0.587f * g + 0.114f * b - 128.0f;
            cb[x / step] += weight * (-0.168736f * r - 0.331264f * g + 0.5f * b);
            cr[x / step] += weight * (0.5f * r - 0.418688f * g - 0.081312f * b);
        }
    }

    std::vector<uint8_t> out;
    out.reserve(size_t(width) * height / 4 + 1024);
    out.push_back(0xFF);
    out.push_back(0xD8);  // SOI
    put_marker(out, 0xE0, 14);  // APP0 JFIF 1.01, no units, 1:1 aspect, no thumbnail
    for (uint8_t b : {'J', 'F', 'I', 'F', '\0', '\1', '\1', '\0', '\0', '\1', '\0', '\1', '\0', '\0'}) out.push_back(b);
    put_marker(out, 0xDB, 2 * 65);  // DQT
    for (int t = 0; t < 2; ++t) {
        out.push_back(uint8_t(t));
        for (int k = 0; k < 64; ++k) out.push_back(uint8_t((t ? chroma_q : luma_q)[kZigzag[size_t(k)]]));
    }
    put_marker(out, 0xC0, 6 + 3 * 3);  // SOF0
    out.push_back(8);
    put_u16(out, height);
    put_u16(out, width);
    out.push_back(3);
    const uint8_t luma_sampling = subsample_420 ? 0x22 : 0x11;
    for (uint8_t b : {uint8_t(1), luma_sampling, uint8_t(0), uint8_t(2), uint8_t(0x11), uint8_t(1), uint8_t(3),
                      uint8_t(0x11), uint8_t(1)})
        out.push_back(b);
    struct { uint8_t header; const uint8_t * counts; const uint8_t * symbols; int n; } dht[4] = {
        {0x00, kDcLumaCounts, kDcSymbols, 12}, {0x10, kAcLumaCounts, kAcLumaSymbols, 162},
        {0x01, kDcChromaCounts, kDcSymbols, 12}, {0x11, kAcChromaCounts, kAcChromaSymbols, 162}};
    put_marker(out, 0xC4, 4 * 17 + 2 * 12 + 2 * 162);  // DHT
    for (const auto & t : dht) {
        out.push_back(t.header);
        out.insert(out.end(), t.counts, t.counts + 16);
        out.insert(out.end(), t.symbols, t.symbols + t.n);
    }
    put_marker(out, 0xDA, 1 + 2 * 3 + 3);  // SOS: all three components interleaved
    for (uint8_t b : {3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0}) out.push_back(b);

    BitWriter bits(out);
    for (int my = 0; my < padded_h / mcu; ++my) {
        for (int mx = 0; mx < padded_w / mcu; ++mx) {
            if (subsample_420) {
                for (int b = 0; b < 4; ++b) encode_block(bits, comp[0], mx * 16 + (b & 1) * 8, my * 16 + (b >> 1) * 8);
            } else {
                encode_block(bits, comp[0], mx * 8, my * 8);
            }
            encode_block(bits, comp[1], mx * 8, my * 8);
            encode_block(bits, comp[2], mx * 8, my * 8);
        }
    }
    bits.flush();
    out.push_back(0xFF);
    out.push_back(0xD9);  // EOI
    return out;
}

RgbImage decode_jpeg(const uint8_t * data, size_t size, const std::string & source_name) {
    return Decoder(data, size, source_name).run();
}

void write_jpeg_file(const std::string & path, const uint8_t * rgb, int width, int height, int quality,
                     bool subsample_420) {
    std::vector<uint8_t> bytes = encode_jpeg(rgb, width, height, quality, subsample_420);
    const std::string tmp = path + ".tmp";
    {
        std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
        file.write(reinterpret_cast<const char *>(bytes.data()), std::streamsize(bytes.size()));
        file.close();
        if (!file) {
            std::remove(tmp.c_str());
            fail(path, "cannot write " + tmp);
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::string reason = std::strerror(errno);
        std::remove(tmp.c_str());
        fail(path, "cannot rename " + tmp + ": " + reason);
    }
}

RgbImage read_jpeg_file(const std::string & path) {
    std::ifstream file(path, std::ios::binary | std::ios::ate);
    if (!file) fail(path, "cannot open file");
    std::streamoff size = file.tellg();
    if (size < 0) fail(path, "cannot determine the file size");
    std::vector<uint8_t> bytes(static_cast<size_t>(size));
    file.seekg(0);
    if (!file.read(reinterpret_cast<char *>(bytes.data()), size)) fail(path, "read error");
    return decode_jpeg(bytes.data(), bytes.size(), path);
}

}  // namespace rs
