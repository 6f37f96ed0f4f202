#include "engine/json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>
#include <limits>

namespace rs {

const char * json_type_name(JsonType t) {
    switch (t) {
    case JsonType::null: return "null";
    case JsonType::boolean: return "bool";
    case JsonType::number: return "number";
    case JsonType::string: return "string";
    case JsonType::array: return "array";
    case JsonType::object: return "object";
    }
    return "?";
}

// ---- value access ----------------------------------------------------------------------------

void Json::type_error(JsonType expected) const {
    throw JsonError(std::string("expected ") + json_type_name(expected) + ", got " + json_type_name(type()));
}

bool Json::as_bool() const {
    if (!is_bool()) type_error(JsonType::boolean);
    return std::get<bool>(value_);
}

double Json::as_double() const {
    if (!is_number()) type_error(JsonType::number);
    return std::get<Number>(value_).value;
}

int64_t Json::as_int64() const {
    if (!is_number()) type_error(JsonType::number);
    const Number & n = std::get<Number>(value_);
    if (n.is_integer) return n.integer;
    // 2^63 is exact in double; the range check must come before the cast to avoid UB.
    constexpr double kLimit = 9223372036854775808.0;
    if (std::isfinite(n.value) && std::floor(n.value) == n.value && n.value >= -kLimit && n.value < kLimit)
        return static_cast<int64_t>(n.value);
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, n.value);
    throw JsonError("expected an integer, got " + std::string(buf, r.ptr));
}

const std::string & Json::as_string() const {
    if (!is_string()) type_error(JsonType::string);
    return std::get<std::string>(value_);
}

std::string & Json::as_string() {
    if (!is_string()) type_error(JsonType::string);
    return std::get<std::string>(value_);
}

const Json::Array & Json::as_array() const {
    if (!is_array()) type_error(JsonType::array);
    return std::get<Array>(value_);
}

Json::Array & Json::as_array() {
    if (!is_array()) type_error(JsonType::array);
    return std::get<Array>(value_);
}

const Json::Object & Json::as_object() const {
    if (!is_object()) type_error(JsonType::object);
    return std::get<Object>(value_);
}

Json::Object & Json::as_object() {
    if (!is_object()) type_error(JsonType::object);
    return std::get<Object>(value_);
}

size_t Json::size() const {
    if (is_array()) return std::get<Array>(value_).size();
    if (is_object()) return std::get<Object>(value_).size();
    return 0;
}

const Json & Json::at(size_t index) const {
    const Array & a = as_array();
    if (index >= a.size())
        throw JsonError("index " + std::to_string(index) + " out of range for an array of " +
                        std::to_string(a.size()) + " elements");
    return a[index];
}

const Json * Json::find(std::string_view key) const {
    const Object & o = as_object();
    for (auto it = o.rbegin(); it != o.rend(); ++it)
        if (it->first == key) return &it->second;
    return nullptr;
}

Json * Json::find(std::string_view key) {
    return const_cast<Json *>(static_cast<const Json &>(*this).find(key));
}

const Json & Json::at(std::string_view key) const {
    const Json * v = find(key);
    if (!v) throw JsonError("missing key '" + std::string(key) + "'");
    return *v;
}

void Json::push_back(Json v) { as_array().push_back(std::move(v)); }

Json & Json::set(std::string key, Json v) {
    Object & o = as_object();
    for (auto it = o.rbegin(); it != o.rend(); ++it)
        if (it->first == key) return it->second = std::move(v);
    o.emplace_back(std::move(key), std::move(v));
    return o.back().second;
}

bool Json::operator==(const Json & o) const {
    if (type() != o.type()) return false;
    switch (type()) {
    case JsonType::null: return true;
    case JsonType::boolean: return std::get<bool>(value_) == std::get<bool>(o.value_);
    case JsonType::number: {
        const Number & a = std::get<Number>(value_);
        const Number & b = std::get<Number>(o.value_);
        if (a.is_integer != b.is_integer) return false;
        if (a.is_integer) return a.integer == b.integer;
        return a.value == b.value || (std::isnan(a.value) && std::isnan(b.value));
    }
    case JsonType::string: return std::get<std::string>(value_) == std::get<std::string>(o.value_);
    case JsonType::array: return std::get<Array>(value_) == std::get<Array>(o.value_);
    case JsonType::object: return std::get<Object>(value_) == std::get<Object>(o.value_);
    }
    return false;
}

// ---- parser ----------------------------------------------------------------------------------

namespace {

// Length of the valid UTF-8 sequence starting at p (lead byte >= 0x80), or 0 when invalid.
size_t utf8_sequence_length(const unsigned char * p, const unsigned char * end) {
    unsigned char c = p[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;        // overlong
        if (c == 0xED) hi = 0x9F;        // UTF-16 surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;        // overlong
        if (c == 0xF4) hi = 0x8F;        // above U+10FFFF
    } else {
        return 0;
    }
    if (static_cast<size_t>(end - p) < n) return 0;
    if (p[1] < lo || p[1] > hi) return 0;
    for (size_t i = 2; i < n; ++i)
        if (p[i] < 0x80 || p[i] > 0xBF) return 0;
    return n;
}

void append_utf8(std::string & out, uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

class Parser {
public:
    Parser(std::string_view text, const std::string & source, const JsonParseOptions & opt)
        : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()), source_(source), opt_(opt) {}

    Json parse_document() {
        if (end_ - p_ >= 3 && static_cast<unsigned char>(p_[0]) == 0xEF &&
            static_cast<unsigned char>(p_[1]) == 0xBB && static_cast<unsigned char>(p_[2]) == 0xBF)
            p_ += 3;
        skip_ws();
        Json v = parse_value(0);
        skip_ws();
        if (p_ != end_) fail(p_, "expected end of input after the JSON value");
        return v;
    }

private:
    [[noreturn]] void fail(const char * at, const std::string & what) const {
        int line = 1;
        const char * line_start = begin_;
        for (const char * q = begin_; q < at; ++q)
            if (*q == '\n') {
                ++line;
                line_start = q + 1;
            }
        int column = static_cast<int>(at - line_start) + 1;
        throw JsonError(source_ + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + what +
                            ", got " + describe(at),
                        source_, line, column);
    }

    std::string describe(const char * at) const {
        if (at >= end_) return "end of input";
        unsigned char c = static_cast<unsigned char>(*at);
        if (c >= 0x20 && c < 0x7F) return std::string("'") + static_cast<char>(c) + "'";
        static const char * hex = "0123456789abcdef";
        return std::string("byte 0x") + hex[c >> 4] + hex[c & 15];
    }

    void skip_ws() {
        while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
    }

    bool consume_literal(std::string_view lit) {
        if (static_cast<size_t>(end_ - p_) >= lit.size() && std::string_view(p_, lit.size()) == lit) {
            p_ += lit.size();
            return true;
        }
        return false;
    }

    Json parse_value(int depth) {
        if (p_ >= end_) fail(p_, "expected a JSON value");
        switch (*p_) {
        case '{': return parse_object(depth + 1);
        case '[': return parse_array(depth + 1);
        case '"': {
            std::string s;
            parse_string(s);
            return Json(std::move(s));
        }
        case 't':
            if (consume_literal("true")) return Json(true);
            break;
        case 'f':
            if (consume_literal("false")) return Json(false);
            break;
        case 'n':
            if (consume_literal("null")) return Json();
            break;
        case 'N':
            if (opt_.allow_nan && consume_literal("NaN")) return Json(std::numeric_limits<double>::quiet_NaN());
            break;
        case 'I':
            if (opt_.allow_nan && consume_literal("Infinity")) return Json(std::numeric_limits<double>::infinity());
            break;
        case '-':
            if (opt_.allow_nan && consume_literal("-Infinity"))
                return Json(-std::numeric_limits<double>::infinity());
            return parse_number();
        default:
            if (*p_ >= '0' && *p_ <= '9') return parse_number();
            break;
        }
        fail(p_, "expected a JSON value");
    }

    void check_depth(int depth, const char * at) const {
        if (depth > opt_.max_depth) fail(at, "nesting deeper than " + std::to_string(opt_.max_depth) + " levels");
    }

    // Elements are collected on a stack shared by all open containers and moved into an exactly
    // sized vector at the closing bracket: no regrowth of each array and object while parsing.
    Json parse_array(int depth) {
        check_depth(depth, p_);
        ++p_;  // '['
        const size_t mark = values_.size();
        skip_ws();
        if (p_ < end_ && *p_ == ']') {
            ++p_;
            return Json::array();
        }
        for (;;) {
            skip_ws();
            values_.push_back(parse_value(depth));
            skip_ws();
            if (p_ < end_ && *p_ == ',') {
                ++p_;
                continue;
            }
            if (p_ < end_ && *p_ == ']') {
                ++p_;
                break;
            }
            fail(p_, "expected ',' or ']' after an array element");
        }
        Json::Array a(std::make_move_iterator(values_.begin() + mark), std::make_move_iterator(values_.end()));
        values_.resize(mark);
        return Json(std::move(a));
    }

    Json parse_object(int depth) {
        check_depth(depth, p_);
        ++p_;  // '{'
        const size_t mark = members_.size();
        skip_ws();
        if (p_ < end_ && *p_ == '}') {
            ++p_;
            return Json::object();
        }
        for (;;) {
            skip_ws();
            if (p_ >= end_ || *p_ != '"') fail(p_, "expected a string key");
            std::string key;
            parse_string(key);
            skip_ws();
            if (p_ >= end_ || *p_ != ':') fail(p_, "expected ':' after an object key");
            ++p_;
            skip_ws();
            Json value = parse_value(depth);
            members_.emplace_back(std::move(key), std::move(value));
            skip_ws();
            if (p_ < end_ && *p_ == ',') {
                ++p_;
                continue;
            }
            if (p_ < end_ && *p_ == '}') {
                ++p_;
                break;
            }
            fail(p_, "expected ',' or '}' after an object member");
        }
        Json::Object o(std::make_move_iterator(members_.begin() + mark), std::make_move_iterator(members_.end()));
        members_.resize(mark);
        return Json(std::move(o));
    }

    uint32_t parse_hex4(const char * at) {
        if (end_ - at < 4) fail(at, "expected 4 hex digits after \\u");
        uint32_t v = 0;
        for (int i = 0; i < 4; ++i) {
            char c = at[i];
            v <<= 4;
            if (c >= '0' && c <= '9') v |= c - '0';
            else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
            else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
            else fail(at + i, "expected a hex digit in \\u escape");
        }
        return v;
    }

    void parse_string(std::string & out) {
        ++p_;  // opening quote
        for (;;) {
            // Copy the longest run of plain ASCII at once.
            const char * run = p_;
            while (p_ < end_) {
                unsigned char c = static_cast<unsigned char>(*p_);
                if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
                ++p_;
            }
            out.append(run, p_);
            if (p_ >= end_) fail(p_, "expected '\"' to close the string");
            unsigned char c = static_cast<unsigned char>(*p_);
            if (c == '"') {
                ++p_;
                return;
            }
            if (c < 0x20) fail(p_, "expected an escaped control character in the string");
            if (c >= 0x80) {
                size_t n = utf8_sequence_length(reinterpret_cast<const unsigned char *>(p_),
                                                reinterpret_cast<const unsigned char *>(end_));
                if (n == 0) fail(p_, "expected valid UTF-8 in the string");
                out.append(p_, n);
                p_ += n;
                continue;
            }
            parse_escape(out);
        }
    }

    void parse_escape(std::string & out) {
        const char * at = p_;
        ++p_;  // backslash
        if (p_ >= end_) fail(p_, "expected an escape character after '\\'");
        char e = *p_++;
        switch (e) {
        case '"': out += '"'; return;
        case '\\': out += '\\'; return;
        case '/': out += '/'; return;
        case 'b': out += '\b'; return;
        case 'f': out += '\f'; return;
        case 'n': out += '\n'; return;
        case 'r': out += '\r'; return;
        case 't': out += '\t'; return;
        case 'u': break;
        default: fail(at + 1, "expected an escape (one of \"\\/bfnrtu) after '\\'");
        }
        uint32_t cp = parse_hex4(p_);
        p_ += 4;
        if (cp >= 0xDC00 && cp <= 0xDFFF) fail(at, "expected a high surrogate before a low surrogate");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u')
                fail(p_, "expected a \\u low surrogate after a high surrogate");
            uint32_t lo = parse_hex4(p_ + 2);
            if (lo < 0xDC00 || lo > 0xDFFF) fail(p_, "expected a low surrogate (\\uDC00-\\uDFFF)");
            p_ += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        append_utf8(out, cp);
    }

    Json parse_number() {
        const char * start = p_;
        const char * q = p_;
        if (*q == '-') ++q;
        if (q >= end_ || *q < '0' || *q > '9') fail(q, "expected a digit");
        if (*q == '0') {
            ++q;
        } else {
            while (q < end_ && *q >= '0' && *q <= '9') ++q;
        }
        bool integer = true;
        if (q < end_ && *q == '.') {
            integer = false;
            ++q;
            if (q >= end_ || *q < '0' || *q > '9') fail(q, "expected a digit after '.'");
            while (q < end_ && *q >= '0' && *q <= '9') ++q;
        }
        if (q < end_ && (*q == 'e' || *q == 'E')) {
            integer = false;
            ++q;
            if (q < end_ && (*q == '+' || *q == '-')) ++q;
            if (q >= end_ || *q < '0' || *q > '9') fail(q, "expected a digit in the exponent");
            while (q < end_ && *q >= '0' && *q <= '9') ++q;
        }
        p_ = q;
        if (integer) {
            int64_t i = 0;
            auto r = std::from_chars(start, q, i);
            if (r.ec == std::errc() && r.ptr == q) return Json(i);
            // Too large for int64: keep the nearest double, as the literal is still valid JSON.
        }
        double d = 0;
        auto r = std::from_chars(start, q, d);
        if (r.ec == std::errc::result_out_of_range) return Json(out_of_range_value(start, q));
        if (r.ec != std::errc() || r.ptr != q) fail(start, "expected a number");
        return Json(d);
    }

    // from_chars leaves the value unset on overflow and underflow; Python gives +-inf and +-0.
    // Which one depends only on the decimal exponent of the first significant digit.
    static double out_of_range_value(const char * start, const char * end) {
        bool negative = *start == '-';
        const char * q = start + (negative ? 1 : 0);
        int64_t magnitude = 0;   // value is about 10^magnitude
        bool found = false;
        bool fraction = false;
        int64_t position = 0;    // digits seen since the first significant one (integer part) or after '.'
        for (; q < end && *q != 'e' && *q != 'E'; ++q) {
            if (*q == '.') {
                if (found) magnitude = position - 1;
                fraction = true;
                position = 0;
                continue;
            }
            ++position;
            if (!found && *q != '0') {
                found = true;
                if (fraction) magnitude = -position;
                position = 1;
            } else if (!found && !fraction) {
                position = 0;
            }
        }
        if (found && !fraction) magnitude = position - 1;
        if (q < end) {
            ++q;
            bool negative_exponent = *q == '-';
            if (*q == '+' || *q == '-') ++q;
            int64_t exponent = 0;
            for (; q < end; ++q) exponent = std::min<int64_t>(exponent * 10 + (*q - '0'), 1000000000);
            magnitude += negative_exponent ? -exponent : exponent;
        }
        double v = found && magnitude > 0 ? std::numeric_limits<double>::infinity() : 0.0;
        return negative ? -v : v;
    }

    const char * begin_;
    const char * p_;
    const char * end_;
    const std::string & source_;
    const JsonParseOptions & opt_;
    std::vector<Json> values_;
    std::vector<Json::Member> members_;
};

}  // namespace

Json parse_json(std::string_view text, const std::string & source, const JsonParseOptions & opt) {
    return Parser(text, source, opt).parse_document();
}

// ---- writer ----------------------------------------------------------------------------------

void append_json_number(std::string & out, double d) {
    if (std::isnan(d)) {
        out += "NaN";
        return;
    }
    if (std::isinf(d)) {
        out += d < 0 ? "-Infinity" : "Infinity";
        return;
    }
    // Shortest round-trip digits, then laid out the way Python's float repr does.
    char buf[40];
    auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    const char * p = buf;
    if (*p == '-') {
        out += '-';
        ++p;
    }
    char digits[24];
    int n = 0;
    while (p < r.ptr && *p != 'e') {
        if (*p != '.') digits[n++] = *p;
        ++p;
    }
    int exponent = 0;
    std::from_chars(*(p + 1) == '+' ? p + 2 : p + 1, r.ptr, exponent);
    int point = exponent + 1;  // digits before the decimal point
    if (point > -4 && point <= 16) {
        if (point <= 0) {
            out += "0.";
            out.append(static_cast<size_t>(-point), '0');
            out.append(digits, n);
        } else if (point >= n) {
            out.append(digits, n);
            out.append(static_cast<size_t>(point - n), '0');
            out += ".0";
        } else {
            out.append(digits, point);
            out += '.';
            out.append(digits + point, n - point);
        }
        return;
    }
    out += digits[0];
    if (n > 1) {
        out += '.';
        out.append(digits + 1, n - 1);
    }
    out += 'e';
    out += exponent < 0 ? '-' : '+';
    int e = exponent < 0 ? -exponent : exponent;
    if (e < 10) out += '0';
    out += std::to_string(e);
}

namespace {

void append_u_escape(std::string & out, uint32_t unit) {
    static const char * hex = "0123456789abcdef";
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) out += hex[(unit >> shift) & 15];
}

void append_string(std::string & out, const std::string & s, bool ascii_only) {
    out += '"';
    const auto * p = reinterpret_cast<const unsigned char *>(s.data());
    const auto * end = p + s.size();
    while (p < end) {
        // Plain printable ASCII is copied a run at a time.
        const unsigned char * run = p;
        while (p < end && *p >= 0x20 && *p < 0x7F && *p != '"' && *p != '\\') ++p;
        out.append(reinterpret_cast<const char *>(run), static_cast<size_t>(p - run));
        if (p == end) break;
        unsigned char c = *p;
        if (c >= 0x80) {
            // Invalid UTF-8 becomes U+FFFD so the output always parses.
            size_t n = utf8_sequence_length(p, end);
            uint32_t cp = 0xFFFD;
            if (n == 2) cp = ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
            else if (n == 3) cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
            else if (n == 4)
                cp = ((p[0] & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu);
            p += n ? n : 1;
            if (!ascii_only) {
                append_utf8(out, cp);
            } else if (cp < 0x10000) {
                append_u_escape(out, cp);
            } else {
                cp -= 0x10000;
                append_u_escape(out, 0xD800 + (cp >> 10));
                append_u_escape(out, 0xDC00 + (cp & 0x3FF));
            }
            continue;
        }
        ++p;
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (c < 0x20 || (ascii_only && c == 0x7F)) append_u_escape(out, c);
            else out += static_cast<char>(c);
        }
    }
    out += '"';
}

void newline(std::string & out, const JsonWriteOptions & opt, int depth) {
    out += '\n';
    out.append(static_cast<size_t>(opt.indent) * depth, ' ');
}

void write_value(std::string & out, const Json & v, const JsonWriteOptions & opt, int depth) {
    bool pretty = opt.indent >= 0;
    switch (v.type()) {
    case JsonType::null: out += "null"; return;
    case JsonType::boolean: out += v.as_bool() ? "true" : "false"; return;
    case JsonType::number:
        if (v.is_integer()) {
            char buf[24];
            auto r = std::to_chars(buf, buf + sizeof buf, v.as_int64());
            out.append(buf, r.ptr);
        } else {
            append_json_number(out, v.as_double());
        }
        return;
    case JsonType::string: append_string(out, v.as_string(), opt.ascii_only); return;
    case JsonType::array: {
        const Json::Array & a = v.as_array();
        if (a.empty()) {
            out += "[]";
            return;
        }
        out += '[';
        for (size_t i = 0; i < a.size(); ++i) {
            if (i) out += ',';
            if (pretty) newline(out, opt, depth + 1);
            write_value(out, a[i], opt, depth + 1);
        }
        if (pretty) newline(out, opt, depth);
        out += ']';
        return;
    }
    case JsonType::object: {
        const Json::Object & o = v.as_object();
        if (o.empty()) {
            out += "{}";
            return;
        }
        out += '{';
        for (size_t i = 0; i < o.size(); ++i) {
            if (i) out += ',';
            if (pretty) newline(out, opt, depth + 1);
            append_string(out, o[i].first, opt.ascii_only);
            out += pretty ? ": " : ":";
            write_value(out, o[i].second, opt, depth + 1);
        }
        if (pretty) newline(out, opt, depth);
        out += '}';
        return;
    }
    }
}

}  // namespace

void write_json(std::string & out, const Json & v, const JsonWriteOptions & opt) {
    write_value(out, v, opt, opt.level);
}

std::string write_json(const Json & v, const JsonWriteOptions & opt) {
    std::string out;
    write_value(out, v, opt, opt.level);
    return out;
}

}  // namespace rs
