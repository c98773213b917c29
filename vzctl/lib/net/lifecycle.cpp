// vzkit/net/lifecycle.h: the network steps of start, stop and set, and the sweep of
// what containers that halted by themselves left behind.
#include "vzkit/net/lifecycle.h"

#include "vzkit/base/error.h"
#include "vzkit/base/lock.h"
#include "vzkit/base/log.h"
#include "vzkit/ct/state.h"
#include "vzkit/net/venet.h"

#include <fcntl.h>

#include <algorithm>

namespace vz::net {
namespace {

bool ipv6_enabled(const CtConfig &config) {
    return config.get_bool("IPV6", false);
}

std::string neighbour_setting(const CtConfig &config) {
    return config.get_or("NEIGHBOUR_DEVS", "");
}

// Deletes the recorded proxy entries (those in our namespace) and the record.
void drop_record(Ctid ctid, const NetRecord &record) {
    if (record.netns != current_netns_inode()) {
        log_debug(1, "Network record of CT " + std::to_string(ctid) +
                         " belongs to another network namespace; left alone");
        return;
    }
    Rtnl host;
    for (const auto &p : record.proxies) {
        auto l = host.link(p.dev);
        try {
            host.delete_proxy_neighbour(l ? l->index : p.ifindex, p.ip, VZ_SYSTEM_ERROR);
        } catch (const Error &e) {
            log_warning(e.what());
        }
    }
    remove_record(ctid);
}

// The loopback device of a new network namespace is down. vzctl brings it up
// from the host, over the socket it configures the rest with: pid 1 bringing
// it up itself would wait for the RTNL lock while vzctl holds it for venet0
// (docs/benchmarks.md, "Issue 15, start: two CPUs, the veth's queues, the
// loopback").
void bring_up_loopback(Rtnl &ct) {
    ct.change_link("lo", link_up(true), VZ_ENVCREATE_ERROR);
}

void save_record(Ctid ctid, const NetRecord &record) {
    if (record.proxies.empty())
        remove_record(ctid);
    else
        write_record(ctid, record);
}

class Setup final : public NetworkSetup {
  public:
    explicit Setup(Ctid ctid) : ctid_(ctid) {}
    ~Setup() override {
        if (committed_)
            return;
        try {
            Rtnl host;
            for (const auto &p : record_.proxies)
                host.delete_proxy_neighbour(p.ifindex, p.ip, VZ_SYSTEM_ERROR);
            for (auto it = devices_.rbegin(); it != devices_.rend(); ++it)
                host.delete_link(*it, VZ_SYSTEM_ERROR);
            remove_record(ctid_);
        } catch (const Error &e) {
            log_warning(std::string("Cleanup of the network after a failed start: ") + e.what());
        }
    }
    void commit() override { committed_ = true; }

    void run(const CtConfig &config, pid_t init) {
        const auto ips = configured_ips(config);
        const auto ifs = configured_netifs(config);
        Rtnl host;
        // Everything that can be refused is refused before anything exists.
        check_bridges(host, ifs);
        for (const auto &ip : ips)
            check_ip_free(host, ip, -1);
        UniqueFd ns = open_netns(init);
        Rtnl ct(ns.get());
        bring_up_loopback(ct);
        record_.netns = current_netns_inode();
        // venet0 exists while the container has addresses (a live --ipadd
        // creates it), so a container without any keeps only its loopback.
        if (!ips.empty()) {
            devices_.push_back(venet_host_name(ctid_));
            create_venet(host, ct, ns.get(), ctid_, ipv6_enabled(config));
        }
        for (const auto &ip : ips)
            add_venet_ip(host, ct, ctid_, ip, neighbour_setting(config), record_);
        for (const auto &dev : ifs) {
            create_veth_if(host, ns.get(), dev);
            devices_.push_back(dev.host_ifname);
        }
        if (!ips.empty())
            log_info("Adding IP address(es): " + format_ip_list(ips));
        if (!record_.proxies.empty())
            write_record(ctid_, record_);
    }

    // The host side of devices criu restored (restore_network()).
    void restore(const CtConfig &config, pid_t init, int code) {
        const auto ips = configured_ips(config);
        Rtnl host;
        UniqueFd ns = open_netns(init);
        Rtnl ct(ns.get());
        record_.netns = current_netns_inode();
        if (!ips.empty()) {
            restore_venet_host(host, ctid_, code);
            const int own = host.link(venet_host_name(ctid_)).value_or(LinkInfo{}).index;
            for (const auto &ip : ips)
                check_ip_free(host, ip, own);
        }
        // add_venet_ip() finds each address inside already there (criu put
        // it back) and adds the host route and proxy entries.
        for (const auto &ip : ips)
            add_venet_ip(host, ct, ctid_, ip, neighbour_setting(config), record_);
        for (const auto &dev : configured_netifs(config))
            restore_veth_host(host, dev, code);
        if (!record_.proxies.empty())
            write_record(ctid_, record_);
    }

  private:
    Ctid ctid_;
    NetRecord record_;
    std::vector<std::string> devices_;
    bool committed_ = false;
};

void sweep_one(const CtConfig &config, Ctid ctid) {
    if (is_running(ctid))
        return;
    std::optional<CtLock> lock;
    if (ctid != config.ctid()) {
        try {
            lock.emplace(CtLock::acquire(config.lock_dir(), ctid));
        } catch (const Error &) {
            return; // busy: whoever holds it deals with its container
        }
        if (is_running(ctid))
            return;
    }
    if (auto record = read_record(ctid)) {
        log_debug(1, "Removing stale proxy entries of CT " + std::to_string(ctid));
        drop_record(ctid, *record);
    }
}

} // namespace

std::vector<IpAddr> configured_ips(const CtConfig &config) {
    return filter_ipv6(parse_ip_list(config.get_or("IP_ADDRESS", "")), ipv6_enabled(config));
}

std::vector<VethIf> configured_netifs(const CtConfig &config) {
    const std::string value = config.get_or("NETIF", "");
    if (value.empty())
        return {};
    return parse_netif(value, config.ctid(), host_hwid());
}

std::unique_ptr<NetworkSetup> start_network(const CtConfig &config, pid_t init) {
    auto setup = std::make_unique<Setup>(config.ctid());
    setup->run(config, init);
    return setup;
}

void loopback_up(pid_t init) {
    UniqueFd ns = open_netns(init);
    Rtnl ct(ns.get());
    bring_up_loopback(ct);
}

std::unique_ptr<NetworkSetup> restore_network(const CtConfig &config, pid_t init, int code) {
    auto setup = std::make_unique<Setup>(config.ctid());
    setup->restore(config, init, code);
    return setup;
}

std::vector<DeviceEnds> configured_device_ends(const CtConfig &config) {
    std::vector<DeviceEnds> ends;
    if (!configured_ips(config).empty())
        ends.push_back({"venet0", venet_host_name(config.ctid()), ""});
    for (const auto &dev : configured_netifs(config))
        ends.push_back({dev.ifname, dev.host_ifname, dev.bridge});
    return ends;
}

std::vector<std::string> criu_veth_pairs(const CtConfig &config) {
    std::vector<std::string> pairs;
    for (const auto &dev : configured_device_ends(config))
        pairs.push_back(dev.ifname + "=" + dev.host_ifname +
                        (dev.bridge.empty() ? "" : "@" + dev.bridge));
    return pairs;
}

void stop_network(const CtConfig &config) {
    if (auto record = read_record(config.ctid()))
        drop_record(config.ctid(), *record);
    std::vector<std::string> names = {venet_host_name(config.ctid())};
    try {
        for (const auto &dev : configured_netifs(config))
            names.push_back(dev.host_ifname);
        Rtnl host;
        wait_devices_gone(host, names);
    } catch (const Error &e) {
        log_warning(std::string("Network cleanup: ") + e.what());
    }
}

void sweep_stale_network(const CtConfig &config) {
    for (Ctid ctid : recorded_ctids()) {
        try {
            sweep_one(config, ctid);
        } catch (const Error &e) {
            log_warning("Sweeping the network record of CT " + std::to_string(ctid) + ": " +
                        e.what());
        }
    }
}

NetSnapshot snapshot(const CtConfig &config) {
    return {config.get_or("IP_ADDRESS", ""), config.get_or("NETIF", "")};
}

IpDiff ip_diff(const CtConfig &config, const NetSnapshot &before) {
    const auto old_ips = filter_ipv6(parse_ip_list(before.ip_address), ipv6_enabled(config));
    const auto new_ips = configured_ips(config);
    IpDiff diff;
    diff.added = ip_difference(new_ips, old_ips);
    diff.removed = ip_difference(old_ips, new_ips);
    diff.removed_all = !old_ips.empty() && diff.removed.size() == old_ips.size();
    return diff;
}

void apply_network_live(const CtConfig &config, const NetSnapshot &before, pid_t init) {
    const auto diff = ip_diff(config, before);
    const std::string hwid = before.netif == config.get_or("NETIF", "") ? "" : host_hwid();
    const auto old_ifs =
        hwid.empty() ? std::vector<VethIf>{} : parse_netif(before.netif, config.ctid(), hwid);
    const auto new_ifs = hwid.empty()
                             ? std::vector<VethIf>{}
                             : parse_netif(config.get_or("NETIF", ""), config.ctid(), hwid);
    if (diff.added.empty() && diff.removed.empty() && old_ifs == new_ifs)
        return;
    Rtnl host;
    UniqueFd ns = open_netns(init);
    Rtnl ct(ns.get());
    const int own = host.link(venet_host_name(config.ctid())).value_or(LinkInfo{}).index;
    for (const auto &ip : diff.added)
        check_ip_free(host, ip, own);
    if (!diff.added.empty() && own == 0)
        create_venet(host, ct, ns.get(), config.ctid(), ipv6_enabled(config));
    NetRecord record = read_record(config.ctid()).value_or(NetRecord{});
    record.netns = current_netns_inode();
    if (!diff.removed.empty())
        log_info("Deleting IP address(es): " + format_ip_list(diff.removed));
    for (const auto &ip : diff.removed)
        del_venet_ip(host, &ct, config.ctid(), ip, record);
    if (!diff.added.empty())
        log_info("Adding IP address(es): " + format_ip_list(diff.added));
    try {
        for (const auto &ip : diff.added)
            add_venet_ip(host, ct, config.ctid(), ip, neighbour_setting(config), record);
    } catch (...) {
        save_record(config.ctid(), record);
        throw;
    }
    save_record(config.ctid(), record);

    for (const auto &dev : old_ifs) {
        auto it = std::ranges::find(new_ifs, dev.ifname, &VethIf::ifname);
        if (it == new_ifs.end())
            delete_veth_if(host, dev);
        else if (!(*it == dev))
            modify_veth_if(host, ct, dev, *it);
    }
    for (const auto &dev : new_ifs) {
        if (std::ranges::find(old_ifs, dev.ifname, &VethIf::ifname) == old_ifs.end())
            create_veth_if(host, ns.get(), dev);
    }
}

void move_netdevs_in(const std::vector<std::string> &names, pid_t init) {
    if (names.empty())
        return;
    UniqueFd ct_ns = open_netns(init);
    Rtnl host;
    for (const auto &name : names) {
        if (!host.link(name))
            throw Error(VZ_NETDEV_ERROR, "Network device " + name + " not found on the host");
        host.move_link(name, ct_ns.get(), VZ_NETDEV_ERROR);
        log_info("Network device " + name + " moved into the container");
    }
}

void move_netdevs_out(const std::vector<std::string> &names, pid_t init) {
    if (names.empty())
        return;
    UniqueFd host_ns(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
    if (!host_ns)
        throw Error(VZ_NETDEV_ERROR, "Unable to open the host's network namespace");
    UniqueFd ct_ns = open_netns(init);
    Rtnl inside(ct_ns.get());
    for (const auto &name : names) {
        if (!inside.link(name)) {
            log_warning("Network device " + name + " is not in the container");
            continue;
        }
        inside.move_link(name, host_ns.get(), VZ_NETDEV_ERROR);
        log_info("Network device " + name + " given back to the host");
    }
}

} // namespace vz::net
