// vzctl: the command line over the core library. Parses the global options,
// resolves the CTID, loads the configuration, takes the per-CT lock and hands
// over to one command from the table below.
#include "commands.h"
#include "describe.h"

#include "vzkit/cli/options.h"
#include "vzkit/cli/tool_main.h"
#include "vzkit/ct/params.h"
#include "vzkit/ct/suspend.h"
#include "vzkit/base/error.h"
#include "vzkit/base/lock.h"
#include "vzkit/base/log.h"
#include "vzkit/base/util.h"
#include "vzkit/base/version.h"
#include "vzkit/base/ct_config.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <iostream>

namespace {

using vzctl::Command;

// As OpenVZ's: the version line first (what libvirt reads from --help).
std::string usage() {
    std::string text = vz::vzctl_version_line(VZKIT_VERSION) + "\n";
    text += "Usage: vzctl [options] <command> <ctid> [parameters]\n";
    for (const Command &c : vzctl::commands())
        if (!c.usage.empty())
            text += "vzctl " + std::string(c.usage) + "\n";
    text += vz::params::set_help();
    text += "Global options: --verbose (-v, repeatable), --quiet, --skiplock, --version, --help\n";
    return text;
}

struct GlobalOptions {
    int verbose = 0;
    bool quiet = false;
    bool skiplock = false;
};

enum GlobalOption { kVerbose = 1, kQuiet, kSkiplock, kVersion, kHelp };

constexpr auto kGlobalOptions = std::to_array<vz::cli::Option>({
    {.name = "verbose", .short_name = 'v', .help = "more messages (repeatable)", .key = kVerbose},
    {.name = "quiet", .short_name = 'q', .help = "no messages but errors", .key = kQuiet},
    {.name = "skiplock", .help = "do not take the container's lock", .key = kSkiplock},
    {.name = "version", .short_name = 'V', .help = "print the version", .key = kVersion},
    {.name = "help", .short_name = 'h', .help = "print the usage", .key = kHelp},
});

const Command *find_command(std::string_view name) {
    const auto table = vzctl::commands();
    auto it = std::ranges::find(table, name, &Command::name);
    return it == table.end() ? nullptr : &*it;
}

void configure_logging(const vz::CtConfig &config, const GlobalOptions &global) {
    vz::LogSettings log;
    log.enabled = config.get_bool("LOGGING", true);
    log.file = config.get_or("LOGFILE", "/var/log/vzctl.log");
    log.file_level = static_cast<int>(config.get_int("LOG_LEVEL").value_or(0));
    log.console_level = static_cast<int>(config.get_int("VERBOSE").value_or(0)) + global.verbose;
    log.quiet = global.quiet;
    log.ctid = config.ctid();
    log.have_ctid = true;
    vz::log_configure(log);
}

int run(std::vector<std::string> words) {
    // Global options stop at the command, whose own options follow its CTID.
    const auto parsed = vz::cli::parse(words, kGlobalOptions,
                                       {.usage_error = vz::VZ_INVALID_PARAMETER_SYNTAX,
                                        .stop_at_positional = true});
    GlobalOptions global;
    for (const auto &given : parsed.given) {
        switch (given.option->id()) {
        case kVerbose:
            ++global.verbose;
            break;
        case kQuiet:
            global.quiet = true;
            break;
        case kSkiplock:
            global.skiplock = true;
            break;
        case kVersion:
            std::cout << vz::vzctl_version_line(VZKIT_VERSION) << "\n";
            return 0;
        case kHelp:
            std::cout << usage();
            return 0;
        }
    }
    const std::vector<std::string> &args = parsed.positional;
    if (args.empty()) {
        std::cerr << usage();
        return vz::VZ_INVALID_PARAMETER_SYNTAX;
    }
    const Command *command = find_command(args[0]);
    if (!command)
        throw vz::Error(vz::VZ_INVALID_PARAMETER_SYNTAX, "Bad command: " + args[0]);
    if (command->name == "template") { // of the host, no CT ID
        if (geteuid() != 0)
            throw vz::Error(vz::VZ_NO_ACCES, "This program can only be run under root");
        vz::CtConfig host = vz::CtConfig::load(0);
        configure_logging(host, global);
        return command->handler(host, std::vector<std::string>(args.begin() + 1, args.end()));
    }
    if (args.size() < 2)
        throw vz::Error(vz::VZ_INVALID_PARAMETER_VALUE, "CT ID missing");
    const vz::Ctid ctid = vz::resolve_ctid(args[1]);
    if (ctid == 0 && command->name != "set")
        throw vz::Error(vz::VZ_INVALID_PARAMETER_VALUE, "Only set actions are allowed for CT0");
    if (geteuid() != 0)
        throw vz::Error(vz::VZ_NO_ACCES, "This program can only be run under root");

    vz::CtConfig config = vz::CtConfig::load(ctid);
    configure_logging(config, global);
    std::vector<std::string> rest(args.begin() + 2, args.end());
    std::optional<vz::CtLock> lock;
    if (command->takes_lock && !global.skiplock) {
        lock.emplace(vz::CtLock::acquire(config.lock_dir(), ctid));
        // Read again under the lock: the command that held it before may have
        // saved, created or destroyed the config since the first read, which
        // only named the lock's place (a set --save would write back a stale
        // copy and lose that command's change).
        config = vz::CtConfig::load(ctid);
    }
    // Whatever runs next on a container a killed snapshot left frozen thaws it.
    vz::thaw_if_abandoned(config);
    if (command->needs_config && !config.ct_exists())
        throw vz::Error(vz::VZ_NOVECONFIG, "Container config file " +
                                               config.ct_conf_path().string() + " does not exist");
    return command->handler(config, rest);
}

} // namespace

int main(int argc, char **argv) {
    return vz::cli::tool_main(
        argc, argv, vz::VZ_SYSTEM_ERROR, run,
        {.name_in_errors = false, .log = true, .usage_names_argv0 = false, .describe = [] {
             return vzctl::describe(kGlobalOptions);
         }});
}
