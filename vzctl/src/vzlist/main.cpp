// vzlist: lists containers with OpenVZ's options, columns and exit codes
// (0, or 1 for any error). Collection and rendering live in the core library
// (vzkit/ct_list.h); this file parses the command line and picks the output.
#include "vzkit/ct_list.h"
#include "vzkit/error.h"
#include "vzkit/json.h"
#include "vzkit/log.h"
#include "vzkit/util.h"
#include "vzkit/ve_config.h"

#include <getopt.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <iostream>
#include <set>

namespace {

constexpr int kExitFailure = 1; // vzlist's only error status

constexpr std::string_view kDefaultFields = "ctid,numproc,status,ip,hostname";
constexpr std::string_view kDefaultNameFields = "smart_name,numproc,status,ip,hostname";

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

struct Options {
    bool all = false;
    bool only_stopped = false;
    bool header = true;
    bool trim = true;
    bool json = false;
    bool list_fields = false;
    bool help = false;
    std::optional<std::string> fields; // -o, -1 and -n, the last one wins
    std::optional<std::string> sort;   // "-ctid" sorts in reverse
    vz::PatternFilter patterns;
    std::vector<std::string> ctids; // CTIDs or names
};

// Thrown for a bad option: the caller prints the usage.
struct UsageError {};

// What each option does; optarg is null for options without an argument.
struct OptionAction {
    int code;
    void (*apply)(Options &opts, const char *arg);
};

constexpr auto kActions = std::to_array<OptionAction>({
    {'H', [](Options &o, const char *) { o.header = false; }},
    {'t', [](Options &o, const char *) { o.trim = false; }},
    {'S', [](Options &o, const char *) { o.only_stopped = true; }},
    {'a', [](Options &o, const char *) { o.all = true; }},
    {'n', [](Options &o, const char *) { o.fields = kDefaultNameFields; }},
    {'j', [](Options &o, const char *) { o.json = true; }},
    {'N', [](Options &o, const char *arg) { o.patterns.name = arg; }},
    {'h', [](Options &o, const char *arg) { o.patterns.hostname = arg; }},
    {'d', [](Options &o, const char *arg) { o.patterns.description = arg; }},
    {'o', [](Options &o, const char *arg) { o.fields = arg; }},
    {'s', [](Options &o, const char *arg) { o.sort = arg; }},
    {'L', [](Options &o, const char *) { o.list_fields = true; }},
    {'e', [](Options &o, const char *) { o.help = true; }},
    {'1',
     [](Options &o, const char *) {
         o.fields = "ctid";
         o.header = false;
     }},
});

// getopt_long rather than a generic parser: vzlist's grammar is getopt's
// ("-Ha", "-octid", "-s -ctid" with a dash-led argument, options after CTIDs).
Options parse_options(int argc, char **argv) {
    static const option kLongOptions[] = {
        {"no-header", no_argument, nullptr, 'H'},
        {"no-trim", no_argument, nullptr, 't'},
        {"stopped", no_argument, nullptr, 'S'},
        {"all", no_argument, nullptr, 'a'},
        {"name", no_argument, nullptr, 'n'},
        {"json", no_argument, nullptr, 'j'},
        {"name_filter", required_argument, nullptr, 'N'},
        {"hostname", required_argument, nullptr, 'h'},
        {"description", required_argument, nullptr, 'd'},
        {"output", required_argument, nullptr, 'o'},
        {"sort", required_argument, nullptr, 's'},
        {"list", no_argument, nullptr, 'L'},
        {"help", no_argument, nullptr, 'e'},
        {nullptr, 0, nullptr, 0},
    };
    Options opts;
    ::optind = 1;
    for (int c;
         (c = ::getopt_long(argc, argv, "HtSanjN:h:d:o:s:Le1", kLongOptions, nullptr)) != -1;) {
        auto action = std::ranges::find(kActions, c, &OptionAction::code);
        if (action == kActions.end())
            throw UsageError{}; // getopt has named the bad option
        action->apply(opts, ::optarg);
    }
    opts.ctids.assign(argv + ::optind, argv + argc);
    return opts;
}

// A CTID, or a name registered in names/. OpenVZ takes "0" as a name too.
vz::Ctid resolve(const std::string &text) {
    try {
        if (const vz::Ctid ctid = vz::parse_ctid(text); ctid != 0)
            return ctid;
    } catch (const vz::Error &) {
    }
    if (auto ctid = vz::ctid_by_name(text))
        return *ctid;
    throw vz::Error(kExitFailure, "CT ID " + text + " is invalid.");
}

void print_field_names() {
    for (const vz::FieldRef &ref : vz::all_field_refs()) {
        std::string name = ref.name();
        name.resize(std::max<std::size_t>(name.size(), 15), ' ');
        std::cout << name << ' ' << ref.header() << '\n';
    }
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
    if (opts.only_stopped)
        return vz::StatusFilter::NotRunning;
    // CTs named on the command line are shown whatever their state.
    return opts.all || requested ? vz::StatusFilter::All : vz::StatusFilter::Running;
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

int run(int argc, char **argv) {
    const Options opts = parse_options(argc, argv);
    if (opts.help) {
        std::cout << kUsage;
        return 0;
    }
    if (opts.list_fields) {
        print_field_names();
        return 0;
    }
    std::vector<vz::Ctid> requested;
    for (const auto &text : opts.ctids)
        requested.push_back(resolve(text));
    const auto columns = columns_for(opts);
    const auto order = sort_order(opts);
    if (::geteuid() != 0)
        throw vz::Error(kExitFailure, "This program can only be run under root.");

    const vz::ConfigFile global = load_global_config();
    const auto ids = select_ctids(requested);
    // Said when the fields were asked for by name; -j and the default
    // columns show what they can (null or "-") without a word.
    if (auto missing = vz::ubc_fields_unavailable(columns); opts.fields && !missing.empty())
        std::cerr << "Warning: the vzkit kernel module is not loaded: held, maxheld and failcnt "
                     "of "
                  << vz::join(missing, ", ") << " cannot be shown\n";
    auto records = vz::collect_cts(ids, status_filter(opts, !requested.empty()), global);
    std::erase_if(records, [&](const vz::CtRecord &r) { return !opts.patterns.matches(r); });
    if (order)
        vz::sort_records(records, order->field, order->reverse);
    print_records(opts, columns, records);
    return 0;
}

} // namespace

int main(int argc, char **argv) {
    // vzlist only reads: nothing of it belongs in vzctl.log.
    vz::LogSettings log;
    log.enabled = false;
    log.program = "vzlist";
    vz::log_configure(log);
    try {
        return run(argc, argv);
    } catch (const UsageError &) {
        std::cerr << kUsage;
    } catch (const std::exception &e) {
        std::cerr << e.what() << '\n';
    }
    return kExitFailure;
}
