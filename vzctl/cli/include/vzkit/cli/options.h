// The tools' one option idiom: a table of options and one parser over it, with
// getopt_long's grammar ("-aH", "-octid", "-o ctid", "--name=value",
// "--name value", "--" ends options, options and words in any order) except
// that a long option matches only when written in full ("--cpu" is not
// "--cpuunits"). Command-line code only: the core library (vzcore) has none.
#pragma once

#include "vzkit/base/error.h"

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vz::cli {

enum class Arg { kNone, kRequired };

struct Option {
    std::string_view name; // long name without "--" ("" = short only)
    char short_name = 0;   // 0 = long only
    Arg arg = Arg::kNone;
    std::string_view value_name{}; // placeholder in help, e.g. "<bytes>"; "" for kNone
    std::string_view help{};       // one line for --help ("" = not listed)
    int key = 0; // the tool's code for the option, as getopt's val; 0 = short_name

    // What a tool switches on: key, else the short name.
    constexpr int id() const { return key != 0 ? key : short_name; }
};

struct Occurrence {
    const Option *option;
    std::string value; // "" for kNone
};

struct Parsed {
    std::vector<Occurrence> given;       // in command-line order, repeats kept
    std::vector<std::string> positional; // non-option words, in order
};

struct Style {
    int usage_error = 1; // exit code carried by the vz::Error thrown for a bad option/missing value
    bool stop_at_positional =
        false; // true: everything from the first non-option word on is positional ("+" in getopt)
    bool single_dash_long =
        false; // "-name" is a long option too (getopt_long_only), tried before the short ones
};

// What parse throws: a vz::Error whose message is getopt's wording without
// the program name ("invalid option -- 'x'"), and what the tool may reword.
class UsageError : public vz::Error {
  public:
    enum class Kind {
        kOther,           // thrown by a tool: a usage error of its own (message may be "")
        kUnknown,         // no such option
        kMissingValue,    // a kRequired option at the end of the arguments
        kUnexpectedValue, // "--name=value" for a kNone option
    };
    UsageError(int code, const std::string &message, Kind kind = Kind::kOther,
               std::string word = {})
        : vz::Error(code, message), kind_(kind), word_(std::move(word)) {}
    Kind kind() const noexcept { return kind_; }
    // The option as written: "-x", "--name=value", "-qh".
    const std::string &word() const noexcept { return word_; }

  private:
    Kind kind_;
    std::string word_;
};

// Parses args (NOT including the program name) against options. Long options match only exactly (no
// abbreviations: "--cpu" is not "--cpuunits"); "--name=value" and "--name value"; short options
// bundle
// ("-aH", "-octid", "-o ctid"); "--" ends options. Throws vz::Error(style.usage_error, "one-line
// message naming the option") for an unknown option or a missing value (a UsageError).
Parsed parse(std::span<const std::string> args, std::span<const Option> options,
             const Style &style = {});

// One line per option with non-empty help: "  -o, --output <fields>   help", aligned.
std::string help_text(std::span<const Option> options);
// The same with the help starting at `column` (at least one space after the
// option), for a usage text that has its own layout.
std::string help_text(std::span<const Option> options, std::size_t column);

// --help: the usage on standard output; returns --help's exit status, 0.
int print_help(std::string_view usage);

// A tool's usage text: its synopsis and description, then its options in
// groups (each under its heading line, if any; a blank line between groups),
// with the help at `column`, then the rest (keys, exit status).
struct UsageGroup {
    std::string_view heading; // "" = none
    std::span<const Option> options;
};
std::string usage_text(std::string_view synopsis, std::span<const UsageGroup> groups,
                       std::size_t column, std::string_view epilogue);
// The same with one group and no heading.
std::string usage_text(std::string_view synopsis, std::span<const Option> options,
                       std::size_t column, std::string_view epilogue);

} // namespace vz::cli
