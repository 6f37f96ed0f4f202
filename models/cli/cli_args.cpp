#include "models/cli/cli_args.h"

#include <charconv>
#include <sstream>
#include <stdexcept>

namespace rs {

CliArgs::CliArgs(const std::vector<std::string> & argv, const std::set<std::string> & with_value,
                 const std::set<std::string> & flags) {
    for (size_t i = 0; i < argv.size(); ++i) {
        const std::string & a = argv[i];
        if (a.size() < 3 || a.compare(0, 2, "--") != 0) {
            positional_.push_back(a);
            continue;
        }
        std::string name = a.substr(2);
        if (flags.count(name)) {
            values_[name] = "";
        } else if (with_value.count(name)) {
            if (i + 1 >= argv.size()) throw std::invalid_argument("option --" + name + " needs a value");
            values_[name] = argv[++i];
        } else {
            throw std::invalid_argument("unknown option --" + name);
        }
    }
}

std::string CliArgs::get(const std::string & name, const std::string & fallback) const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
}

namespace {

// Shortest form, so a bound such as 1e-8 does not print as 0.000000.
template <typename T>
std::string bound_text(T v) {
    std::ostringstream out;
    out << v;
    return out.str();
}

// The whole text as a T within [min, max]; NaN fails the range test.
template <typename T>
T parse_option(const std::string & name, const std::string & text, T min, T max, const char * kind) {
    T v{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size())
        throw std::invalid_argument("option --" + name + " expects " + kind + ", got '" + text + "'");
    if (!(v >= min && v <= max))
        throw std::invalid_argument("option --" + name + " must be in [" + bound_text(min) + ", " + bound_text(max) +
                                    "], got " + text);
    return v;
}

}  // namespace

int64_t CliArgs::get_int(const std::string & name, int64_t fallback, int64_t min, int64_t max) const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : parse_option(name, it->second, min, max, "an integer");
}

double CliArgs::get_double(const std::string & name, double fallback, double min, double max) const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : parse_option(name, it->second, min, max, "a number");
}

}  // namespace rs
