// File helpers shared by every writer: nothing already written is lost on failure, because new
// content goes to a temporary name first and is renamed over the target only when complete.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rs {

void write_file_atomic(const std::string & path, const void * data, size_t size);
inline void write_file_atomic(const std::string & path, const std::vector<uint8_t> & bytes) {
    write_file_atomic(path, bytes.data(), bytes.size());
}
inline void write_file_atomic(const std::string & path, std::string_view text) {
    write_file_atomic(path, text.data(), text.size());
}

// Whole file; throws std::runtime_error naming the path when it cannot be read.
std::vector<uint8_t> read_file_bytes(const std::string & path);
std::string read_file_text(const std::string & path);

}  // namespace rs
