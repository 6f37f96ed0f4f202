// safetensors files (the Hugging Face tensor container): an 8-byte little-endian header length,
// a JSON header {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}},
// then one byte buffer that the tensors cover exactly, with no gaps or overlaps. The reader
// validates all of it; the writer is deterministic. No tensor library: models/tensor_io.h maps
// entries to torch tensors.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rs {

class SafetensorsError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class SafetensorsDtype : uint8_t { BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, I64, U64, F64 };

const char * safetensors_dtype_name(SafetensorsDtype d);
size_t safetensors_dtype_size(SafetensorsDtype d);
std::optional<SafetensorsDtype> parse_safetensors_dtype(std::string_view name);

struct SafetensorsEntry {
    std::string name;
    SafetensorsDtype dtype = SafetensorsDtype::F32;
    std::vector<int64_t> shape;
    uint64_t begin = 0;  // byte offsets into the data buffer (after the header), end exclusive
    uint64_t end = 0;

    uint64_t element_count() const;
    uint64_t byte_size() const { return end - begin; }
};

// A parsed file held in memory. Entries are sorted by name.
class SafetensorsFile {
public:
    // `source` names the bytes (usually the path) in every error message.
    static SafetensorsFile parse(std::vector<uint8_t> bytes, const std::string & source);
    static SafetensorsFile read(const std::string & path);

    const std::string & source() const { return source_; }
    const std::vector<SafetensorsEntry> & entries() const { return entries_; }
    const std::map<std::string, std::string> & metadata() const { return metadata_; }
    const SafetensorsEntry * find(std::string_view name) const;
    // The entry's bytes, little-endian as stored; not aligned for the dtype, so copy before use.
    const uint8_t * data(const SafetensorsEntry & e) const { return bytes_.data() + data_start_ + e.begin; }

private:
    std::string source_;
    std::vector<uint8_t> bytes_;
    size_t data_start_ = 0;
    std::vector<SafetensorsEntry> entries_;
    std::map<std::string, std::string> metadata_;
};

// One tensor to write; `data` holds `shape` elements of `dtype`, little-endian, row-major.
struct SafetensorsTensorView {
    std::string name;
    SafetensorsDtype dtype = SafetensorsDtype::F32;
    std::vector<int64_t> shape;
    const void * data = nullptr;
    size_t size = 0;  // bytes at `data`; must equal prod(shape) * dtype size
};

// Tensors are laid out and listed in name order, the header is padded with spaces to a multiple
// of 8 bytes, so the same tensors and metadata always give the same bytes.
std::vector<uint8_t> serialize_safetensors(const std::vector<SafetensorsTensorView> & tensors,
                                           const std::map<std::string, std::string> & metadata = {});
// Through a temporary file renamed over `path`, so a failed write never leaves a partial file.
void write_safetensors(const std::string & path, const std::vector<SafetensorsTensorView> & tensors,
                       const std::map<std::string, std::string> & metadata = {});

}  // namespace rs
