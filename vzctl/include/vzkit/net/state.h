// Building blocks of vzkit/net/lifecycle.h: the per-container record of proxy
// neighbour entries, and which host devices get them (NEIGHBOUR_DEVS).
#pragma once

#include "vzkit/net/addr.h"
#include "vzkit/net/link.h"
#include "vzkit/base/ct_config.h"

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vz::net {

// /var/lib/vzctl, or $VZ_STATEDIR, or <VZ_CONFDIR>/state for an instance
// with its own configuration directory (tests never share the host's).
std::filesystem::path state_dir();

struct ProxyEntry {
    int ifindex = 0;
    std::string dev;
    IpAddr ip;
};

// <statedir>/veip/<CTID>: the namespace the entries live in, and the entries.
struct NetRecord {
    ino_t netns = 0;
    std::vector<ProxyEntry> proxies;
};

std::string format_record(const NetRecord &record);
// nullopt for a file that does not parse (it is then left alone).
std::optional<NetRecord> parse_record(std::string_view text);

std::optional<NetRecord> read_record(Ctid ctid);
void write_record(Ctid ctid, const NetRecord &record); // atomic
void remove_record(Ctid ctid);
std::vector<Ctid> recorded_ctids();

// OpenVZ's NETDEVICES: up, not loopback/NOARP/slave, not veth<N>, with an
// address of wider than link scope.
std::vector<LinkInfo> neighbour_candidates(const std::vector<LinkInfo> &links,
                                           const std::vector<AddrInfo> &addrs);

// The devices that get a proxy entry for ip under NEIGHBOUR_DEVS:
//   detect      the device of the connected route covering ip (none if ip
//               is only reachable through a gateway) — OpenVZ's default
//   all or ""   every candidate
//   list:a b    exactly these devices
// An unknown value warns and means all, as OpenVZ's scripts do.
std::vector<LinkInfo> neighbour_devs(std::string_view setting, const IpAddr &ip,
                                     const std::vector<LinkInfo> &links,
                                     const std::vector<AddrInfo> &addrs,
                                     const std::vector<RouteInfo> &routes);

} // namespace vz::net
