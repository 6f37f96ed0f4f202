#include "engine/safetensors.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <set>

#include "engine/file_io.h"
#include "engine/json.h"

namespace rs {

namespace {

struct DtypeInfo {
    SafetensorsDtype dtype;
    const char * name;
    size_t size;
};

constexpr DtypeInfo kDtypes[] = {
    {SafetensorsDtype::BOOL, "BOOL", 1},       {SafetensorsDtype::U8, "U8", 1},
    {SafetensorsDtype::I8, "I8", 1},           {SafetensorsDtype::F8_E5M2, "F8_E5M2", 1},
    {SafetensorsDtype::F8_E4M3, "F8_E4M3", 1}, {SafetensorsDtype::I16, "I16", 2},
    {SafetensorsDtype::U16, "U16", 2},         {SafetensorsDtype::F16, "F16", 2},
    {SafetensorsDtype::BF16, "BF16", 2},       {SafetensorsDtype::I32, "I32", 4},
    {SafetensorsDtype::U32, "U32", 4},         {SafetensorsDtype::F32, "F32", 4},
    {SafetensorsDtype::I64, "I64", 8},         {SafetensorsDtype::U64, "U64", 8},
    {SafetensorsDtype::F64, "F64", 8},
};

const DtypeInfo & info(SafetensorsDtype d) {
    for (const DtypeInfo & i : kDtypes)
        if (i.dtype == d) return i;
    throw SafetensorsError("invalid safetensors dtype value " + std::to_string(int(d)));
}

// The reference implementation refuses larger headers; matching it keeps the two in agreement
// about which files are valid, and bounds the JSON work a hostile file can ask for.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
constexpr std::string_view kMetadataKey = "__metadata__";

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string shape_text(const std::vector<int64_t> & shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

// prod(shape) * element size, or nothing when it does not fit in uint64.
std::optional<uint64_t> byte_count(const std::vector<int64_t> & shape, size_t element_size) {
    if (std::find(shape.begin(), shape.end(), 0) != shape.end()) return 0;
    uint64_t n = element_size;
    for (int64_t d : shape) {
        if (d < 0 || uint64_t(d) > std::numeric_limits<uint64_t>::max() / n) return std::nullopt;
        n *= uint64_t(d);
    }
    return n;
}

class HeaderParser {
public:
    HeaderParser(const std::string & source, uint64_t buffer_size) : source_(source), buffer_size_(buffer_size) {}

    [[noreturn]] void fail(const std::string & what) const { throw SafetensorsError(source_ + ": " + what); }
    [[noreturn]] void fail(const std::string & tensor, const std::string & what) const {
        fail("tensor " + quoted(tensor) + ": " + what);
    }

    uint64_t offset(const std::string & tensor, const Json & v) const {
        if (!v.is_integer() || v.as_int64() < 0)
            fail(tensor, "data_offsets must hold non-negative integers, got " + write_json(v));
        return uint64_t(v.as_int64());
    }

    SafetensorsEntry entry(const std::string & name, const Json & v) const {
        if (!v.is_object()) fail(name, "expected an object, got " + std::string(json_type_name(v.type())));
        const Json * dtype = nullptr;
        const Json * shape = nullptr;
        const Json * offsets = nullptr;
        for (const Json::Member & m : v.as_object()) {
            const Json ** slot = m.first == "dtype" ? &dtype
                               : m.first == "shape" ? &shape
                               : m.first == "data_offsets" ? &offsets
                                                           : nullptr;
            if (!slot) fail(name, "unknown field " + quoted(m.first));
            if (*slot) fail(name, "field " + quoted(m.first) + " given twice");
            *slot = &m.second;
        }
        if (!dtype || !shape || !offsets) fail(name, "needs dtype, shape and data_offsets");

        SafetensorsEntry e;
        e.name = name;
        if (!dtype->is_string()) fail(name, "dtype must be a string");
        std::optional<SafetensorsDtype> d = parse_safetensors_dtype(dtype->as_string());
        if (!d) fail(name, "unknown dtype " + quoted(dtype->as_string()));
        e.dtype = *d;

        if (!shape->is_array()) fail(name, "shape must be an array");
        for (const Json & s : shape->as_array()) {
            if (!s.is_integer() || s.as_int64() < 0)
                fail(name, "shape must hold non-negative integers, got " + write_json(*shape));
            e.shape.push_back(s.as_int64());
        }

        if (!offsets->is_array() || offsets->size() != 2) fail(name, "data_offsets must be [begin, end]");
        e.begin = offset(name, offsets->at(0));
        e.end = offset(name, offsets->at(1));
        if (e.begin > e.end)
            fail(name, "data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) + "] end before they begin");
        if (e.end > buffer_size_)
            fail(name, "data_offsets end " + std::to_string(e.end) + " is beyond the " + std::to_string(buffer_size_) +
                           "-byte data buffer");
        std::optional<uint64_t> need = byte_count(e.shape, safetensors_dtype_size(e.dtype));
        if (!need) fail(name, "shape " + shape_text(e.shape) + " is too large");
        if (*need != e.byte_size())
            fail(name, "data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) + "] hold " +
                           std::to_string(e.byte_size()) + " bytes but " + safetensors_dtype_name(e.dtype) + " " +
                           shape_text(e.shape) + " needs " + std::to_string(*need));
        return e;
    }

    std::map<std::string, std::string> metadata(const Json & v) const {
        if (!v.is_object()) fail("__metadata__ must be an object of strings");
        std::map<std::string, std::string> out;
        for (const Json::Member & m : v.as_object()) {
            if (!m.second.is_string()) fail("__metadata__ value for " + quoted(m.first) + " must be a string");
            if (!out.emplace(m.first, m.second.as_string()).second)
                fail("__metadata__ key " + quoted(m.first) + " given twice");
        }
        return out;
    }

    // The spec asks the tensors to cover the buffer exactly: sorted by offset, each one starts
    // where the previous one ended and the last one ends at the end of the file.
    void check_coverage(std::vector<SafetensorsEntry> entries) const {
        std::sort(entries.begin(), entries.end(), [](const SafetensorsEntry & a, const SafetensorsEntry & b) {
            return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
        });
        uint64_t pos = 0;
        const std::string * prev = nullptr;
        for (const SafetensorsEntry & e : entries) {
            if (e.begin < pos)
                fail(e.name, "data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                                 "] overlap tensor " + quoted(*prev));
            if (e.begin > pos)
                fail(e.name, "the " + std::to_string(e.begin - pos) + " bytes before it (from offset " +
                                 std::to_string(pos) + ") belong to no tensor");
            pos = e.end;
            prev = &e.name;
        }
        if (pos != buffer_size_)
            fail("the last " + std::to_string(buffer_size_ - pos) + " bytes of the " + std::to_string(buffer_size_) +
                 "-byte data buffer belong to no tensor");
    }

private:
    const std::string & source_;
    uint64_t buffer_size_;
};

}  // namespace

const char * safetensors_dtype_name(SafetensorsDtype d) { return info(d).name; }

size_t safetensors_dtype_size(SafetensorsDtype d) { return info(d).size; }

std::optional<SafetensorsDtype> parse_safetensors_dtype(std::string_view name) {
    for (const DtypeInfo & i : kDtypes)
        if (name == i.name) return i.dtype;
    return std::nullopt;
}

uint64_t SafetensorsEntry::element_count() const {
    uint64_t n = 1;
    for (int64_t d : shape) n *= uint64_t(d);
    return n;
}

SafetensorsFile SafetensorsFile::parse(std::vector<uint8_t> bytes, const std::string & source) {
    if (bytes.size() < 8)
        throw SafetensorsError(source + ": " + std::to_string(bytes.size()) +
                               " bytes, too short for the 8-byte header length");
    uint64_t header_size = 0;
    for (int i = 7; i >= 0; --i) header_size = (header_size << 8) | bytes[size_t(i)];
    const uint64_t after_length = bytes.size() - 8;
    if (header_size > after_length)
        throw SafetensorsError(source + ": header length " + std::to_string(header_size) + " goes beyond the " +
                               std::to_string(bytes.size()) + "-byte file");
    if (header_size > kMaxHeaderBytes)
        throw SafetensorsError(source + ": header length " + std::to_string(header_size) + " is over the " +
                               std::to_string(kMaxHeaderBytes) + "-byte limit");

    SafetensorsFile f;
    f.source_ = source;
    f.data_start_ = size_t(8 + header_size);
    HeaderParser parser(f.source_, after_length - header_size);
    std::string_view text(reinterpret_cast<const char *>(bytes.data()) + 8, size_t(header_size));
    if (text.empty() || text[0] != '{') parser.fail("header must start with '{'");
    Json header;
    try {
        JsonParseOptions opt;
        opt.allow_nan = false;
        opt.max_depth = 8;  // the format nests three levels; deeper input is hostile
        header = parse_json(text, source + " header", opt);
    } catch (const JsonError & e) {
        throw SafetensorsError(e.what());
    }
    if (!header.is_object()) parser.fail("header must be a JSON object");

    std::set<std::string_view> names;
    bool have_metadata = false;
    for (const Json::Member & m : header.as_object()) {
        if (m.first == kMetadataKey) {
            if (have_metadata) parser.fail("__metadata__ given twice");
            have_metadata = true;
            f.metadata_ = parser.metadata(m.second);
            continue;
        }
        if (!names.insert(m.first).second) parser.fail(m.first, "given twice");
        f.entries_.push_back(parser.entry(m.first, m.second));
    }
    parser.check_coverage(f.entries_);
    std::sort(f.entries_.begin(), f.entries_.end(),
              [](const SafetensorsEntry & a, const SafetensorsEntry & b) { return a.name < b.name; });
    f.bytes_ = std::move(bytes);
    return f;
}

SafetensorsFile SafetensorsFile::read(const std::string & path) {
    std::vector<uint8_t> bytes;
    try {
        bytes = read_file_bytes(path);
    } catch (const std::runtime_error & e) {
        throw SafetensorsError(e.what());
    }
    return parse(std::move(bytes), path);
}

const SafetensorsEntry * SafetensorsFile::find(std::string_view name) const {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), name,
                               [](const SafetensorsEntry & e, std::string_view n) { return e.name < n; });
    return it != entries_.end() && it->name == name ? &*it : nullptr;
}

std::vector<uint8_t> serialize_safetensors(const std::vector<SafetensorsTensorView> & tensors,
                                           const std::map<std::string, std::string> & metadata) {
    std::vector<const SafetensorsTensorView *> order;
    for (const SafetensorsTensorView & t : tensors) order.push_back(&t);
    std::sort(order.begin(), order.end(),
              [](const SafetensorsTensorView * a, const SafetensorsTensorView * b) { return a->name < b->name; });

    // Members are appended directly: names are unique once sorted, and Json::set would search.
    Json::Object header;
    if (!metadata.empty()) {
        Json::Object meta;
        for (const auto & [k, v] : metadata) meta.emplace_back(k, v);
        header.emplace_back(std::string(kMetadataKey), std::move(meta));
    }
    uint64_t offset = 0;
    for (size_t i = 0; i < order.size(); ++i) {
        const SafetensorsTensorView & t = *order[i];
        auto fail = [&](const std::string & what) {
            throw SafetensorsError("cannot write tensor " + quoted(t.name) + ": " + what);
        };
        if (t.name == kMetadataKey) fail("the name is reserved for metadata");
        if (i > 0 && order[i - 1]->name == t.name) fail("name given twice");
        std::optional<uint64_t> need = byte_count(t.shape, safetensors_dtype_size(t.dtype));
        if (!need) fail("shape " + shape_text(t.shape) + " is negative or too large");
        if (*need != t.size)
            fail(std::string(safetensors_dtype_name(t.dtype)) + " " + shape_text(t.shape) + " needs " +
                 std::to_string(*need) + " bytes, got " + std::to_string(t.size));
        if (t.size && !t.data) fail("no data");
        Json shape = Json::array();
        for (int64_t d : t.shape) shape.push_back(d);
        Json::Object entry;
        entry.emplace_back("dtype", safetensors_dtype_name(t.dtype));
        entry.emplace_back("shape", std::move(shape));
        entry.emplace_back("data_offsets", Json::Array{Json(offset), Json(offset + t.size)});
        header.emplace_back(t.name, std::move(entry));
        offset += t.size;
    }

    std::string text = write_json(Json(std::move(header)));
    text.append((8 - text.size() % 8) % 8, ' ');
    std::vector<uint8_t> out(8 + text.size() + offset);
    const uint64_t n = text.size();
    for (int i = 0; i < 8; ++i) out[size_t(i)] = uint8_t(n >> (8 * i));
    std::memcpy(out.data() + 8, text.data(), text.size());
    uint8_t * dst = out.data() + 8 + text.size();
    for (const SafetensorsTensorView * t : order) {
        if (t->size) std::memcpy(dst, t->data, t->size);
        dst += t->size;
    }
    return out;
}

void write_safetensors(const std::string & path, const std::vector<SafetensorsTensorView> & tensors,
                       const std::map<std::string, std::string> & metadata) {
    std::vector<uint8_t> bytes;
    try {
        bytes = serialize_safetensors(tensors, metadata);
    } catch (const SafetensorsError & e) {
        throw SafetensorsError(path + ": " + e.what());
    }
    write_file_atomic(path, bytes);
}

}  // namespace rs
