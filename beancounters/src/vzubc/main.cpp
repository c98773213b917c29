// vzubc: OpenVZ's beancounter viewer. Reads /proc/bc/resources (else
// /proc/user_beancounters) or a file, and shows each container's table.
// Exit status 0, or 1 on any error, as OpenVZ's.
#include "vzkit/error.h"
#include "vzkit/ubc_proc.h"
#include "vzkit/ubc_view.h"
#include "vzkit/util.h"
#include "vzkit/ve_config.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

namespace {

constexpr std::string_view kUsage =
    "Usage: vzubc [option ...] [<filename>|-] [<ctid> ...]\n"
    " -w: run under watch(1) (Ctrl-C to exit)\n"
    "     -wd: highlight differences between runs\n"
    "     -wt: no watch title\n"
    "     -wn <time>: refresh every <time> seconds\n"
    " -q: quiet mode (only beancounters with fails and close to limits)\n"
    "     -qh <ratio>: quiet watermark for held/barrier (default 0.8)\n"
    "     -qm <ratio>: quiet watermark for maxheld/barrier (default 0.5)\n"
    " -v: exact numbers instead of K/M/G\n"
    " -r: relative mode (fail counters since the previous -r run)\n"
    "     -rc: clear the saved fail counters\n"
    "     -rd <dir>: directory for them (default /tmp/vzubc.store)\n"
    " -i: incremental mode (held since the previous -i run)\n"
    "     -ic: clear the saved held values\n"
    "     -id <dir>: directory for them (default /tmp/vzubc.store)\n"
    " -c: colour (red: failures, yellow: close to limits)\n"
    " <filename>: file to read (default /proc/bc/resources or /proc/user_beancounters)\n"
    " <ctid>: container ID or name to show (more than one may be given; 0 is the host)\n";

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Options {
    std::optional<std::string> file;
    std::vector<std::uint32_t> ids;
    bool watch = false;
    std::vector<std::string> watch_args;
    std::vector<std::string> passthrough; // argv without the watch options
    vz::ubc::ViewOptions view;
    bool relative = false, relative_clear = false;
    bool incremental = false, incremental_clear = false;
    std::string relative_dir = "/tmp/vzubc.store";
    std::string incremental_dir = "/tmp/vzubc.store";
};

double parse_ratio(const std::string &opt, const std::string &text) {
    char *end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || v < 0 || v > 1)
        throw UsageError("Error: bad ratio for " + opt + ": " + text);
    return v;
}

std::optional<std::uint32_t> parse_id(const std::string &text) {
    if (auto id = vz::parse_number<std::uint32_t>(text))
        return id;
    if (auto ctid = vz::ctid_by_name(text))
        return *ctid;
    return std::nullopt;
}

// An argument that is neither an option nor a file is a CTID or a name.
void positional(Options &o, const std::string &arg) {
    std::error_code ec;
    if (arg == "-" || std::filesystem::is_regular_file(arg, ec) ||
        std::filesystem::is_character_file(arg, ec)) {
        o.file = arg;
        return;
    }
    auto id = parse_id(arg);
    if (!id)
        throw UsageError("Error: " + arg + " is neither a file nor a container");
    o.ids.push_back(*id);
}

Options parse(int argc, char **argv) {
    Options o;
    std::vector<std::string> args(argv + 1, argv + argc);
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string &a = args[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= args.size())
                throw UsageError("Error: option " + a + " requires an argument");
            o.passthrough.push_back(args[i + 1]);
            return args[++i];
        };
        auto watch_value = [&]() -> std::string {
            if (i + 1 >= args.size())
                throw UsageError("Error: option " + a + " requires an argument");
            return args[++i];
        };
        if (a == "-w" || a == "-wd" || a == "-wt" || a == "-wn") {
            o.watch = true;
            if (a == "-wd")
                o.watch_args.push_back("-d");
            else if (a == "-wt")
                o.watch_args.push_back("-t");
            else if (a == "-wn")
                o.watch_args.insert(o.watch_args.end(), {"-n", watch_value()});
            continue;
        }
        if (a == "-W") { // internal: already under watch
            continue;
        }
        o.passthrough.push_back(a);
        if (a == "-q") {
            o.view.quiet = true;
        } else if (a == "-qh") {
            o.view.quiet = true;
            o.view.held_ratio = parse_ratio(a, value());
        } else if (a == "-qm") {
            o.view.quiet = true;
            o.view.maxheld_ratio = parse_ratio(a, value());
        } else if (a == "-v") {
            o.view.verbose = true;
        } else if (a == "-c") {
            o.view.colour = true;
        } else if (a == "-r" || a == "-rc" || a == "-rd") {
            o.relative = true;
            o.relative_clear |= a == "-rc";
            if (a == "-rd")
                o.relative_dir = value();
        } else if (a == "-i" || a == "-ic" || a == "-id") {
            o.incremental = true;
            o.incremental_clear |= a == "-ic";
            if (a == "-id")
                o.incremental_dir = value();
        } else if (a == "-h" || a == "--help") {
            std::cout << kUsage;
            std::exit(0);
        } else if (a.size() > 1 && a[0] == '-') {
            throw UsageError("Unrecognized option: " + a);
        } else {
            positional(o, a);
        }
    }
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

std::vector<vz::ubc::Beancounter> load(const Options &o) {
    std::string text;
    std::string source;
    if (o.file && *o.file == "-") {
        text.assign(std::istreambuf_iterator<char>(std::cin), {});
        source = "standard input";
    } else {
        source = o.file ? *o.file : vz::ubc::default_source().string();
        auto content = vz::read_file(source);
        if (!content)
            throw vz::Error(1, "Error: cannot read " + source +
                                   (o.file ? "" : " (is the vzkit module loaded?)"));
        text = std::move(*content);
    }
    auto bcs = vz::ubc::parse_beancounters(text);
    if (!bcs)
        throw vz::Error(1, "Error: unknown version in " + source + " (want 2.5)");
    return *bcs;
}

int run(int argc, char **argv) {
    Options o = parse(argc, argv);
    if (o.watch)
        exec_watch(o, argv[0]);
    const vz::ubc::BaselineStore failcnts(o.relative_dir, "failcnt");
    const vz::ubc::BaselineStore helds(o.incremental_dir, "held");
    if (o.relative_clear)
        failcnts.clear();
    if (o.incremental_clear)
        helds.clear();
    const auto bcs = load(o);
    vz::ubc::Baseline failcnt_base, held_base;
    if (o.relative) {
        failcnt_base = failcnts.load();
        o.view.failcnt_since = &failcnt_base;
    }
    if (o.incremental) {
        held_base = helds.load();
        o.view.held_since = &held_base;
    }
    o.view.ids = o.ids;
    std::cout << vz::ubc::render(bcs, o.view);
    if (o.relative)
        failcnts.save(bcs, [](const vz::ubc::Row &r) { return r.failcnt; });
    if (o.incremental)
        helds.save(bcs, [](const vz::ubc::Row &r) { return r.held; });
    return 0;
}

} // namespace

int main(int argc, char **argv) {
    try {
        return run(argc, argv);
    } catch (const UsageError &e) {
        std::cerr << e.what() << '\n' << kUsage;
    } catch (const std::exception &e) {
        std::cerr << e.what() << '\n';
    }
    return 1;
}
