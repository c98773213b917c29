// Addresses of OpenVZ networking: IP_ADDRESS entries ("A" or "A/prefix",
// IPv4 or IPv6) and their list semantics, Ethernet MACs, and the MACs and
// host-side names OpenVZ generates for veth devices.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vz::net {

struct IpAddr {
    int family = 0; // AF_INET or AF_INET6
    std::array<std::uint8_t, 16> bytes{};
    std::optional<unsigned> prefix; // only when given after '/'

    unsigned max_prefix() const { return is_v6() ? 128 : 32; }
    bool is_v6() const;
    std::string address() const; // canonical text, without the mask
    std::string text() const;    // canonical text, with "/prefix" when given
    // Same address (the mask is not part of an address's identity).
    bool same_address(const IpAddr &other) const {
        return family == other.family && bytes == other.bytes;
    }
};

// "A" or "A/prefix" (a CIDR prefix length, as OpenVZ accepts). Throws
// Error(VZ_INVALID_PARAMETER_VALUE, "Invalid IP address: <text>").
IpAddr parse_ip(std::string_view text);
std::optional<IpAddr> try_parse_ip(std::string_view text);
// 0.0.0.0 and :: (OpenVZ skips them wherever an address list is read).
bool is_unspecified(const IpAddr &ip);

// IP_ADDRESS="a b/24 c": canonical entries, duplicates and unspecified
// addresses dropped. Throws like parse_ip for an entry that does not parse.
std::vector<IpAddr> parse_ip_list(std::string_view value);
std::string format_ip_list(const std::vector<IpAddr> &ips);

// One `vzctl set` worth of --ipdel / --ipadd, in OpenVZ's order: deletions
// (or all) first, then additions; re-adding a present address moves it to
// the end. IPv6 entries are refused with a warning unless IPV6=yes.
struct IpChange {
    std::vector<IpAddr> add;
    std::vector<IpAddr> del;
    bool del_all = false;
};
std::vector<IpAddr> apply_ip_change(const std::vector<IpAddr> &current, const IpChange &change);
// Entries of IPv6 are dropped (with one warning) when IPv6 is off.
std::vector<IpAddr> filter_ipv6(std::vector<IpAddr> ips, bool ipv6_enabled);
// Addresses in `a` whose address is not in `b`.
std::vector<IpAddr> ip_difference(const std::vector<IpAddr> &a, const std::vector<IpAddr> &b);

using Mac = std::array<std::uint8_t, 6>;

// "00:18:51:AB:CD:EF" (colons, two hex digits each). Throws
// Error(VZ_INVALID_PARAMETER_VALUE, "Invalid MAC address: <text>"); a
// multicast or all-zero address is refused too (no device may use one).
Mac parse_mac(std::string_view text);
std::optional<Mac> try_parse_mac(std::string_view text);
std::string format_mac(const Mac &mac); // upper case, as OpenVZ writes NETIF

// OpenVZ's generate_mac(): OUI 00:18:51 plus a hash of "<dev>:<ctid>:<hwid>",
// where hwid is the MAC of the host's first Ethernet device.
Mac generate_mac(unsigned ctid, std::string_view dev_name, std::string_view hwid);

// An interface name the kernel accepts: 1..15 characters, no '/', ':' or
// whitespace, not "." or "..". Throws Error(21) naming the value.
void check_ifname(std::string_view name, std::string_view what);
bool valid_ifname(std::string_view name);

} // namespace vz::net
