// Links, addresses, routes and proxy neighbour entries through rtnetlink,
// spoken directly (net/rtnetlink.h), in the caller's network namespace or in
// a container's. Nothing here runs `ip`. Failures throw vz::Error with the
// exit code the caller names and the kernel's reason.
#pragma once

#include "vzkit/base/fd.h"
#include "vzkit/net/addr.h"

#include <sys/socket.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vz::net {

namespace rtnl {
class Socket;
}

// The network namespace the calling process is in (its inode identifies it).
ino_t current_netns_inode();
// /proc/<pid>/ns/net of a container's init. Throws Error(VZ_ENVCREATE_ERROR).
UniqueFd open_netns(pid_t pid);

struct LinkInfo {
    int index = 0;
    std::string name;
    unsigned flags = 0; // IFF_*
    std::optional<Mac> mac;
    std::string kind; // "veth", "bridge", "dummy", ... ("" for physical)
    int master = 0;   // ifindex of the bridge it is enslaved to
    unsigned arptype = 0;
    // The kernel's counters of the device, as this end sees its traffic
    // (vzkit-metrics: a container's host end, docs/metrics.md).
    std::uint64_t rx_bytes = 0, tx_bytes = 0, rx_packets = 0, tx_packets = 0;
};

struct AddrInfo {
    int ifindex = 0;
    IpAddr ip; // with its prefix
    int scope = 0;
};

struct RouteInfo {
    IpAddr dst; // with its prefix
    int oif = 0;
    bool has_gateway = false;
    unsigned table = 0;
    unsigned type = 0;
};

struct VethSpec {
    std::string host_name;
    Mac host_mac{};
    std::string peer_name;
    Mac peer_mac{};
    int peer_netns_fd = -1; // the peer is created right there
    bool noarp = false;     // both ends (venet emulation)
};

class Rtnl {
  public:
    Rtnl();                      // the caller's network namespace
    explicit Rtnl(int netns_fd); // a socket living in that namespace
    ~Rtnl();
    Rtnl(const Rtnl &) = delete;
    Rtnl &operator=(const Rtnl &) = delete;

    std::vector<LinkInfo> links();
    std::optional<LinkInfo> link(const std::string &name);
    std::optional<LinkInfo> link(int index);
    // Of one family (AF_UNSPEC: all), of one device (0: all).
    std::vector<AddrInfo> addresses(int family = AF_UNSPEC, int ifindex = 0);
    std::vector<RouteInfo> routes(int family);
    // The route the kernel would pick for ip, as it is in its table
    // (RTM_F_FIB_MATCH: its prefix, table, type and device); none when ip is
    // unreachable. One message, whatever the number of routes.
    std::optional<RouteInfo> route_to(const IpAddr &ip);

    void create_veth(const VethSpec &spec, int code);
    void delete_link(const std::string &name, int code);
    // Any of the optional changes, in one request.
    struct LinkChange {
        std::optional<bool> up;
        std::optional<bool> noarp;
        std::optional<Mac> mac;
        std::optional<int> master; // 0 detaches
        std::optional<std::string> name;
    };
    void change_link(const std::string &name, const LinkChange &change, int code);
    // Moves the device into the network namespace of netns_fd.
    void move_link(const std::string &name, int netns_fd, int code);

    // EEXIST / ENOENT are reported as false instead of an error.
    bool add_address(int ifindex, const IpAddr &ip, int code);
    bool delete_address(int ifindex, const IpAddr &ip, int code);
    // A device route (no gateway, scope link) to dst/prefix; exclusive: an
    // existing identical route makes it return false.
    bool add_device_route(int ifindex, const IpAddr &dst, unsigned prefix, int code);
    bool delete_device_route(int ifindex, const IpAddr &dst, unsigned prefix, int code);
    bool add_proxy_neighbour(int ifindex, const IpAddr &ip, int code);
    bool delete_proxy_neighbour(int ifindex, const IpAddr &ip, int code);

  private:
    std::unique_ptr<rtnl::Socket> sock_;
};

// A change that only brings a device up (true) or down.
Rtnl::LinkChange link_up(bool up);

// The host MAC OpenVZ feeds into generate_mac(): that of the first Ethernet
// device of the caller's network namespace ("00:00:00:00:00:00" if none).
std::string host_hwid();

// Writes /proc/sys/net/<family>/conf/<dev>/<key> in the caller's namespace;
// false when the kernel has no such knob. A knob that cannot be written (a
// read-only /proc/sys) is an Error with VZ_NETDEV_ERROR.
bool set_dev_sysctl(const std::string &family, const std::string &dev, const std::string &key,
                    const std::string &value);

} // namespace vz::net
