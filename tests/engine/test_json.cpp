#include "engine/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

namespace rs {
namespace {

std::string compact(const Json & v) { return write_json(v); }

std::string error_of(std::string_view text, const std::string & source = "input.json",
                     const JsonParseOptions & opt = {}) {
    try {
        parse_json(text, source, opt);
    } catch (const JsonError & e) {
        return e.what();
    }
    return "(no error)";
}

TEST(Json, ParsesScalarsAndContainers) {
    Json v = parse_json(R"( {"a": [1, 2.5, "x", true, false, null], "b": {}, "c": []} )");
    ASSERT_TRUE(v.is_object());
    EXPECT_EQ(v.size(), 3u);
    const Json & a = v.at("a");
    ASSERT_EQ(a.size(), 6u);
    EXPECT_TRUE(a.at(0).is_integer());
    EXPECT_EQ(a.at(0).as_int64(), 1);
    EXPECT_FALSE(a.at(1).is_integer());
    EXPECT_DOUBLE_EQ(a.at(1).as_double(), 2.5);
    EXPECT_EQ(a.at(2).as_string(), "x");
    EXPECT_TRUE(a.at(3).as_bool());
    EXPECT_FALSE(a.at(4).as_bool());
    EXPECT_TRUE(a.at(5).is_null());
    EXPECT_TRUE(v.at("b").is_object());
    EXPECT_TRUE(v.at("c").is_array());
}

TEST(Json, ObjectKeepsKeyOrderAndLastDuplicateWins) {
    Json v = parse_json(R"({"z": 1, "a": 2, "m": 3, "a": 4})");
    const Json::Object & o = v.as_object();
    ASSERT_EQ(o.size(), 4u);
    EXPECT_EQ(o[0].first, "z");
    EXPECT_EQ(o[1].first, "a");
    EXPECT_EQ(o[2].first, "m");
    EXPECT_EQ(v.at("a").as_int64(), 4);
    EXPECT_EQ(compact(v), R"({"z":1,"a":2,"m":3,"a":4})");
}

TEST(Json, BuildsAndEditsValues) {
    Json o = Json::object();
    o.set("token", "abc");
    o.set("n", 3);
    o.set("token", "def");
    Json arr = Json::array();
    arr.push_back(1.5);
    arr.push_back(nullptr);
    o.set("list", std::move(arr));
    EXPECT_EQ(compact(o), R"({"token":"def","n":3,"list":[1.5,null]})");
}

TEST(Json, BigNumbers) {
    Json v = parse_json("[9223372036854775807, -9223372036854775808, 9223372036854775808, "
                        "123456789012345678901234567890, 1e400, -1e400, 1e-400, 0.000e999999999999999999]");
    EXPECT_TRUE(v.at(0).is_integer());
    EXPECT_EQ(v.at(0).as_int64(), std::numeric_limits<int64_t>::max());
    EXPECT_EQ(v.at(1).as_int64(), std::numeric_limits<int64_t>::min());
    EXPECT_FALSE(v.at(2).is_integer());
    EXPECT_DOUBLE_EQ(v.at(2).as_double(), 9223372036854775808.0);
    EXPECT_THROW(v.at(2).as_int64(), JsonError);
    EXPECT_DOUBLE_EQ(v.at(3).as_double(), 1.2345678901234568e29);
    EXPECT_EQ(v.at(4).as_double(), std::numeric_limits<double>::infinity());
    EXPECT_EQ(v.at(5).as_double(), -std::numeric_limits<double>::infinity());
    EXPECT_EQ(v.at(6).as_double(), 0.0);
    EXPECT_EQ(v.at(7).as_double(), 0.0);
    // Big timestamps stay exact integers through a round trip.
    Json t = parse_json("1532402927647951");
    EXPECT_EQ(t.as_int64(), 1532402927647951);
    EXPECT_EQ(compact(t), "1532402927647951");
    // Integral doubles convert to integers (tools that write 900.0 for a width).
    EXPECT_EQ(parse_json("900.0").as_int64(), 900);
    EXPECT_THROW(parse_json("900.5").as_int64(), JsonError);
}

TEST(Json, NumbersWrittenLikePythonRepr) {
    struct Case {
        double value;
        const char * text;
    };
    const Case cases[] = {
        {0.0, "0.0"}, {-0.0, "-0.0"}, {1.0, "1.0"}, {0.1, "0.1"}, {-2.5, "-2.5"},
        {1e16, "1e+16"}, {1.5e16, "1.5e+16"}, {1234567890123456.0, "1234567890123456.0"},
        {1e-5, "1e-05"}, {0.0001, "0.0001"}, {1.7007912397384644, "1.7007912397384644"},
        {5e-324, "5e-324"}, {1.7976931348623157e308, "1.7976931348623157e+308"}, {123e100, "1.23e+102"},
        {411.41997584800345, "411.41997584800345"},
    };
    for (const Case & c : cases) EXPECT_EQ(compact(Json(c.value)), c.text) << c.text;
    EXPECT_EQ(compact(Json(42)), "42");
    EXPECT_EQ(compact(Json(int64_t(-7))), "-7");
    EXPECT_EQ(compact(Json(uint64_t(18446744073709551615ull))), "1.8446744073709552e+19");
}

TEST(Json, DoublesRoundTripBitExactly) {
    std::mt19937_64 rng(7);
    std::string text;
    for (int i = 0; i < 20000; ++i) {
        uint64_t bits = rng();
        double d;
        std::memcpy(&d, &bits, sizeof d);
        if (!std::isfinite(d)) continue;
        text.clear();
        append_json_number(text, d);
        double back = parse_json(text).as_double();
        uint64_t back_bits;
        std::memcpy(&back_bits, &back, sizeof back);
        ASSERT_EQ(back_bits, bits) << text;
    }
}

TEST(Json, NanAndInfinityLikePython) {
    Json v = parse_json("[NaN, Infinity, -Infinity, -0.5]");
    EXPECT_TRUE(std::isnan(v.at(0).as_double()));
    EXPECT_EQ(v.at(1).as_double(), std::numeric_limits<double>::infinity());
    EXPECT_EQ(v.at(2).as_double(), -std::numeric_limits<double>::infinity());
    EXPECT_EQ(compact(v), "[NaN,Infinity,-Infinity,-0.5]");
    EXPECT_EQ(v, parse_json(compact(v)));
    JsonParseOptions strict;
    strict.allow_nan = false;
    EXPECT_NE(error_of("[NaN]", "m.json", strict).find("m.json:1:2: expected a JSON value"), std::string::npos);
    EXPECT_NE(error_of("nan").find("expected a JSON value"), std::string::npos);
    EXPECT_NE(error_of("-Inf").find("expected a digit"), std::string::npos);
}

TEST(Json, UnicodeEscapesAndSurrogatePairs) {
    Json v = parse_json(R"(["\u00e9", "\ud83d\ude00", "\u20AC", "caf\u00E9 \"q\" \\ \/ \b\f\n\r\t", "é😀"])");
    EXPECT_EQ(v.at(0).as_string(), "\xC3\xA9");
    EXPECT_EQ(v.at(1).as_string(), "\xF0\x9F\x98\x80");
    EXPECT_EQ(v.at(2).as_string(), "\xE2\x82\xAC");
    EXPECT_EQ(v.at(3).as_string(), "caf\xC3\xA9 \"q\" \\ / \b\f\n\r\t");
    EXPECT_EQ(v.at(4).as_string(), "\xC3\xA9\xF0\x9F\x98\x80");
    // Raw UTF-8 by default, \u escapes (lowercase, surrogate pairs) like Python's ensure_ascii.
    EXPECT_EQ(compact(v.at(4)), "\"\xC3\xA9\xF0\x9F\x98\x80\"");
    JsonWriteOptions ascii;
    ascii.ascii_only = true;
    EXPECT_EQ(write_json(v.at(4), ascii), R"("\u00e9\ud83d\ude00")");
    EXPECT_EQ(write_json(Json("a\x01\x7f"), ascii), R"("a\u0001\u007f")");
    EXPECT_EQ(compact(Json("a\x01\x7f")), "\"a\\u0001\x7f\"");
    EXPECT_EQ(compact(v.at(3)), R"("caf)" "\xC3\xA9" R"( \"q\" \\ / \b\f\n\r\t")");
    EXPECT_EQ(parse_json(write_json(v, ascii)), v);
}

TEST(Json, RejectsBadUnicode) {
    EXPECT_NE(error_of(R"("\ud83d")").find("low surrogate"), std::string::npos);
    EXPECT_NE(error_of(R"("\ud83d\u0041")").find("low surrogate"), std::string::npos);
    EXPECT_NE(error_of(R"("\ude00")").find("high surrogate"), std::string::npos);
    EXPECT_NE(error_of(R"("\u12G4")").find("hex digit"), std::string::npos);
    EXPECT_NE(error_of("\"\xC3\"").find("valid UTF-8"), std::string::npos);
    EXPECT_NE(error_of("\"\xED\xA0\x80\"").find("valid UTF-8"), std::string::npos);  // encoded surrogate
    EXPECT_NE(error_of("\"\xC0\xAF\"").find("valid UTF-8"), std::string::npos);      // overlong
    EXPECT_NE(error_of("\"a\nb\"").find("control character"), std::string::npos);
    // Invalid UTF-8 put in by C++ code is written as U+FFFD, so the output always parses.
    EXPECT_EQ(compact(Json("a\xFF" "b")), "\"a\xEF\xBF\xBD" "b\"");
}

TEST(Json, ErrorsNameSourceLineColumnAndExpectation) {
    std::string e = error_of("{\n  \"a\": [1, 2,,]\n}", "/data/v1.0-mini/sample.json");
    EXPECT_NE(e.find("/data/v1.0-mini/sample.json:2:14: expected a JSON value, got ','"), std::string::npos) << e;
    try {
        parse_json("[1,\n2\n3]", "x.json");
        FAIL() << "no error";
    } catch (const JsonError & err) {
        EXPECT_EQ(err.source(), "x.json");
        EXPECT_EQ(err.line(), 3);
        EXPECT_EQ(err.column(), 1);
        EXPECT_NE(std::string(err.what()).find("expected ',' or ']'"), std::string::npos) << err.what();
    }
    EXPECT_NE(error_of("").find("input.json:1:1: expected a JSON value, got end of input"), std::string::npos);
    EXPECT_NE(error_of("{\"a\" 1}").find("expected ':'"), std::string::npos);
    EXPECT_NE(error_of("{1: 2}").find("expected a string key"), std::string::npos);
    EXPECT_NE(error_of("{\"a\": 1,}").find("expected a string key"), std::string::npos);
    EXPECT_NE(error_of("[1,]").find("expected a JSON value, got ']'"), std::string::npos);
    EXPECT_NE(error_of("[1] x").find("expected end of input"), std::string::npos);
    EXPECT_NE(error_of("\"abc").find("close the string"), std::string::npos);
    EXPECT_NE(error_of("01").find("expected end of input"), std::string::npos);
    EXPECT_NE(error_of("1.").find("digit after '.'"), std::string::npos);
    EXPECT_NE(error_of("1e+").find("digit in the exponent"), std::string::npos);
    EXPECT_NE(error_of("tru").find("expected a JSON value"), std::string::npos);
    EXPECT_NE(error_of("\"\\x\"").find("escape"), std::string::npos);
    EXPECT_NE(error_of("[\x01]").find("got byte 0x01"), std::string::npos);
}

TEST(Json, AccessorErrorsNameKeyAndTypes) {
    Json v = parse_json(R"({"token": "t", "size": [1, 2]})");
    try {
        v.at("translation");
        FAIL() << "no error";
    } catch (const JsonError & e) {
        EXPECT_STREQ(e.what(), "missing key 'translation'");
    }
    try {
        v.at("token").as_double();
        FAIL() << "no error";
    } catch (const JsonError & e) {
        EXPECT_STREQ(e.what(), "expected number, got string");
    }
    try {
        v.at("size").at(2);
        FAIL() << "no error";
    } catch (const JsonError & e) {
        EXPECT_STREQ(e.what(), "index 2 out of range for an array of 2 elements");
    }
    EXPECT_THROW(v.at("size").at("x"), JsonError);
    EXPECT_EQ(v.find("nope"), nullptr);
    EXPECT_EQ(Json(3).size(), 0u);
}

TEST(Json, DepthLimitRejectsDeepNesting) {
    std::string ok(512, '[');
    ok += std::string(512, ']');
    EXPECT_NO_THROW(parse_json(ok));
    std::string deep(513, '[');
    deep += std::string(513, ']');
    EXPECT_NE(error_of(deep).find("nesting deeper than 512 levels"), std::string::npos);
    // Far beyond the limit, unterminated: must fail cleanly, not overflow the stack.
    std::string huge(1000000, '[');
    EXPECT_NE(error_of(huge).find("nesting deeper"), std::string::npos);
    std::string objects;
    for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
    EXPECT_NE(error_of(objects).find("nesting deeper"), std::string::npos);
}

TEST(Json, IndentedOutputMatchesPythonJsonDumps) {
    // Python: json.dumps(v, indent=1)
    Json v = parse_json(R"([{"token": "a", "size": [0.621, 0.669, 1.642], "attribute_tokens": [], "o": {},
                            "n": 1, "ok": true}])");
    JsonWriteOptions indent1;
    indent1.indent = 1;
    EXPECT_EQ(write_json(v, indent1),
              "[\n {\n  \"token\": \"a\",\n  \"size\": [\n   0.621,\n   0.669,\n   1.642\n  ],\n"
              "  \"attribute_tokens\": [],\n  \"o\": {},\n  \"n\": 1,\n  \"ok\": true\n }\n]");
    JsonWriteOptions indent0;
    indent0.indent = 0;
    EXPECT_EQ(write_json(parse_json("{\"a\": [1]}"), indent0), "{\n\"a\": [\n1\n]\n}");
}

TEST(Json, RoundTripsDocuments) {
    const char * docs[] = {
        "null", "true", "[]", "{}", "\"\"", "-0", "[[[]],{\"\":{\"\":[null]}}]",
        R"({"label_tp_errors": {"barrier": {"vel_err": NaN, "attr_err": NaN, "trans_err": 0.25}}})",
        R"({"results": {"t1": [{"translation": [1.0, -2.25e-07, 3e+21], "score": 0.5}]}})",
    };
    for (const char * d : docs) {
        Json v = parse_json(d);
        EXPECT_EQ(parse_json(compact(v)), v) << d;
        JsonWriteOptions pretty;
        pretty.indent = 2;
        EXPECT_EQ(parse_json(write_json(v, pretty)), v) << d;
        EXPECT_EQ(compact(parse_json(compact(v))), compact(v)) << d;
    }
    // Integer-ness is part of the value: 1 and 1.0 differ, as in Python.
    EXPECT_NE(parse_json("1"), parse_json("1.0"));
    EXPECT_EQ(compact(parse_json("[1, 1.0, 1e2, 100]")), "[1,1.0,100.0,100]");
}

TEST(Json, WhitespaceAndByteOrderMark) {
    EXPECT_EQ(parse_json("\xEF\xBB\xBF \t\r\n[1]\n").at(0).as_int64(), 1);
    EXPECT_NE(error_of("[1 ,\x0b 2]").find("byte 0x0b"), std::string::npos);
}

TEST(Json, LargeDocumentParsesInLinearTime) {
    // 200k annotation-like records (~40 MB): a quadratic step would time out here.
    std::string text = "[";
    for (int i = 0; i < 200000; ++i) {
        if (i) text += ",\n";
        text += R"({"token": "ef63a697930c4b20a6b9791f423351da", "translation": [373.2559901348878, 1130.419002166117,)"
                R"( 0.7999999521565453], "size": [0.621, 0.669, 1.642], "num_lidar_pts": )" +
                std::to_string(i) + "}";
    }
    text += "]";
    Json v = parse_json(text);
    ASSERT_EQ(v.size(), 200000u);
    EXPECT_EQ(v.at(199999).at("num_lidar_pts").as_int64(), 199999);
    EXPECT_EQ(parse_json(compact(v)), v);
}

}  // namespace
}  // namespace rs
