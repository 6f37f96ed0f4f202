#include "engine/file_io.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace rs {

void write_file_atomic(const std::string & path, const void * data, size_t size) {
    std::string tmp = path + ".tmp";
    std::FILE * f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw std::runtime_error("cannot create " + tmp + ": " + std::strerror(errno));
    bool ok = std::fwrite(data, 1, size, f) == size;
    ok = (std::fclose(f) == 0) && ok;
    if (!ok) {
        std::remove(tmp.c_str());
        throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::remove(tmp.c_str());
        throw std::runtime_error("cannot rename " + tmp + " to " + path + ": " + ec.message());
    }
}

std::vector<uint8_t> read_file_bytes(const std::string & path) {
    std::FILE * f = std::fopen(path.c_str(), "rb");
    if (!f) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
    std::vector<uint8_t> out;
    uint8_t buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + n);
    bool err = std::ferror(f);
    std::fclose(f);
    if (err) throw std::runtime_error("cannot read " + path);
    return out;
}

std::string read_file_text(const std::string & path) {
    std::vector<uint8_t> b = read_file_bytes(path);
    return std::string(b.begin(), b.end());
}

}  // namespace rs
