// The networking and distribution parameters of `vzctl set` / `create`,
// turned into <CTID>.conf values with OpenVZ's semantics against the current
// configuration (IP_ADDRESS and NETIF are incremental). These are the parse
// functions of their rows in the parameter table (vzkit/ct/params.h).
#pragma once

#include "vzkit/base/ct_config.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vz::net {

// IP_ADDRESS after --ipadd (A, A/prefix; several per value) and --ipdel
// (also "all"). Throws Error(VZ_INVALID_PARAMETER_VALUE) naming a bad address.
std::string ip_address_value(const std::vector<std::string> &add,
                             const std::vector<std::string> &del, const CtConfig &config);

// --nameserver (addresses) / --searchdomain (domains): the whole list, or
// "inherit" alone.
std::string dns_list(std::string_view option, const std::vector<std::string> &values,
                     bool addresses);

// --userpasswd user:password (repeatable); the password is never echoed.
std::string userpasswd_value(const std::vector<std::string> &values);

// --ifname with the veth options that modify it.
struct VethArgs {
    std::optional<std::string> ifname, mac, host_ifname, host_mac, bridge, mac_filter;
    bool any() const { return ifname || mac || host_ifname || host_mac || bridge || mac_filter; }
};
// NETIF after --netif_add, --netif_del (also "all") and the veth options.
std::string netif_value(const std::vector<std::string> &add, const std::vector<std::string> &del,
                        const VethArgs &veth, const CtConfig &config);

} // namespace vz::net
