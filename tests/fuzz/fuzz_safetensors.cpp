// libFuzzer target for the safetensors reader and writer: any input either fails with
// SafetensorsError or parses to tensors that cover the buffer exactly and survive writing and
// re-reading unchanged (same names, dtypes, shapes, bytes and metadata).
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "engine/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t * data, size_t size) {
    rs::SafetensorsFile f;
    try {
        f = rs::SafetensorsFile::parse(std::vector<uint8_t>(data, data + size), "fuzz");
    } catch (const rs::SafetensorsError &) {
        return 0;
    }
    uint64_t covered = 0;
    std::vector<rs::SafetensorsTensorView> views;
    for (const rs::SafetensorsEntry & e : f.entries()) {
        if (e.byte_size() != e.element_count() * rs::safetensors_dtype_size(e.dtype)) std::abort();
        covered += e.byte_size();
        views.push_back({e.name, e.dtype, e.shape, f.data(e), size_t(e.byte_size())});
    }
    if (covered + 8 > size) std::abort();

    std::vector<uint8_t> written = rs::serialize_safetensors(views, f.metadata());
    rs::SafetensorsFile back = rs::SafetensorsFile::parse(written, "written");
    if (back.metadata() != f.metadata() || back.entries().size() != f.entries().size()) std::abort();
    for (size_t i = 0; i < f.entries().size(); ++i) {
        const rs::SafetensorsEntry & a = f.entries()[i];
        const rs::SafetensorsEntry & b = back.entries()[i];
        if (a.name != b.name || a.dtype != b.dtype || a.shape != b.shape || a.byte_size() != b.byte_size()) std::abort();
        if (a.byte_size() && std::memcmp(f.data(a), back.data(b), a.byte_size()) != 0) std::abort();
    }
    // The writer is canonical: writing what it wrote gives the same bytes.
    std::vector<rs::SafetensorsTensorView> again;
    for (const rs::SafetensorsEntry & e : back.entries())
        again.push_back({e.name, e.dtype, e.shape, back.data(e), size_t(e.byte_size())});
    if (rs::serialize_safetensors(again, back.metadata()) != written) std::abort();
    return 0;
}
