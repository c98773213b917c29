#include "vzkit/net/link.h"

#include "net/libnl_api.h"
#include "vzkit/base/error.h"
#include "vzkit/base/util.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <initializer_list>

namespace vz::net {
namespace {

// Owners for libnl's reference-counted objects.
struct NlDeleter {
    void operator()(nl_addr *p) const { nl().nl_addr_put(p); }
    void operator()(nl_cache *p) const { nl().nl_cache_free(p); }
    void operator()(rtnl_link *p) const { nl().rtnl_link_put(p); }
    void operator()(rtnl_addr *p) const { nl().rtnl_addr_put(p); }
    void operator()(rtnl_route *p) const { nl().rtnl_route_put(p); }
    void operator()(rtnl_neigh *p) const { nl().rtnl_neigh_put(p); }
};
template <typename T> using NlPtr = std::unique_ptr<T, NlDeleter>;

[[noreturn]] void nl_fail(int code, const std::string &what, int err) {
    throw Error(code, what + ": " + nl().nl_geterror(err));
}

// The outcome of an addition or deletion: true when done, false when err is
// one of `already` (the object already was, or was not, there); any other
// error throws Error(code, "<what>: <libnl's reason>").
template <typename What>
bool nl_done(int err, std::initializer_list<int> already, int code, What what) {
    if (std::ranges::find(already, err) != already.end())
        return false;
    if (err < 0)
        nl_fail(code, what(), err);
    return true;
}

// A cache filled by one of libnl's rtnl_*_alloc_cache(); fails with
// Error(VZ_SYSTEM_ERROR, "Unable to list <what>: ...").
template <typename Alloc> NlPtr<nl_cache> alloc_cache(Alloc alloc, const char *what) {
    nl_cache *raw = nullptr;
    if (int err = alloc(&raw); err < 0)
        nl_fail(VZ_SYSTEM_ERROR, std::string("Unable to list ") + what, err);
    return NlPtr<nl_cache>(raw);
}

NlPtr<nl_addr> to_nl(const IpAddr &ip, std::optional<unsigned> prefix = std::nullopt) {
    nl_addr *a = nl().nl_addr_build(ip.family, ip.bytes.data(), ip.is_v6() ? 16 : 4);
    if (!a)
        throw Error(VZ_RESOURCE_ERROR, "Out of memory");
    nl().nl_addr_set_prefixlen(
        a, static_cast<int>(prefix.value_or(ip.prefix.value_or(ip.max_prefix()))));
    return NlPtr<nl_addr>(a);
}

NlPtr<nl_addr> to_nl(const Mac &mac) {
    nl_addr *a = nl().nl_addr_build(AF_LLC, mac.data(), mac.size());
    if (!a)
        throw Error(VZ_RESOURCE_ERROR, "Out of memory");
    return NlPtr<nl_addr>(a);
}

std::optional<IpAddr> from_nl(nl_addr *a) {
    if (!a)
        return std::nullopt;
    IpAddr ip;
    ip.family = nl().nl_addr_get_family(a);
    const unsigned len = nl().nl_addr_get_len(a);
    if ((ip.family != AF_INET && ip.family != AF_INET6) || len > ip.bytes.size())
        return std::nullopt;
    std::memcpy(ip.bytes.data(), nl().nl_addr_get_binary_addr(a), len);
    ip.prefix = static_cast<unsigned>(nl().nl_addr_get_prefixlen(a));
    return ip;
}

// What a deletion meets when the object (or its device) is already gone.
constexpr std::initializer_list<int> kGone = {-NLE_OBJ_NOTFOUND, -NLE_NODEV, -NLE_NOADDR};

template <typename Fn> void for_each(nl_cache *cache, Fn fn) {
    for (nl_object *obj = nl().nl_cache_get_first(cache); obj; obj = nl().nl_cache_get_next(obj))
        fn(obj);
}

// The family/dst a deletion or addition of a device route is keyed on.
NlPtr<rtnl_route> device_route(int ifindex, const IpAddr &dst, unsigned prefix) {
    NlPtr<rtnl_route> route(nl().rtnl_route_alloc());
    nl().rtnl_route_set_family(route.get(), static_cast<uint8_t>(dst.family));
    auto a = to_nl(dst, prefix);
    nl().rtnl_route_set_dst(route.get(), a.get());
    nl().rtnl_route_set_table(route.get(), RT_TABLE_MAIN);
    nl().rtnl_route_set_scope(route.get(), dst.is_v6() ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
    nl().rtnl_route_set_protocol(route.get(), RTPROT_STATIC);
    nl().rtnl_route_set_type(route.get(), RTN_UNICAST);
    rtnl_nexthop *nh = nl().rtnl_route_nh_alloc();
    nl().rtnl_route_nh_set_ifindex(nh, ifindex);
    nl().rtnl_route_add_nexthop(route.get(), nh);
    return route;
}

NlPtr<rtnl_neigh> proxy_neigh(int ifindex, const IpAddr &ip) {
    NlPtr<rtnl_neigh> n(nl().rtnl_neigh_alloc());
    nl().rtnl_neigh_set_ifindex(n.get(), ifindex);
    nl().rtnl_neigh_set_family(n.get(), ip.family);
    auto a = to_nl(ip);
    nl().rtnl_neigh_set_dst(n.get(), a.get());
    nl().rtnl_neigh_set_flags(n.get(), NTF_PROXY);
    nl().rtnl_neigh_set_state(n.get(), NUD_PERMANENT);
    return n;
}

// The address object an addition or deletion of ip on ifindex is keyed on.
NlPtr<rtnl_addr> device_address(int ifindex, const IpAddr &ip) {
    NlPtr<rtnl_addr> a(nl().rtnl_addr_alloc());
    nl().rtnl_addr_set_ifindex(a.get(), ifindex);
    nl().rtnl_addr_set_family(a.get(), ip.family);
    auto local = to_nl(ip);
    nl().rtnl_addr_set_local(a.get(), local.get());
    nl().rtnl_addr_set_prefixlen(a.get(), static_cast<int>(ip.prefix.value_or(ip.max_prefix())));
    return a;
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

Rtnl::Rtnl() {
    connect();
}

Rtnl::Rtnl(int netns_fd) {
    // A netlink socket stays in the namespace it was created in.
    NetnsSwitch in(netns_fd);
    connect();
}

Rtnl::~Rtnl() {
    if (sock_)
        nl().nl_socket_free(sock_);
}

void Rtnl::connect() {
    sock_ = nl().nl_socket_alloc();
    if (!sock_)
        throw Error(VZ_RESOURCE_ERROR, "Unable to allocate a netlink socket");
    if (int err = nl().nl_connect(sock_, NETLINK_ROUTE); err < 0) {
        nl().nl_socket_free(sock_);
        sock_ = nullptr;
        nl_fail(VZ_SYSTEM_ERROR, "Unable to open a netlink socket", err);
    }
    // Our own FD must not leak into anything we spawn (the container).
    fcntl(nl().nl_socket_get_fd(sock_), F_SETFD, FD_CLOEXEC);
}

namespace {

LinkInfo link_info(rtnl_link *l) {
    LinkInfo info;
    info.index = nl().rtnl_link_get_ifindex(l);
    info.name = nl().rtnl_link_get_name(l) ? nl().rtnl_link_get_name(l) : "";
    info.flags = nl().rtnl_link_get_flags(l);
    info.master = nl().rtnl_link_get_master(l);
    info.arptype = nl().rtnl_link_get_arptype(l);
    info.rx_bytes = nl().rtnl_link_get_stat(l, RTNL_LINK_RX_BYTES);
    info.tx_bytes = nl().rtnl_link_get_stat(l, RTNL_LINK_TX_BYTES);
    info.rx_packets = nl().rtnl_link_get_stat(l, RTNL_LINK_RX_PACKETS);
    info.tx_packets = nl().rtnl_link_get_stat(l, RTNL_LINK_TX_PACKETS);
    if (const char *type = nl().rtnl_link_get_type(l))
        info.kind = type;
    nl_addr *a = nl().rtnl_link_get_addr(l);
    if (a && nl().nl_addr_get_len(a) == 6) {
        Mac mac;
        std::memcpy(mac.data(), nl().nl_addr_get_binary_addr(a), 6);
        info.mac = mac;
    }
    return info;
}

} // namespace

std::vector<LinkInfo> Rtnl::links() {
    auto cache = alloc_cache(
        [&](nl_cache **raw) { return nl().rtnl_link_alloc_cache(sock_, AF_UNSPEC, raw); },
        "network devices");
    std::vector<LinkInfo> result;
    for_each(cache.get(), [&](nl_object *obj) {
        result.push_back(link_info(reinterpret_cast<rtnl_link *>(obj)));
    });
    return result;
}

// One RTM_GETLINK by name, not a dump of every device: a host with a venet
// device per running container would send thousands at each look-up, and a
// start makes several (docs/benchmarks.md, issue 15).
std::optional<LinkInfo> Rtnl::link(const std::string &name) {
    rtnl_link *raw = nullptr;
    const int err = nl().rtnl_link_get_kernel(sock_, 0, name.c_str(), &raw);
    if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV)
        return std::nullopt;
    if (err < 0) {
        // A name the kernel will not look up (too long, say) names no device.
        for (auto &l : links())
            if (l.name == name)
                return l;
        return std::nullopt;
    }
    NlPtr<rtnl_link> l(raw);
    return link_info(l.get());
}

std::vector<AddrInfo> Rtnl::addresses() {
    auto cache = alloc_cache([&](nl_cache **raw) { return nl().rtnl_addr_alloc_cache(sock_, raw); },
                             "addresses");
    std::vector<AddrInfo> result;
    for_each(cache.get(), [&](nl_object *obj) {
        auto *a = reinterpret_cast<rtnl_addr *>(obj);
        if (auto ip = from_nl(nl().rtnl_addr_get_local(a)))
            result.push_back({nl().rtnl_addr_get_ifindex(a), *ip, nl().rtnl_addr_get_scope(a)});
    });
    return result;
}

std::vector<RouteInfo> Rtnl::routes(int family) {
    auto cache = alloc_cache(
        [&](nl_cache **raw) { return nl().rtnl_route_alloc_cache(sock_, family, 0, raw); },
        "routes");
    std::vector<RouteInfo> result;
    for_each(cache.get(), [&](nl_object *obj) {
        auto *r = reinterpret_cast<rtnl_route *>(obj);
        RouteInfo info;
        auto dst = from_nl(nl().rtnl_route_get_dst(r));
        if (!dst) {
            // The default route carries no destination attribute.
            dst = IpAddr{};
            dst->family = family;
            dst->prefix = 0;
        }
        info.dst = *dst;
        info.table = nl().rtnl_route_get_table(r);
        info.type = nl().rtnl_route_get_type(r);
        if (nl().rtnl_route_get_nnexthops(r) > 0) {
            rtnl_nexthop *nh = nl().rtnl_route_nexthop_n(r, 0);
            info.oif = nl().rtnl_route_nh_get_ifindex(nh);
            info.has_gateway = nl().rtnl_route_nh_get_gateway(nh) != nullptr;
        }
        result.push_back(info);
    });
    return result;
}

void Rtnl::create_veth(const VethSpec &spec, int code) {
    NlPtr<rtnl_link> host(nl().rtnl_link_veth_alloc());
    if (!host)
        throw Error(VZ_RESOURCE_ERROR, "Out of memory");
    rtnl_link *peer = nl().rtnl_link_veth_get_peer(host.get());
    nl().rtnl_link_set_name(host.get(), spec.host_name.c_str());
    nl().rtnl_link_set_addr(host.get(), to_nl(spec.host_mac).get());
    nl().rtnl_link_set_name(peer, spec.peer_name.c_str());
    nl().rtnl_link_set_addr(peer, to_nl(spec.peer_mac).get());
    if (spec.noarp) {
        nl().rtnl_link_set_flags(host.get(), IFF_NOARP);
        nl().rtnl_link_set_flags(peer, IFF_NOARP);
    }
    if (spec.peer_netns_fd >= 0)
        nl().rtnl_link_set_ns_fd(peer, spec.peer_netns_fd);
    nl().rtnl_link_put(peer);
    int err = nl().rtnl_link_add(sock_, host.get(), NLM_F_CREATE | NLM_F_EXCL);
    if (err < 0)
        nl_fail(code, "Unable to create the device pair " + spec.host_name + "/" + spec.peer_name,
                err);
}

void Rtnl::delete_link(const std::string &name, int code) {
    NlPtr<rtnl_link> l(nl().rtnl_link_alloc());
    nl().rtnl_link_set_name(l.get(), name.c_str());
    int err = nl().rtnl_link_delete(sock_, l.get());
    if (err < 0 && err != -NLE_NODEV && err != -NLE_OBJ_NOTFOUND)
        nl_fail(code, "Unable to delete device " + name, err);
}

void Rtnl::change_link(const std::string &name, const LinkChange &change, int code) {
    rtnl_link *raw = nullptr;
    if (int err = nl().rtnl_link_get_kernel(sock_, 0, name.c_str(), &raw); err < 0)
        nl_fail(code, "Network device " + name + " not found", err);
    NlPtr<rtnl_link> orig(raw);
    NlPtr<rtnl_link> req(nl().rtnl_link_alloc());
    if (change.up)
        (*change.up ? nl().rtnl_link_set_flags : nl().rtnl_link_unset_flags)(req.get(), IFF_UP);
    if (change.noarp)
        (*change.noarp ? nl().rtnl_link_set_flags : nl().rtnl_link_unset_flags)(req.get(),
                                                                                IFF_NOARP);
    if (change.mac)
        nl().rtnl_link_set_addr(req.get(), to_nl(*change.mac).get());
    if (change.master)
        nl().rtnl_link_set_master(req.get(), *change.master);
    if (change.name)
        nl().rtnl_link_set_name(req.get(), change.name->c_str());
    if (int err = nl().rtnl_link_change(sock_, orig.get(), req.get(), 0); err < 0)
        nl_fail(code, "Unable to configure network device " + name, err);
}

void Rtnl::move_link(const std::string &name, int netns_fd, int code) {
    rtnl_link *raw = nullptr;
    if (int err = nl().rtnl_link_get_kernel(sock_, 0, name.c_str(), &raw); err < 0)
        nl_fail(code, "Network device " + name + " not found", err);
    NlPtr<rtnl_link> orig(raw);
    NlPtr<rtnl_link> req(nl().rtnl_link_alloc());
    nl().rtnl_link_set_ns_fd(req.get(), netns_fd);
    if (int err = nl().rtnl_link_change(sock_, orig.get(), req.get(), 0); err < 0)
        nl_fail(code, "Unable to move network device " + name, err);
}

bool Rtnl::add_address(int ifindex, const IpAddr &ip, int code) {
    auto a = device_address(ifindex, ip);
    if (ip.is_v6())
        nl().rtnl_addr_set_flags(a.get(), IFA_F_NODAD);
    return nl_done(nl().rtnl_addr_add(sock_, a.get(), NLM_F_CREATE | NLM_F_EXCL), {-NLE_EXIST},
                   code, [&] { return "Unable to add address " + ip.text(); });
}

bool Rtnl::delete_address(int ifindex, const IpAddr &ip, int code) {
    return nl_done(nl().rtnl_addr_delete(sock_, device_address(ifindex, ip).get(), 0), kGone, code,
                   [&] { return "Unable to delete address " + ip.text(); });
}

bool Rtnl::add_device_route(int ifindex, const IpAddr &dst, unsigned prefix, int code) {
    return nl_done(
        nl().rtnl_route_add(sock_, device_route(ifindex, dst, prefix).get(),
                            NLM_F_CREATE | NLM_F_EXCL),
        {-NLE_EXIST}, code,
        [&] { return "Unable to add a route to " + dst.address() + "/" + std::to_string(prefix); });
}

bool Rtnl::delete_device_route(int ifindex, const IpAddr &dst, unsigned prefix, int code) {
    return nl_done(nl().rtnl_route_delete(sock_, device_route(ifindex, dst, prefix).get(), 0),
                   kGone, code, [&] { return "Unable to delete the route to " + dst.address(); });
}

bool Rtnl::add_proxy_neighbour(int ifindex, const IpAddr &ip, int code) {
    return nl_done(
        nl().rtnl_neigh_add(sock_, proxy_neigh(ifindex, ip).get(), NLM_F_CREATE | NLM_F_REPLACE),
        {}, code, [&] { return "Unable to add a proxy neighbour entry for " + ip.address(); });
}

bool Rtnl::delete_proxy_neighbour(int ifindex, const IpAddr &ip, int code) {
    return nl_done(
        nl().rtnl_neigh_delete(sock_, proxy_neigh(ifindex, ip).get(), 0), kGone, code,
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
