#define BOOST_TEST_MODULE cli_options
#include <boost/test/unit_test.hpp>

#include "vzkit/cli/describe.h"
#include "vzkit/cli/options.h"

#include <array>
#include <string>
#include <vector>

namespace {

using vz::cli::Arg;
using vz::cli::Option;

constexpr auto kOptions = std::to_array<Option>({
    {"all", 'a', Arg::kNone, "", "every one"},
    {"no-header", 'H', Arg::kNone, "", "no header"},
    {"output", 'o', Arg::kRequired, "<fields>", "these fields"},
    {"cpuunits", 0, Arg::kRequired, "<N>", "CPU weight"},
    {"", '1', Arg::kNone, "", ""},
});

vz::cli::Parsed parse(std::vector<std::string> args, const vz::cli::Style &style = {}) {
    return vz::cli::parse(args, kOptions, style);
}

// "name=value" for each occurrence, for short comparisons.
std::vector<std::string> given(const vz::cli::Parsed &p) {
    std::vector<std::string> out;
    for (const auto &o : p.given)
        out.push_back(std::string(o.option->name.empty() ? std::string_view("1") : o.option->name) +
                      "=" + o.value);
    return out;
}

int error_code(std::vector<std::string> args, const vz::cli::Style &style = {}) {
    try {
        parse(std::move(args), style);
    } catch (const vz::Error &e) {
        return e.code();
    }
    return 0;
}

std::string error_message(std::vector<std::string> args) {
    try {
        parse(std::move(args));
    } catch (const vz::Error &e) {
        return e.what();
    }
    return "";
}

} // namespace

BOOST_AUTO_TEST_CASE(long_options_match_only_exactly) {
    BOOST_TEST(given(parse({"--cpuunits", "10"})) == std::vector<std::string>{"cpuunits=10"});
    BOOST_TEST(error_message({"--cpu", "10"}) == "unrecognized option '--cpu'");
    BOOST_TEST(error_message({"--al"}) == "unrecognized option '--al'");
    BOOST_TEST(error_message({"--alll"}) == "unrecognized option '--alll'");
}

BOOST_AUTO_TEST_CASE(equals_and_separate_values) {
    BOOST_TEST(given(parse({"--output=ctid,name", "--output", "-ctid"})) ==
               (std::vector<std::string>{"output=ctid,name", "output=-ctid"}));
    BOOST_TEST(given(parse({"--output="})) == std::vector<std::string>{"output="});
    BOOST_TEST(error_message({"--all=yes"}) == "option '--all' doesn't allow an argument");
}

BOOST_AUTO_TEST_CASE(short_options_bundle) {
    BOOST_TEST(given(parse({"-aH"})) == (std::vector<std::string>{"all=", "no-header="}));
    BOOST_TEST(given(parse({"-octid"})) == std::vector<std::string>{"output=ctid"});
    BOOST_TEST(given(parse({"-o", "ctid"})) == std::vector<std::string>{"output=ctid"});
    BOOST_TEST(given(parse({"-aHoctid", "-1"})) ==
               (std::vector<std::string>{"all=", "no-header=", "output=ctid", "1="}));
    BOOST_TEST(error_message({"-aX"}) == "invalid option -- 'X'");
}

BOOST_AUTO_TEST_CASE(missing_value) {
    BOOST_TEST(error_message({"-o"}) == "option requires an argument -- 'o'");
    BOOST_TEST(error_message({"-a", "--output"}) == "option '--output' requires an argument");
    BOOST_TEST(error_code({"--cpuunits"}) == 1);
}

BOOST_AUTO_TEST_CASE(double_dash_ends_options) {
    auto p = parse({"-a", "--", "-H", "--all", "x"});
    BOOST_TEST(given(p) == std::vector<std::string>{"all="});
    BOOST_TEST(p.positional == (std::vector<std::string>{"-H", "--all", "x"}));
}

BOOST_AUTO_TEST_CASE(words_and_options_mix_unless_told) {
    auto p = parse({"101", "-a", "-", "name"});
    BOOST_TEST(given(p) == std::vector<std::string>{"all="});
    BOOST_TEST(p.positional == (std::vector<std::string>{"101", "-", "name"}));
    auto stop = parse({"-a", "101", "-H"}, {.stop_at_positional = true});
    BOOST_TEST(given(stop) == std::vector<std::string>{"all="});
    BOOST_TEST(stop.positional == (std::vector<std::string>{"101", "-H"}));
}

BOOST_AUTO_TEST_CASE(unknown_option_carries_the_style_code) {
    BOOST_TEST(error_code({"--bogus"}) == 1);
    BOOST_TEST(error_code({"--bogus"}, {.usage_error = 20}) == 20);
    BOOST_TEST(error_code({"-Z"}, {.usage_error = 20}) == 20);
    BOOST_TEST(error_code({"-o"}, {.usage_error = 20}) == 20);
    try {
        parse({"-Z"});
        BOOST_FAIL("no error");
    } catch (const vz::cli::UsageError &e) {
        BOOST_TEST(e.word() == "-Z");
        BOOST_TEST((e.kind() == vz::cli::UsageError::Kind::kUnknown));
    }
}

BOOST_AUTO_TEST_CASE(single_dash_long_names) {
    constexpr auto kUbc = std::to_array<Option>(
        {{"q", 0, Arg::kNone}, {"qh", 0, Arg::kRequired}, {"w", 0, Arg::kNone}});
    const vz::cli::Style style{.single_dash_long = true};
    std::vector<std::string> args{"-qh", "0.5", "-w", "-q"};
    auto p = vz::cli::parse(args, kUbc, style);
    BOOST_REQUIRE(p.given.size() == 3u);
    BOOST_TEST(p.given[0].option->name == "qh");
    BOOST_TEST(p.given[0].value == "0.5");
    std::vector<std::string> bad{"-qx"};
    try {
        vz::cli::parse(bad, kUbc, style);
        BOOST_FAIL("no error");
    } catch (const vz::cli::UsageError &e) {
        BOOST_TEST(e.word() == "-qx");
    }
}

BOOST_AUTO_TEST_CASE(help_lists_and_aligns) {
    BOOST_TEST(vz::cli::help_text(kOptions) == "  -a, --all               every one\n"
                                               "  -H, --no-header         no header\n"
                                               "  -o, --output <fields>   these fields\n"
                                               "  --cpuunits <N>          CPU weight\n");
}

BOOST_AUTO_TEST_CASE(help_at_a_column) {
    // At least one space when an option reaches the column.
    BOOST_TEST(vz::cli::help_text(std::span(kOptions).first(3), 14) ==
               "  -a, --all   every one\n"
               "  -H, --no-header no header\n"
               "  -o, --output <fields> these fields\n");
}

BOOST_AUTO_TEST_CASE(usage_text_in_groups) {
    const std::array<vz::cli::UsageGroup, 2> groups = {{
        {"Which:", std::span(kOptions).first(1)},
        {"", std::span(kOptions).subspan(1, 1)},
    }};
    BOOST_TEST(vz::cli::usage_text("Usage: t\n\n", groups, 14, "\nEnd.\n") ==
               "Usage: t\n"
               "\n"
               "Which:\n"
               "  -a, --all   every one\n"
               "\n"
               "  -H, --no-header no header\n"
               "\n"
               "End.\n");
    BOOST_TEST(vz::cli::usage_text("Usage: t\n", std::span(kOptions).first(1), 14, "") ==
               "Usage: t\n"
               "  -a, --all   every one\n");
}

BOOST_AUTO_TEST_CASE(short_only_tables_read_double_dash_as_getopt) {
    constexpr auto kShort = std::to_array<Option>({{"", 'v', Arg::kNone}});
    std::vector<std::string> args{"--help"};
    try {
        vz::cli::parse(args, kShort);
        BOOST_FAIL("no error");
    } catch (const vz::Error &e) {
        BOOST_TEST(std::string(e.what()) == "invalid option -- '-'");
    }
}

// --vzkit-describe's lines (man/, completion/ read them): one per option, the
// empty fields kept, a tab or newline inside a field never splitting a record.
BOOST_AUTO_TEST_CASE(describe_lines_keep_every_field) {
    BOOST_TEST(vz::cli::describe_options(std::span(kOptions).subspan(2, 3), "set") ==
               "option\tset\to\toutput\t1\t<fields>\tthese fields\n"
               "option\tset\t\tcpuunits\t1\t<N>\tCPU weight\n"
               "option\tset\t1\t\t0\t\t\n");
    BOOST_TEST(vz::cli::describe_command("destroy", "destroy | delete <ctid>\n   more") ==
               "command\tdestroy\tdestroy | delete <ctid>    more\n");
    constexpr std::array<std::string_view, 2> kFields = {"a\tb", ""};
    BOOST_TEST(vz::cli::describe_line(kFields) == "a b\t\n");
}
