#include "vzkit/net/link.h"

#include "net/rtnetlink.h"
#include "vzkit/base/error.h"
#include "vzkit/base/util.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <initializer_list>

namespace vz::net {
namespace {

using rtnl::Message;
using rtnl::Outcome;
using rtnl::Request;

// The outcome of an addition or deletion: true when done, false when the
// kernel's errno is one of `already` (the object already was, or was not,
// there); any other refusal throws Error(code, "<what>: <the kernel's reason>").
template <typename What>
bool done(const Outcome &out, std::initializer_list<int> already, int code, What what) {
    if (out.error == 0)
        return true;
    if (std::ranges::find(already, -out.error) != already.end())
        return false;
    throw Error(code, what() + ": " + out.reason());
}

// What a deletion meets when the object (or its device) is already gone.
constexpr std::initializer_list<int> kGone = {ENOENT, ESRCH, ENODEV, EADDRNOTAVAIL};

std::size_t address_len(const IpAddr &ip) {
    return ip.is_v6() ? 16 : 4;
}

std::optional<IpAddr> ip_from(std::optional<std::span<const unsigned char>> a, int family,
                              unsigned prefix) {
    IpAddr ip;
    ip.family = family;
    ip.prefix = prefix;
    if (!a)
        return std::nullopt;
    if (a->size() != address_len(ip))
        return std::nullopt;
    std::memcpy(ip.bytes.data(), a->data(), a->size());
    return ip;
}

// The device's counters from IFLA_STATS64 or IFLA_STATS (Stats: the
// kernel's struct of that attribute); false when it is not there.
template <typename Stats>
bool copy_counters(LinkInfo &info, std::optional<std::span<const unsigned char>> attr) {
    if (!attr)
        return false;
    Stats st{};
    std::memcpy(&st, attr->data(), std::min(sizeof st, attr->size()));
    info.rx_bytes = st.rx_bytes;
    info.tx_bytes = st.tx_bytes;
    info.rx_packets = st.rx_packets;
    info.tx_packets = st.tx_packets;
    return true;
}

LinkInfo link_from(const Message &m) {
    LinkInfo info;
    const auto ifi = m.family<ifinfomsg>().value_or(ifinfomsg{});
    const auto a = m.attrs<ifinfomsg>(IFLA_MAX);
    info.index = ifi.ifi_index;
    info.flags = ifi.ifi_flags;
    info.arptype = ifi.ifi_type;
    info.name = a.string(IFLA_IFNAME).value_or("");
    info.master = static_cast<int>(a.u32(IFLA_MASTER).value_or(0));
    info.kind = a.nested(IFLA_LINKINFO, IFLA_INFO_MAX).string(IFLA_INFO_KIND).value_or("");
    if (auto mac = a.get(IFLA_ADDRESS); mac && mac->size() == 6) {
        Mac m6;
        std::memcpy(m6.data(), mac->data(), 6);
        info.mac = m6;
    }
    if (!copy_counters<rtnl_link_stats64>(info, a.get(IFLA_STATS64)))
        copy_counters<rtnl_link_stats>(info, a.get(IFLA_STATS)); // a kernel without 64-bit ones
    return info;
}

std::optional<AddrInfo> address_from(const Message &m) {
    const auto ifa = m.family<ifaddrmsg>();
    if (!ifa)
        return std::nullopt;
    const auto a = m.attrs<ifaddrmsg>(IFA_MAX);
    // IPv6 gives the address as IFA_ADDRESS only; IFA_LOCAL, when there, is
    // the device's own end of a point-to-point pair.
    auto ip = ip_from(a.get(IFA_LOCAL), ifa->ifa_family, ifa->ifa_prefixlen);
    if (!ip)
        ip = ip_from(a.get(IFA_ADDRESS), ifa->ifa_family, ifa->ifa_prefixlen);
    if (!ip)
        return std::nullopt;
    return AddrInfo{static_cast<int>(ifa->ifa_index), *ip, ifa->ifa_scope};
}

std::optional<RouteInfo> route_from(const Message &m) {
    const auto rtm = m.family<rtmsg>();
    if (!rtm)
        return std::nullopt;
    const auto a = m.attrs<rtmsg>(RTA_MAX);
    RouteInfo info;
    auto dst = ip_from(a.get(RTA_DST), rtm->rtm_family, rtm->rtm_dst_len);
    if (!dst) {
        // The default route carries no destination attribute.
        dst = IpAddr{};
        dst->family = rtm->rtm_family;
        dst->prefix = rtm->rtm_dst_len;
    }
    info.dst = *dst;
    info.table = a.u32(RTA_TABLE).value_or(rtm->rtm_table);
    info.type = rtm->rtm_type;
    info.oif = static_cast<int>(a.u32(RTA_OIF).value_or(0));
    info.has_gateway = a.get(RTA_GATEWAY) || a.get(RTA_VIA);
    if (auto mp = a.get(RTA_MULTIPATH); mp && mp->size() >= sizeof(rtnexthop)) {
        // The first hop of a multipath route, as for a single one.
        rtnexthop nh;
        std::memcpy(&nh, mp->data(), sizeof nh);
        info.oif = nh.rtnh_ifindex;
        const std::size_t end = std::min<std::size_t>(nh.rtnh_len, mp->size());
        if (end > RTNH_LENGTH(0)) {
            rtnl::Attrs hop(mp->subspan(RTNH_LENGTH(0), end - RTNH_LENGTH(0)), RTA_MAX);
            info.has_gateway = hop.get(RTA_GATEWAY) || hop.get(RTA_VIA);
        }
    }
    return info;
}

// The request that adds or deletes a device route (no gateway) to dst/prefix.
Request device_route(std::uint16_t type, std::uint16_t flags, int ifindex, const IpAddr &dst,
                     unsigned prefix) {
    Request req(type, flags);
    rtmsg rtm{};
    rtm.rtm_family = static_cast<unsigned char>(dst.family);
    rtm.rtm_dst_len = static_cast<unsigned char>(prefix);
    rtm.rtm_table = RT_TABLE_MAIN;
    rtm.rtm_protocol = RTPROT_STATIC;
    rtm.rtm_scope = dst.is_v6() ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
    rtm.rtm_type = RTN_UNICAST;
    req.family(rtm);
    req.put(RTA_DST, dst.bytes.data(), address_len(dst));
    req.put_u32(RTA_OIF, static_cast<std::uint32_t>(ifindex));
    return req;
}

Request proxy_neighbour(std::uint16_t type, std::uint16_t flags, int ifindex, const IpAddr &ip) {
    Request req(type, flags);
    ndmsg nd{};
    nd.ndm_family = static_cast<unsigned char>(ip.family);
    nd.ndm_ifindex = ifindex;
    nd.ndm_state = NUD_PERMANENT;
    nd.ndm_flags = NTF_PROXY;
    req.family(nd);
    req.put(NDA_DST, ip.bytes.data(), address_len(ip));
    return req;
}

Request device_address(std::uint16_t type, std::uint16_t flags, int ifindex, const IpAddr &ip) {
    Request req(type, flags);
    ifaddrmsg ifa{};
    ifa.ifa_family = static_cast<unsigned char>(ip.family);
    ifa.ifa_prefixlen = static_cast<unsigned char>(ip.prefix.value_or(ip.max_prefix()));
    ifa.ifa_index = static_cast<unsigned>(ifindex);
    if (ip.is_v6() && type == RTM_NEWADDR)
        ifa.ifa_flags = IFA_F_NODAD;
    req.family(ifa);
    req.put(IFA_LOCAL, ip.bytes.data(), address_len(ip));
    req.put(IFA_ADDRESS, ip.bytes.data(), address_len(ip));
    return req;
}

// A link request naming the device: by index when known, else by name.
Request link_request(std::uint16_t type, std::uint16_t flags, ifinfomsg ifi,
                     const std::string *name) {
    Request req(type, flags);
    req.family(ifi);
    if (name)
        req.put_string(IFLA_IFNAME, *name);
    return req;
}

// A name a device of the kernel's could have (1 to IFNAMSIZ - 1 bytes).
bool kernel_name(const std::string &name) {
    return !name.empty() && name.size() < IFNAMSIZ;
}

// The device a get names; nullopt when there is none (what: its name or index).
std::optional<LinkInfo> get_link(rtnl::Socket &sock, Request &req, const std::string &what) {
    std::optional<LinkInfo> found;
    const Outcome out = sock.query(req, [&](const Message &m) { found = link_from(m); });
    if (out.error == -ENODEV)
        return std::nullopt;
    if (out.error < 0)
        throw Error(VZ_SYSTEM_ERROR,
                    "Unable to look up network device " + what + ": " + out.reason());
    return found;
}

// The outcome of a change to an existing device (verb: "configure", "move").
void device_changed(const Outcome &out, const std::string &name, int code, const char *verb) {
    if (out.error == -ENODEV)
        throw Error(code, "Network device " + name + " not found");
    done(out, {}, code,
         [&] { return "Unable to " + std::string(verb) + " network device " + name; });
}

// Switches the calling process into a network namespace for its lifetime.
class NetnsSwitch {
  public:
    explicit NetnsSwitch(int target) : self_(open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) {
        if (!self_ || setns(target, CLONE_NEWNET) != 0)
            throw_errno(VZ_ENVCREATE_ERROR, "Unable to enter the container's network namespace");
    }
    ~NetnsSwitch() {
        // Staying in the container's namespace would make every later step
        // act on the wrong side: nothing sensible can continue.
        if (setns(self_.get(), CLONE_NEWNET) != 0)
            std::abort();
    }
    NetnsSwitch(const NetnsSwitch &) = delete;
    NetnsSwitch &operator=(const NetnsSwitch &) = delete;

  private:
    UniqueFd self_;
};

// A dump the kernel marked interrupted (the set changed under it) is asked
// again from the start, a few times.
template <typename T, typename Parse>
std::vector<T> dump(rtnl::Socket &sock, const std::function<Request()> &make, Parse parse,
                    const char *what) {
    for (int attempt = 0;; ++attempt) {
        std::vector<T> result;
        Request req = make();
        const Outcome out = sock.query(req, [&](const Message &m) {
            if (auto v = parse(m))
                result.push_back(std::move(*v));
        });
        if (out.error == -EINTR && attempt < 4)
            continue;
        if (out.error < 0)
            throw Error(VZ_SYSTEM_ERROR,
                        std::string("Unable to list ") + what + ": " + out.reason());
        return result;
    }
}

/*
 * One TX and one RX queue, asked for at creation: a veth left to its default
 * gets a queue per CPU and is then cut down to one real queue while already
 * registered, and each cut waits for an RCU grace period under the RTNL lock
 * (synchronize_net) at each end. The device ends up the same; the start
 * does not wait (docs/benchmarks.md, "Issue 15, start: two CPUs, the veth's
 * queues, the loopback").
 */
void put_single_queue(Request &req) {
    req.put_u32(IFLA_NUM_TX_QUEUES, 1);
    req.put_u32(IFLA_NUM_RX_QUEUES, 1);
}

} // namespace

ino_t current_netns_inode() {
    struct stat st {};
    if (stat("/proc/self/ns/net", &st) != 0)
        throw_errno(VZ_SYSTEM_ERROR, "Unable to stat /proc/self/ns/net");
    return st.st_ino;
}

UniqueFd open_netns(pid_t pid) {
    const std::string path = "/proc/" + std::to_string(pid) + "/ns/net";
    UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd)
        throw_errno(VZ_ENVCREATE_ERROR, "Unable to open " + path);
    return fd;
}

Rtnl::Rtnl() : sock_(std::make_unique<rtnl::Socket>()) {}

// A netlink socket stays in the namespace it was created in.
Rtnl::Rtnl(int netns_fd) {
    NetnsSwitch in(netns_fd);
    sock_ = std::make_unique<rtnl::Socket>();
}

Rtnl::~Rtnl() = default;

std::vector<LinkInfo> Rtnl::links() {
    return dump<LinkInfo>(
        *sock_, [] { return link_request(RTM_GETLINK, NLM_F_DUMP, ifinfomsg{}, nullptr); },
        [](const Message &m) { return std::optional<LinkInfo>(link_from(m)); }, "network devices");
}

// One RTM_GETLINK by name or index, not a dump of every device: a host with
// a venet device per running container would send thousands at each
// look-up, and a start makes several (docs/benchmarks.md, issue 15).
std::optional<LinkInfo> Rtnl::link(const std::string &name) {
    if (!kernel_name(name))
        return std::nullopt;
    Request req = link_request(RTM_GETLINK, 0, ifinfomsg{}, &name);
    return get_link(*sock_, req, name);
}

std::optional<LinkInfo> Rtnl::link(int index) {
    ifinfomsg ifi{};
    ifi.ifi_index = index;
    Request req = link_request(RTM_GETLINK, 0, ifi, nullptr);
    return get_link(*sock_, req, std::to_string(index));
}

std::vector<AddrInfo> Rtnl::addresses(int family, int ifindex) {
    auto all = dump<AddrInfo>(
        *sock_,
        [&] {
            Request req(RTM_GETADDR, NLM_F_DUMP);
            ifaddrmsg ifa{};
            ifa.ifa_family = static_cast<unsigned char>(family);
            ifa.ifa_index = static_cast<unsigned>(ifindex); // the kernel filters (strict mode)
            req.family(ifa);
            return req;
        },
        address_from, "addresses");
    if (ifindex != 0) // a kernel without strict checking sent every device's
        std::erase_if(all, [&](const AddrInfo &a) { return a.ifindex != ifindex; });
    return all;
}

std::vector<RouteInfo> Rtnl::routes(int family) {
    return dump<RouteInfo>(
        *sock_,
        [&] {
            Request req(RTM_GETROUTE, NLM_F_DUMP);
            rtmsg rtm{};
            rtm.rtm_family = static_cast<unsigned char>(family);
            req.family(rtm);
            return req;
        },
        route_from, "routes");
}

std::optional<RouteInfo> Rtnl::route_to(const IpAddr &ip) {
    Request req(RTM_GETROUTE, 0);
    rtmsg rtm{};
    rtm.rtm_family = static_cast<unsigned char>(ip.family);
    rtm.rtm_dst_len = static_cast<unsigned char>(ip.max_prefix());
    rtm.rtm_flags = RTM_F_FIB_MATCH;
    req.family(rtm);
    req.put(RTA_DST, ip.bytes.data(), address_len(ip));
    std::optional<RouteInfo> found;
    const Outcome out = sock_->query(req, [&](const Message &m) { found = route_from(m); });
    if (out.error < 0)
        return std::nullopt; // no route (unreachable, prohibited): nothing matches
    return found;
}

void Rtnl::create_veth(const VethSpec &spec, int code) {
    Request req(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    ifinfomsg ifi{};
    if (spec.noarp) {
        ifi.ifi_flags = IFF_NOARP;
        ifi.ifi_change = IFF_NOARP;
    }
    req.family(ifi);
    req.put_string(IFLA_IFNAME, spec.host_name);
    req.put(IFLA_ADDRESS, spec.host_mac.data(), spec.host_mac.size());
    put_single_queue(req);
    const auto info = req.begin_nest(IFLA_LINKINFO);
    req.put_string(IFLA_INFO_KIND, "veth");
    const auto data = req.begin_nest(IFLA_INFO_DATA);
    const auto peer = req.begin_nest(VETH_INFO_PEER);
    req.family(ifi);
    req.put_string(IFLA_IFNAME, spec.peer_name);
    req.put(IFLA_ADDRESS, spec.peer_mac.data(), spec.peer_mac.size());
    put_single_queue(req);
    if (spec.peer_netns_fd >= 0)
        req.put_u32(IFLA_NET_NS_FD, static_cast<std::uint32_t>(spec.peer_netns_fd));
    req.end_nest(peer);
    req.end_nest(data);
    req.end_nest(info);
    done(sock_->change(req), {}, code, [&] {
        return "Unable to create the device pair " + spec.host_name + "/" + spec.peer_name;
    });
}

Rtnl::LinkChange link_up(bool up) {
    Rtnl::LinkChange change;
    change.up = up;
    return change;
}

void Rtnl::delete_link(const std::string &name, int code) {
    if (!kernel_name(name))
        return;
    Request req = link_request(RTM_DELLINK, 0, ifinfomsg{}, &name);
    done(sock_->change(req), {ENODEV, ENOENT}, code,
         [&] { return "Unable to delete device " + name; });
}

void Rtnl::change_link(const std::string &name, const LinkChange &change, int code) {
    ifinfomsg ifi{};
    const auto flag = [&](const std::optional<bool> &on, unsigned bit) {
        if (!on)
            return;
        ifi.ifi_change |= bit;
        if (*on)
            ifi.ifi_flags |= bit;
    };
    flag(change.up, IFF_UP);
    flag(change.noarp, IFF_NOARP);
    // A rename names the device by its index: IFLA_IFNAME is the new name.
    if (change.name) {
        auto l = link(name);
        if (!l)
            throw Error(code, "Network device " + name + " not found");
        ifi.ifi_index = l->index;
    }
    Request req = link_request(RTM_NEWLINK, 0, ifi, change.name ? &*change.name : &name);
    if (change.mac)
        req.put(IFLA_ADDRESS, change.mac->data(), change.mac->size());
    if (change.master)
        req.put_u32(IFLA_MASTER, static_cast<std::uint32_t>(*change.master));
    device_changed(sock_->change(req), name, code, "configure");
}

void Rtnl::move_link(const std::string &name, int netns_fd, int code) {
    Request req = link_request(RTM_NEWLINK, 0, ifinfomsg{}, &name);
    req.put_u32(IFLA_NET_NS_FD, static_cast<std::uint32_t>(netns_fd));
    device_changed(sock_->change(req), name, code, "move");
}

bool Rtnl::add_address(int ifindex, const IpAddr &ip, int code) {
    Request req = device_address(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex, ip);
    return done(sock_->change(req), {EEXIST}, code,
                [&] { return "Unable to add address " + ip.text(); });
}

bool Rtnl::delete_address(int ifindex, const IpAddr &ip, int code) {
    Request req = device_address(RTM_DELADDR, 0, ifindex, ip);
    return done(sock_->change(req), kGone, code,
                [&] { return "Unable to delete address " + ip.text(); });
}

bool Rtnl::add_device_route(int ifindex, const IpAddr &dst, unsigned prefix, int code) {
    Request req = device_route(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, ifindex, dst, prefix);
    return done(sock_->change(req), {EEXIST}, code, [&] {
        return "Unable to add a route to " + dst.address() + "/" + std::to_string(prefix);
    });
}

bool Rtnl::delete_device_route(int ifindex, const IpAddr &dst, unsigned prefix, int code) {
    Request req = device_route(RTM_DELROUTE, 0, ifindex, dst, prefix);
    return done(sock_->change(req), kGone, code,
                [&] { return "Unable to delete the route to " + dst.address(); });
}

bool Rtnl::add_proxy_neighbour(int ifindex, const IpAddr &ip, int code) {
    Request req = proxy_neighbour(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, ifindex, ip);
    return done(sock_->change(req), {}, code,
                [&] { return "Unable to add a proxy neighbour entry for " + ip.address(); });
}

bool Rtnl::delete_proxy_neighbour(int ifindex, const IpAddr &ip, int code) {
    Request req = proxy_neighbour(RTM_DELNEIGH, 0, ifindex, ip);
    return done(sock_->change(req), kGone, code,
                [&] { return "Unable to delete the proxy neighbour entry for " + ip.address(); });
}

std::string host_hwid() {
    Rtnl rtnl;
    for (const auto &l : rtnl.links()) {
        if (l.arptype == ARPHRD_ETHER && l.mac && !(l.flags & IFF_LOOPBACK)) {
            // ip(8) prints link/ether addresses in lower case.
            return to_lower(format_mac(*l.mac));
        }
    }
    return "00:00:00:00:00:00";
}

bool set_dev_sysctl(const std::string &family, const std::string &dev, const std::string &key,
                    const std::string &value) {
    const std::string path = "/proc/sys/net/" + family + "/conf/" + dev + "/" + key;
    if (access(path.c_str(), F_OK) != 0)
        return false;
    try {
        write_file(path, value);
    } catch (const Error &e) {
        throw Error(VZ_NETDEV_ERROR, e.what());
    }
    return true;
}

} // namespace vz::net
