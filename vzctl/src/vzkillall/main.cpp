// vzkillall: killall(1) over the host's process table, limited to one or more
// containers, every container, or the host. Matching and the pid-reuse-safe
// signal live in the core library (proc_kill.h); this file parses the command
// line and reports.
#include "vzkit/error.h"
#include "vzkit/proc_kill.h"
#include "vzkit/proc_select.h"
#include "vzkit/proc_signal.h"
#include "vzkit/proc_table.h"

#include <getopt.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <iostream>

namespace {

constexpr int kExitFailure = 1;

constexpr std::string_view kUsage =
    "Usage: vzkillall [-E CTID[,CTID...] | --all-cts | --host] [-s SIGNAL | -SIGNAL]\n"
    "                 [-e] [-I] [-n] [-q] [-v] [-w] NAME...\n"
    "       vzkillall -l\n"
    "\n"
    "Sends a signal (TERM by default) to the processes called NAME, as killall does:\n"
    "NAME is the command name, or with a '/' the executable's path.\n"
    "\n"
    "Scope (default: the host's and every container's processes):\n"
    "  -E, --ctid CTID    only in these running containers (repeatable)\n"
    "  --all-cts          in every container, never on the host\n"
    "  --host             only on the host, never in a container\n"
    "\n"
    "Options:\n"
    "  -s, --signal SIG   signal name (TERM, SIGTERM, term) or number; also -SIG, -9\n"
    "  -e, --exact        names longer than 15 characters must match exactly\n"
    "  -I, --ignore-case  case-insensitive names\n"
    "  -n, --dry-run      list what would be signalled (Pid CT/Pid CTID Name), send nothing\n"
    "  -q, --quiet        no complaint when nothing matched\n"
    "  -v, --verbose      report each signal sent\n"
    "  -w, --wait         wait until every signalled process has exited\n"
    "  -l, --list         list signal names\n"
    "\n"
    "Each process is pinned with a pidfd and checked again (same process, name,\n"
    "container, cgroup) before the signal: a reused pid is never hit. Zombies and\n"
    "vzkillall itself are skipped.\n"
    "\n"
    "Exit status: 0 every NAME matched and was signalled; 1 bad usage, unknown\n"
    "signal, not root, or some NAME matched no process in the scope; 31\n"
    "(VZ_VE_NOT_RUNNING) a container given to -E is not running.\n";

struct UsageError {};

enum LongOnly { kAllCts = 256, kHost, kHelp };

struct Options {
    vz::KillScope scope;
    bool scope_given = false;
    int signal = SIGTERM;
    bool exact = false;
    bool ignore_case = false;
    bool dry_run = false;
    bool quiet = false;
    bool verbose = false;
    bool wait = false;
    bool list = false;
    bool help = false;
    std::vector<std::string> names;
};

int signal_of(std::string_view text) {
    auto signal = vz::parse_signal(text);
    if (!signal)
        throw vz::Error(kExitFailure,
                        std::string(text) + ": unknown signal; vzkillall -l lists signals.");
    return *signal;
}

void set_scope(Options &opts, vz::KillScope::Kind kind) {
    if (opts.scope_given && opts.scope.kind != kind)
        throw vz::Error(kExitFailure, "-E, --all-cts and --host exclude each other");
    opts.scope_given = true;
    opts.scope.kind = kind;
}

void apply_option(Options &opts, int c, const char *arg) {
    switch (c) {
    case 'E': {
        set_scope(opts, vz::KillScope::Kind::Cts);
        for (vz::Ctid ctid : vz::parse_ctid_list(arg, kExitFailure)) {
            if (ctid == 0)
                throw vz::Error(kExitFailure, "-E 0 is the host: use --host");
            opts.scope.ctids.push_back(ctid);
        }
        break;
    }
    case kAllCts:
        set_scope(opts, vz::KillScope::Kind::AllCts);
        break;
    case kHost:
        set_scope(opts, vz::KillScope::Kind::Host);
        break;
    case 's':
        opts.signal = signal_of(arg);
        break;
    case 'e':
        opts.exact = true;
        break;
    case 'I':
        opts.ignore_case = true;
        break;
    case 'n':
        opts.dry_run = true;
        break;
    case 'q':
        opts.quiet = true;
        break;
    case 'v':
        opts.verbose = true;
        break;
    case 'w':
        opts.wait = true;
        break;
    case 'l':
        opts.list = true;
        break;
    case kHelp:
        opts.help = true;
        break;
    default:
        throw UsageError{};
    }
}

// killall's "-SIGNAL" ("-9", "-KILL", "-SIGHUP"): taken out before getopt
// sees it as a bundle of letters. Option letters are not signal names.
std::vector<char *> extract_signal_args(Options &opts, int argc, char **argv) {
    std::vector<char *> rest{argv[0]};
    bool options_done = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--")
            options_done = true;
        if (!options_done && arg.size() > 1 && arg[0] == '-' && arg[1] != '-') {
            if (auto signal = vz::parse_signal(arg.substr(1))) {
                opts.signal = *signal;
                continue;
            }
        }
        rest.push_back(argv[i]);
    }
    rest.push_back(nullptr);
    return rest;
}

Options parse_options(int argc, char **argv) {
    static const option kLongOptions[] = {
        {"ctid", required_argument, nullptr, 'E'},
        {"all-cts", no_argument, nullptr, kAllCts},
        {"host", no_argument, nullptr, kHost},
        {"signal", required_argument, nullptr, 's'},
        {"exact", no_argument, nullptr, 'e'},
        {"ignore-case", no_argument, nullptr, 'I'},
        {"dry-run", no_argument, nullptr, 'n'},
        {"quiet", no_argument, nullptr, 'q'},
        {"verbose", no_argument, nullptr, 'v'},
        {"wait", no_argument, nullptr, 'w'},
        {"list", no_argument, nullptr, 'l'},
        {"help", no_argument, nullptr, kHelp},
        {nullptr, 0, nullptr, 0},
    };
    Options opts;
    auto args = extract_signal_args(opts, argc, argv);
    const int count = static_cast<int>(args.size()) - 1;
    ::optind = 1;
    for (int c;
         (c = ::getopt_long(count, args.data(), "E:s:eInqvwl", kLongOptions, nullptr)) != -1;)
        apply_option(opts, c, ::optarg);
    opts.names.assign(args.data() + ::optind, args.data() + count);
    if (opts.names.empty() && !opts.list && !opts.help)
        throw UsageError{};
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

int run(int argc, char **argv) {
    const Options opts = parse_options(argc, argv);
    if (opts.help) {
        std::cout << kUsage;
        return 0;
    }
    if (opts.list) {
        std::cout << vz::signal_list();
        return 0;
    }
    if (::geteuid() != 0)
        throw vz::Error(kExitFailure, "This program can only be run under root.");
    std::vector<vz::NamePattern> patterns;
    for (const auto &name : opts.names)
        patterns.push_back({name, opts.exact, opts.ignore_case});

    vz::ProcTable table({.ctid = true, .status = true});
    table.refresh();
    vz::require_running(table.cts(), opts.scope.ctids);
    const auto candidates = find_candidates(table, opts, patterns);

    std::vector<std::size_t> counts(patterns.size(), 0);
    if (opts.dry_run) {
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

} // namespace

int main(int argc, char **argv) {
    try {
        return run(argc, argv);
    } catch (const UsageError &) {
        std::cerr << kUsage;
        return kExitFailure;
    } catch (const vz::Error &e) {
        std::cerr << "vzkillall: " << e.what() << '\n';
        return e.code();
    } catch (const std::exception &e) {
        std::cerr << "vzkillall: " << e.what() << '\n';
    }
    return kExitFailure;
}
