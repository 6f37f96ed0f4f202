#include "engine/dataset_folder.h"

#include <filesystem>
#include <stdexcept>

namespace rs {

std::string find_version_folder(const std::string & root, const std::string & asked) {
    if (!asked.empty()) return asked;
    std::string found;
    std::error_code ec;
    for (const auto & e : std::filesystem::directory_iterator(root, ec)) {
        std::string n = e.path().filename().string();
        if (e.is_directory() && n.rfind("v1.0-", 0) == 0) {
            if (!found.empty()) throw std::invalid_argument(root + " holds several versions; pick one with --version");
            found = n;
        }
    }
    if (ec) throw std::invalid_argument("cannot read folder " + root + ": " + ec.message());
    if (found.empty()) throw std::invalid_argument(root + " has no v1.0-* table folder");
    return found;
}

}  // namespace rs
