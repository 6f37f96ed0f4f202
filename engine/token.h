// Deterministic nuScenes-style tokens: 32 lowercase hex characters derived from a key string, so
// the same world and seed always write the same tables.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rs {

// 128-bit hash of `key`, as 32 hex characters.
std::string make_token(std::string_view key);

// 64-bit mixing hash, also used to derive per-scene seeds.
uint64_t hash64(std::string_view key, uint64_t seed = 0);

}  // namespace rs
