// vzubc: OpenVZ's beancounter viewer. Reads /proc/bc/resources (else
// /proc/user_beancounters) or a file, and shows each container's table.
// Exit status 0, or 1 on any error, as OpenVZ's.
#include "vzkit/cli/describe.h"
#include "vzkit/cli/options.h"
#include "vzkit/cli/tool_main.h"
#include "vzkit/base/error.h"
#include "vzkit/base/util.h"
#include "vzkit/ubc/proc.h"
#include "vzkit/ubc/view.h"

#include <unistd.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

namespace {

constexpr std::string_view kUsage =
    "Usage: vzubc [option ...] [<filename>|-] [<ctid> ...]\n"
    " -w, --watch: run under watch(1) (Ctrl-C to exit)\n"
    "     -wd: highlight differences between runs\n"
    "     -wt: no watch title\n"
    "     -wn <time>: refresh every <time> seconds\n"
    " -q, --quiet: quiet mode (only beancounters with fails and close to limits)\n"
    "     -qh <ratio>: quiet watermark for held/barrier (default 0.8)\n"
    "     -qm <ratio>: quiet watermark for maxheld/barrier (default 0.5)\n"
    " -v, --verbose: exact numbers instead of K/M/G\n"
    " -r, --relative: relative mode (fail counters since the previous -r run)\n"
    "     -rc: clear the saved fail counters\n"
    "     -rd <dir>: directory for them (default /tmp/vzubc.store)\n"
    " -i, --incremental: incremental mode (held since the previous -i run)\n"
    "     -ic: clear the saved held values\n"
    "     -id <dir>: directory for them (default /tmp/vzubc.store)\n"
    " -c, --color: colour (red: failures, yellow: close to limits)\n"
    " -f, --file <filename>: file to read, - for stdin (OpenVZ's spelling)\n"
    " <filename>: file to read (default /proc/bc/resources or /proc/user_beancounters)\n"
    " <ctid>: container ID or name to show (more than one may be given; 0 is the host)\n";

// -r/-i and their clearing and directory forms: on, perhaps clearing the
// store first, perhaps in another store directory.
struct SinceMode {
    bool on = false;
    bool clear = false;
    std::string dir = "/tmp/vzubc.store";
};

struct Options {
    std::optional<std::string> file;
    std::vector<std::uint32_t> ids;
    bool help = false;
    bool watch = false;
    std::vector<std::string> watch_args;
    std::vector<std::string> passthrough; // the arguments without the watch options
    vz::ubc::ViewOptions view;
    SinceMode relative;    // -r, -rc (clear first), -rd DIR
    SinceMode incremental; // -i, -ic (clear first), -id DIR
};

// The watch options: vzubc runs itself under watch(1) with these.
void watch_diff(Options &o, const std::string & /*value*/) {
    o.watch = true;
    o.watch_args.emplace_back("-d");
}

void watch_no_title(Options &o, const std::string & /*value*/) {
    o.watch = true;
    o.watch_args.emplace_back("-t");
}

void watch_interval(Options &o, const std::string &seconds) {
    o.watch = true;
    o.watch_args.insert(o.watch_args.end(), {"-n", seconds});
}

// -W: this is the vzubc that watch runs; the option is not passed on.
void under_watch(Options & /*o*/, const std::string & /*value*/) {}

double parse_ratio(std::string_view opt, const std::string &text) {
    char *end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || v < 0 || v > 1)
        throw vz::cli::UsageError(1, "Error: bad ratio for -" + std::string(opt) + ": " + text);
    return v;
}

void quiet_held(Options &o, const std::string &ratio) {
    o.view.quiet = true;
    o.view.held_ratio = parse_ratio("qh", ratio);
}

void quiet_maxheld(Options &o, const std::string &ratio) {
    o.view.quiet = true;
    o.view.maxheld_ratio = parse_ratio("qm", ratio);
}

void since_on(SinceMode &mode, const std::string & /*value*/) {
    mode.on = true;
}

void since_cleared(SinceMode &mode, const std::string & /*value*/) {
    mode.on = true;
    mode.clear = true;
}

void since_in(SinceMode &mode, const std::string &dir) {
    mode.on = true;
    mode.dir = dir;
}

// -f FILE / --file FILE: OpenVZ's way to name the file ("-": stdin).
void read_file_option(Options &o, const std::string &file) {
    o.file = file;
}

using vz::cli::Arg;
using vz::cli::flag;
using vz::cli::in;
using View = vz::ubc::ViewOptions;

// OpenVZ's vzubc options are words after one dash ("-wd", "-qh 0.5"), not
// getopt letters: the parser takes them as long names (Style::single_dash_long).
// The watch options come first.
constexpr auto kRows = std::to_array<vz::cli::Bound<Options>>({
    {{"w", 0, Arg::kNone}, flag<&Options::watch>},
    {{"watch", 0, Arg::kNone}, flag<&Options::watch>},
    {{"wd", 0, Arg::kNone}, watch_diff},
    {{"wt", 0, Arg::kNone}, watch_no_title},
    {{"wn", 0, Arg::kRequired, "<time>"}, watch_interval},
    {{"W", 0, Arg::kNone}, under_watch}, // internal: already under watch
    {{"q", 0, Arg::kNone}, in<&Options::view, flag<&View::quiet>>},
    {{"quiet", 0, Arg::kNone}, in<&Options::view, flag<&View::quiet>>},
    {{"qh", 0, Arg::kRequired, "<ratio>"}, quiet_held},
    {{"qm", 0, Arg::kRequired, "<ratio>"}, quiet_maxheld},
    {{"v", 0, Arg::kNone}, in<&Options::view, flag<&View::verbose>>},
    {{"verbose", 0, Arg::kNone}, in<&Options::view, flag<&View::verbose>>},
    {{"c", 0, Arg::kNone}, in<&Options::view, flag<&View::colour>>},
    {{"color", 0, Arg::kNone}, in<&Options::view, flag<&View::colour>>},
    {{"f", 0, Arg::kRequired, "<filename>"}, read_file_option},
    {{"file", 0, Arg::kRequired, "<filename>"}, read_file_option},
    {{"r", 0, Arg::kNone}, in<&Options::relative, since_on>},
    {{"relative", 0, Arg::kNone}, in<&Options::relative, since_on>},
    {{"rc", 0, Arg::kNone}, in<&Options::relative, since_cleared>},
    {{"rd", 0, Arg::kRequired, "<dir>"}, in<&Options::relative, since_in>},
    {{"i", 0, Arg::kNone}, in<&Options::incremental, since_on>},
    {{"incremental", 0, Arg::kNone}, in<&Options::incremental, since_on>},
    {{"ic", 0, Arg::kNone}, in<&Options::incremental, since_cleared>},
    {{"id", 0, Arg::kRequired, "<dir>"}, in<&Options::incremental, since_in>},
    {{"h", 0, Arg::kNone}, flag<&Options::help>},
    {{"help", 0, Arg::kNone}, flag<&Options::help>},
});
constexpr auto kOptions = vz::cli::options_of(kRows);
constexpr std::size_t kWatchOptions = 6;

// An argument that is neither an option nor a file is a CTID or a name.
void positional(Options &o, const std::string &arg) {
    std::error_code ec;
    if (arg == "-" || std::filesystem::is_regular_file(arg, ec) ||
        std::filesystem::is_character_file(arg, ec)) {
        o.file = arg;
        return;
    }
    auto id = vz::ubc::beancounter_id(arg);
    if (!id)
        throw vz::cli::UsageError(1, "Error: " + arg + " is neither a file nor a container");
    o.ids.push_back(*id);
}

// The parser's errors in vzubc's own words.
vz::cli::Parsed parse_words(const std::vector<std::string> &args) {
    try {
        return vz::cli::parse(args, kOptions, {.single_dash_long = true});
    } catch (const vz::cli::UsageError &e) {
        if (e.kind() == vz::cli::UsageError::Kind::kMissingValue)
            throw vz::cli::UsageError(1, "Error: option " + e.word() + " requires an argument");
        throw vz::cli::UsageError(1, "Unrecognized option: " + e.word());
    }
}

// The arguments of the vzubc that watch runs: all but the watch options.
std::vector<std::string> passed_on(const vz::cli::Parsed &parsed) {
    const auto watch_options = std::span(kOptions).first(kWatchOptions);
    std::vector<std::string> args;
    for (const auto &[option, value] : parsed.given) {
        if (std::ranges::find(watch_options, *option) != watch_options.end())
            continue;
        args.push_back("-" + std::string(option->name));
        if (option->arg == Arg::kRequired)
            args.push_back(value);
    }
    args.insert(args.end(), parsed.positional.begin(), parsed.positional.end());
    return args;
}

Options parse(const std::vector<std::string> &args) {
    const auto parsed = parse_words(args);
    Options o;
    vz::cli::apply(parsed.given, kRows, o);
    for (const auto &word : parsed.positional)
        positional(o, word);
    o.passthrough = passed_on(parsed);
    return o;
}

[[noreturn]] void exec_watch(const Options &o, const char *self) {
    std::vector<std::string> cmd = {"watch"};
    if (o.view.colour)
        cmd.emplace_back("-c");
    cmd.insert(cmd.end(), o.watch_args.begin(), o.watch_args.end());
    cmd.insert(cmd.end(), {"--", self});
    cmd.insert(cmd.end(), o.passthrough.begin(), o.passthrough.end());
    cmd.emplace_back("-W");
    const vz::CStringArray argv(std::move(cmd));
    execvp("watch", argv.data());
    vz::throw_errno(1, "Error: cannot run watch");
}

int run(std::vector<std::string> args) {
    Options o = parse(args);
    if (o.help)
        return vz::cli::print_help();
    if (o.watch)
        exec_watch(o, std::string(vz::cli::program_path()).c_str()); // argv[0], as watch shows it
    const vz::ubc::BaselineStore failcnts(o.relative.dir, "failcnt");
    const vz::ubc::BaselineStore helds(o.incremental.dir, "held");
    if (o.relative.clear)
        failcnts.clear();
    if (o.incremental.clear)
        helds.clear();
    const auto bcs = vz::ubc::load_beancounters(o.file);
    vz::ubc::Baseline failcnt_base, held_base;
    if (o.relative.on) {
        failcnt_base = failcnts.load();
        o.view.failcnt_since = &failcnt_base;
    }
    if (o.incremental.on) {
        held_base = helds.load();
        o.view.held_since = &held_base;
    }
    o.view.ids = o.ids;
    std::cout << vz::ubc::render(bcs, o.view);
    if (o.relative.on)
        failcnts.save(bcs, [](const vz::ubc::Row &r) { return r.failcnt; });
    if (o.incremental.on)
        helds.save(bcs, [](const vz::ubc::Row &r) { return r.held; });
    return 0;
}

// --vzkit-describe: the option table, for the man page (man/).
std::string describe_tables() {
    return vz::cli::describe_options(kOptions);
}

} // namespace

int main(int argc, char **argv) {
    // OpenVZ's vzubc: the message alone (a usage error's with the usage), and 1.
    return vz::cli::tool_main(argc, argv, 1, run,
                              {.program = "vzubc",
                               .name_in_errors = false,
                               .error_codes = false,
                               .usage = kUsage,
                               .usage_names_argv0 = false,
                               .describe = describe_tables});
}
