// vzps: ps(1) for the whole host with each process's container (CTID) and
// its pid inside it (VPID). The process table, selections and columns live
// in the core library (vzkit/proc/table.h, vzkit/proc/select.h, vzkit/proc/format.h); this file
// parses the command line.
#include "vzkit/cli/describe.h"
#include "vzkit/cli/options.h"
#include "vzkit/cli/tool_main.h"
#include "vzkit/base/error.h"
#include "vzkit/proc/format.h"
#include "vzkit/proc/select.h"
#include "vzkit/proc/table.h"
#include "vzkit/base/util.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <iostream>

namespace {

constexpr int kExitFailure = 1;

// Lists of -o arguments: a header given with '=' runs to the end of its argument.
const std::vector<std::string> kDefaultFormat = {"ctid,pid,vpid", "tty=TTY", "time,ucmd"};
const std::vector<std::string> kFullFormat = {"ctid", "user=UID", "pid,vpid,ppid,c,stime",
                                              "tty=TTY", "time,cmd"};
const std::vector<std::string> kJsonFormat = {
    "ctid,pid,vpid,ppid,user,uid,stat,pcpu,pmem,rss,vsz,tty,start,time,comm,args"};

constexpr std::string_view kUsage =
    "Usage: vzps [-e|-A] [-E CTID[,CTID...]] [-p PIDS] [--ppid PIDS] [-u USERS] [-U USERS]\n"
    "            [-C NAMES] [-f] [-o FORMAT] [--sort [+|-]KEY[,...]] [-j] [-h] [-w]\n"
    "       vzps --list\n"
    "\n"
    "ps for the whole host: every process with its container (CTID, 0 for the host)\n"
    "and its pid inside the container (VPID).\n"
    "\n"
    "Selection (several are combined with OR; -E then restricts them):\n"
    "  -e, -A              every process\n"
    "  -E CTID[,CTID]      only these containers' processes (0: the host's); alone it\n"
    "                      selects all of their processes\n"
    "  -p, --pid PIDS      these process ids\n"
    "  --ppid PIDS         children of these processes\n"
    "  -u USERS            effective user (name or uid); -U: real user\n"
    "  -C NAMES            command names\n"
    "  Without any, the caller's processes on the caller's terminal, as ps does.\n"
    "\n"
    "Output:\n"
    "  (default)           CTID PID VPID TTY TIME CMD\n"
    "  -f                  full: CTID UID PID VPID PPID C STIME TTY TIME CMD\n"
    "  -o FORMAT           procps fields, comma separated; name:WIDTH, name=HEADER\n"
    "                      (ctid, vpid, pid, ppid, user, pcpu, pmem, rss, vsz, stat, start,\n"
    "                      time, etime, tty, comm, args, cgroup, ...; --list shows all)\n"
    "  --sort KEYS         sort by fields, '-' for descending (--sort=-pcpu,pid)\n"
    "  -j, --json          a JSON array of objects (the -o fields, or a full set)\n"
    "  -h, --no-headers    no header line\n"
    "  -w                  do not cut lines at the terminal's width\n"
    "  --list              the field names\n"
    "\n"
    "Exit status: 0 success; 1 bad usage, unknown field, not root, or no process\n"
    "selected; 31 (VZ_VE_NOT_RUNNING) a container given to -E is not running.\n";

// What vzps does: of several given, the one listed last here wins (--help
// over --list), whatever their order.
enum class Mode { kShow, kList, kHelp };

// The columns without -o: -j's over -f's over the default, whatever the order.
enum class Columns { kDefault, kFull, kJson };

struct Options {
    Mode mode = Mode::kShow;
    vz::ProcSelection selection;
    std::vector<std::string> format; // -o arguments
    Columns columns = Columns::kDefault;
    bool header = true;
    bool wide = false;
    std::string sort;
};

template <typename T> void append(std::vector<T> &to, const std::vector<T> &from) {
    to.insert(to.end(), from.begin(), from.end());
}

void add_ctids(Options &opts, const std::string &list) {
    auto &ctids = opts.selection.ctids;
    if (!ctids)
        ctids.emplace();
    append(*ctids, vz::parse_ctid_list(list, kExitFailure));
}

void add_pids(Options &opts, const std::string &list) {
    append(opts.selection.pids, vz::parse_pid_list(list, kExitFailure));
}

void add_ppids(Options &opts, const std::string &list) {
    append(opts.selection.ppids, vz::parse_pid_list(list, kExitFailure));
}

void add_euids(Options &opts, const std::string &list) {
    append(opts.selection.euids, vz::parse_user_list(list, kExitFailure));
}

void add_ruids(Options &opts, const std::string &list) {
    append(opts.selection.ruids, vz::parse_user_list(list, kExitFailure));
}

void add_commands(Options &opts, const std::string &list) {
    append(opts.selection.commands, vz::parse_word_list(list));
}

void add_format(Options &opts, const std::string &format) {
    opts.format.push_back(format);
}

void add_sort(Options &opts, const std::string &keys) {
    opts.sort = opts.sort.empty() ? keys : opts.sort + "," + keys;
}

using vz::cli::Arg;
using vz::cli::at_least;

// -e, -A: every process.
constexpr auto kSelectAll =
    vz::cli::in<&Options::selection, vz::cli::flag<&vz::ProcSelection::all>>;

// The usage above is written out by hand: its sections explain more than a
// line per option.
constexpr auto kRows = std::to_array<vz::cli::Bound<Options>>({
    {{"", 'e', Arg::kNone}, kSelectAll},
    {{"", 'A', Arg::kNone}, kSelectAll},
    {{"", 'E', Arg::kRequired, "<ctid>[,<ctid>...]"}, add_ctids},
    {{"pid", 'p', Arg::kRequired, "<pids>"}, add_pids},
    {{"ppid", 0, Arg::kRequired, "<pids>"}, add_ppids},
    {{"", 'u', Arg::kRequired, "<users>"}, add_euids},
    {{"", 'U', Arg::kRequired, "<users>"}, add_ruids},
    {{"", 'C', Arg::kRequired, "<names>"}, add_commands},
    {{"", 'f', Arg::kNone}, at_least<&Options::columns, Columns::kFull>},
    {{"", 'o', Arg::kRequired, "<format>"}, add_format},
    {{"sort", 0, Arg::kRequired, "[+|-]<key>[,...]"}, add_sort},
    {{"json", 'j', Arg::kNone}, at_least<&Options::columns, Columns::kJson>},
    {{"no-headers", 'h', Arg::kNone}, vz::cli::set<&Options::header, false>},
    {{"noheaders", 0, Arg::kNone}, vz::cli::set<&Options::header, false>},
    {{"", 'w', Arg::kNone}, vz::cli::flag<&Options::wide>},
    {{"list", 0, Arg::kNone}, at_least<&Options::mode, Mode::kList>},
    {{"help", 0, Arg::kNone}, at_least<&Options::mode, Mode::kHelp>},
});

Options parse_options(const std::vector<std::string> &args) {
    Options opts;
    const auto words = vz::cli::parse_into(args, kRows, opts);
    if (!words.empty())
        throw vz::Error(kExitFailure, "Unsupported argument: " + words.front() +
                                          " (BSD-style options such as 'aux' are not supported; "
                                          "use -e -f)");
    return opts;
}

std::vector<vz::PsColumn> columns_for(const Options &opts) {
    const auto &fallback = opts.columns == Columns::kJson   ? kJsonFormat
                           : opts.columns == Columns::kFull ? kFullFormat
                                                            : kDefaultFormat;
    const auto &specs = opts.format.empty() ? fallback : opts.format;
    std::vector<vz::PsColumn> columns;
    for (const auto &spec : specs) {
        auto more = vz::parse_ps_format(spec, kExitFailure);
        columns.insert(columns.end(), more.begin(), more.end());
    }
    return columns;
}

// procps cuts lines at the terminal's width unless told otherwise.
std::size_t line_limit(const Options &opts) {
    if (opts.wide || opts.columns == Columns::kJson || !::isatty(STDOUT_FILENO))
        return 0;
    if (const char *columns = std::getenv("COLUMNS"))
        if (auto n = vz::parse_number<std::uint64_t>(columns); n && *n > 0)
            return *n;
    winsize ws{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 0;
}

void print_field_list() {
    for (const auto &name : vz::ps_field_names())
        std::cout << name << '\n';
}

vz::ProcQuery merge(vz::ProcQuery a, const vz::ProcQuery &b) {
    a.status |= b.status;
    a.cmdline |= b.cmdline;
    a.cgroup |= b.cgroup;
    return a;
}

int run(std::vector<std::string> args) {
    std::ios::sync_with_stdio(false);
    Options opts = parse_options(args);
    if (opts.mode == Mode::kHelp)
        return vz::cli::print_help();
    if (opts.mode == Mode::kList) {
        print_field_list();
        return 0;
    }
    const auto columns = columns_for(opts);
    const auto keys = vz::parse_ps_sort(opts.sort.empty() ? "pid" : opts.sort, kExitFailure);
    vz::require_root(kExitFailure);

    vz::ProcQuery query = merge(vz::ps_query(columns), vz::ps_query(keys));
    query.status |= opts.selection.needs_status();
    vz::ProcTable table(query);
    table.refresh();
    if (opts.selection.ctids)
        vz::require_running(table.cts(), *opts.selection.ctids);
    if (const vz::ProcEntry *self = table.find(::getpid())) {
        opts.selection.self_euid = self->uid;
        opts.selection.self_tty = self->stat.tty;
    }

    std::vector<const vz::ProcEntry *> rows;
    for (const auto &entry : table.entries())
        if (opts.selection.matches(entry))
            rows.push_back(&entry);
    vz::NameCache names;
    vz::PsContext ctx{table.system(), names};
    vz::sort_ps_rows(rows, keys, ctx);
    if (opts.columns == Columns::kJson)
        vz::print_ps_json(std::cout, columns, rows, ctx);
    else
        vz::print_ps_table(std::cout, columns, rows, ctx, {opts.header, line_limit(opts)});
    std::cout.flush();
    // procps: an explicit selection that matched nothing is a failure.
    const bool explicit_selection = opts.selection.has_process_selection() || opts.selection.ctids;
    return rows.empty() && explicit_selection ? kExitFailure : 0;
}

// --vzkit-describe: the option table, for the man page (man/).
std::string describe_tables() {
    return vz::cli::describe_options(vz::cli::options_of(kRows));
}

} // namespace

int main(int argc, char **argv) {
    return vz::cli::tool_main(argc, argv, kExitFailure, run,
                              {.program = "vzps", .usage = kUsage, .describe = describe_tables});
}
