#include "vzkit/net/venet.h"

#include "vzkit/base/error.h"
#include "vzkit/base/log.h"
#include "vzkit/net/lifecycle.h"

#include <linux/rtnetlink.h>
#include <net/if.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace vz::net {
namespace {

constexpr const char *kVenet = "venet0";

// One MAC for both ends: a NOARP device addresses frames to its own MAC,
// which then is the peer's too (locally administered, never on a wire).
Mac venet_mac(Ctid ctid) {
    return {0x02,
            0x00,
            static_cast<std::uint8_t>(ctid >> 24),
            static_cast<std::uint8_t>(ctid >> 16),
            static_cast<std::uint8_t>(ctid >> 8),
            static_cast<std::uint8_t>(ctid)};
}

int index_of(Rtnl &rtnl, const std::string &name, int code) {
    auto l = rtnl.link(name);
    if (!l)
        throw Error(code, "Network device " + name + " not found");
    return l->index;
}

bool wait_gone(Rtnl &host, const std::string &name, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (host.link(name)) {
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return true;
}

// Whose host route to ip is it: "container N" for a venet host end.
std::string route_owner(Rtnl &host, int oif) {
    auto l = host.link(oif);
    if (!l)
        return "another route";
    const std::string &n = l->name;
    for (const char *prefix : {"venet0.", "venet"}) {
        std::string_view p(prefix);
        if (n.starts_with(p) && n.size() > p.size() &&
            std::all_of(n.begin() + static_cast<long>(p.size()), n.end(), ::isdigit))
            return "container " + n.substr(p.size());
    }
    return "a route via " + n;
}

// Throws when ip is an address of the host or the route the kernel picks
// for it is a host route to exactly ip (main table) through another device.
void check_free(Rtnl &host, const IpAddr &ip, int own_index,
                const std::optional<RouteInfo> &route) {
    const std::string addr = ip.address();
    // The host's own addresses of ip's family: a short list (a container's
    // addresses are on its side of the pair, and the host ends have none).
    for (const auto &a : host.addresses(ip.family)) {
        if (a.ip.same_address(ip))
            throw Error(VZ_IP_INUSE, "IP address " + addr + " is already in use by the host");
    }
    if (route && route->table == RT_TABLE_MAIN && route->dst.prefix == ip.max_prefix() &&
        route->dst.same_address(ip) && route->oif != own_index)
        throw Error(VZ_IP_INUSE, "IP address " + addr + " is already in use by " +
                                     route_owner(host, route->oif));
}

// The devices that answer for ip on the host's networks (NEIGHBOUR_DEVS).
// "detect" looks only at the device of the route ip took before the
// container's host route existed; "all" and lists look at every device.
std::vector<LinkInfo> proxy_devices(Rtnl &host, std::string_view setting, const IpAddr &ip,
                                    const std::optional<RouteInfo> &route) {
    if (setting != "detect")
        return neighbour_devs(setting, ip, host.links(), host.addresses(), {});
    if (!route || route->oif <= 0)
        return {};
    auto dev = host.link(route->oif);
    if (!dev)
        return {};
    return neighbour_devs(setting, ip, {*dev}, host.addresses(AF_UNSPEC, dev->index), {*route});
}

// Forwarding for what the container sends (to other containers, to the
// LAN) is enabled on the host end only; strict reverse-path filtering drops
// packets whose source is not one of the container's addresses.
void set_venet_sysctls(const std::string &host_name) {
    set_dev_sysctl("ipv4", host_name, "forwarding", "1");
    set_dev_sysctl("ipv4", host_name, "rp_filter", "1");
    set_dev_sysctl("ipv6", host_name, "accept_ra", "0");
    set_dev_sysctl("ipv6", host_name, "force_forwarding", "1"); // Linux 6.17+
    // No link-local address on the host end (nothing resolves neighbours
    // on a NOARP device): without it the host's address list and IPv6
    // routes do not grow with every running container.
    set_dev_sysctl("ipv6", host_name, "addr_gen_mode", "1");
}

} // namespace

std::string venet_host_name(Ctid ctid) {
    std::string name = "venet0." + std::to_string(ctid);
    return name.size() < IFNAMSIZ ? name : "venet" + std::to_string(ctid);
}

void create_venet(Rtnl &host, Rtnl &ct, int ct_netns_fd, Ctid ctid, bool ipv6) {
    const std::string host_name = venet_host_name(ctid);
    if (!wait_gone(host, host_name, std::chrono::seconds(3)))
        throw Error(VZ_NETDEV_ERROR,
                    "Network device " + host_name + " already exists on the host; remove it first");
    const Mac mac = venet_mac(ctid);
    host.create_veth({host_name, mac, kVenet, mac, ct_netns_fd, true}, VZ_NETDEV_ERROR);
    set_venet_sysctls(host_name);
    host.change_link(host_name, link_up(true), VZ_NETDEV_ERROR);
    ct.change_link(kVenet, link_up(true), VZ_NETDEV_ERROR);
    const int index = index_of(ct, kVenet, VZ_NETDEV_ERROR);
    IpAddr any4 = *try_parse_ip("0.0.0.0");
    ct.add_device_route(index, any4, 0, VZ_NETDEV_ERROR);
    if (ipv6) {
        IpAddr any6 = *try_parse_ip("::");
        ct.add_device_route(index, any6, 0, VZ_NETDEV_ERROR);
    }
}

void restore_venet_host(Rtnl &host, Ctid ctid, int code) {
    const std::string host_name = venet_host_name(ctid);
    if (!host.link(host_name))
        throw Error(code, "Network device " + host_name + " was not restored");
    Rtnl::LinkChange change;
    change.mac = venet_mac(ctid);
    change.noarp = true;
    host.change_link(host_name, change, code);
    set_venet_sysctls(host_name);
    host.change_link(host_name, link_up(true), code);
}

// One look-up of the route the kernel would pick for ip, not a dump of every
// container's host route (docs/benchmarks.md, issue 15).
void check_ip_free(Rtnl &host, const IpAddr &ip, int own_index) {
    check_free(host, ip, own_index, host.route_to(ip));
}

void add_venet_ip(Rtnl &host, Rtnl &ct, Ctid ctid, const IpAddr &ip,
                  std::string_view neighbour_setting, NetRecord &record) {
    const std::string host_name = venet_host_name(ctid);
    const int host_index = index_of(host, host_name, VZ_CANT_ADDIP);
    const int ct_index = index_of(ct, kVenet, VZ_CANT_ADDIP);
    // Asked before this container's host route exists: the route ip takes
    // without it is the one whose device NEIGHBOUR_DEVS=detect answers on.
    const auto route = host.route_to(ip);
    check_free(host, ip, host_index, route);
    // The exclusive route is the claim: of two containers racing for one
    // address, the kernel lets exactly one have it.
    if (!host.add_device_route(host_index, ip, ip.max_prefix(), VZ_CANT_ADDIP)) {
        check_ip_free(host, ip, host_index);
    }
    try {
        ct.add_address(ct_index, ip, VZ_CANT_ADDIP);
        for (const auto &dev : proxy_devices(host, neighbour_setting, ip, route)) {
            host.add_proxy_neighbour(dev.index, ip, VZ_CANT_ADDIP);
            record.proxies.push_back({dev.index, dev.name, ip});
        }
    } catch (...) {
        del_venet_ip(host, &ct, ctid, ip, record);
        throw;
    }
}

void del_venet_ip(Rtnl &host, Rtnl *ct, Ctid ctid, const IpAddr &ip, NetRecord &record) {
    for (const auto &p : record.proxies) {
        if (p.ip.same_address(ip)) {
            auto l = host.link(p.dev);
            host.delete_proxy_neighbour(l ? l->index : p.ifindex, p.ip, VZ_SYSTEM_ERROR);
        }
    }
    std::erase_if(record.proxies, [&](const ProxyEntry &p) { return p.ip.same_address(ip); });
    if (auto l = host.link(venet_host_name(ctid)))
        host.delete_device_route(l->index, ip, ip.max_prefix(), VZ_SYSTEM_ERROR);
    if (ct) {
        if (auto l = ct->link(kVenet))
            ct->delete_address(l->index, ip, VZ_SYSTEM_ERROR);
    }
}

void check_bridges(Rtnl &host, const std::vector<VethIf> &ifs) {
    for (const auto &dev : ifs) {
        if (dev.bridge.empty())
            continue;
        auto l = host.link(dev.bridge);
        if (!l)
            throw Error(VZ_VETH_ERROR, "Bridge " + dev.bridge + " for " + dev.ifname +
                                           " does not exist on the host");
        if (l->kind != "bridge")
            throw Error(VZ_VETH_ERROR,
                        "Network device " + dev.bridge + " for " + dev.ifname + " is not a bridge");
    }
}

void create_veth_if(Rtnl &host, int ct_netns_fd, const VethIf &dev) {
    check_bridges(host, {dev});
    if (!wait_gone(host, dev.host_ifname, std::chrono::seconds(3)))
        throw Error(VZ_VETH_ERROR,
                    "Network device " + dev.host_ifname + " already exists on the host");
    host.create_veth({dev.host_ifname, dev.host_mac, dev.ifname, dev.mac, ct_netns_fd, false},
                     VZ_VETH_ERROR);
    try {
        Rtnl::LinkChange change = link_up(true);
        if (!dev.bridge.empty())
            change.master = host.link(dev.bridge)->index;
        host.change_link(dev.host_ifname, change, VZ_VETH_ERROR);
        Rtnl ct(ct_netns_fd);
        ct.change_link(dev.ifname, link_up(true), VZ_VETH_ERROR);
    } catch (...) {
        host.delete_link(dev.host_ifname, VZ_VETH_ERROR);
        throw;
    }
}

void delete_veth_if(Rtnl &host, const VethIf &dev) {
    host.delete_link(dev.host_ifname, VZ_VETH_ERROR);
}

void restore_veth_host(Rtnl &host, const VethIf &dev, int code) {
    if (!host.link(dev.host_ifname))
        throw Error(code, "Network device " + dev.host_ifname + " was not restored");
    Rtnl::LinkChange change;
    change.mac = dev.host_mac;
    host.change_link(dev.host_ifname, change, code);
    change = link_up(true);
    if (!dev.bridge.empty()) {
        auto bridge = host.link(dev.bridge);
        if (!bridge)
            throw Error(code, "Bridge " + dev.bridge + " for " + dev.ifname +
                                  " does not exist on the host");
        change.master = bridge->index;
    }
    host.change_link(dev.host_ifname, change, code);
}

void modify_veth_if(Rtnl &host, Rtnl &ct, const VethIf &before, const VethIf &after) {
    if (before.bridge != after.bridge)
        check_bridges(host, {after});
    if (before.mac != after.mac) {
        // The address of a running device changes while it is down.
        ct.change_link(after.ifname, link_up(false), VZ_VETH_ERROR);
        Rtnl::LinkChange up = link_up(true);
        up.mac = after.mac;
        ct.change_link(after.ifname, up, VZ_VETH_ERROR);
    }
    Rtnl::LinkChange change;
    if (before.host_mac != after.host_mac)
        change.mac = after.host_mac;
    if (before.host_ifname != after.host_ifname)
        change.name = after.host_ifname;
    if (before.bridge != after.bridge)
        change.master = after.bridge.empty() ? 0 : host.link(after.bridge)->index;
    if (!change.mac && !change.name && !change.master)
        return;
    host.change_link(before.host_ifname, link_up(false), VZ_VETH_ERROR);
    change.up = true;
    host.change_link(before.host_ifname, change, VZ_VETH_ERROR);
}

void wait_devices_gone(Rtnl &host, const std::vector<std::string> &names) {
    for (const auto &name : names) {
        if (wait_gone(host, name, std::chrono::seconds(3)))
            continue;
        log_debug(1, "Deleting lingering network device " + name);
        host.delete_link(name, VZ_SYSTEM_ERROR);
    }
}

} // namespace vz::net
