#include "app/cli/args.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace rs {

Args::Args(const std::vector<std::string> & argv, const std::set<std::string> & with_value,
           const std::set<std::string> & flags) {
    for (size_t i = 0; i < argv.size(); ++i) {
        const std::string & a = argv[i];
        if (a.rfind("--", 0) != 0) {
            positional_.push_back(a);
            continue;
        }
        std::string name = a.substr(2), value;
        size_t eq = name.find('=');
        bool inline_value = eq != std::string::npos;
        if (inline_value) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        if (flags.count(name)) {
            if (inline_value) throw std::invalid_argument("option --" + name + " takes no value");
            values_[name] = "1";
        } else if (with_value.count(name)) {
            if (!inline_value) {
                if (i + 1 >= argv.size()) throw std::invalid_argument("option --" + name + " needs a value");
                value = argv[++i];
            }
            values_[name] = value;
        } else {
            throw std::invalid_argument("unknown option --" + name);
        }
    }
}

std::string Args::get(const std::string & name, const std::string & fallback) const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
}

std::string Args::require(const std::string & name) const {
    auto it = values_.find(name);
    if (it == values_.end()) throw std::invalid_argument("missing required option --" + name);
    return it->second;
}

long long Args::get_int(const std::string & name, long long fallback, long long min, long long max) const {
    if (!has(name)) return fallback;
    std::string s = get(name, "");
    errno = 0;
    char * end = nullptr;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (s.empty() || *end || errno)
        throw std::invalid_argument("option --" + name + ": '" + s + "' is not an integer");
    if (v < min || v > max)
        throw std::invalid_argument("option --" + name + ": " + s + " is outside [" + std::to_string(min) + ", " +
                                    std::to_string(max) + "]");
    return v;
}

double Args::get_double(const std::string & name, double fallback, double min, double max) const {
    if (!has(name)) return fallback;
    std::string s = get(name, "");
    char * end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end || !std::isfinite(v))
        throw std::invalid_argument("option --" + name + ": '" + s + "' is not a number");
    if (v < min || v > max)
        throw std::invalid_argument("option --" + name + ": " + s + " is outside [" + std::to_string(min) + ", " +
                                    std::to_string(max) + "]");
    return v;
}

}  // namespace rs
