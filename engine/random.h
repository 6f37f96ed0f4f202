// Seeded pseudo-random numbers for the world. The standard library's distributions are not
// specified bit for bit, so the same seed would give different towns on different toolchains;
// these generators use only integer arithmetic (and sqrt, which IEEE rounds exactly).
#pragma once

#include <cstdint>

namespace rs {

// One step of splitmix64: advances `state` and returns a well-mixed 64-bit value.
uint64_t splitmix64(uint64_t & state);

// xoshiro256** seeded through splitmix64.
class Rng {
public:
    Rng() : Rng(0) {}
    explicit Rng(uint64_t seed);

    uint64_t next_u64();
    double uniform();                        // [0, 1)
    double uniform(double lo, double hi);    // [lo, hi)
    int range(int lo, int hi);               // integer in [lo, hi)
    bool chance(double p);
    // Approximately normal (sum of four uniforms): bounded to mean +- 3.46 sigma, which keeps
    // sampled object sizes physically sensible.
    double normal(double mean, double sigma);
    // An independent generator for a sub-system, so adding draws in one place does not shift another.
    Rng fork(uint64_t stream);

private:
    uint64_t s_[4];
};

}  // namespace rs
