#include "vzkit/net/netif.h"

#include "vzkit/base/error.h"
#include "vzkit/base/util.h"

#include <net/if.h>

#include <algorithm>
#include <cctype>

namespace vz::net {
namespace {

[[noreturn]] void bad_netif(std::string_view what) {
    throw Error(VZ_INVALID_PARAMETER_VALUE, "Invalid network interface: " + std::string(what));
}

// sscanf(name, "%*[^0-9]%d"): the number after a non-empty non-digit prefix.
unsigned ifname_index(std::string_view ifname) {
    size_t pos = 0;
    while (pos < ifname.size() && !std::isdigit(static_cast<unsigned char>(ifname[pos])))
        ++pos;
    if (pos == 0 || pos == ifname.size())
        return 0;
    unsigned value = 0;
    for (; pos < ifname.size() && std::isdigit(static_cast<unsigned char>(ifname[pos])); ++pos)
        value = value * 10 + static_cast<unsigned>(ifname[pos] - '0');
    return value;
}

void check_names(const VethIf &dev) {
    check_ifname(dev.ifname, "interface name");
    check_ifname(dev.host_ifname, "host interface name");
    if (!dev.bridge.empty())
        check_ifname(dev.bridge, "bridge name");
}

} // namespace

std::string generate_host_ifname(unsigned ctid, std::string_view ifname) {
    const std::string suffix = std::to_string(ctid) + "." + std::to_string(ifname_index(ifname));
    std::string name = "veth" + suffix;
    return name.size() < IFNAMSIZ ? name : "vz" + suffix;
}

std::vector<VethIf> parse_netif(std::string_view value, unsigned ctid, std::string_view hwid) {
    std::vector<VethIf> result;
    for (const auto &entry : split(value, ';')) {
        if (trim(entry).empty())
            continue;
        VethIf dev;
        std::optional<Mac> mac, host_mac;
        for (const auto &field : split(trim(entry), ',')) {
            auto eq = field.find('=');
            if (eq == std::string::npos)
                bad_netif(entry);
            const std::string key = field.substr(0, eq), val = field.substr(eq + 1);
            if (key == "ifname")
                dev.ifname = val;
            else if (key == "host_ifname")
                dev.host_ifname = val;
            else if (key == "bridge")
                dev.bridge = val;
            else if (key == "mac")
                mac = parse_mac(val);
            else if (key == "host_mac")
                host_mac = parse_mac(val);
            else if (key == "mac_filter" && (val == "on" || val == "off"))
                dev.mac_filter = val == "on";
            else if (key == "mac_filter" && !val.empty())
                bad_netif(entry);
            // Other keys are ignored, as OpenVZ ignores them.
        }
        if (dev.ifname.empty())
            bad_netif(std::string(entry) + " (no ifname)");
        if (dev.host_ifname.empty())
            dev.host_ifname = generate_host_ifname(ctid, dev.ifname);
        dev.mac = mac ? *mac : generate_mac(ctid, dev.host_ifname, hwid);
        dev.host_mac = host_mac ? *host_mac : dev.mac;
        check_names(dev);
        if (std::ranges::none_of(result, [&](const VethIf &o) { return o.ifname == dev.ifname; }))
            result.push_back(std::move(dev));
    }
    return result;
}

std::string format_netif(const std::vector<VethIf> &ifs) {
    std::vector<std::string> entries;
    for (const auto &dev : ifs) {
        std::string e = "ifname=" + dev.ifname;
        if (!dev.bridge.empty())
            e += ",bridge=" + dev.bridge;
        e += ",mac=" + format_mac(dev.mac) + ",host_ifname=" + dev.host_ifname +
             ",host_mac=" + format_mac(dev.host_mac);
        if (dev.mac_filter)
            e += std::string(",mac_filter=") + (*dev.mac_filter ? "on" : "off");
        entries.push_back(std::move(e));
    }
    return join(entries, ";");
}

VethIf parse_netif_add(std::string_view arg, unsigned ctid, std::string_view hwid) {
    auto fields = split(arg, ',', false);
    if (fields.empty() || fields.size() > 5 || fields[0].empty())
        bad_netif(arg);
    auto field = [&fields](size_t i) { return i < fields.size() ? fields[i] : std::string(); };
    VethIf dev;
    dev.ifname = fields[0];
    dev.host_ifname = field(2).empty() ? generate_host_ifname(ctid, dev.ifname) : field(2);
    dev.mac = field(1).empty() ? generate_mac(ctid, dev.ifname, hwid) : parse_mac(field(1));
    // OpenVZ copies the container's MAC when the argument ends right after
    // the MAC or a given host_ifname, and generates one otherwise.
    const bool copy_mac = fields.size() == 2 || (fields.size() == 3 && !field(2).empty());
    if (!field(3).empty())
        dev.host_mac = parse_mac(field(3));
    else
        dev.host_mac = copy_mac ? dev.mac : generate_mac(ctid, dev.host_ifname, hwid);
    dev.bridge = field(4);
    check_names(dev);
    return dev;
}

std::vector<VethIf> apply_netif_change(std::vector<VethIf> current, const NetifChange &change) {
    if (change.del_all)
        current.clear();
    for (const auto &name : change.del) {
        if (std::erase_if(current, [&](const VethIf &d) { return d.ifname == name; }) == 0)
            throw Error(VZ_INVALID_PARAMETER_VALUE, "Network interface " + name + " not found");
    }
    for (const auto &dev : change.add) {
        for (const auto &o : current) {
            if (o.ifname == dev.ifname || o.host_ifname == dev.host_ifname)
                throw Error(VZ_INVALID_PARAMETER_VALUE, "Network interface " + dev.ifname +
                                                            " (host " + dev.host_ifname +
                                                            ") already exists");
        }
        current.push_back(dev);
    }
    if (change.modify) {
        const auto &m = *change.modify;
        auto it = std::ranges::find(current, m.ifname, &VethIf::ifname);
        if (it == current.end())
            throw Error(VZ_INVALID_PARAMETER_VALUE, "Network interface " + m.ifname + " not found");
        if (m.mac)
            it->mac = *m.mac;
        if (m.host_mac)
            it->host_mac = *m.host_mac;
        if (m.host_ifname) {
            check_ifname(*m.host_ifname, "host interface name");
            it->host_ifname = *m.host_ifname;
        }
        if (m.bridge) {
            if (!m.bridge->empty())
                check_ifname(*m.bridge, "bridge name");
            it->bridge = *m.bridge;
        }
        if (m.mac_filter)
            it->mac_filter = m.mac_filter;
    }
    return current;
}

} // namespace vz::net
