// Bridged networking (OpenVZ's veth): the NETIF config value, the
// --netif_add argument, and the names and MACs OpenVZ generates for
// whatever the administrator left out.
//
//   NETIF="ifname=eth0,bridge=vmbr0,mac=00:18:51:..,host_ifname=veth101.0,host_mac=..;ifname=eth1,.."
#pragma once

#include "vzkit/net/addr.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vz::net {

struct VethIf {
    std::string ifname;      // inside the container
    Mac mac{};               // inside the container
    std::string host_ifname; // the host end
    Mac host_mac{};
    std::string bridge;             // empty: not attached to a bridge
    std::optional<bool> mac_filter; // kept as given; see docs/networking.md

    bool operator==(const VethIf &) const = default;
};

// The host-side name OpenVZ makes: veth<CTID>.<N>, N the number in ifname
// (eth1 → 1, no number → 0); vz<CTID>.<N> when that exceeds 15 characters.
std::string generate_host_ifname(unsigned ctid, std::string_view ifname);

// A NETIF value. Missing fields are generated as OpenVZ does when it reads
// its config: host_ifname by name, mac from the host_ifname, host_mac = mac.
// Throws Error(VZ_INVALID_PARAMETER_VALUE) naming a bad entry.
std::vector<VethIf> parse_netif(std::string_view value, unsigned ctid, std::string_view hwid);
std::string format_netif(const std::vector<VethIf> &ifs);

// --netif_add ifname[,mac,host_ifname,host_mac,bridge]: empty or missing
// fields generated as OpenVZ's parse_netif_str_cmd() does.
VethIf parse_netif_add(std::string_view arg, unsigned ctid, std::string_view hwid);

// --ifname NAME with --mac/--host_ifname/--host_mac/--bridge.
struct VethModify {
    std::string ifname;
    std::optional<Mac> mac;
    std::optional<std::string> host_ifname;
    std::optional<Mac> host_mac;
    std::optional<std::string> bridge; // "" detaches
    std::optional<bool> mac_filter;    // --mac_filter on|off: kept, not enforced
};

struct NetifChange {
    std::vector<VethIf> add;
    std::vector<std::string> del; // ifnames
    bool del_all = false;
    std::optional<VethModify> modify;
};

// The NETIF list after one `vzctl set`: deletions, additions (an existing
// ifname is an error), then the modification of an existing interface.
// Throws Error(VZ_INVALID_PARAMETER_VALUE) for an unknown or duplicate name.
std::vector<VethIf> apply_netif_change(std::vector<VethIf> current, const NetifChange &change);

} // namespace vz::net
