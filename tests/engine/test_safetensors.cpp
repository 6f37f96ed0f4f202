#include "engine/safetensors.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "engine/file_io.h"
#include "engine/json.h"

namespace fs = std::filesystem;

namespace rs {
namespace {

bool running_in_ci() {
    const char * ci = std::getenv("CI");
    return ci && std::string(ci) == "true";
}

// A fresh folder under the system temp dir, removed with the object.
class TempDir {
public:
    TempDir() {
        static int counter = 0;
        path_ = fs::temp_directory_path() /
                ("roadsight_safetensors_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir &) = delete;
    TempDir & operator=(const TempDir &) = delete;
    std::string file(const std::string & name) const { return (path_ / name).string(); }

private:
    fs::path path_;
};

// A file with the given header text (unpadded) and `buffer` bytes of data.
std::vector<uint8_t> make_file(const std::string & header, size_t buffer) {
    std::vector<uint8_t> out(8);
    for (int i = 0; i < 8; ++i) out[size_t(i)] = uint8_t(uint64_t(header.size()) >> (8 * i));
    out.insert(out.end(), header.begin(), header.end());
    for (size_t i = 0; i < buffer; ++i) out.push_back(uint8_t(i * 37));
    return out;
}

std::string parse_error(const std::vector<uint8_t> & bytes) {
    try {
        SafetensorsFile::parse(bytes, "bad.safetensors");
    } catch (const SafetensorsError & e) {
        return e.what();
    }
    return "(no error)";
}

double half_to_double(uint16_t h) {
    const int exponent = (h >> 10) & 31;
    const int mantissa = h & 1023;
    double v = exponent == 0    ? std::ldexp(mantissa, -24)
               : exponent == 31 ? (mantissa ? NAN : INFINITY)
                                : std::ldexp(mantissa + 1024, exponent - 25);
    return (h >> 15) ? -v : v;
}

// Element i of a tensor as a double (floating dtypes) or an integer (the others).
double float_at(const uint8_t * p, SafetensorsDtype d, size_t i) {
    switch (d) {
    case SafetensorsDtype::F64: { double v; std::memcpy(&v, p + 8 * i, 8); return v; }
    case SafetensorsDtype::F32: { float v; std::memcpy(&v, p + 4 * i, 4); return v; }
    case SafetensorsDtype::F16: { uint16_t v; std::memcpy(&v, p + 2 * i, 2); return half_to_double(v); }
    case SafetensorsDtype::BF16: {
        uint16_t v;
        std::memcpy(&v, p + 2 * i, 2);
        uint32_t bits = uint32_t(v) << 16;
        float f;
        std::memcpy(&f, &bits, 4);
        return f;
    }
    default: ADD_FAILURE() << "not a floating dtype"; return 0;
    }
}

int64_t int_at(const uint8_t * p, SafetensorsDtype d, size_t i) {
    switch (d) {
    case SafetensorsDtype::I64: { int64_t v; std::memcpy(&v, p + 8 * i, 8); return v; }
    case SafetensorsDtype::I32: { int32_t v; std::memcpy(&v, p + 4 * i, 4); return v; }
    case SafetensorsDtype::I16: { int16_t v; std::memcpy(&v, p + 2 * i, 2); return v; }
    case SafetensorsDtype::I8: return int8_t(p[i]);
    case SafetensorsDtype::U8:
    case SafetensorsDtype::BOOL: return p[i];
    default: ADD_FAILURE() << "not an integer dtype"; return 0;
    }
}

std::string hex_of(const uint8_t * p, size_t n) {
    static const char * digits = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < n; ++i) {
        s += digits[p[i] >> 4];
        s += digits[p[i] & 15];
    }
    return s;
}

TEST(Safetensors, DtypeNamesAndSizes) {
    EXPECT_EQ(safetensors_dtype_size(SafetensorsDtype::F64), 8u);
    EXPECT_EQ(safetensors_dtype_size(SafetensorsDtype::BF16), 2u);
    EXPECT_EQ(safetensors_dtype_size(SafetensorsDtype::BOOL), 1u);
    for (const char * name : {"F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL", "U16", "U32",
                              "U64", "F8_E4M3", "F8_E5M2"}) {
        std::optional<SafetensorsDtype> d = parse_safetensors_dtype(name);
        ASSERT_TRUE(d) << name;
        EXPECT_STREQ(safetensors_dtype_name(*d), name);
    }
    EXPECT_FALSE(parse_safetensors_dtype("f32"));
    EXPECT_FALSE(parse_safetensors_dtype("C64"));
}

TEST(Safetensors, RoundTripsEveryDtypeAndMetadata) {
    std::vector<std::vector<uint8_t>> blobs;
    std::vector<SafetensorsTensorView> views;
    int index = 0;
    for (const char * name : {"F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL", "U16", "U32",
                              "U64", "F8_E4M3", "F8_E5M2"}) {
        SafetensorsTensorView v;
        v.name = std::string("t.") + name;
        v.dtype = *parse_safetensors_dtype(name);
        v.shape = {2, index % 3 + 1};
        std::vector<uint8_t> blob(size_t(2 * (index % 3 + 1)) * safetensors_dtype_size(v.dtype));
        for (size_t i = 0; i < blob.size(); ++i) blob[i] = uint8_t(i * 13 + index);
        blobs.push_back(std::move(blob));
        ++index;
        views.push_back(v);
    }
    for (size_t i = 0; i < views.size(); ++i) {
        views[i].data = blobs[i].data();
        views[i].size = blobs[i].size();
    }
    SafetensorsTensorView scalar{"scalar", SafetensorsDtype::F32, {}, nullptr, 4};
    float one = 1.0f;
    scalar.data = &one;
    views.push_back(scalar);
    views.push_back({"empty", SafetensorsDtype::F32, {0, 7}, nullptr, 0});

    const std::map<std::string, std::string> meta{{"format", "pt"}, {"epoch", "24"}, {"quote\"d", "line\nbreak"}};
    TempDir dir;
    const std::string path = dir.file("all.safetensors");
    write_safetensors(path, views, meta);
    EXPECT_FALSE(fs::exists(path + ".tmp"));
    EXPECT_EQ(read_file_bytes(path), serialize_safetensors(views, meta));

    SafetensorsFile f = SafetensorsFile::read(path);
    EXPECT_EQ(f.source(), path);
    EXPECT_EQ(f.metadata(), meta);
    ASSERT_EQ(f.entries().size(), views.size());
    for (const SafetensorsTensorView & v : views) {
        const SafetensorsEntry * e = f.find(v.name);
        ASSERT_TRUE(e) << v.name;
        EXPECT_EQ(e->dtype, v.dtype) << v.name;
        EXPECT_EQ(e->shape, v.shape) << v.name;
        ASSERT_EQ(e->byte_size(), v.size) << v.name;
        if (v.size) {
            EXPECT_EQ(std::memcmp(f.data(*e), v.data, v.size), 0) << v.name;
        }
    }
    EXPECT_EQ(f.find("scalar")->element_count(), 1u);
    EXPECT_EQ(f.find("empty")->element_count(), 0u);
    EXPECT_FALSE(f.find("t.F6"));
    for (size_t i = 1; i < f.entries().size(); ++i) EXPECT_LT(f.entries()[i - 1].name, f.entries()[i].name);
}

TEST(Safetensors, WriterIsDeterministicSortedAndPadded) {
    std::vector<float> a{1, 2, 3};
    std::vector<int64_t> b{-5};
    std::vector<uint8_t> c{1, 0, 1};
    std::vector<SafetensorsTensorView> views{
        {"b", SafetensorsDtype::I64, {1}, b.data(), 8},
        {"c", SafetensorsDtype::BOOL, {3}, c.data(), 3},
        {"a", SafetensorsDtype::F32, {3}, a.data(), 12},
    };
    std::vector<SafetensorsTensorView> reordered{views[2], views[0], views[1]};
    std::vector<uint8_t> bytes = serialize_safetensors(views, {{"k", "v"}});
    EXPECT_EQ(bytes, serialize_safetensors(reordered, {{"k", "v"}}));

    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | bytes[size_t(i)];
    EXPECT_EQ(n % 8, 0u);
    std::string header(bytes.begin() + 8, bytes.begin() + 8 + long(n));
    EXPECT_EQ(header.substr(0, header.find_last_not_of(' ') + 1),
              R"({"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},)"
              R"("b":{"dtype":"I64","shape":[1],"data_offsets":[12,20]},)"
              R"("c":{"dtype":"BOOL","shape":[3],"data_offsets":[20,23]}})");
    ASSERT_EQ(bytes.size(), 8 + n + 23);
    EXPECT_EQ(std::memcmp(bytes.data() + 8 + n, a.data(), 12), 0);
    EXPECT_EQ(std::memcmp(bytes.data() + 8 + n + 12, b.data(), 8), 0);
    EXPECT_EQ(std::memcmp(bytes.data() + 8 + n + 20, c.data(), 3), 0);

    // No metadata: no __metadata__ key at all; no tensors: an empty object.
    std::vector<uint8_t> empty = serialize_safetensors({});
    EXPECT_EQ(std::string(empty.begin() + 8, empty.end()), "{}      ");
    EXPECT_TRUE(SafetensorsFile::parse(empty, "empty").entries().empty());
}

TEST(Safetensors, WriterRejectsBadTensors) {
    std::vector<float> a{1, 2};
    auto error = [](const std::vector<SafetensorsTensorView> & v) {
        try {
            serialize_safetensors(v);
        } catch (const SafetensorsError & e) {
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    EXPECT_NE(error({{"x", SafetensorsDtype::F32, {2}, a.data(), 8}, {"x", SafetensorsDtype::F32, {2}, a.data(), 8}})
                  .find("'x': name given twice"),
              std::string::npos);
    EXPECT_NE(error({{"__metadata__", SafetensorsDtype::F32, {2}, a.data(), 8}}).find("reserved"), std::string::npos);
    EXPECT_NE(error({{"x", SafetensorsDtype::F32, {3}, a.data(), 8}}).find("F32 [3] needs 12 bytes, got 8"),
              std::string::npos);
    EXPECT_NE(error({{"x", SafetensorsDtype::F32, {-2}, a.data(), 8}}).find("negative or too large"),
              std::string::npos);
    EXPECT_NE(error({{"x", SafetensorsDtype::F32, {2}, nullptr, 8}}).find("no data"), std::string::npos);

    TempDir dir;
    try {
        write_safetensors(dir.file("w.safetensors"), {{"x", SafetensorsDtype::F32, {3}, a.data(), 8}});
        FAIL() << "expected an error";
    } catch (const SafetensorsError & e) {
        EXPECT_NE(std::string(e.what()).find(dir.file("w.safetensors") + ": cannot write tensor 'x'"), std::string::npos)
            << e.what();
    }
    EXPECT_FALSE(fs::exists(dir.file("w.safetensors")));
}

TEST(Safetensors, ReadsFilesOfAnIndependentPythonWriter) {
    const std::string python = ROADSIGHT_PYTHON3;
    if (python.empty() || python.find("NOTFOUND") != std::string::npos || !fs::exists(python)) {
        if (running_in_ci()) FAIL() << "python3 not found at configure time (CI=true)";
        GTEST_SKIP() << "python3 not found at configure time";
    }
    TempDir dir;
    const std::string out = dir.file("fixture");
    const std::string cmd = "\"" + python + "\" \"" + std::string(ROADSIGHT_SOURCE_DIR) +
                            "/tests/engine/safetensors_fixture.py\" \"" + out + "\"";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;

    int files = 0;
    for (const char * name : {"mixed.safetensors", "empty.safetensors", "single.safetensors"}) {
        SCOPED_TRACE(name);
        const std::string path = out + "/" + name;
        SafetensorsFile f = SafetensorsFile::read(path);
        Json expected = parse_json(read_file_text(path + ".expected.json"), path + ".expected.json");
        std::map<std::string, std::string> meta;
        for (const Json::Member & m : expected.at("metadata").as_object()) meta[m.first] = m.second.as_string();
        EXPECT_EQ(f.metadata(), meta);
        const Json::Object & tensors = expected.at("tensors").as_object();
        ASSERT_EQ(f.entries().size(), tensors.size());
        for (const Json::Member & m : tensors) {
            SCOPED_TRACE(m.first);
            const SafetensorsEntry * e = f.find(m.first);
            ASSERT_TRUE(e);
            EXPECT_STREQ(safetensors_dtype_name(e->dtype), m.second.at("dtype").as_string().c_str());
            std::vector<int64_t> shape;
            for (const Json & s : m.second.at("shape").as_array()) shape.push_back(s.as_int64());
            EXPECT_EQ(e->shape, shape);
            EXPECT_EQ(hex_of(f.data(*e), e->byte_size()), m.second.at("hex").as_string());
            const Json::Array & values = m.second.at("values").as_array();
            ASSERT_EQ(values.size(), e->element_count());
            const bool floating = e->dtype == SafetensorsDtype::F64 || e->dtype == SafetensorsDtype::F32 ||
                                  e->dtype == SafetensorsDtype::F16 || e->dtype == SafetensorsDtype::BF16;
            for (size_t i = 0; i < values.size(); ++i) {
                if (floating) {
                    const double got = float_at(f.data(*e), e->dtype, i);
                    const double want = values[i].as_double();
                    EXPECT_EQ(got, want) << "element " << i;
                    EXPECT_EQ(std::signbit(got), std::signbit(want)) << "element " << i;
                } else {
                    EXPECT_EQ(int_at(f.data(*e), e->dtype, i), values[i].as_int64()) << "element " << i;
                }
            }
        }
        ++files;
    }
    EXPECT_EQ(files, 3);
    // Our writer gives the same tensors in its own canonical layout; reading that back must agree.
    SafetensorsFile mixed = SafetensorsFile::read(out + "/mixed.safetensors");
    std::vector<SafetensorsTensorView> views;
    for (const SafetensorsEntry & e : mixed.entries())
        views.push_back({e.name, e.dtype, e.shape, mixed.data(e), size_t(e.byte_size())});
    SafetensorsFile again = SafetensorsFile::parse(serialize_safetensors(views, mixed.metadata()), "again");
    ASSERT_EQ(again.entries().size(), mixed.entries().size());
    for (const SafetensorsEntry & e : mixed.entries())
        EXPECT_EQ(hex_of(again.data(*again.find(e.name)), e.byte_size()), hex_of(mixed.data(e), e.byte_size()));
}

struct MalformedCase {
    const char * what;
    std::vector<uint8_t> bytes;
    const char * message;  // expected in the error, after "bad.safetensors: "
};

TEST(Safetensors, RejectsMalformedFilesNamingFileAndTensor) {
    const std::string f32x2 = R"("dtype":"F32","shape":[2])";
    std::vector<uint8_t> short_length{1, 0, 0};
    std::vector<uint8_t> huge_length = make_file("{}", 0);
    huge_length[7] = 0x80;
    std::vector<uint8_t> beyond = make_file("{}", 0);
    beyond[0] = 200;
    const std::vector<MalformedCase> cases = {
        {"shorter than the length", short_length, "3 bytes, too short for the 8-byte header length"},
        {"length beyond file", beyond, "header length 200 goes beyond the 10-byte file"},
        {"huge length", huge_length, "header length 9223372036854775810 goes beyond"},
        {"empty header", make_file("", 0), "header must start with '{'"},
        {"leading space", make_file(" {}", 0), "header must start with '{'"},
        {"not json", make_file("{\"a\":", 0), "bad.safetensors header:"},
        {"nan", make_file(R"({"a":{"dtype":"F32","shape":[NaN],"data_offsets":[0,0]}})", 0), "bad.safetensors header"},
        {"entry not object", make_file(R"({"a":[1]})", 0), "tensor 'a': expected an object, got array"},
        {"missing field", make_file(R"({"a":{"dtype":"F32","shape":[2]}})", 8), "tensor 'a': needs dtype, shape"},
        {"unknown field", make_file(R"({"a":{)" + f32x2 + R"(,"data_offsets":[0,8],"x":1}})", 8),
         "tensor 'a': unknown field 'x'"},
        {"field twice", make_file(R"({"a":{)" + f32x2 + R"(,"data_offsets":[0,8],"dtype":"F32"}})", 8),
         "tensor 'a': field 'dtype' given twice"},
        {"unknown dtype", make_file(R"({"w":{"dtype":"F31","shape":[2],"data_offsets":[0,8]}})", 8),
         "tensor 'w': unknown dtype 'F31'"},
        {"dtype not string", make_file(R"({"w":{"dtype":4,"shape":[2],"data_offsets":[0,8]}})", 8),
         "tensor 'w': dtype must be a string"},
        {"negative dim", make_file(R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", 8),
         "tensor 'w': shape must hold non-negative integers, got [-2]"},
        {"fractional dim", make_file(R"({"w":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}})", 8),
         "tensor 'w': shape must hold non-negative integers"},
        {"shape not array", make_file(R"({"w":{"dtype":"F32","shape":2,"data_offsets":[0,8]}})", 8),
         "tensor 'w': shape must be an array"},
        {"three offsets", make_file(R"({"w":{)" + f32x2 + R"(,"data_offsets":[0,8,8]}})", 8),
         "tensor 'w': data_offsets must be [begin, end]"},
        {"negative offset", make_file(R"({"w":{)" + f32x2 + R"(,"data_offsets":[-8,0]}})", 8),
         "tensor 'w': data_offsets must hold non-negative integers"},
        {"reversed offsets", make_file(R"({"w":{)" + f32x2 + R"(,"data_offsets":[8,0]}})", 8),
         "tensor 'w': data_offsets [8, 0] end before they begin"},
        {"end beyond buffer", make_file(R"({"w":{)" + f32x2 + R"(,"data_offsets":[0,8]}})", 4),
         "tensor 'w': data_offsets end 8 is beyond the 4-byte data buffer"},
        {"size mismatch", make_file(R"({"w":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}})", 8),
         "tensor 'w': data_offsets [0, 8] hold 8 bytes but F64 [2] needs 16"},
        {"shape overflow", make_file(R"({"w":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}})", 8),
         "tensor 'w': shape [4294967296, 4294967296] is too large"},
        {"overlap", make_file(R"({"a":{)" + f32x2 + R"(,"data_offsets":[0,8]},"b":{)" + f32x2 +
                                  R"(,"data_offsets":[4,12]}})", 12),
         "tensor 'b': data_offsets [4, 12] overlap tensor 'a'"},
        {"same offsets", make_file(R"({"a":{)" + f32x2 + R"(,"data_offsets":[0,8]},"b":{)" + f32x2 +
                                       R"(,"data_offsets":[0,8]}})", 8),
         "data_offsets [0, 8] overlap tensor"},
        {"gap", make_file(R"({"a":{)" + f32x2 + R"(,"data_offsets":[0,8]},"b":{)" + f32x2 +
                              R"(,"data_offsets":[12,20]}})", 20),
         "tensor 'b': the 4 bytes before it (from offset 8) belong to no tensor"},
        {"not from zero", make_file(R"({"a":{)" + f32x2 + R"(,"data_offsets":[4,12]}})", 12),
         "tensor 'a': the 4 bytes before it (from offset 0) belong to no tensor"},
        {"trailing bytes", make_file(R"({"a":{)" + f32x2 + R"(,"data_offsets":[0,8]}})", 11),
         "the last 3 bytes of the 11-byte data buffer belong to no tensor"},
        {"data without tensors", make_file("{}", 1), "the last 1 bytes of the 1-byte data buffer"},
        {"duplicate name", make_file(R"({"a":{)" + f32x2 + R"(,"data_offsets":[0,8]},"a":{)" + f32x2 +
                                         R"(,"data_offsets":[8,16]}})", 16),
         "tensor 'a': given twice"},
        {"metadata twice", make_file(R"({"__metadata__":{},"__metadata__":{}})", 0), "__metadata__ given twice"},
        {"metadata number", make_file(R"({"__metadata__":{"epoch":24}})", 0),
         "__metadata__ value for 'epoch' must be a string"},
        {"metadata array", make_file(R"({"__metadata__":["a"]})", 0), "__metadata__ must be an object of strings"},
        {"metadata key twice", make_file(R"({"__metadata__":{"k":"a","k":"b"}})", 0),
         "__metadata__ key 'k' given twice"},
        {"deep nesting", make_file(R"({"a":{"dtype":[[[[[[[[[[1]]]]]]]]]]}})", 0), "nesting deeper than"},
    };
    for (const MalformedCase & c : cases) {
        const std::string error = parse_error(c.bytes);
        EXPECT_EQ(error.rfind("bad.safetensors", 0), 0u) << c.what << ": " << error;
        EXPECT_NE(error.find(c.message), std::string::npos) << c.what << ": " << error;
    }
}

TEST(Safetensors, ZeroSizedTensorsMayShareAnOffset) {
    SafetensorsFile f = SafetensorsFile::parse(
        make_file(R"({"e1":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},)"
                  R"("a":{"dtype":"U8","shape":[3],"data_offsets":[0,3]},)"
                  R"("e2":{"dtype":"I64","shape":[4,0],"data_offsets":[3,3]},)"
                  R"("e3":{"dtype":"I64","shape":[0],"data_offsets":[3,3]}})", 3),
        "zero.safetensors");
    ASSERT_EQ(f.entries().size(), 4u);
    EXPECT_EQ(f.find("e2")->shape, (std::vector<int64_t>{4, 0}));
    EXPECT_EQ(f.find("a")->byte_size(), 3u);
    EXPECT_NE(parse_error(make_file(R"({"a":{"dtype":"U8","shape":[3],"data_offsets":[0,3]},)"
                                    R"("e":{"dtype":"U8","shape":[0],"data_offsets":[1,1]}})", 3))
                  .find("tensor 'e': data_offsets [1, 1] overlap tensor 'a'"),
              std::string::npos);
}

TEST(Safetensors, ReadErrorsNameThePath) {
    TempDir dir;
    const std::string missing = dir.file("missing.safetensors");
    try {
        SafetensorsFile::read(missing);
        FAIL() << "expected an error";
    } catch (const SafetensorsError & e) {
        EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
    }
    const std::string bad = dir.file("bad.safetensors");
    write_file_atomic(bad, make_file(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8));
    try {
        SafetensorsFile::read(bad);
        FAIL() << "expected an error";
    } catch (const SafetensorsError & e) {
        EXPECT_EQ(std::string(e.what()).rfind(bad + ": tensor 'w': ", 0), 0u) << e.what();
    }
}

}  // namespace
}  // namespace rs
