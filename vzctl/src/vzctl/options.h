// Command-option parsing shared by vzctl's commands: the tools' one option
// idiom (vzkit/cli/options.h) with vzctl's rules — OpenVZ's long options, no
// abbreviations, no stray words, errors as exit code 20.
#pragma once

#include "vzkit/cli/options.h"

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vzctl {

class CommandOptions {
  public:
    // Throws vz::Error(20) for an unknown option, a missing value, a word
    // that is not an option, or an option given twice that is not in
    // `repeatable`.
    CommandOptions(const std::vector<std::string> &args, std::span<const vz::cli::Option> table,
                   std::span<const std::string_view> repeatable = {});

    bool has(std::string_view name) const { return values_.contains(name); }
    std::optional<std::string> value(std::string_view name) const;
    std::vector<std::string> values(std::string_view name) const;
    // Every option in command-line order: (name, value or "").
    const std::vector<std::pair<std::string, std::string>> &given() const { return given_; }

  private:
    std::map<std::string, std::vector<std::string>, std::less<>> values_;
    std::vector<std::pair<std::string, std::string>> given_;
};

} // namespace vzctl
