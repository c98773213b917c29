// vzlist: lists containers with OpenVZ's options, columns and exit codes
// (0, or 1 for any error). Collection and rendering live in the core library
// (vzkit/ct/list.h); this file parses the command line and picks the output.
#include "vzkit/cli/describe.h"
#include "vzkit/cli/options.h"
#include "vzkit/cli/tool_main.h"
#include "vzkit/ct/list.h"
#include "vzkit/base/error.h"
#include "vzkit/base/json.h"
#include "vzkit/base/log.h"
#include "vzkit/base/util.h"
#include "vzkit/base/ct_config.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <iostream>
#include <set>

namespace {

constexpr int kExitFailure = 1; // vzlist's only error status

constexpr std::string_view kDefaultFields = "ctid,numproc,status,ip,hostname";
constexpr char kDefaultNameFields[] = "smart_name,numproc,status,ip,hostname";

constexpr std::string_view kUsage =
    "Usage:\tvzlist [-a | -S] [-n] [-H] [-t] [-j] [-o field[,field...] | -1] [-s [-]field]\n"
    "\t       [-h pattern] [-N pattern] [-d pattern] [CTID|name ...]\n"
    "\tvzlist -L | --list\n"
    "\n"
    "Options:\n"
    "\t-a, --all\t\tlist all containers\n"
    "\t-S, --stopped\t\tlist stopped containers\n"
    "\t-n, --name\t\tdisplay containers' names\n"
    "\t-H, --no-header\t\tsuppress columns header\n"
    "\t-t, --no-trim\t\tdo not trim long values\n"
    "\t-j, --json\t\toutput in JSON format\n"
    "\t-o, --output\t\toutput only specified fields\n"
    "\t-1\t\t\tsynonym for -H -octid\n"
    "\t-s, --sort\t\tsort by the specified field\n"
    "\t\t\t\t('-field' to reverse sort order)\n"
    "\t-h, --hostname\t\tfilter CTs by hostname pattern\n"
    "\t-N, --name_filter\tfilter CTs by name pattern\n"
    "\t-d, --description\tfilter CTs by description pattern\n"
    "\t-L, --list\t\tget possible field names\n";

// What vzlist does: of several given, the one listed last here wins (--help
// over -L), whatever their order.
enum class Mode { kList, kFieldNames, kHelp };

// Which containers: -S over -a, whatever their order. CTs named on the
// command line are shown whatever their state.
enum class Show { kRunning, kAll, kStopped };

struct Options {
    Mode mode = Mode::kList;
    Show show = Show::kRunning;
    bool header = true;
    bool trim = true;
    bool json = false;
    std::optional<std::string> fields; // -o, -1 and -n, the last one wins
    std::optional<std::string> sort;   // "-ctid" sorts in reverse
    vz::PatternFilter patterns;
    std::vector<std::string> ctids; // CTIDs or names
};

// -1: the CTIDs alone.
void ctids_only(Options &opts, const std::string & /*value*/) {
    opts.fields = "ctid";
    opts.header = false;
}

using vz::cli::Arg;
using vz::cli::at_least;
using vz::cli::flag;
using vz::cli::in;
using vz::cli::set;
using vz::cli::store;

// The usage above is OpenVZ's text, kept as it is.
constexpr auto kRows = std::to_array<vz::cli::Bound<Options>>({
    {{"no-header", 'H', Arg::kNone}, set<&Options::header, false>},
    {{"no-trim", 't', Arg::kNone}, set<&Options::trim, false>},
    {{"stopped", 'S', Arg::kNone}, at_least<&Options::show, Show::kStopped>},
    {{"all", 'a', Arg::kNone}, at_least<&Options::show, Show::kAll>},
    {{"name", 'n', Arg::kNone}, set<&Options::fields, kDefaultNameFields>},
    {{"json", 'j', Arg::kNone}, flag<&Options::json>},
    {{"name_filter", 'N', Arg::kRequired, "<pattern>"}, in<&Options::patterns, store<&vz::PatternFilter::name>>},
    {{"hostname", 'h', Arg::kRequired, "<pattern>"},
     in<&Options::patterns, store<&vz::PatternFilter::hostname>>},
    {{"description", 'd', Arg::kRequired, "<pattern>"},
     in<&Options::patterns, store<&vz::PatternFilter::description>>},
    {{"output", 'o', Arg::kRequired, "<field>[,<field>...]"}, store<&Options::fields>},
    {{"sort", 's', Arg::kRequired, "[-]<field>"}, store<&Options::sort>},
    {{"list", 'L', Arg::kNone}, at_least<&Options::mode, Mode::kFieldNames>},
    {{"help", 'e', Arg::kNone}, at_least<&Options::mode, Mode::kHelp>},
    {{"", '1', Arg::kNone}, ctids_only},
});

// getopt's grammar: "-Ha", "-octid", "-s -ctid" with a dash-led argument,
// options after CTIDs.
Options parse_options(const std::vector<std::string> &args) {
    Options opts;
    opts.ctids = vz::cli::parse_into(args, kRows, opts);
    return opts;
}

// OpenVZ's "%-15s %-15s" per field, trailing blanks and all.
void print_field_names() {
    auto padded = [](std::string text) {
        text.resize(std::max<std::size_t>(text.size(), 15), ' ');
        return text;
    };
    for (const vz::FieldRef &ref : vz::all_field_refs())
        std::cout << padded(ref.name()) << ' ' << padded(ref.header()) << '\n';
}

std::vector<vz::FieldRef> columns_for(const Options &opts) {
    if (opts.fields)
        return vz::parse_field_list(*opts.fields, opts.json);
    return opts.json ? vz::json_fields() : vz::parse_field_list(kDefaultFields, false);
}

struct SortOrder {
    vz::FieldRef field;
    bool reverse = false;
};

std::optional<SortOrder> sort_order(const Options &opts) {
    if (!opts.sort)
        return std::nullopt;
    std::string_view name = *opts.sort;
    const bool reverse = name.starts_with('-');
    if (reverse)
        name.remove_prefix(1);
    auto field = vz::find_field(name);
    if (!field)
        throw vz::Error(kExitFailure, "Invalid sort field name: " + *opts.sort);
    return SortOrder{*field, reverse};
}

// The CTs to look at: every configured one, or those asked for that exist.
std::vector<vz::Ctid> select_ctids(const std::vector<vz::Ctid> &requested) {
    std::vector<vz::Ctid> ids = vz::list_ctids();
    if (requested.empty())
        return ids;
    const std::set<vz::Ctid> wanted(requested.begin(), requested.end());
    std::erase_if(ids, [&](vz::Ctid ctid) { return !wanted.contains(ctid); });
    if (ids.empty())
        throw vz::Error(kExitFailure, "Container(s) not found");
    return ids;
}

vz::StatusFilter status_filter(const Options &opts, bool requested) {
    if (opts.show == Show::kStopped)
        return vz::StatusFilter::NotRunning;
    return opts.show == Show::kAll || requested ? vz::StatusFilter::All : vz::StatusFilter::Running;
}

vz::ConfigFile load_global_config() {
    vz::ConfigFile global = vz::ConfigFile::load(vz::global_conf_path());
    for (const vz::ConfigWarning &w : global.warnings())
        vz::log_warning(w.file + ":" + std::to_string(w.line) + ": " + w.message);
    return global;
}

void print_records(const Options &opts, const std::vector<vz::FieldRef> &columns,
                   const std::vector<vz::CtRecord> &records) {
    if (opts.json) {
        vz::JsonWriter json(std::cout);
        json.begin_array();
        for (const auto &record : records)
            vz::write_json(json, columns, record);
        json.end_array();
        json.finish();
        return;
    }
    if (opts.header)
        std::cout << vz::format_header(columns) << '\n';
    for (const auto &record : records)
        std::cout << vz::format_row(columns, record, opts.trim) << '\n';
}

int run(std::vector<std::string> args) {
    // vzlist only reads: nothing of it belongs in vzctl.log.
    vz::LogSettings log;
    log.enabled = false;
    log.program = "vzlist";
    vz::log_configure(log);
    const Options opts = parse_options(args);
    if (opts.mode == Mode::kHelp)
        return vz::cli::print_help();
    if (opts.mode == Mode::kFieldNames) {
        print_field_names();
        return 0;
    }
    std::vector<vz::Ctid> requested;
    for (const auto &text : opts.ctids)
        requested.push_back(vz::listed_ctid(text));
    const auto columns = columns_for(opts);
    const auto order = sort_order(opts);
    vz::require_root(kExitFailure);

    const vz::ConfigFile global = load_global_config();
    const auto ids = select_ctids(requested);
    // Said when the fields were asked for by name; -j and the default
    // columns show what they can (null or "-") without a word.
    if (auto missing = vz::ubc_fields_unavailable(columns); opts.fields && !missing.empty())
        std::cerr << "Warning: the vzkit kernel module is not loaded: held, maxheld and failcnt "
                     "of "
                  << vz::join(missing, ", ") << " cannot be shown\n";
    // Only the live sources the shown and the sorting field need are read.
    std::vector<vz::FieldRef> needed = columns;
    if (order)
        needed.push_back(order->field);
    auto records = vz::collect_cts(ids, status_filter(opts, !requested.empty()), global,
                                   vz::ListNeeds::of(needed));
    std::erase_if(records, [&](const vz::CtRecord &r) { return !opts.patterns.matches(r); });
    if (order)
        vz::sort_records(records, order->field, order->reverse);
    print_records(opts, columns, records);
    return 0;
}

// --vzkit-describe: the option table, for the man page (man/).
std::string describe_tables() {
    return vz::cli::describe_options(vz::cli::options_of(kRows));
}

} // namespace

int main(int argc, char **argv) {
    // OpenVZ's vzlist: the message alone, and 1 for any error.
    return vz::cli::tool_main(argc, argv, kExitFailure, run,
                              {.program = "vzlist",
                               .name_in_errors = false,
                               .error_codes = false,
                               .usage = kUsage,
                               .describe = describe_tables});
}
