#include "vzkit/ct_set.h"

#include "vzkit/cgroup.h"
#include "vzkit/ct_create.h"
#include "vzkit/ct_env.h"
#include "vzkit/ct_state.h"
#include "vzkit/error.h"
#include "vzkit/log.h"

#include <algorithm>
#include <array>

namespace vz {
namespace {

constexpr std::array kCgroupKeys = {"PHYSPAGES", "SWAPPAGES", "NUMPROC",
                                    "CPUUNITS",  "CPULIMIT",  "CPUS", "CPUMASK"};
constexpr std::array kRestartKeys = {"CAPABILITY", "VE_ROOT", "VE_PRIVATE"};
// Keys that only describe the container: nothing to apply.
constexpr std::array kConfigOnlyKeys = {"ONBOOT", "DISABLED", "NAME", "DESCRIPTION",
                                        "OSTEMPLATE", "STOP_TIMEOUT", "BOOTORDER"};

template <typename Table> bool in(const Table &table, std::string_view key) {
    return std::ranges::find(table, key) != table.end();
}

bool any_in(const std::map<std::string, std::string> &changes, auto table) {
    return std::ranges::any_of(changes, [&](const auto &kv) { return in(table, kv.first); });
}

void apply_live(VeConfig &config, const std::map<std::string, std::string> &changes) {
    Cgroup cgroup(config.ctid());
    if (any_in(changes, kCgroupKeys))
        cgroup.apply(cgroup_limits_from_config(config));
    if (changes.contains("DEVICES") || changes.contains("DEVNODES")) {
        auto rules = default_device_rules();
        for (const auto &rule : parse_devices(config.get_or("DEVICES", "")))
            rules.push_back(rule);
        for (const auto &node : parse_devnodes(config.get_or("DEVNODES", "")))
            rules.push_back(node.rule);
        cgroup.set_devices(rules);
    }
    if (auto it = changes.find("HOSTNAME"); it != changes.end())
        set_hostname_live(config, it->second);
    for (const auto &[key, value] : changes) {
        (void)value;
        if (in(kRestartKeys, key))
            log_warning("Changing " + key + " takes effect at the next start of the container");
    }
}

} // namespace

bool needs_restart(std::string_view key) { return in(kRestartKeys, key); }

void set_ct(VeConfig &config, const std::map<std::string, std::string> &changes,
            const SetOptions &options) {
    const bool running = is_running(config.ctid());
    if (running && (changes.contains("VE_ROOT") || changes.contains("VE_PRIVATE")))
        throw Error(VZ_VE_RUNNING, "Unable to change VE_ROOT or VE_PRIVATE of a running container");
    for (const auto &[key, value] : changes)
        config.set_override(key, value);
    // Validate the merged result before touching anything.
    cgroup_limits_from_config(config);
    parse_devices(config.get_or("DEVICES", ""));
    parse_devnodes(config.get_or("DEVNODES", ""));

    const bool live_work = std::ranges::any_of(
        changes, [](const auto &kv) { return !in(kConfigOnlyKeys, kv.first); });
    if (running) {
        apply_live(config, changes);
    } else if (live_work && !options.save) {
        throw Error(VZ_VE_NOT_RUNNING,
                    "Container is not running: use --save to store the settings");
    }
    if (!options.save) {
        if (running && live_work)
            log_warning("Settings were not saved and will be reset to the original values on "
                        "the next start (use --save flag)");
        return;
    }
    if (auto it = changes.find("NAME"); it != changes.end())
        set_ct_name(config.ctid(), it->second);
    ConfigFile &ct = config.ct();
    for (const auto &[key, value] : changes)
        ct.set(key, value);
    if (!ct.dirty()) {
        log_info("No changes in CT configuration, not saving");
        return;
    }
    try {
        ct.save(config.ct_conf_path());
    } catch (const Error &e) {
        throw Error(VZ_CONFIG_SAVE_ERROR, e.what());
    }
    log_info("CT configuration saved to " + config.ct_conf_path().string());
}

} // namespace vz
