// Finds the table folder (v1.0-*) of a nuScenes-format dataset for the CLIs.
#pragma once

#include <string>

namespace rs {

// `asked` when given, else the only v1.0-* folder under `root`; std::invalid_argument otherwise.
std::string find_version_folder(const std::string & root, const std::string & asked);

}  // namespace rs
