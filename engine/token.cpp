#include "engine/token.h"

namespace rs {

namespace {

uint64_t mix64(uint64_t z) {  // splitmix64 finaliser
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

}  // namespace

uint64_t hash64(std::string_view key, uint64_t seed) {
    uint64_t h = mix64(seed + 0x9e3779b97f4a7c15ULL);
    for (unsigned char c : key) h = mix64(h ^ c);
    return mix64(h ^ key.size());
}

std::string make_token(std::string_view key) {
    static const char kHex[] = "0123456789abcdef";
    uint64_t parts[2] = {hash64(key, 1), hash64(key, 2)};
    std::string out(32, '0');
    for (int p = 0; p < 2; ++p)
        for (int i = 0; i < 16; ++i) out[p * 16 + i] = kHex[(parts[p] >> (60 - 4 * i)) & 0xf];
    return out;
}

}  // namespace rs
