#include "vzkit/ct_set.h"

#include "vzkit/backend.h"
#include "vzkit/cgroup.h"
#include "vzkit/ct_create.h"
#include "vzkit/ct_enter.h"
#include "vzkit/ct_env.h"
#include "vzkit/ct_state.h"
#include "vzkit/dist_actions.h"
#include "vzkit/error.h"
#include "vzkit/log.h"
#include "vzkit/module.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <array>
#include <cerrno>

namespace vz {
namespace {

constexpr std::array kCgroupKeys = {"PHYSPAGES", "SWAPPAGES", "NUMPROC", "CPUUNITS",
                                    "CPULIMIT",  "CPUS",      "CPUMASK"};
constexpr std::array kRestartKeys = {"CAPABILITY", "FEATURES", "VE_ROOT", "VE_PRIVATE"};
// Keys that only describe the container: nothing to apply.
constexpr std::array kConfigOnlyKeys = {"ONBOOT",     "DISABLED",     "NAME",     "DESCRIPTION",
                                        "OSTEMPLATE", "STOP_TIMEOUT", "BOOTORDER"};

template <typename Table> bool in(const Table &table, std::string_view key) {
    return std::ranges::find(table, key) != table.end();
}

bool any_in(const std::map<std::string, std::string> &changes, auto table) {
    return std::ranges::any_of(changes, [&](const auto &kv) { return in(table, kv.first); });
}

// New DEVNODES appear in the running container's /dev, made by a host child
// chrooted into it (never visible inside), so that the container's own
// symlinks cannot point the node anywhere on the host.
void create_devnodes_live(const VeConfig &config, const std::vector<DevNode> &nodes) {
    if (nodes.empty() || !find_init_pid(config.ctid()))
        return;
    auto body = [&nodes]() -> int {
        for (const auto &node : nodes) {
            std::string path = "/dev/" + node.name;
            for (size_t pos = path.find('/', 5); pos != std::string::npos;
                 pos = path.find('/', pos + 1))
                mkdir(path.substr(0, pos).c_str(), 0755);
            dev_t dev = makedev(static_cast<unsigned>(node.rule.major),
                                static_cast<unsigned>(node.rule.minor));
            if (mknod(path.c_str(), node.mode, dev) != 0 && errno != EEXIST)
                return VZ_SET_DEVICES;
        }
        return 0;
    };
    if (run_in_ct_namespaces(config, kCtNsMnt, body) != 0)
        throw Error(VZ_SET_DEVICES, "Unable to create device nodes in the container");
}

void apply_live(VeConfig &config, const std::map<std::string, std::string> &changes) {
    Cgroup cgroup(config.ctid());
    if (any_in(changes, kCgroupKeys))
        cgroup.apply(cgroup_limits_from_config(config));
    // Every UBC the module knows, live; cgroups keep enforcing memory, swap
    // and NUMPROC with or without it.
    std::vector<std::string> keys;
    for (const auto &[key, value] : changes)
        keys.push_back(key);
    backend().apply_limits(config, keys);
    if (changes.contains("DEVICES") || changes.contains("DEVNODES")) {
        auto rules = default_device_rules();
        for (const auto &rule : parse_devices(config.get_or("DEVICES", "")))
            rules.push_back(rule);
        const auto nodes = parse_devnodes(config.get_or("DEVNODES", ""));
        for (const auto &node : nodes)
            rules.push_back(node.rule);
        cgroup.set_devices(rules);
        if (changes.contains("DEVNODES"))
            create_devnodes_live(config, nodes);
    }
    if (auto it = changes.find("HOSTNAME"); it != changes.end())
        set_hostname_live(config, it->second);
    for (const auto &[key, value] : changes) {
        (void)value;
        if (in(kRestartKeys, key))
            log_warning("Changing " + key + " takes effect at the next start of the container");
    }
}

// --setmode restart: what only a start can apply takes effect now.
void restart_ct(const VeConfig &config) {
    log_info("Restarting container");
    stop_ct(config, StopOptions{});
    start_ct(config, StartOptions{});
}

} // namespace

bool needs_restart(std::string_view key) {
    return in(kRestartKeys, key);
}

void set_ct(VeConfig &config, const std::map<std::string, std::string> &changes,
            const SetOptions &options) {
    const bool running = is_running(config.ctid());
    if (running && (changes.contains("VE_ROOT") || changes.contains("VE_PRIVATE")))
        throw Error(VZ_VE_RUNNING, "Unable to change VE_ROOT or VE_PRIVATE of a running container");
    const auto net_before = net::snapshot(config);
    for (const auto &[key, value] : changes)
        config.set_override(key, value);
    // Validate the merged result before touching anything.
    dist::validate_set(config, changes, running);
    cgroup_limits_from_config(config);
    kmod::configured_limits(config);
    parse_devices(config.get_or("DEVICES", ""));
    parse_devnodes(config.get_or("DEVNODES", ""));

    const bool live_work =
        std::ranges::any_of(changes, [](const auto &kv) { return !in(kConfigOnlyKeys, kv.first); });
    const bool restart =
        running && options.setmode_restart &&
        std::ranges::any_of(changes, [](const auto &kv) { return in(kRestartKeys, kv.first); });
    if (running && !restart) {
        apply_live(config, changes);
        dist::apply_set_live(config, net_before, changes);
    } else if (live_work && !options.save) {
        throw Error(VZ_VE_NOT_RUNNING,
                    "Container is not running: use --save to store the settings");
    }
    if (!options.save) {
        if (restart)
            restart_ct(config);
        // A password (--userpasswd) is never stored: nothing to warn about.
        const bool stored = std::ranges::any_of(
            changes, [](const auto &kv) { return !dist::is_transient_key(kv.first); });
        if (running && live_work && stored)
            log_warning("Settings were not saved and will be reset to the original values on "
                        "the next start (use --save flag)");
        return;
    }
    if (auto it = changes.find("NAME"); it != changes.end())
        set_ct_name(config.ctid(), it->second);
    ConfigFile &ct = config.ct();
    for (const auto &[key, value] : changes) {
        if (!dist::is_transient_key(key))
            ct.set(key, value);
    }
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
    if (restart)
        restart_ct(config);
}

} // namespace vz
