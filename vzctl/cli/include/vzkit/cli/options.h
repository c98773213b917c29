// The tools' one option idiom: a table of options and one parser over it, with
// getopt_long's grammar ("-aH", "-octid", "-o ctid", "--name=value",
// "--name value", "--" ends options, options and words in any order) except
// that a long option matches only when written in full ("--cpu" is not
// "--cpuunits"). Command-line code only: the core library (vzcore) has none.
#pragma once

#include "vzkit/base/error.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
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

    friend constexpr bool operator==(const Option &, const Option &) = default;
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

// ---- Bound option tables ----------------------------------------------------
//
// A tool's table can say, row by row, what each option does to the tool's
// options struct: then parsing is parse_into, and the tool has no switch over
// option ids. A row is the option and its apply, which is one of the helpers
// below or a named function of the tool (for an option whose value needs real
// parsing: a signal, a list of CTIDs, a delay), one function per option:
//
//   constexpr auto kRows = std::to_array<vz::cli::Bound<Options>>({
//       {{"quiet", 'q', Arg::kNone, "", "no complaints"}, vz::cli::flag<&Options::quiet>},
//       {{"signal", 's', Arg::kRequired, "SIG", "signal"}, set_signal},
//   });
//   constexpr auto kOptions = vz::cli::options_of(kRows); // for help_text, usage_text
//
// Occurrences are applied in command-line order, so with set and store the
// last option given wins; with at_least the strongest does.
template <class Opts> struct Bound {
    Option option;
    void (*apply)(Opts &opts, const std::string &value); // value: "" for Arg::kNone
};

namespace detail {
template <class M> struct MemberOf;
template <class C, class T> struct MemberOf<T C::*> {
    using Owner = C;
    using Type = T;
};
template <auto Member> using Owner = typename MemberOf<decltype(Member)>::Owner;
template <auto Member> using Type = typename MemberOf<decltype(Member)>::Type;
} // namespace detail

// Sets a bool member true.
template <auto Member> void flag(detail::Owner<Member> &opts, const std::string & /*value*/) {
    static_assert(std::is_same_v<detail::Type<Member>, bool>, "flag sets a bool");
    opts.*Member = true;
}

// Sets a member to a constant: header = false, an enum, a string (given as a
// named constexpr char array: a literal cannot be a template argument).
template <auto Member, auto Value>
void set(detail::Owner<Member> &opts, const std::string & /*value*/) {
    opts.*Member = Value;
}

// Raises an enum member to Value if it is below it, so that of several given
// the strongest wins whatever their order (help over list over a run): the
// enumerators are listed from the weakest.
template <auto Member, auto Value>
void at_least(detail::Owner<Member> &opts, const std::string & /*value*/) {
    opts.*Member = std::max(opts.*Member, Value);
}

// Stores the option's value (a std::string or std::optional<std::string>).
template <auto Member> void store(detail::Owner<Member> &opts, const std::string &value) {
    opts.*Member = value;
}

// Applies Apply (a helper above or a function of the member's type) to a
// member struct: in<&Options::view, flag<&View::quiet>>.
template <auto Member, auto Apply> void in(detail::Owner<Member> &opts, const std::string &value) {
    Apply(opts.*Member, value);
}

// The rows' options, for parse, help_text and usage_text.
template <class Opts, std::size_t N>
constexpr std::array<Option, N> options_of(const std::array<Bound<Opts>, N> &rows) {
    std::array<Option, N> options{};
    for (std::size_t i = 0; i < N; ++i)
        options[i] = rows[i].option;
    return options;
}

// Applies each occurrence (of a parse against the rows' options), in order,
// through its row: for a tool that needs the parse itself too (vzubc passes
// its options on). An option no row has is skipped.
template <class Opts>
void apply(std::span<const Occurrence> given,
           std::type_identity_t<std::span<const Bound<Opts>>> rows, Opts &opts) {
    for (const auto &[option, value] : given) {
        auto row = std::ranges::find(rows, *option, &Bound<Opts>::option);
        if (row != rows.end())
            row->apply(opts, value);
    }
}

// parse against the rows' options, then apply; returns the positional words.
template <class Opts, std::size_t N>
std::vector<std::string> parse_into(std::span<const std::string> args,
                                    const std::array<Bound<Opts>, N> &rows, Opts &opts,
                                    const Style &style = {}) {
    const auto options = options_of(rows);
    Parsed parsed = parse(args, options, style);
    apply(parsed.given, rows, opts);
    return std::move(parsed.positional);
}

} // namespace vz::cli
