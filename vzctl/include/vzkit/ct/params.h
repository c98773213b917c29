// The container parameters of `vzctl set` and `create` in one table: for each
// config key, the options that set it (with aliases), how their values are
// checked and normalised, how a live change is applied, and whether the key
// is ever stored. The CLI, `vzctl set`, the distribution actions and --help
// all read this table (docs/architecture.md, "Adding a key").
#pragma once

#include "vzkit/base/ct_config.h"

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vz::params {

// How a live change reaches a running container; a key may need several.
// The appliers run once each, in this order (vzctl/lib/ct/set.cpp).
enum Apply : unsigned {
    kConfigOnly = 0,     // describes the container; nothing to apply
    kCgroup = 1U << 0,   // memory, swap, pids and CPU limits of its cgroup
    kModule = 1U << 1,   // UBC limits in the vzkit module, when loaded
    kDevices = 1U << 2,  // the device cgroup rules
    kDevNodes = 1U << 3, // device nodes made in its /dev
    kHostname = 1U << 4, // the UTS namespace's hostname
    kRestart = 1U << 5,  // only a start applies it (--setmode restart)
    kNetwork = 1U << 6,  // addresses, veths, routes, then the dist scripts
    kQuota = 1U << 7,    // the disk quota's limits (vzkit/storage/quota.h)
    kNetdev = 1U << 8,   // host network devices moved in or out (NETDEV)
};

// Option name → values given, in command-line order, repeats kept.
using Values = std::map<std::string, std::vector<std::string>, std::less<>>;

struct Param;

struct ParseContext {
    const Param &param;
    const CtConfig &config; // current values, for the incremental options
    const Values &values;   // by OptionSpec::name (aliases folded in)
    bool save = false;      // --save given
};

struct OptionSpec {
    std::string_view name{};               // "ipadd": --ipadd
    std::vector<std::string_view> aliases{}; // "ip": --ip means --ipadd
    std::string_view value_name{};         // "<addr>" in --help
    std::string_view help{};
    std::string_view example{}; // a valid value, for --help's tests
    std::string_view needs{};   // another option this one needs ("ifname"), or ""
    bool repeatable = false;  // values accumulate; otherwise given at most once
};

struct Param {
    std::string_view key{};           // "IP_ADDRESS" in <CTID>.conf
    std::vector<OptionSpec> options{}; // none: a key no option sets
    std::vector<std::string_view> key_aliases{}; // older spellings in config files
    // The value to store, from the options of this row that were given.
    // Throws Error(VZ_INVALID_PARAMETER_VALUE) naming a bad value.
    std::string (*parse)(const ParseContext &ctx) = nullptr;
    unsigned apply = kConfigOnly;
    bool transient = false;    // handed to the container, never saved (USERPW)
    bool stopped_only = false; // refused while the container runs
    // Why vzkit cannot give the key its effect on Linux ("" = it has one):
    // the key is saved and shown, `set` says so on every change, and a set
    // without --save (nothing to keep, nothing to do) is refused.
    std::string_view not_applied{};
};

// Every parameter: the fixed rows, then one per UBC resource.
std::span<const Param> all();
const Param *find_by_key(std::string_view key);
// The row and the option spec an option name or alias belongs to.
std::pair<const Param *, const OptionSpec *> find_by_option(std::string_view name);

bool is_transient(std::string_view key);
bool needs_restart(std::string_view key);
unsigned apply_of(std::string_view key); // kConfigOnly for unknown keys

// A key's effective value in a config, under its own name or an older one.
std::optional<std::string> get_setting(const CtConfig &config, std::string_view key);

// Options that only steer `vzctl set` itself (not keys).
struct SetFlags {
    bool save = false;
    bool force = false;
    bool setmode_restart = false;
    bool reset_ub = false;     // --reset_ub: the config's UBCs again, live
    bool restore_name = false; // --applyconfig_map name: names/<NAME> again
};
// What `vzctl set` was asked: flags and KEY → normalised value.
struct SetRequest {
    std::map<std::string, std::string> changes;
    SetFlags flags;
};

// One option as given on the command line ("ipadd" or an alias, and its value;
// flags have "").
using Given = std::vector<std::pair<std::string, std::string>>;

// The option table of `vzctl set` itself: --save, --force, --setmode,
// --skip_arpdetect, then every OptionSpec of the table.
struct FlagSpec {
    std::string_view name;
    std::string_view value_name; // "" for a flag without a value
    std::string_view help{};
};
std::span<const FlagSpec> set_flags();

// Turns the given options into keys and values: unknown options are the
// caller's (it parsed them against this table); values are checked. Throws
// vz::Error with OpenVZ's codes (20 syntax, 21 value, 71 name without --save,
// ...). Nothing to set and no --save is an error (20).
SetRequest to_changes(const Given &given, const CtConfig &config);

// The `vzctl set` part of --help, generated from the table.
std::string set_help();

} // namespace vz::params
