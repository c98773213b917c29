// vzquota: OpenVZ's per-container disk quota command over the kernel's
// project quota. The commands are the library's (vzkit/quota/quota.h); this
// file reads the command line and prints.
#include "vzkit/cli/describe.h"
#include "vzkit/cli/options.h"
#include "vzkit/cli/tool_main.h"
#include "vzkit/base/error.h"
#include "vzkit/base/util.h"
#include "vzkit/quota/format.h"
#include "vzkit/quota/quota.h"

#include <algorithm>
#include <array>
#include <ctime>
#include <iostream>

namespace {

namespace q = vz::quota;
using vz::cli::Arg;

constexpr std::string_view kUsage =
    "Usage: vzquota [options] command quotaid [command-options-and-arguments]\n\n"
    "vzquota commands are:\n"
    "\tinit       Initialize quota data for given quotaid\n"
    "\ton         Turn on quota accounting for given quotaid\n"
    "\toff        Turn off quota accounting for given quotaid\n"
    "\tdrop       Delete quota limits from file\n"
    "\tsetlimit   Set quota limits for given quotaid\n"
    "\tstat       Show usage and quota limits for given quotaid\n"
    "\tshow       Show usage and quota limits from quota file\n"
    "\n"
    "Options: -h help, -V version, -q quiet, -v verbose, -b batch (bare numbers).\n"
    "Command options: -p path (the tree), -b/-B block soft/hard limit (1K blocks),\n"
    "-i/-I inode soft/hard limit, -e/-n block/inode grace (dd:hh:mm:ss or 7d, 1w,\n"
    "3m, 1y), -u ugid limit, -s 0|1 sub-quotas, -f force, -t user/group figures.\n"
    "The quota is the kernel's project quota (ext4 or XFS mounted with prjquota);\n"
    "its file is /var/vzquota/quota.<quotaid>.\n";

struct Global {
    bool help = false;
    bool version = false;
    bool batch = false;
};

constexpr auto kGlobalOptions = std::to_array<vz::cli::Option>({
    {"help", 'h', Arg::kNone},
    {"version", 'V', Arg::kNone},
    {"", 'v', Arg::kNone},
    {"", 'q', Arg::kNone},
    {"", 'b', Arg::kNone},
});

enum LongOnly { kNoCheck = 256 };

// Every command option; a command takes the letters its row in kCommands
// lists, as OpenVZ's getopt strings did.
constexpr auto kAllOptions = std::to_array<vz::cli::Option>({
    {"block-softlimit", 'b', Arg::kRequired, "<blocks>"},
    {"block-hardlimit", 'B', Arg::kRequired, "<blocks>"},
    {"inode-softlimit", 'i', Arg::kRequired, "<inodes>"},
    {"inode-hardlimit", 'I', Arg::kRequired, "<inodes>"},
    {"block-exptime", 'e', Arg::kRequired, "<time>"},
    {"inode-exptime", 'n', Arg::kRequired, "<time>"},
    {"ugid-limit", 'u', Arg::kRequired, "<N>"},
    {"sub-quotas", 's', Arg::kRequired, "0|1"},
    {"rsquash", 'r', Arg::kRequired, "0|1"},
    {"", 'p', Arg::kRequired, "<path>"},
    {"quota-file", 'c', Arg::kRequired, "<file>"},
    {"relative", 'R', Arg::kNone},
    {"force", 'f', Arg::kNone},
    {"user-group", 't', Arg::kNone},
    {"nocheck", 0, Arg::kNone, "", "", kNoCheck},
});

struct Args {
    unsigned id = 0;
    std::optional<std::filesystem::path> path;
    q::LimitChanges changes;
    bool force = false;
    bool ugid = false;
};

// The numeric limit options and where each lands.
struct NumberOption {
    char letter;
    std::optional<std::uint64_t> q::LimitChanges::*field;
    bool time;
};
constexpr std::array<NumberOption, 6> kNumberOptions = {{
    {'b', &q::LimitChanges::block_soft, false},
    {'B', &q::LimitChanges::block_hard, false},
    {'i', &q::LimitChanges::inode_soft, false},
    {'I', &q::LimitChanges::inode_hard, false},
    {'e', &q::LimitChanges::block_grace, true},
    {'n', &q::LimitChanges::inode_grace, true},
}};

constexpr std::string_view kTimeFormats = "Available time formats: dd:hh:mm:ss, or xxA where A is "
                                          "h (hour), d (day), w (week), m (month), y (year)";

[[noreturn]] void usage_error(const std::string &message) {
    throw vz::Error(q::kExitUsage, message);
}

void apply(Args &args, const vz::cli::Occurrence &given) {
    const int id = given.option->id();
    const std::string &value = given.value;
    if (auto row = std::ranges::find(kNumberOptions, id, &NumberOption::letter);
        row != kNumberOptions.end()) {
        const auto number = row->time ? q::parse_quota_time(value)
                                      : vz::parse_number<std::uint64_t>(value);
        if (!number)
            usage_error("Invalid value for -" + std::string(1, row->letter) + ": " + value +
                        (row->time ? std::string(". ") + std::string(kTimeFormats) : ""));
        args.changes.*(row->field) = *number;
    } else if (id == 'u') {
        const auto limit = vz::parse_number<std::uint32_t>(value);
        if (!limit)
            usage_error("Invalid value for -u: " + value);
        args.changes.ugid_limit = *limit;
    } else if (id == 's') {
        if (value != "0" && value != "1")
            usage_error("Invalid value for -s: " + value + " (0 or 1)");
    } else if (id == 'p') {
        if (value.empty() || value[0] != '/')
            usage_error("The quota path must be absolute: " + value);
        args.path = value;
    } else if (id == 'c' || id == 'R') {
        usage_error("-c and -R are not supported: quota files live in " + q::quota_dir().string());
    } else if (id == 'f') {
        args.force = true;
    } else if (id == 't') {
        args.ugid = true;
    } // -r (rsquash, obsolete upstream) and --nocheck change nothing
}

int print_report(const q::Report &report, const Global &global) {
    std::cout << q::format_report(report, global.batch, std::time(nullptr));
    return 0;
}

using Handler = int (*)(const Args &, const Global &);

int cmd_init(const Args &args, const Global &global) {
    const q::LimitChanges &c = args.changes;
    if (!args.path)
        usage_error("init needs the quota tree: -p <path>");
    if (!c.block_soft || !c.block_hard || !c.inode_soft || !c.inode_hard || !c.block_grace ||
        !c.inode_grace)
        usage_error("init needs every limit: -b -B -i -I -e -n");
    if (q::quota_file_exists(args.id) && !global.batch)
        std::cerr << "vzquota : (warning) Quota file exists, it will be overwritten\n";
    q::init(args.id, *args.path, c.applied_to({}));
    return 0;
}

int cmd_on(const Args &args, const Global &) {
    q::on(args.id, args.path, args.changes, args.force);
    return 0;
}

int cmd_off(const Args &args, const Global &) {
    q::off(args.id, args.force);
    return 0;
}

int cmd_drop(const Args &args, const Global &) {
    q::drop(args.id, args.force);
    return 0;
}

int cmd_setlimit(const Args &args, const Global &) {
    q::setlimit(args.id, args.changes);
    return 0;
}

int cmd_stat(const Args &args, const Global &global) {
    return print_report(q::stat(args.id), global);
}

int cmd_show(const Args &args, const Global &global) {
    const q::Report report = q::show(args.id);
    print_report(report, global);
    return report.file.dirty ? q::kExitDirty : 0;
}

struct Command {
    std::string_view name;
    std::string_view letters; // its options, by short letter ('-' = --nocheck)
    Handler handler;
};
constexpr std::array<Command, 7> kCommands = {{
    {"init", "pcrsubBiIenR", cmd_init},
    {"on", "pcrsufbBiIenR-", cmd_on},
    {"off", "pcfR", cmd_off},
    {"drop", "pcfR", cmd_drop},
    {"setlimit", "pcrsufbBiIenR", cmd_setlimit},
    {"stat", "pctfR", cmd_stat},
    {"show", "pctR", cmd_show},
}};

std::vector<vz::cli::Option> options_of(const Command &command) {
    std::vector<vz::cli::Option> out;
    for (const auto &o : kAllOptions) {
        const char letter = o.short_name ? o.short_name : '-';
        if (command.letters.find(letter) != std::string_view::npos)
            out.push_back(o);
    }
    return out;
}

// The global options, then each command with the options it takes.
std::string describe() {
    std::string out = vz::cli::describe_options(kGlobalOptions);
    for (const Command &command : kCommands) {
        out += vz::cli::describe_command(command.name, "");
        out += vz::cli::describe_options(options_of(command), command.name);
    }
    return out;
}

int run(std::vector<std::string> argv) {
    const auto global_parsed =
        vz::cli::parse(argv, kGlobalOptions, {.usage_error = q::kExitUsage, .stop_at_positional = true});
    Global global;
    for (const auto &given : global_parsed.given) {
        const int id = given.option->id();
        global.help |= id == 'h';
        global.version |= id == 'V';
        global.batch |= id == 'b';
    }
    if (global.version) {
        std::cout << "vzquota version 2.5.0 (vzkit, project quota)\n";
        return 0;
    }
    const auto &words = global_parsed.positional;
    if (global.help || words.empty())
        return global.help ? vz::cli::print_help()
                           : throw vz::cli::UsageError(q::kExitUsage, "");
    const auto command = std::ranges::find(kCommands, words[0], &Command::name);
    if (command == kCommands.end())
        throw vz::cli::UsageError(q::kExitUsage, "Unknown command: '" + words[0] + "'");
    const auto options = options_of(*command);
    const auto parsed = vz::cli::parse(std::span(words).subspan(1), options,
                                       {.usage_error = q::kExitUsage});
    if (parsed.positional.size() != 1)
        usage_error(std::string(command->name) + " needs one quota id");
    Args args;
    const auto id = vz::parse_number<unsigned>(parsed.positional[0]);
    if (!id)
        usage_error("Invalid quota id: " + parsed.positional[0]);
    args.id = *id;
    for (const auto &given : parsed.given)
        apply(args, given);
    return command->handler(args, global);
}

} // namespace

int main(int argc, char **argv) {
    return vz::cli::tool_main(argc, argv, q::kExitSystem, run,
                              {.program = "vzquota",
                               .error_prefix = "vzquota : (error) ",
                               .usage = kUsage,
                               .usage_names_argv0 = false,
                               .describe = describe});
}
