#define BOOST_TEST_MODULE cli_bound
#include <boost/test/unit_test.hpp>

#include "vzkit/cli/options.h"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace {

using vz::cli::Arg;

enum class Mode { kRun, kList, kHelp };

struct Filter {
    bool exact = false;
    std::optional<std::string> name;
};

struct Options {
    Mode mode = Mode::kRun;
    bool verbose = false;
    bool header = true;
    std::string output = "default";
    std::optional<std::string> sort;
    Filter filter;
    std::vector<int> numbers;
};

// An option needing real parsing: one named function.
void add_number(Options &opts, const std::string &value) {
    opts.numbers.push_back(std::stoi(value));
}

constexpr char kCtid[] = "ctid"; // a constant string for set: a named array

constexpr auto kRows = std::to_array<vz::cli::Bound<Options>>({
    {{"verbose", 'v', Arg::kNone, "", "say more"}, vz::cli::flag<&Options::verbose>},
    {{"no-header", 'H', Arg::kNone, "", "no header"}, vz::cli::set<&Options::header, false>},
    {{"output", 'o', Arg::kRequired, "<fields>", "these fields"}, vz::cli::store<&Options::output>},
    {{"sort", 's', Arg::kRequired}, vz::cli::store<&Options::sort>},
    {{"exact", 'e', Arg::kNone}, vz::cli::in<&Options::filter, vz::cli::flag<&Filter::exact>>},
    {{"name", 'N', Arg::kRequired}, vz::cli::in<&Options::filter, vz::cli::store<&Filter::name>>},
    {{"number", 'n', Arg::kRequired}, add_number},
    {{"list", 'L', Arg::kNone}, vz::cli::at_least<&Options::mode, Mode::kList>},
    {{"help", 0, Arg::kNone}, vz::cli::at_least<&Options::mode, Mode::kHelp>},
    {{"", '1', Arg::kNone}, vz::cli::set<&Options::output, kCtid>},
});

Options parse(std::vector<std::string> args, std::vector<std::string> *words = nullptr) {
    Options opts;
    auto positional = vz::cli::parse_into(args, kRows, opts);
    if (words)
        *words = std::move(positional);
    return opts;
}

} // namespace

BOOST_AUTO_TEST_CASE(options_of_keeps_the_rows_options_in_order) {
    constexpr auto options = vz::cli::options_of(kRows);
    static_assert(options.size() == kRows.size());
    static_assert(options[0].name == "verbose" && options[0].short_name == 'v');
    static_assert(options[9].short_name == '1');
    BOOST_TEST(vz::cli::help_text(options) == "  -v, --verbose           say more\n"
                                              "  -H, --no-header         no header\n"
                                              "  -o, --output <fields>   these fields\n");
}

BOOST_AUTO_TEST_CASE(nothing_given_leaves_the_defaults) {
    std::vector<std::string> words;
    const Options opts = parse({}, &words);
    BOOST_TEST(words.empty());
    BOOST_TEST((opts.mode == Mode::kRun));
    BOOST_TEST(!opts.verbose);
    BOOST_TEST(opts.header);
    BOOST_TEST(opts.output == "default");
    BOOST_TEST(!opts.sort.has_value());
    BOOST_TEST(!opts.filter.exact);
    BOOST_TEST(opts.numbers.empty());
}

BOOST_AUTO_TEST_CASE(flag_set_and_store) {
    const Options opts = parse({"-vH", "--output=a,b", "-s", "-ctid"});
    BOOST_TEST(opts.verbose);
    BOOST_TEST(!opts.header);
    BOOST_TEST(opts.output == "a,b");
    BOOST_TEST(opts.sort.value_or("") == "-ctid");
}

BOOST_AUTO_TEST_CASE(a_flag_given_twice_stays_set) {
    BOOST_TEST(parse({"-v", "--verbose"}).verbose);
}

BOOST_AUTO_TEST_CASE(in_applies_to_a_member_struct) {
    const Options opts = parse({"-e", "-N", "web*"});
    BOOST_TEST(opts.filter.exact);
    BOOST_TEST(opts.filter.name.value_or("") == "web*");
}

BOOST_AUTO_TEST_CASE(occurrences_apply_in_command_line_order_so_the_last_wins) {
    BOOST_TEST(parse({"-o", "a", "-1"}).output == "ctid");
    BOOST_TEST(parse({"-1", "-o", "a"}).output == "a");
    BOOST_TEST(parse({"-o", "a", "-o", "b"}).output == "b");
    BOOST_TEST(parse({"-n", "3", "-n1", "--number=2"}).numbers == std::vector<int>({3, 1, 2}));
}

BOOST_AUTO_TEST_CASE(at_least_lets_the_strongest_win_whatever_the_order) {
    BOOST_TEST((parse({"-L"}).mode == Mode::kList));
    BOOST_TEST((parse({"-L", "--help"}).mode == Mode::kHelp));
    BOOST_TEST((parse({"--help", "-L"}).mode == Mode::kHelp));
}

BOOST_AUTO_TEST_CASE(positional_words_are_returned_in_order) {
    std::vector<std::string> words;
    const Options opts = parse({"101", "-v", "web", "--", "-H"}, &words);
    BOOST_TEST(words == std::vector<std::string>({"101", "web", "-H"}));
    BOOST_TEST(opts.verbose);
    BOOST_TEST(opts.header);
}

BOOST_AUTO_TEST_CASE(the_style_is_the_parsers) {
    Options opts;
    const auto words = vz::cli::parse_into(std::vector<std::string>{"101", "-v"}, kRows, opts,
                                           {.stop_at_positional = true});
    BOOST_TEST(words == std::vector<std::string>({"101", "-v"}));
    BOOST_TEST(!opts.verbose);
}

BOOST_AUTO_TEST_CASE(a_bad_option_throws_before_anything_is_applied) {
    Options opts;
    try {
        vz::cli::parse_into(std::vector<std::string>{"-v", "-x"}, kRows, opts, {.usage_error = 7});
        BOOST_FAIL("no error");
    } catch (const vz::cli::UsageError &e) {
        BOOST_TEST(e.code() == 7);
        BOOST_TEST(std::string(e.what()) == "invalid option -- 'x'");
    }
    BOOST_TEST(!opts.verbose);
}

BOOST_AUTO_TEST_CASE(apply_takes_a_parse_done_apart) {
    constexpr auto options = vz::cli::options_of(kRows);
    const auto parsed = vz::cli::parse(std::vector<std::string>{"-H", "-n", "5", "w"}, options);
    Options opts;
    vz::cli::apply(parsed.given, kRows, opts);
    BOOST_TEST(!opts.header);
    BOOST_TEST(opts.numbers == std::vector<int>({5}));
    BOOST_TEST(parsed.positional == std::vector<std::string>({"w"}));
}
