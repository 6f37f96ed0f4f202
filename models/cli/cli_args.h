// Command-line options of roadsight-models: `--name value` options and `--flag` switches with
// errors (std::invalid_argument) that name the option; unknown options are errors too.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace rs {

class CliArgs {
public:
    // `with_value` lists the options that take a value, `flags` the ones that do not.
    CliArgs(const std::vector<std::string> & argv, const std::set<std::string> & with_value,
            const std::set<std::string> & flags);

    const std::vector<std::string> & positional() const { return positional_; }
    bool has(const std::string & name) const { return values_.count(name) > 0; }
    std::string get(const std::string & name, const std::string & fallback) const;
    int64_t get_int(const std::string & name, int64_t fallback, int64_t min, int64_t max) const;
    double get_double(const std::string & name, double fallback, double min, double max) const;  // NaN refused

private:
    std::map<std::string, std::string> values_;
    std::vector<std::string> positional_;
};

}  // namespace rs
