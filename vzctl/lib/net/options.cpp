#include "vzkit/net/options.h"

#include "vzkit/base/error.h"
#include "vzkit/net/lifecycle.h"
#include "vzkit/net/link.h"
#include "vzkit/base/util.h"

#include <algorithm>
#include <cctype>

namespace vz::net {
namespace {

[[noreturn]] void bad(std::string_view option, std::string_view value) {
    throw Error(VZ_INVALID_PARAMETER_VALUE,
                "Invalid value for --" + std::string(option) + ": " + std::string(value));
}

bool valid_domain(std::string_view d) {
    return !d.empty() && d.size() <= 253 && d.front() != '-' && d.front() != '.' &&
           std::ranges::all_of(d, [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ||
                      c == '_';
           });
}

} // namespace

std::string ip_address_value(const std::vector<std::string> &add,
                             const std::vector<std::string> &del, const CtConfig &config) {
    // One option may carry several addresses ("a b"), as OpenVZ splits them.
    IpChange change;
    for (const auto &arg : del) {
        for (const auto &a : split_ws(arg)) {
            if (a == "all")
                change.del_all = true;
            else
                change.del.push_back(parse_ip(a));
        }
    }
    for (const auto &arg : add) {
        for (const auto &a : split_ws(arg))
            change.add.push_back(parse_ip(a));
    }
    auto ips = apply_ip_change(parse_ip_list(config.get_or("IP_ADDRESS", "")), change);
    return format_ip_list(filter_ipv6(ips, config.get_bool("IPV6", false)));
}

std::string dns_list(std::string_view option, const std::vector<std::string> &values,
                     bool addresses) {
    std::vector<std::string> words;
    for (const auto &v : values) {
        for (const auto &w : split(v, ','))
            words.push_back(std::string(trim(w)));
    }
    if (std::ranges::find(words, "inherit") != words.end()) {
        if (words.size() != 1)
            bad(option, join(words, " ") + " (inherit stands alone)");
        return "inherit";
    }
    for (auto &w : words) {
        if (addresses) {
            auto ip = try_parse_ip(w);
            if (!ip || ip->prefix)
                bad(option, w);
            w = ip->address();
        } else if (!valid_domain(w)) {
            bad(option, w);
        }
    }
    return join(words, " ");
}

std::string userpasswd_value(const std::vector<std::string> &values) {
    for (const auto &v : values) {
        auto colon = v.find(':');
        const std::string user = v.substr(0, colon);
        if (colon == std::string::npos || user.empty() || colon + 1 == v.size() ||
            v.find_first_of(" \t\n") != std::string::npos || !std::ranges::all_of(user, [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
                       c == '.';
            }))
            // The password is never echoed back.
            throw Error(VZ_INVALID_PARAMETER_VALUE,
                        "Invalid value for --userpasswd: expected user:password (user '" + user +
                            "'), without spaces");
    }
    return join(values, " ");
}

std::string netif_value(const std::vector<std::string> &add, const std::vector<std::string> &del,
                        const VethArgs &args, const CtConfig &config) {
    const std::string hwid = host_hwid();
    NetifChange change;
    for (const auto &d : del) {
        if (d == "all")
            change.del_all = true;
        else
            change.del.push_back(d);
    }
    for (const auto &a : add)
        change.add.push_back(parse_netif_add(a, config.ctid(), hwid));
    if (args.ifname) {
        VethModify m;
        m.ifname = *args.ifname;
        if (args.mac)
            m.mac = parse_mac(*args.mac);
        if (args.host_mac)
            m.host_mac = parse_mac(*args.host_mac);
        m.host_ifname = args.host_ifname;
        m.bridge = args.bridge;
        if (args.mac_filter) {
            if (*args.mac_filter != "on" && *args.mac_filter != "off")
                throw Error(VZ_INVALID_PARAMETER_VALUE,
                            "Invalid value for --mac_filter: " + *args.mac_filter);
            m.mac_filter = *args.mac_filter == "on";
        }
        change.modify = m;
    } else if (args.mac || args.host_mac || args.host_ifname || args.bridge || args.mac_filter) {
        throw Error(VZ_INVALID_PARAMETER_SYNTAX,
                    "--mac, --host_ifname, --host_mac, --bridge and --mac_filter need --ifname");
    }
    auto current = parse_netif(config.get_or("NETIF", ""), config.ctid(), hwid);
    return format_netif(apply_netif_change(std::move(current), change));
}

} // namespace vz::net
