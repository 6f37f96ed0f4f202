// Tiny command-line parser: `--name value` options and `--flag` switches, with errors that name
// the option. Unknown options are errors, so typos never pass silently.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace rs {

class Args {
public:
    // `with_value` lists options that take a value, `flags` those that do not.
    Args(const std::vector<std::string> & argv, const std::set<std::string> & with_value,
         const std::set<std::string> & flags);

    const std::vector<std::string> & positional() const { return positional_; }
    bool has(const std::string & name) const { return values_.count(name) > 0; }
    std::string get(const std::string & name, const std::string & fallback) const;
    std::string require(const std::string & name) const;
    long long get_int(const std::string & name, long long fallback, long long min, long long max) const;
    double get_double(const std::string & name, double fallback, double min, double max) const;

private:
    std::map<std::string, std::string> values_;
    std::vector<std::string> positional_;
};

}  // namespace rs
