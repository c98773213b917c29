#include "vzkit/ct/set.h"

#include "vzkit/backend/backend.h"
#include "vzkit/cgroup/cgroup.h"
#include "vzkit/ct/create.h"
#include "vzkit/ct/enter.h"
#include "vzkit/ct/features.h"
#include "vzkit/ct/params.h"
#include "vzkit/ct/start.h"
#include "vzkit/ct/stop.h"
#include "vzkit/ct/state.h"
#include "vzkit/ct/views.h"
#include "vzkit/dist/actions.h"
#include "vzkit/storage/lvm.h"
#include "vzkit/storage/quota.h"
#include "vzkit/base/error.h"
#include "vzkit/base/step.h"
#include "vzkit/base/log.h"
#include "vzkit/base/util.h"
#include "vzkit/net/lifecycle.h"
#include "vzkit/backend/device.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>

namespace vz {
namespace {

bool any_change(const std::map<std::string, std::string> &changes, unsigned apply) {
    return std::ranges::any_of(
        changes, [apply](const auto &kv) { return (params::apply_of(kv.first) & apply) != 0; });
}

// New DEVNODES appear in the running container's /dev, made by a host child
// chrooted into it (never visible inside), so that the container's own
// symlinks cannot point the node anywhere on the host.
void create_devnodes_live(const CtConfig &config, const std::vector<DevNode> &nodes) {
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

// What one kind of live change does to a running container.
struct LiveChange {
    const CtConfig &config;
    const std::map<std::string, std::string> &changes;
    const net::NetSnapshot &net_before;
};

void apply_cgroup(const LiveChange &c) {
    Cgroup(c.config.ctid()).apply(ct_cgroup_limits(c.config));
}

// Every UBC the module knows, live; cgroups keep enforcing memory, swap and
// NUMPROC with or without it.
void apply_module(const LiveChange &c) {
    std::vector<std::string> keys;
    for (const auto &[key, value] : c.changes)
        if (params::apply_of(key) & params::kModule)
            keys.push_back(key);
    backend().apply_limits(c.config, keys);
}

void apply_devices(const LiveChange &c) {
    const auto nodes = parse_devnodes(devnodes_with_features(c.config));
    Cgroup(c.config.ctid()).set_devices(device_rules_from_config(c.config, nodes));
}

void apply_devnodes(const LiveChange &c) {
    create_devnodes_live(c.config, parse_devnodes(devnodes_with_features(c.config)));
}

void apply_hostname(const LiveChange &c) {
    set_hostname_live(c.config, c.changes.at("HOSTNAME"));
}

void warn_restart(const LiveChange &c) {
    for (const auto &[key, value] : c.changes)
        if (params::needs_restart(key))
            log_warning("Changing " + key + " takes effect at the next start of the container");
}

void apply_quota(const LiveChange &c) {
    if (&layout_of(c.config) == &kLvmLayout) // a volume of its own: DISKSPACE is its size
        return kLvmLayout.resize(c.config, lvm_layout::wanted_size(c.config));
    if (disk_quota_wanted(c.config))
        disk_quota_set(c.config);
    else
        log_warning("Disk quota is off for this container (DISK_QUOTA=no, or no DISKSPACE and "
                    "DISKINODES): the limits are not applied");
}

// Addresses and veths first, then the distribution's scripts inside.
void apply_network(const LiveChange &c) {
    dist::apply_set_live(c.config, c.net_before, c.changes);
}

// NETDEV: what was added moves in, what was removed goes back to the host.
void apply_netdev(const LiveChange &c) {
    const auto before = split_ws(c.config.ct().get("NETDEV").value_or(""));
    const auto after = split_ws(c.config.get_or("NETDEV", ""));
    std::vector<std::string> added, removed;
    for (const auto &name : after)
        if (std::ranges::find(before, name) == before.end())
            added.push_back(name);
    for (const auto &name : before)
        if (std::ranges::find(after, name) == after.end())
            removed.push_back(name);
    auto init = find_init_pid(c.config.ctid());
    if (!init)
        throw Error(VZ_VE_NOT_RUNNING, "Container is not running");
    net::move_netdevs_out(removed, *init);
    net::move_netdevs_in(added, *init);
}

struct Applier {
    params::Apply kind;
    void (*apply)(const LiveChange &);
};

// In this order: limits before devices, the network and its scripts last.
constexpr auto kAppliers = std::to_array<Applier>({
    {params::kCgroup, apply_cgroup},
    {params::kModule, apply_module},
    {params::kDevices, apply_devices},
    {params::kDevNodes, apply_devnodes},
    {params::kHostname, apply_hostname},
    {params::kQuota, apply_quota},
    {params::kRestart, warn_restart},
    {params::kNetdev, apply_netdev},
    {params::kNetwork, apply_network},
});

void apply_live(const LiveChange &change) {
    for (const Applier &a : kAppliers)
        if (any_change(change.changes, a.kind))
            a.apply(change);
}

// --setmode restart: what only a start can apply takes effect now.
void restart_ct(const CtConfig &config) {
    log_info("Restarting container");
    stop_ct(config, StopOptions{});
    start_ct(config, StartOptions{});
}

// Keys vzkit keeps but cannot give their effect: said on every change;
// without --save nothing would happen at all, so that is refused.
void check_not_applied(const std::map<std::string, std::string> &changes, bool save) {
    for (const auto &[key, value] : changes) {
        const params::Param *param = params::find_by_key(key);
        if (!param || param->not_applied.empty())
            continue;
        if (!save)
            throw Error(VZ_INVALID_PARAMETER_VALUE,
                        key + " cannot be applied: " + std::string(param->not_applied) +
                            " (use --save to keep it in the config)");
        log_warning(key + " is saved but not applied: " + std::string(param->not_applied));
    }
}

// What vzkit's own options change beyond a key's own effect.
void warn_partial(const CtConfig &config, const std::map<std::string, std::string> &changes) {
    if (changes.contains("NETIF") && config.get_or("NETIF", "").find("mac_filter=on") !=
                                         std::string::npos)
        log_warning("mac_filter=on is kept in NETIF but not enforced: a container may change "
                    "its MAC address (docs/compatibility.md)");
    if (changes.contains("FEATURES")) {
        for (std::string_view feature : {"ppp", "tun", "fuse"})
            if (feature_enabled(config, feature) && !feature_node_on_host(feature))
                log_warning("FEATURES " + std::string(feature) +
                            ":on: the host has no device node for it (load its module); "
                            "the container gets it at its next start once the host has it");
        for (std::string_view feature : {"nfs", "nfsd", "fuse"})
            if (feature_enabled(config, feature))
                log_warning("FEATURES " + std::string(feature) +
                            ":on: mounting it needs CAP_SYS_ADMIN, which container root does "
                            "not hold (docs/security.md)" +
                            (feature == "fuse" ? "; /dev/fuse is made" : ""));
    }
    if (changes.contains("NETFILTER") && config.get_or("NETFILTER", "") != "full")
        log_warning("NETFILTER " + config.get_or("NETFILTER", "") +
                    " is saved; the container's network namespace has all of netfilter, which "
                    "it can use with --capability net_admin:on (docs/compatibility.md)");
}

// --reset_ub: every beancounter of the config again, on the running container.
void reset_ubc(const CtConfig &config) {
    if (!is_running(config.ctid()))
        throw Error(VZ_VE_NOT_RUNNING, "Container is not running");
    std::vector<std::string> keys;
    for (const params::Param &p : params::all())
        if (p.apply & params::kModule)
            keys.emplace_back(p.key);
    Cgroup(config.ctid()).apply(ct_cgroup_limits(config));
    backend().apply_limits(config, keys);
    log_info("Beancounters of the config applied again");
}

// --userpasswd on a stopped container: OpenVZ starts it without its init,
// runs SET_USERPASS and stops it again; so does runscript here.
void set_password_stopped(const CtConfig &config, const std::string &userpw) {
    auto script = dist::userpass_script(config, userpw);
    if (!script)
        throw Error(VZ_CHANGEPASS, "Unable to set the password: the distribution definition has "
                                   "no SET_USERPASS script");
    log_info("Setting the password in the stopped container");
    StartOptions start;
    start.script = *script;
    start.force = true;
    if (int rc = start_ct(config, start); rc != 0)
        throw Error(VZ_CHANGEPASS,
                    "Unable to set the password: SET_USERPASS exited with " + std::to_string(rc));
}

} // namespace

void set_ct(CtConfig &config, const std::map<std::string, std::string> &changes,
            const SetOptions &options) {
    if (options.reset_ub) {
        reset_ubc(config);
        return;
    }
    if (options.restore_name) {
        auto name = config.ct().get("NAME");
        if (!name || name->empty())
            throw Error(VZ_SET_NAME_ERROR, "The config has no NAME to register");
        set_ct_name(config.ctid(), *name);
        log_info("Name " + *name + " registered again");
        if (changes.empty() && !options.save)
            return;
    }
    if (!config.ct_exists() && config.ctid() != 0 && options.save)
        throw Error(VZ_NOVECONFIG,
                    "Container config file " + config.ct_conf_path().string() + " does not exist");
    const bool running = is_running(config.ctid());
    for (const auto &[key, value] : changes) {
        const params::Param *param = params::find_by_key(key);
        if (running && param && param->stopped_only)
            throw Error(VZ_VE_RUNNING, "Unable to change " + key + " of a running container");
    }
    check_not_applied(changes, options.save);
    const auto net_before = net::snapshot(config);
    for (const auto &[key, value] : changes)
        config.set_override(key, value);
    warn_partial(config, changes);
    // Validate the merged result before touching anything.
    dist::validate_set(config, changes, running);
    cgroup_limits_from_config(config);
    kmod::configured_limits(config);
    parse_devices(config.get_or("DEVICES", ""));
    parse_devnodes(devnodes_with_features(config));
    disk_quota_limits(config);

    // A password on a stopped container: set through a temporary
    // environment, as OpenVZ does; it is never stored.
    auto password = changes.find("USERPW");
    const bool password_stopped = password != changes.end() && !running;
    const bool live_work = std::ranges::any_of(changes, [&](const auto &kv) {
        return params::apply_of(kv.first) != params::kConfigOnly &&
               !(password_stopped && kv.first == "USERPW");
    });
    const bool restart = running && options.setmode_restart && any_change(changes, params::kRestart);
    if (running && !restart) {
        apply_live({config, changes, net_before});
        step("set.applied");
    } else if (live_work && !options.save) {
        throw Error(VZ_VE_NOT_RUNNING,
                    "Container is not running: use --save to store the settings");
    }
    if (password_stopped)
        set_password_stopped(config, password->second);
    if (!options.save) {
        if (restart)
            restart_ct(config);
        // A password (--userpasswd) is never stored: nothing to warn about.
        const bool stored = std::ranges::any_of(
            changes, [](const auto &kv) { return !params::is_transient(kv.first); });
        if (running && live_work && stored)
            log_warning("Settings were not saved and will be reset to the original values on "
                        "the next start (use --save flag)");
        return;
    }
    ConfigFile &ct = config.ct();
    const std::optional<std::string> old_name = ct.get("NAME");
    const auto new_name = changes.find("NAME");
    if (new_name != changes.end())
        set_ct_name(config.ctid(), new_name->second);
    for (const auto &[key, value] : changes) {
        if (!params::is_transient(key))
            ct.set(key, value);
    }
    if (!ct.dirty()) {
        log_info("No changes in CT configuration, not saving");
        return;
    }
    try {
        ct.save(config.ct_conf_path());
    } catch (const Error &e) {
        // The name goes back to the config's (a full disk, say): names/
        // never points a name at a config that does not carry it.
        if (new_name != changes.end()) {
            try {
                if (old_name && !old_name->empty())
                    set_ct_name(config.ctid(), *old_name);
                else
                    remove_ct_names(config.ctid());
            } catch (const Error &e2) {
                log_warning(e2.what());
            }
        }
        std::string text = "CT configuration not saved: " + std::string(e.what());
        if (running && live_work)
            text += " (the change is applied to the running container until it stops)";
        throw Error(VZ_CONFIG_SAVE_ERROR, text);
    }
    step("set.saved");
    log_info("CT configuration saved to " + config.ct_conf_path().string());
    if (restart)
        restart_ct(config);
}

void set_hostname_live(const CtConfig &config, const std::string &hostname) {
    // A host child in the container's UTS namespace only: it never enters the
    // pid namespace, so nothing inside can see it while it holds CAP_SYS_ADMIN.
    auto body = [&hostname]() -> int {
        return sethostname(hostname.data(), hostname.size()) == 0 ? 0 : VZ_BADHOSTNAME;
    };
    if (run_in_ct_namespaces(config, kCtNsUts, body) != 0)
        throw Error(VZ_BADHOSTNAME, "Unable to set hostname " + hostname);
}

} // namespace vz
