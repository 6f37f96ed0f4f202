#include "engine/inflate.h"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

namespace rs {

namespace {

[[noreturn]] void fail(const std::string & what) { throw std::runtime_error("zlib stream: " + what); }

class BitReader {
public:
    BitReader(const uint8_t * data, size_t size) : data_(data), size_(size) {}

    // DEFLATE packs values least significant bit first.
    uint32_t bits(int n) {
        while (count_ < n) {
            if (pos_ >= size_) fail("truncated");
            buffer_ |= uint32_t(data_[pos_++]) << count_;
            count_ += 8;
        }
        const uint32_t v = buffer_ & ((1u << n) - 1);
        buffer_ >>= n;
        count_ -= n;
        return v;
    }
    // Drops the bits left in the current byte (stored blocks and the trailer start on a byte).
    void align() { buffer_ = 0; count_ = 0; }
    size_t position() const { return pos_; }
    void skip(size_t n) { pos_ += n; }
    const uint8_t * data() const { return data_; }
    size_t size() const { return size_; }

private:
    const uint8_t * data_;
    size_t size_, pos_ = 0;
    uint32_t buffer_ = 0;
    int count_ = 0;  // < 8 between calls, so align() never drops a whole byte
};

constexpr int kMaxBits = 15;

// A canonical Huffman code as counts per length and symbols in code order; decoded one bit at a
// time (codes are sent most significant bit first).
struct Huffman {
    std::array<uint16_t, kMaxBits + 1> count{};
    std::vector<uint16_t> symbol;

    // `lengths` of 0 mean unused. Over-subscribed sets are errors; incomplete ones are allowed
    // (a single distance code is legal) and fail only if an unassigned code turns up.
    Huffman(const uint8_t * lengths, int n, const char * what) : symbol(size_t(n)) {
        for (int s = 0; s < n; ++s) ++count[lengths[s]];
        int left = 1;
        for (int len = 1; len <= kMaxBits; ++len) {
            left = (left << 1) - count[len];
            if (left < 0) fail(std::string("over-subscribed ") + what + " code");
        }
        std::array<uint16_t, kMaxBits + 2> offset{};
        for (int len = 1; len <= kMaxBits; ++len) offset[len + 1] = uint16_t(offset[len] + count[len]);
        for (int s = 0; s < n; ++s)
            if (lengths[s]) symbol[offset[lengths[s]]++] = uint16_t(s);
    }

    int decode(BitReader & in) const {
        int code = 0, first = 0, index = 0;
        for (int len = 1; len <= kMaxBits; ++len) {
            code |= int(in.bits(1));
            const int n = count[len];
            if (code - first < n) return symbol[size_t(index + code - first)];
            index += n;
            first = (first + n) << 1;
            code <<= 1;
        }
        fail("invalid Huffman code");
    }
};

constexpr uint16_t kLengthBase[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                      31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr uint8_t kLengthExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr uint16_t kDistBase[30] = {1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
                                    193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
constexpr uint8_t kDistExtra[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

class Inflater {
public:
    Inflater(BitReader & in, size_t max_output) : in_(in), max_(max_output) {
        // DEFLATE expands at most 1032:1, so a small stream claiming a huge image reserves little.
        out_.reserve(std::min(max_output, in.size() * 1032));
    }

    std::vector<uint8_t> run() {
        for (bool last = false; !last;) {
            last = in_.bits(1);
            switch (in_.bits(2)) {
                case 0: stored(); break;
                case 1: fixed(); break;
                case 2: dynamic(); break;
                default: fail("block type 3 is reserved");
            }
        }
        return std::move(out_);
    }

private:
    void reserve(size_t n) {
        if (n > max_ - out_.size()) fail("decompresses to more than the expected " + std::to_string(max_) + " bytes");
    }

    void stored() {
        in_.align();
        const size_t p = in_.position();
        if (in_.size() - p < 4) fail("truncated stored block header");
        const uint8_t * h = in_.data() + p;
        const size_t len = h[0] | size_t(h[1]) << 8, nlen = h[2] | size_t(h[3]) << 8;
        if ((len ^ nlen) != 0xffff) fail("stored block length check failed");
        if (in_.size() - p - 4 < len) fail("stored block runs past the end");
        reserve(len);
        out_.insert(out_.end(), h + 4, h + 4 + len);
        in_.skip(4 + len);
    }

    void fixed() {
        static const std::pair<Huffman, Huffman> codes = [] {
            uint8_t lengths[288];
            for (int s = 0; s < 288; ++s) lengths[s] = s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
            uint8_t dist[30];
            for (uint8_t & d : dist) d = 5;
            return std::pair<Huffman, Huffman>{Huffman(lengths, 288, "literal/length"), Huffman(dist, 30, "distance")};
        }();
        decode_block(codes.first, codes.second);
    }

    void dynamic() {
        const int nlen = int(in_.bits(5)) + 257, ndist = int(in_.bits(5)) + 1, ncode = int(in_.bits(4)) + 4;
        if (nlen > 286 || ndist > 30) fail("too many length or distance codes");
        static const uint8_t kOrder[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
        uint8_t code_lengths[19] = {};
        for (int i = 0; i < ncode; ++i) code_lengths[kOrder[i]] = uint8_t(in_.bits(3));
        const Huffman lencode(code_lengths, 19, "code length");

        uint8_t lengths[286 + 30] = {};
        for (int i = 0; i < nlen + ndist;) {
            const int sym = lencode.decode(in_);
            if (sym < 16) {
                lengths[i++] = uint8_t(sym);
                continue;
            }
            uint8_t value = 0;
            int repeat = 0;
            if (sym == 16) {
                if (i == 0) fail("length repeat with no previous length");
                value = lengths[i - 1];
                repeat = 3 + int(in_.bits(2));
            } else {
                repeat = sym == 17 ? 3 + int(in_.bits(3)) : 11 + int(in_.bits(7));
            }
            if (i + repeat > nlen + ndist) fail("code lengths repeat past the end");
            while (repeat--) lengths[i++] = value;
        }
        if (lengths[256] == 0) fail("no end-of-block code");
        decode_block(Huffman(lengths, nlen, "literal/length"), Huffman(lengths + nlen, ndist, "distance"));
    }

    void decode_block(const Huffman & lencode, const Huffman & distcode) {
        for (;;) {
            int sym = lencode.decode(in_);
            if (sym < 256) {
                reserve(1);
                out_.push_back(uint8_t(sym));
                continue;
            }
            if (sym == 256) return;
            sym -= 257;
            if (sym >= 29) fail("invalid length code");
            const size_t len = kLengthBase[sym] + in_.bits(kLengthExtra[sym]);
            const int dsym = distcode.decode(in_);
            if (dsym >= 30) fail("invalid distance code");
            const size_t dist = kDistBase[dsym] + in_.bits(kDistExtra[dsym]);
            if (dist > out_.size()) fail("distance " + std::to_string(dist) + " reaches before the start");
            reserve(len);
            // Byte by byte: a match may overlap the bytes it is producing.
            size_t from = out_.size() - dist;
            for (size_t k = 0; k < len; ++k) out_.push_back(out_[from + k]);
        }
    }

    BitReader & in_;
    size_t max_;
    std::vector<uint8_t> out_;
};

}  // namespace

uint32_t adler32(const uint8_t * data, size_t size) {
    uint32_t a = 1, b = 0;
    while (size > 0) {
        const size_t n = size < 5552 ? size : 5552;  // the most bytes before b can overflow 32 bits
        for (size_t i = 0; i < n; ++i) {
            a += data[i];
            b += a;
        }
        a %= 65521;
        b %= 65521;
        data += n;
        size -= n;
    }
    return b << 16 | a;
}

std::vector<uint8_t> zlib_decompress(const uint8_t * data, size_t size, size_t max_output) {
    if (size < 6) fail("shorter than a header and a checksum");
    if ((data[0] & 0x0f) != 8 || (data[0] >> 4) > 7) fail("not DEFLATE with a window of at most 32 KiB");
    if (((data[0] << 8) | data[1]) % 31 != 0) fail("header check failed");
    if (data[1] & 0x20) fail("needs a preset dictionary");
    BitReader in(data + 2, size - 2);
    std::vector<uint8_t> out = Inflater(in, max_output).run();
    in.align();
    const size_t p = in.position();
    if (in.size() - p < 4) fail("no Adler-32 checksum after the data");
    const uint8_t * c = in.data() + p;
    const uint32_t want = uint32_t(c[0]) << 24 | uint32_t(c[1]) << 16 | uint32_t(c[2]) << 8 | c[3];
    if (adler32(out.data(), out.size()) != want) fail("Adler-32 checksum mismatch");
    return out;
}

}  // namespace rs
