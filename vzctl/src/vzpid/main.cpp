// vzpid: which container each process belongs to, in OpenVZ's tab-separated
// format (bin/vzpid of vzctl): "Pid CTID Name", with -p also the pid inside
// the container. Only the named processes are read (proc_table.h's reader).
#include "vzkit/error.h"
#include "vzkit/json.h"
#include "vzkit/proc_parse.h"
#include "vzkit/proc_table.h"
#include "vzkit/util.h"

#include <getopt.h>
#include <unistd.h>

#include <iostream>
#include <iterator>

namespace {

constexpr int kExitFailure = 1;

constexpr std::string_view kUsage =
    "Usage: vzpid [-p] [-j] pid [...]\n"
    "       vzpid [-p] [-j] -          (pids from standard input)\n"
    "\n"
    "Prints the container each process belongs to (CTID 0 is the host), tab separated:\n"
    "  Pid<TAB>CTID<TAB>Name\n"
    "  -p, --pid     also the pid inside the container: Pid<TAB>CT/Pid<TAB>CTID<TAB>Name\n"
    "  -j, --json    a JSON array of {pid, ctid, vpid, name}\n"
    "  -h, --help    this text\n"
    "\n"
    "Exit status: 0 every pid was found; 1 bad usage, not root, or a pid that is not a\n"
    "number or names no process (the others are still printed).\n";

struct UsageError {};

struct Options {
    bool vpid = false;
    bool json = false;
    bool help = false;
    std::vector<std::string> pids;
};

Options parse_options(int argc, char **argv) {
    static const option kLongOptions[] = {
        {"pid", no_argument, nullptr, 'p'},
        {"json", no_argument, nullptr, 'j'},
        {"help", no_argument, nullptr, 'h'},
        {nullptr, 0, nullptr, 0},
    };
    Options opts;
    ::optind = 1;
    for (int c; (c = ::getopt_long(argc, argv, "+pjh", kLongOptions, nullptr)) != -1;) {
        if (c == 'p')
            opts.vpid = true;
        else if (c == 'j')
            opts.json = true;
        else if (c == 'h')
            opts.help = true;
        else
            throw UsageError{};
    }
    opts.pids.assign(argv + ::optind, argv + argc);
    if (opts.pids.empty() && !opts.help)
        throw UsageError{};
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

int run(int argc, char **argv) {
    const Options opts = parse_options(argc, argv);
    if (opts.help) {
        std::cout << kUsage;
        return 0;
    }
    if (::geteuid() != 0)
        throw vz::Error(kExitFailure, "This program can only be run under root.");
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

} // namespace

int main(int argc, char **argv) {
    try {
        return run(argc, argv);
    } catch (const UsageError &) {
        std::cerr << kUsage;
    } catch (const std::exception &e) {
        std::cerr << "vzpid: " << e.what() << '\n';
    }
    return kExitFailure;
}
