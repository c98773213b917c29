// vztop: a per-container top. Each refresh reads the process table once and
// each running container's cgroup counters; the model (vzkit/proc/top.h) turns two
// refreshes into per-interval figures. This file handles the command line, the
// refresh loop and the screen.
#include "terminal.h"

#include "vzkit/cli/describe.h"
#include "vzkit/cli/options.h"
#include "vzkit/cli/tool_main.h"
#include "vzkit/base/error.h"
#include "vzkit/proc/select.h"
#include "vzkit/proc/top.h"
#include "vzkit/base/util.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <iostream>
#include <thread>

namespace {

constexpr int kExitFailure = 1;
// Before the first interactive frame: long enough for a meaningful %CPU.
constexpr double kFirstFrameWait = 0.5;

struct Options {
    bool batch = false;
    unsigned long iterations = 0; // 0: no limit
    double delay = 3.0;
    vz::TopSort sort = vz::TopSort::Cpu;
    std::optional<std::vector<vz::Ctid>> ctids;
    bool help = false;
};

void set_delay(Options &opts, const std::string &text) {
    auto value = vz::parse_number<double>(text);
    if (!value || !(*value > 0) || *value > 86400)
        throw vz::Error(kExitFailure, "Bad delay: " + text + " (seconds, more than 0)");
    opts.delay = *value;
}

void set_iterations(Options &opts, const std::string &text) {
    auto value = vz::parse_number<std::uint64_t>(text);
    if (!value || *value == 0 || *value > 1000000000)
        throw vz::Error(kExitFailure, "Bad iteration count: " + text);
    opts.iterations = static_cast<unsigned long>(*value);
}

void set_sort(Options &opts, const std::string &text) {
    auto order = vz::parse_top_sort(text);
    if (!order)
        throw vz::Error(kExitFailure,
                        "Bad sort key: " + text + " (cpu, mem, nproc, ctid or failcnt)");
    opts.sort = *order;
}

void add_ctids(Options &opts, const std::string &text) {
    auto ctids = vz::parse_ctid_list(text, kExitFailure);
    if (std::ranges::find(ctids, 0u) != ctids.end())
        throw vz::Error(kExitFailure, "-E 0 is the host: vztop shows containers");
    if (!opts.ctids)
        opts.ctids.emplace();
    opts.ctids->insert(opts.ctids->end(), ctids.begin(), ctids.end());
}

using vz::cli::Arg;

constexpr auto kRows = std::to_array<vz::cli::Bound<Options>>({
    {{"batch", 'b', Arg::kNone, "", "print frames to standard output instead of the screen"},
     vz::cli::flag<&Options::batch>},
    {{"iterations", 'n', Arg::kRequired, "N",
      "stop after N frames (default: until 'q' or a signal)"},
     set_iterations},
    {{"delay", 'd', Arg::kRequired, "SECS",
      "seconds between frames (default 3; fractions allowed)"},
     set_delay},
    {{"sort", 's', Arg::kRequired, "KEY",
      "order rows by cpu (default), mem, nproc, ctid or failcnt"},
     set_sort},
    {{"ctid", 'E', Arg::kRequired, "CTIDS", "only these containers"}, add_ctids},
    {{"help", 'h', Arg::kNone, "", "this text"}, vz::cli::flag<&Options::help>},
});
constexpr auto kOptions = vz::cli::options_of(kRows);

constexpr std::string_view kSynopsis =
    "Usage: vztop [-b] [-n COUNT] [-d SECONDS] [-s cpu|mem|nproc|ctid|failcnt]\n"
    "             [-E CTID[,CTID...]]\n"
    "\n"
    "One row per running container, refreshed every few seconds:\n"
    "  CTID, NPROC (processes), RUN (running now), %CPU (100 = one CPU busy over\n"
    "  the interval), MEM and LIMIT (the cgroup's charge and limit), %MEM (of the\n"
    "  limit), FAILCNT (failures so far: /proc/user_beancounters when present, else\n"
    "  the cgroup's memory and pids failure counters), +FAIL (new failures in the\n"
    "  interval), BUSIEST (the process that used most CPU, name/pid inside the CT),\n"
    "  HOSTNAME.\n"
    "\n";
constexpr std::string_view kKeysAndExitStatus =
    "Keys: q quit; c, m, p, i, f sort by cpu, memory, processes, CTID, failcnt;\n"
    "space refreshes now.\n"
    "\n"
    "Exit status: 0 success; 1 bad usage, not root, or no terminal without -b; 31\n"
    "(VZ_VE_NOT_RUNNING) a container given to -E is not running.\n";

Options parse_options(const std::vector<std::string> &args) {
    Options opts;
    if (!vz::cli::parse_into(args, kRows, opts).empty())
        throw vz::cli::UsageError(kExitFailure, ""); // the usage alone
    return opts;
}

double monotonic_seconds() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

// One refresh: the process table, then the counters of the CTs it found.
class Sampler {
  public:
    Sampler() : table_({.ctid = true, .status = true}) {}
    vz::TopFrame next() {
        table_.refresh();
        const auto counters = vz::read_ct_counters(table_.cts().running());
        return model_.update(table_, counters, vz::read_host_counters(), monotonic_seconds());
    }
    const vz::ProcTable &table() const { return table_; }

  private:
    vz::ProcTable table_;
    vz::TopModel model_;
};

std::vector<std::string> render(vz::TopFrame frame, const Options &opts, vz::TopSort sort,
                                std::size_t width) {
    if (opts.ctids)
        std::erase_if(frame.rows, [&](const vz::TopRow &row) {
            return std::ranges::find(*opts.ctids, row.ctid) == opts.ctids->end();
        });
    vz::sort_top_rows(frame.rows, sort);
    return vz::format_top(frame, width);
}

void sleep_interruptibly(double seconds) {
    const double until = monotonic_seconds() + seconds;
    while (!vz::interrupted()) {
        const double left = until - monotonic_seconds();
        if (left <= 0)
            break;
        std::this_thread::sleep_for(std::chrono::duration<double>(std::min(left, 0.1)));
    }
}

int run_batch(Sampler &sampler, const Options &opts) {
    for (unsigned long i = 0; opts.iterations == 0 || i < opts.iterations; ++i) {
        sleep_interruptibly(opts.delay);
        if (vz::interrupted())
            break;
        if (i)
            std::cout << '\n';
        for (const auto &line : render(sampler.next(), opts, opts.sort, 0))
            std::cout << line << '\n';
        std::cout.flush();
    }
    return 0;
}

// Keys change the order or end the loop; 0 when the wait just ran out.
bool handle_key(int key, vz::TopSort &sort) {
    static constexpr std::array<std::pair<int, vz::TopSort>, 5> kSortKeys = {{
        {'c', vz::TopSort::Cpu},
        {'m', vz::TopSort::Memory},
        {'p', vz::TopSort::Processes},
        {'i', vz::TopSort::Ctid},
        {'f', vz::TopSort::Failcnt},
    }};
    if (key == 'q' || key == 'Q')
        return false;
    for (const auto &[k, order] : kSortKeys)
        if (key == k)
            sort = order;
    return true;
}

int run_interactive(Sampler &sampler, const Options &opts) {
    if (!::isatty(STDIN_FILENO) || !::isatty(STDOUT_FILENO))
        throw vz::Error(kExitFailure, "Not a terminal: use -b for batch mode");
    Terminal terminal;
    vz::TopSort sort = opts.sort;
    terminal.draw({"vztop: collecting the first interval..."});
    double wait = std::min(opts.delay, kFirstFrameWait);
    vz::TopFrame frame;
    for (unsigned long i = 0; opts.iterations == 0 || i < opts.iterations; ++i) {
        const double until = monotonic_seconds() + wait;
        // Keys during the wait re-sort the last frame at once.
        for (double left = wait; left > 0 && !vz::interrupted();
             left = until - monotonic_seconds()) {
            const int key = terminal.wait_key(left);
            if (key == 0)
                continue;
            if (!handle_key(key, sort))
                return 0;
            if (key == ' ')
                break;
            if (i > 0)
                terminal.draw(render(frame, opts, sort, terminal.columns()));
        }
        if (vz::interrupted())
            break;
        frame = sampler.next();
        terminal.draw(render(frame, opts, sort, terminal.columns()));
        wait = opts.delay;
    }
    return 0;
}

int run(std::vector<std::string> args) {
    const Options opts = parse_options(args);
    if (opts.help)
        return vz::cli::print_help();
    vz::require_root(kExitFailure);
    vz::install_interrupt_handlers();
    Sampler sampler;
    sampler.next(); // the baseline the first frame is measured against
    if (opts.ctids)
        vz::require_running(sampler.table().cts(), *opts.ctids);
    return opts.batch ? run_batch(sampler, opts) : run_interactive(sampler, opts);
}

// --vzkit-describe: the option table, for the man page (man/).
std::string describe_tables() {
    return vz::cli::describe_options(kOptions);
}

} // namespace

int main(int argc, char **argv) {
    constexpr std::size_t kHelpColumn = 21; // the usage's layout, as it always was
    const std::string usage =
        vz::cli::usage_text(kSynopsis, kOptions, kHelpColumn, kKeysAndExitStatus);
    return vz::cli::tool_main(argc, argv, kExitFailure, run,
                              {.program = "vztop", .usage = usage, .describe = describe_tables});
}
