// vzpid: which container each process belongs to, in OpenVZ's tab-separated
// format (bin/vzpid of vzctl): "Pid CTID Name", with -p also the pid inside
// the container. Only the named processes are read (vzkit/proc/table.h's reader).
#include "vzkit/cli/describe.h"
#include "vzkit/cli/options.h"
#include "vzkit/cli/tool_main.h"
#include "vzkit/base/error.h"
#include "vzkit/base/json.h"
#include "vzkit/proc/parse.h"
#include "vzkit/proc/table.h"
#include "vzkit/base/util.h"

#include <array>
#include <iostream>
#include <iterator>

namespace {

constexpr int kExitFailure = 1;

struct Options {
    bool vpid = false;
    bool json = false;
    bool help = false;
    std::vector<std::string> pids;
};

using vz::cli::Arg;

constexpr auto kRows = std::to_array<vz::cli::Bound<Options>>({
    {{"pid", 'p', Arg::kNone, "",
      "also the pid inside the container: Pid<TAB>CT/Pid<TAB>CTID<TAB>Name"},
     vz::cli::flag<&Options::vpid>},
    {{"json", 'j', Arg::kNone, "", "a JSON array of {pid, ctid, vpid, name}"},
     vz::cli::flag<&Options::json>},
    {{"help", 'h', Arg::kNone, "", "this text"}, vz::cli::flag<&Options::help>},
});
constexpr auto kOptions = vz::cli::options_of(kRows);

constexpr std::string_view kSynopsis =
    "Usage: vzpid [-p] [-j] pid [...]\n"
    "       vzpid [-p] [-j] -          (pids from standard input)\n"
    "\n"
    "Prints the container each process belongs to (CTID 0 is the host), tab separated:\n"
    "  Pid<TAB>CTID<TAB>Name\n";
constexpr std::string_view kExitStatus =
    "\n"
    "Exit status: 0 every pid was found; 1 bad usage, not root, or a pid that is not a\n"
    "number or names no process (the others are still printed).\n";

// As OpenVZ's vzpid: the options come first, every word from the first pid on is a pid.
Options parse_options(const std::vector<std::string> &args) {
    Options opts;
    opts.pids = vz::cli::parse_into(args, kRows, opts, {.stop_at_positional = true});
    if (opts.pids.empty() && !opts.help)
        throw vz::cli::UsageError(kExitFailure, ""); // the usage alone
    return opts;
}

// "-" alone: whitespace-separated pids from standard input, as OpenVZ's vzpid.
std::vector<std::string> pid_words(const Options &opts) {
    if (opts.pids.size() != 1 || opts.pids[0] != "-")
        return opts.pids;
    return {std::istream_iterator<std::string>(std::cin), std::istream_iterator<std::string>()};
}

void print_table(const Options &opts, const std::vector<vz::ProcEntry> &found) {
    std::cout << (opts.vpid ? "Pid\tCT/Pid\tCTID\tName\n" : "Pid\tCTID\tName\n");
    for (const auto &e : found) {
        std::cout << e.pid() << '\t';
        if (opts.vpid)
            std::cout << e.vpid << '\t';
        std::cout << e.ctid << '\t' << e.stat.comm << '\n';
    }
}

void print_json(const std::vector<vz::ProcEntry> &found) {
    vz::JsonWriter json(std::cout);
    json.begin_array();
    for (const auto &e : found) {
        json.begin_object();
        json.key("pid");
        json.number(e.pid());
        json.key("ctid");
        json.number(e.ctid);
        json.key("vpid");
        json.number(e.vpid);
        json.key("name");
        json.string(e.stat.comm);
        json.end_object();
    }
    json.end_array();
    json.finish();
}

int run(std::vector<std::string> args) {
    const Options opts = parse_options(args);
    if (opts.help)
        return vz::cli::print_help();
    vz::require_root(kExitFailure);
    vz::ProcReader reader({.ctid = true, .status = true});
    reader.refresh_cts();
    int rc = 0;
    std::vector<vz::ProcEntry> found;
    for (const auto &word : pid_words(opts)) {
        auto pid = vz::parse_number<std::uint64_t>(word);
        if (!pid || *pid == 0 || *pid > 0x7fffffff) {
            std::cerr << "vzpid: invalid pid: " << word << '\n';
            rc = kExitFailure;
            continue;
        }
        auto entry = reader.read(static_cast<pid_t>(*pid));
        if (!entry) {
            std::cerr << "vzpid: no such process: " << word << '\n';
            rc = kExitFailure;
            continue;
        }
        found.push_back(std::move(*entry));
    }
    if (opts.json)
        print_json(found);
    else
        print_table(opts, found);
    return rc;
}

// --vzkit-describe: the option table, for the man page (man/).
std::string describe_tables() {
    return vz::cli::describe_options(kOptions);
}

} // namespace

int main(int argc, char **argv) {
    constexpr std::size_t kHelpColumn = 16; // the usage's layout, as it always was
    const std::string usage = vz::cli::usage_text(kSynopsis, kOptions, kHelpColumn, kExitStatus);
    return vz::cli::tool_main(
        argc, argv, kExitFailure, run,
        {.program = "vzpid", .error_codes = false, .usage = usage, .describe = describe_tables});
}
