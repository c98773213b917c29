#include "vzkit/net_options.h"

#include "vzkit/error.h"
#include "vzkit/net.h"
#include "vzkit/net_link.h"
#include "vzkit/util.h"

#include <algorithm>
#include <cctype>

namespace vz::net {
namespace {

[[noreturn]] void bad(std::string_view option, std::string_view value) {
    throw Error(VZ_INVALID_PARAMETER_VALUE,
                "Invalid value for --" + std::string(option) + ": " + std::string(value));
}

std::string ip_address_value(const NetSetArgs &args, const VeConfig &config) {
    // One option may carry several addresses ("a b"), as OpenVZ splits them.
    IpChange change;
    for (const auto &arg : args.ipdel) {
        for (const auto &a : split_ws(arg)) {
            if (a == "all")
                change.del_all = true;
            else
                change.del.push_back(parse_ip(a));
        }
    }
    for (const auto &arg : args.ipadd) {
        for (const auto &a : split_ws(arg))
            change.add.push_back(parse_ip(a));
    }
    auto ips = apply_ip_change(parse_ip_list(config.get_or("IP_ADDRESS", "")), change);
    return format_ip_list(filter_ipv6(ips, config.get_bool("IPV6", false)));
}

bool valid_domain(std::string_view d) {
    return !d.empty() && d.size() <= 253 && d.front() != '-' && d.front() != '.' &&
           std::ranges::all_of(d, [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ||
                      c == '_';
           });
}

// --nameserver / --searchdomain: the whole list, or "inherit" alone.
std::string dns_list(const char *option, const std::vector<std::string> &values, bool addresses) {
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

std::string netif_value(const NetSetArgs &args, const VeConfig &config) {
    const std::string hwid = host_hwid();
    NetifChange change;
    for (const auto &d : args.netif_del) {
        if (d == "all")
            change.del_all = true;
        else
            change.del.push_back(d);
    }
    for (const auto &a : args.netif_add)
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
        change.modify = m;
    } else if (args.mac || args.host_mac || args.host_ifname || args.bridge) {
        throw Error(VZ_INVALID_PARAMETER_SYNTAX,
                    "--mac, --host_ifname, --host_mac and --bridge need --ifname");
    }
    auto current = parse_netif(config.get_or("NETIF", ""), config.ctid(), hwid);
    return format_netif(apply_netif_change(std::move(current), change));
}

} // namespace

std::map<std::string, std::string> network_changes(const NetSetArgs &args, const VeConfig &config) {
    std::map<std::string, std::string> changes;
    if (!args.ipadd.empty() || !args.ipdel.empty())
        changes["IP_ADDRESS"] = ip_address_value(args, config);
    if (!args.nameserver.empty())
        changes["NAMESERVER"] = dns_list("nameserver", args.nameserver, true);
    if (!args.searchdomain.empty())
        changes["SEARCHDOMAIN"] = dns_list("searchdomain", args.searchdomain, false);
    if (!args.userpasswd.empty())
        changes["USERPW"] = userpasswd_value(args.userpasswd);
    if (!args.netif_add.empty() || !args.netif_del.empty() || args.ifname || args.mac ||
        args.host_mac || args.host_ifname || args.bridge)
        changes["NETIF"] = netif_value(args, config);
    return changes;
}

} // namespace vz::net
