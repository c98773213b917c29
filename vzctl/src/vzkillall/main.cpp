// vzkillall: killall(1) over the host's process table, limited to one or more
// containers, every container, or the host. Matching and the pid-reuse-safe
// signal live in the core library (vzkit/proc/kill.h); this file parses the command
// line and reports.
#include "vzkit/cli/describe.h"
#include "vzkit/cli/options.h"
#include "vzkit/cli/tool_main.h"
#include "vzkit/base/error.h"
#include "vzkit/proc/kill.h"
#include "vzkit/proc/select.h"
#include "vzkit/proc/signal.h"
#include "vzkit/proc/table.h"
#include "vzkit/base/util.h"

#include <unistd.h>

#include <array>
#include <csignal>
#include <cstring>
#include <iostream>

namespace {

constexpr int kExitFailure = 1;

// What the command line asks for: of several given, the one listed last here
// wins (--help over -l over -n), whatever their order.
enum class Mode { kSignal, kDryRun, kList, kHelp };

struct Options {
    vz::KillScope scope;
    bool scope_given = false;
    int signal = SIGTERM;
    bool exact = false;
    bool ignore_case = false;
    bool quiet = false;
    bool verbose = false;
    bool wait = false;
    Mode mode = Mode::kSignal;
    std::vector<std::string> names;
};

void set_scope(Options &opts, vz::KillScope::Kind kind) {
    if (opts.scope_given && opts.scope.kind != kind)
        throw vz::Error(kExitFailure, "-E, --all-cts and --host exclude each other");
    opts.scope_given = true;
    opts.scope.kind = kind;
}

void add_cts(Options &opts, const std::string &list) {
    set_scope(opts, vz::KillScope::Kind::Cts);
    for (vz::Ctid ctid : vz::parse_ctid_list(list, kExitFailure)) {
        if (ctid == 0)
            throw vz::Error(kExitFailure, "-E 0 is the host: use --host");
        opts.scope.ctids.push_back(ctid);
    }
}

void all_cts(Options &opts, const std::string & /*value*/) {
    set_scope(opts, vz::KillScope::Kind::AllCts);
}

void host_only(Options &opts, const std::string & /*value*/) {
    set_scope(opts, vz::KillScope::Kind::Host);
}

void set_signal(Options &opts, const std::string &text) {
    auto signal = vz::parse_signal(text);
    if (!signal)
        throw vz::Error(kExitFailure, text + ": unknown signal; vzkillall -l lists signals.");
    opts.signal = *signal;
}

using vz::cli::Arg;
using vz::cli::at_least;
using vz::cli::flag;

// The first three are the scope, the rest the options (the usage lists them apart).
constexpr auto kRows = std::to_array<vz::cli::Bound<Options>>({
    {{"ctid", 'E', Arg::kRequired, "CTID", "only in these running containers (repeatable)"},
     add_cts},
    {{"all-cts", 0, Arg::kNone, "", "in every container, never on the host"}, all_cts},
    {{"host", 0, Arg::kNone, "", "only on the host, never in a container"}, host_only},
    {{"signal", 's', Arg::kRequired, "SIG",
      "signal name (TERM, SIGTERM, term) or number; also -SIG, -9"},
     set_signal},
    {{"exact", 'e', Arg::kNone, "", "names longer than 15 characters must match exactly"},
     flag<&Options::exact>},
    {{"ignore-case", 'I', Arg::kNone, "", "case-insensitive names"}, flag<&Options::ignore_case>},
    {{"dry-run", 'n', Arg::kNone, "",
      "list what would be signalled (Pid CT/Pid CTID Name), send nothing"},
     at_least<&Options::mode, Mode::kDryRun>},
    {{"quiet", 'q', Arg::kNone, "", "no complaint when nothing matched"}, flag<&Options::quiet>},
    {{"verbose", 'v', Arg::kNone, "", "report each signal sent"}, flag<&Options::verbose>},
    {{"wait", 'w', Arg::kNone, "", "wait until every signalled process has exited"},
     flag<&Options::wait>},
    {{"list", 'l', Arg::kNone, "", "list signal names"}, at_least<&Options::mode, Mode::kList>},
    {{"help", 0, Arg::kNone, "", ""}, at_least<&Options::mode, Mode::kHelp>},
});
constexpr auto kOptions = vz::cli::options_of(kRows);
constexpr std::size_t kScopeOptions = 3;

constexpr std::string_view kSynopsis =
    "Usage: vzkillall [-E CTID[,CTID...] | --all-cts | --host] [-s SIGNAL | -SIGNAL]\n"
    "                 [-e] [-I] [-n] [-q] [-v] [-w] NAME...\n"
    "       vzkillall -l\n"
    "\n"
    "Sends a signal (TERM by default) to the processes called NAME, as killall does:\n"
    "NAME is the command name, or with a '/' the executable's path.\n"
    "\n";
constexpr std::array<vz::cli::UsageGroup, 2> kOptionGroups = {{
    {"Scope (default: the host's and every container's processes):",
     std::span(kOptions).first(kScopeOptions)},
    {"Options:", std::span(kOptions).subspan(kScopeOptions)},
}};
constexpr std::string_view kEpilogue =
    "\n"
    "Each process is pinned with a pidfd and checked again (same process, name,\n"
    "container, cgroup) before the signal: a reused pid is never hit. Zombies and\n"
    "vzkillall itself are skipped.\n"
    "\n"
    "Exit status: 0 every NAME matched and was signalled; 1 bad usage, unknown\n"
    "signal, not root, or some NAME matched no process in the scope; 31\n"
    "(VZ_VE_NOT_RUNNING) a container given to -E is not running.\n";

// killall's "-SIGNAL" ("-9", "-KILL", "-SIGHUP"): taken out before the parser
// sees it as a bundle of letters. Option letters are not signal names.
std::vector<std::string> extract_signal_args(Options &opts, std::vector<std::string> args) {
    std::vector<std::string> rest;
    bool options_done = false;
    for (auto &arg : args) {
        if (arg == "--")
            options_done = true;
        if (!options_done && arg.size() > 1 && arg[0] == '-' && arg[1] != '-') {
            if (auto signal = vz::parse_signal(std::string_view(arg).substr(1))) {
                opts.signal = *signal;
                continue;
            }
        }
        rest.push_back(std::move(arg));
    }
    return rest;
}

Options parse_options(std::vector<std::string> args) {
    Options opts;
    opts.names = vz::cli::parse_into(extract_signal_args(opts, std::move(args)), kRows, opts);
    if (opts.names.empty() && opts.mode < Mode::kList)
        throw vz::cli::UsageError(kExitFailure, ""); // the usage alone
    return opts;
}

struct Candidate {
    const vz::ProcEntry *entry;
    std::size_t pattern;
};

// Every process in scope matching a NAME, each once (its first NAME).
std::vector<Candidate> find_candidates(vz::ProcTable &table, const Options &opts,
                                       const std::vector<vz::NamePattern> &patterns) {
    std::vector<Candidate> out;
    std::string scratch;
    const pid_t self = ::getpid();
    for (const auto &entry : table.entries()) {
        // A zombie has nothing left to signal.
        if (entry.pid() == self || !opts.scope.contains(entry.ctid) || entry.stat.state == 'Z' ||
            entry.stat.state == 'X')
            continue;
        for (std::size_t p = 0; p < patterns.size(); ++p) {
            if (vz::entry_matches(table.reader(), patterns[p], entry, scratch)) {
                out.push_back({&entry, p});
                break;
            }
        }
    }
    return out;
}

std::string where(const vz::ProcEntry &entry) {
    if (entry.ctid == 0)
        return "on the host";
    return "in CT " + std::to_string(entry.ctid) + " (pid " + std::to_string(entry.vpid) +
           " there)";
}

std::string describe(const vz::ProcEntry &entry) {
    return entry.stat.comm + "(" + std::to_string(entry.pid()) + ")";
}

struct Outcome {
    std::vector<std::size_t> signalled; // per pattern
    std::vector<vz::UniqueFd> pidfds;
    bool failed = false;
};

Outcome send_signals(vz::ProcTable &table, const Options &opts,
                     const std::vector<vz::NamePattern> &patterns,
                     const std::vector<Candidate> &candidates) {
    Outcome outcome;
    outcome.signalled.assign(patterns.size(), 0);
    for (const auto &[entry, p] : candidates) {
        auto result =
            vz::signal_checked(table.reader(), *entry, patterns[p], opts.scope, opts.signal);
        switch (result.outcome) {
        case vz::SignalOutcome::Sent:
            ++outcome.signalled[p];
            if (opts.verbose)
                std::cerr << "Killed " << describe(*entry) << " with signal " << opts.signal << ' '
                          << where(*entry) << '\n';
            outcome.pidfds.push_back(std::move(result.pidfd));
            break;
        case vz::SignalOutcome::Gone:
            break;
        case vz::SignalOutcome::Changed:
            if (!opts.quiet)
                std::cerr << "vzkillall: left " << describe(*entry) << " alone: " << result.reason
                          << '\n';
            break;
        case vz::SignalOutcome::Failed:
            std::cerr << describe(*entry) << ": " << std::strerror(result.error) << '\n';
            outcome.failed = true;
            break;
        }
    }
    return outcome;
}

void print_dry_run(const std::vector<Candidate> &candidates) {
    std::cout << "Pid\tCT/Pid\tCTID\tName\n";
    for (const auto &[entry, p] : candidates)
        std::cout << entry->pid() << '\t' << entry->vpid << '\t' << entry->ctid << '\t'
                  << entry->stat.comm << '\n';
}

int report_unmatched(const Options &opts, const std::vector<vz::NamePattern> &patterns,
                     const std::vector<std::size_t> &counts) {
    int rc = 0;
    for (std::size_t p = 0; p < patterns.size(); ++p) {
        if (counts[p] != 0)
            continue;
        rc = kExitFailure;
        if (!opts.quiet)
            std::cerr << patterns[p].name << ": no process found\n";
    }
    return rc;
}

int run(std::vector<std::string> args) {
    const Options opts = parse_options(std::move(args));
    if (opts.mode == Mode::kHelp)
        return vz::cli::print_help();
    if (opts.mode == Mode::kList) {
        std::cout << vz::signal_list();
        return 0;
    }
    vz::require_root(kExitFailure);
    std::vector<vz::NamePattern> patterns;
    for (const auto &name : opts.names)
        patterns.push_back({name, opts.exact, opts.ignore_case});

    vz::ProcTable table({.ctid = true, .status = true});
    table.refresh();
    vz::require_running(table.cts(), opts.scope.ctids);
    const auto candidates = find_candidates(table, opts, patterns);

    std::vector<std::size_t> counts(patterns.size(), 0);
    if (opts.mode == Mode::kDryRun) {
        print_dry_run(candidates);
        for (const auto &c : candidates)
            ++counts[c.pattern];
        return report_unmatched(opts, patterns, counts);
    }
    Outcome outcome = send_signals(table, opts, patterns, candidates);
    const int rc = report_unmatched(opts, patterns, outcome.signalled);
    if (opts.wait)
        vz::wait_for_exit(outcome.pidfds);
    return outcome.failed ? kExitFailure : rc;
}

// --vzkit-describe: the option table, for the man page (man/).
std::string describe_tables() {
    return vz::cli::describe_options(kOptions);
}

} // namespace

int main(int argc, char **argv) {
    constexpr std::size_t kHelpColumn = 21; // the usage's layout, as it always was
    const std::string usage = vz::cli::usage_text(kSynopsis, kOptionGroups, kHelpColumn, kEpilogue);
    return vz::cli::tool_main(
        argc, argv, kExitFailure, run,
        {.program = "vzkillall", .usage = usage, .describe = describe_tables});
}
