// Error raised for unreadable or inconsistent dataset files. The message names the file and, where
// known, the table, record token and field, so a user can find the problem without a debugger.
#pragma once

#include <stdexcept>
#include <string>

namespace rs {

struct DatasetError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace rs
