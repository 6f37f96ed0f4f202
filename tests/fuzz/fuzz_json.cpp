// libFuzzer target for the JSON parser and writer: any input either fails with JsonError or parses
// to a value that survives writing and re-reading unchanged, in every writer style.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "engine/json.h"

namespace {

void check_round_trip(const rs::Json & v, const rs::JsonWriteOptions & opt) {
    std::string text = rs::write_json(v, opt);
    rs::Json back = rs::parse_json(text, "written");
    if (back != v) std::abort();
    if (rs::write_json(back, opt) != text) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t * data, size_t size) {
    std::string_view text(reinterpret_cast<const char *>(data), size);
    rs::Json v;
    try {
        v = rs::parse_json(text, "fuzz");
    } catch (const rs::JsonError &) {
        return 0;
    }
    rs::JsonWriteOptions compact;
    check_round_trip(v, compact);
    rs::JsonWriteOptions indented;
    indented.indent = 1;
    check_round_trip(v, indented);
    rs::JsonWriteOptions ascii;
    ascii.ascii_only = true;
    check_round_trip(v, ascii);
    return 0;
}
