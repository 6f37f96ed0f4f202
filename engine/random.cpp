#include "engine/random.h"

#include <cmath>

namespace rs {

uint64_t splitmix64(uint64_t & state) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

namespace {
uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

Rng::Rng(uint64_t seed) {
    uint64_t st = seed;
    for (uint64_t & s : s_) s = splitmix64(st);
}

uint64_t Rng::next_u64() {
    uint64_t result = rotl(s_[1] * 5, 7) * 9;
    uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

double Rng::uniform() { return double(next_u64() >> 11) * (1.0 / 9007199254740992.0); }

double Rng::uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

int Rng::range(int lo, int hi) {
    if (hi <= lo) return lo;
    return lo + int((next_u64() >> 33) % uint64_t(hi - lo));
}

bool Rng::chance(double p) { return uniform() < p; }

double Rng::normal(double mean, double sigma) {
    double sum = uniform() + uniform() + uniform() + uniform();
    return mean + sigma * (sum - 2.0) * std::sqrt(3.0);
}

Rng Rng::fork(uint64_t stream) {
    uint64_t st = next_u64() ^ (stream * 0xd1342543de82ef95ULL);
    return Rng(splitmix64(st));
}

}  // namespace rs
