// A container's networking on a stock kernel, as the lifecycle sees it.
//
// Routed mode (OpenVZ's venet): inside the container a device venet0 carries
// IP_ADDRESS and the default routes, put there from the host. It is one end
// of a veth pair whose other end, venet0.<CTID>, stays on the host with a /32
// (/128) route per address; both ends are NOARP with one MAC, so the pair
// behaves like a point-to-point link. Proxy ARP/NDP entries on the devices
// NEIGHBOUR_DEVS names make the addresses reachable from the host's LAN.
//
// Bridged mode (OpenVZ's veth): one veth pair per NETIF entry, the host end
// enslaved to its bridge.
//
// The kernel removes the devices and their routes when the container's
// network namespace goes, however it stops. Proxy entries are the one thing
// it keeps: they are recorded under <statedir>/veip/<CTID> and removed at
// stop, or swept by the next vzctl that finds the container down.
#pragma once

#include "vzkit/base/ct_config.h"
#include "vzkit/net/addr.h"
#include "vzkit/net/netif.h"

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace vz::net {

// IP_ADDRESS of the config (IPv6 dropped when IPV6 is not yes).
std::vector<IpAddr> configured_ips(const CtConfig &config);
// NETIF of the config, with generated fields filled in.
std::vector<VethIf> configured_netifs(const CtConfig &config);

// Everything start_network() created, undone on destruction unless committed.
class NetworkSetup {
  public:
    virtual ~NetworkSetup() = default;
    virtual void commit() = 0;
};

// At start, after the container's init was created and before it runs: the
// loopback device up, venet0 with the addresses, host routes and proxy
// entries, and the NETIF veths attached to their bridges. Throws
// Error(VZ_IP_INUSE) for an address another container (or the host) uses,
// Error(VZ_VETH_ERROR) for a missing bridge, before anything is created.
std::unique_ptr<NetworkSetup> start_network(const CtConfig &config, pid_t init);
// Only the loopback device up, for a start that sets up no network (runscript).
void loopback_up(pid_t init);

// After criu restored the container (docs/checkpoint.md): its devices and
// addresses inside came back with it, the host ends under their names (see
// criu_veth_pairs) but as criu makes them. Puts back the host side start
// made: venet0.<CTID>'s MAC, NOARP, sysctls and link, the host routes and
// proxy entries, the NETIF host ends' MACs, links and bridges. Throws
// Error(VZ_IP_INUSE) for an address someone took meanwhile, Error(code)
// otherwise; what it did is undone unless committed.
std::unique_ptr<NetworkSetup> restore_network(const CtConfig &config, pid_t init, int code);
// criu restore's --veth-pair values for the config: IN=OUT[@BRIDGE].
std::vector<std::string> criu_veth_pairs(const CtConfig &config);

// The container's devices the config makes, with the name of each one's host
// end: venet0 (when it has addresses) and every NETIF entry.
struct DeviceEnds {
    std::string ifname;      // inside: "venet0", "eth0"
    std::string host_ifname; // on the host: "venet0.101", "veth101.0"
    std::string bridge;      // NETIF's bridge, empty for none
};
std::vector<DeviceEnds> configured_device_ends(const CtConfig &config);

// After the container stopped: its proxy entries and record go; the host
// ends of its devices are waited for (the kernel removes them with the
// namespace) and deleted if they linger.
void stop_network(const CtConfig &config);

// Removes the proxy entries of every recorded container that is no longer
// running (one that halted from inside, with no vzctl around). `own` is the
// container the caller already holds the lock of; others are locked here,
// and skipped when someone else holds them.
void sweep_stale_network(const CtConfig &config);

// NETDEV: host network devices moved into the running container (at start,
// and by `vzctl set --netdev_add`), or back to the host (--netdev_del). A
// physical device comes back by itself when the container stops; a virtual
// one (dummy, macvlan) goes with the container's namespace. Throws
// Error(VZ_NETDEV_ERROR) naming a device that is not there.
void move_netdevs_in(const std::vector<std::string> &names, pid_t init);
void move_netdevs_out(const std::vector<std::string> &names, pid_t init);

// vzctl set on a running container: the addresses and NETIF entries that
// changed between `before` (the values the config had) and the config now.
struct NetSnapshot {
    std::string ip_address;
    std::string netif;
};
NetSnapshot snapshot(const CtConfig &config);
struct IpDiff {
    std::vector<IpAddr> added, removed;
    bool removed_all = false; // every address the container had goes
};
IpDiff ip_diff(const CtConfig &config, const NetSnapshot &before);
// Applies the differences to the running container (host side and venet0);
// throws Error(VZ_IP_INUSE) before changing anything for a taken address.
void apply_network_live(const CtConfig &config, const NetSnapshot &before, pid_t init);

} // namespace vz::net
