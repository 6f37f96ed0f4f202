// JSON document model, parser and writer. Reads RFC 8259 plus the NaN / Infinity / -Infinity
// literals Python's json module writes (nuScenes metrics contain NaN); writes deterministic text
// that matches Python's json.dumps (indent=N or compact) for the same document.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace rs {

// Parse errors carry the source name, 1-based line and column (in bytes); errors from accessors
// on an already parsed value have line 0.
class JsonError : public std::runtime_error {
public:
    explicit JsonError(const std::string & message, std::string source = {}, int line = 0, int column = 0)
        : std::runtime_error(message), source_(std::move(source)), line_(line), column_(column) {}

    const std::string & source() const { return source_; }
    int line() const { return line_; }
    int column() const { return column_; }

private:
    std::string source_;
    int line_;
    int column_;
};

enum class JsonType : uint8_t { null, boolean, number, string, array, object };

const char * json_type_name(JsonType t);

class Json {
public:
    using Array = std::vector<Json>;
    using Member = std::pair<std::string, Json>;
    using Object = std::vector<Member>;  // keeps the order of the text; see find() for duplicates

    Json() = default;
    Json(std::nullptr_t) {}
    Json(bool b) : value_(b) {}
    Json(double d) : value_(Number{d, 0, false}) {}
    template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
    Json(T i) : value_(make_integer(i)) {}
    Json(const char * s) : value_(std::string(s)) {}
    Json(std::string_view s) : value_(std::string(s)) {}
    Json(std::string s) : value_(std::move(s)) {}
    Json(Array a) : value_(std::move(a)) {}
    Json(Object o) : value_(std::move(o)) {}

    static Json array() { return Json(Array{}); }
    static Json object() { return Json(Object{}); }

    JsonType type() const { return static_cast<JsonType>(value_.index()); }
    bool is_null() const { return type() == JsonType::null; }
    bool is_bool() const { return type() == JsonType::boolean; }
    bool is_number() const { return type() == JsonType::number; }
    // A number written (or constructed) as an integer that fits int64; as_double() still works.
    bool is_integer() const { return is_number() && std::get<Number>(value_).is_integer; }
    bool is_string() const { return type() == JsonType::string; }
    bool is_array() const { return type() == JsonType::array; }
    bool is_object() const { return type() == JsonType::object; }

    // Typed access; a wrong type throws JsonError naming the expected and the actual type.
    bool as_bool() const;
    double as_double() const;
    // Integers, and doubles with an integral value inside the int64 range (e.g. 900.0).
    int64_t as_int64() const;
    const std::string & as_string() const;
    std::string & as_string();
    const Array & as_array() const;
    Array & as_array();
    const Object & as_object() const;
    Object & as_object();

    // Elements of an array or members of an object; 0 for scalars.
    size_t size() const;
    const Json & at(size_t index) const;  // throws naming the index and the size
    // Member lookup; a key given twice resolves to the last one, as in Python.
    const Json * find(std::string_view key) const;
    Json * find(std::string_view key);
    bool contains(std::string_view key) const { return find(key) != nullptr; }
    const Json & at(std::string_view key) const;  // throws naming the missing key

    void push_back(Json v);                 // array only
    Json & set(std::string key, Json v);    // object only: replaces the last equal key or appends

    // Deep equality; numbers compare by value (NaN equals NaN so round trips can be compared),
    // and an integer equals a double only when both are integers.
    bool operator==(const Json & o) const;
    bool operator!=(const Json & o) const { return !(*this == o); }

private:
    struct Number {
        double value;
        int64_t integer;
        bool is_integer;
    };
    template <class T>
    static Number make_integer(T i) {
        if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(int64_t)) {
            if (i > static_cast<T>(INT64_MAX)) return {static_cast<double>(i), 0, false};
        }
        return {static_cast<double>(i), static_cast<int64_t>(i), true};
    }
    [[noreturn]] void type_error(JsonType expected) const;

    // Alternative order matches JsonType.
    std::variant<std::monostate, bool, Number, std::string, Array, Object> value_;
};

struct JsonParseOptions {
    int max_depth = 512;         // nesting beyond this is an error, so hostile input cannot exhaust the stack
    bool allow_nan = true;       // accept NaN, Infinity, -Infinity like Python's json
};

// Parses one JSON text (surrounding whitespace and a UTF-8 byte order mark allowed). `source`
// names the text in error messages, e.g. the file path.
Json parse_json(std::string_view text, const std::string & source = "<json>", const JsonParseOptions & opt = {});

struct JsonWriteOptions {
    int indent = -1;             // < 0: compact, no whitespace; >= 0: one element per line
    bool ascii_only = false;     // escape non-ASCII as \uXXXX (Python's ensure_ascii)
    int level = 0;               // nesting level of the value itself, to write it inside a larger document
};

// Deterministic text: floats in Python repr style (shortest round-trip digits, "1.0", "1e-05"),
// integers as integers, NaN / Infinity / -Infinity as Python writes them.
std::string write_json(const Json & v, const JsonWriteOptions & opt = {});
void write_json(std::string & out, const Json & v, const JsonWriteOptions & opt = {});

// Appends the Python repr of a double (used by the writer, exposed for other text formats).
void append_json_number(std::string & out, double d);

}  // namespace rs
