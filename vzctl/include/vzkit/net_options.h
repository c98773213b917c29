// The networking and distribution parameters of `vzctl set` / `create`,
// turned into <CTID>.conf keys with OpenVZ's semantics against the current
// configuration (IP_ADDRESS and NETIF are incremental).
#pragma once

#include "vzkit/ve_config.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vz::net {

struct NetSetArgs {
    std::vector<std::string> ipadd, ipdel;             // --ipadd/--ip, --ipdel (A, A/prefix, all)
    std::vector<std::string> nameserver, searchdomain; // replace the lists; "inherit"
    std::vector<std::string> userpasswd;               // user:password, never stored
    std::vector<std::string> netif_add, netif_del;     // --netif_add spec, --netif_del name|all
    std::optional<std::string> ifname, mac, host_ifname, host_mac, bridge;
};

// KEY → value for what args change. Throws Error(VZ_INVALID_PARAMETER_VALUE)
// naming a value that does not parse (address, MAC, interface name, ...).
std::map<std::string, std::string> network_changes(const NetSetArgs &args, const VeConfig &config);

} // namespace vz::net
