#include "vzkit/net/state.h"

#include "vzkit/base/error.h"
#include "vzkit/base/log.h"
#include "vzkit/net/lifecycle.h"
#include "vzkit/base/util.h"

#include <linux/rtnetlink.h>
#include <net/if.h>

#include <algorithm>
#include <cstdlib>

namespace fs = std::filesystem;

namespace vz::net {
namespace {

fs::path veip_dir() {
    return state_dir() / "veip";
}

// Whether addr (no mask) lies inside net/prefix.
bool covers(const IpAddr &net, unsigned prefix, const IpAddr &addr) {
    if (net.family != addr.family)
        return false;
    for (unsigned bit = 0; bit < prefix; ++bit) {
        const unsigned byte = bit / 8, mask = 0x80u >> (bit % 8);
        if ((net.bytes[byte] & mask) != (addr.bytes[byte] & mask))
            return false;
    }
    return true;
}

bool is_veth_n(const std::string &name) {
    return name.size() > 4 && name.starts_with("veth") &&
           std::isdigit(static_cast<unsigned char>(name[4]));
}

} // namespace

fs::path state_dir() {
    if (const char *dir = std::getenv("VZ_STATEDIR"); dir && *dir)
        return dir;
    if (const char *conf = std::getenv("VZ_CONFDIR"); conf && *conf)
        return fs::path(conf) / "state";
    return "/var/lib/vzctl";
}

std::string format_record(const NetRecord &record) {
    std::string text = "# vzctl: proxy neighbour entries of a running container\n";
    text += "netns " + std::to_string(record.netns) + "\n";
    for (const auto &p : record.proxies)
        text += "proxy " + std::to_string(p.ifindex) + " " + p.dev + " " + p.ip.address() + "\n";
    return text;
}

std::optional<NetRecord> parse_record(std::string_view text) {
    NetRecord record;
    for (const auto &line : split(text, '\n')) {
        auto words = split_ws(line);
        if (words.empty() || words[0].starts_with("#"))
            continue;
        if (words[0] == "netns" && words.size() == 2) {
            auto ino = parse_number<ino_t>(words[1]);
            if (!ino)
                return std::nullopt;
            record.netns = *ino;
        } else if (words[0] == "proxy" && words.size() == 4) {
            auto index = parse_number<int>(words[1]);
            auto ip = try_parse_ip(words[3]);
            if (!index || !ip)
                return std::nullopt;
            record.proxies.push_back({*index, words[2], *ip});
        } else {
            return std::nullopt;
        }
    }
    return record;
}

std::optional<NetRecord> read_record(Ctid ctid) {
    auto text = read_file(veip_dir() / std::to_string(ctid));
    if (!text)
        return std::nullopt;
    auto record = parse_record(*text);
    if (!record)
        log_warning("Ignoring unreadable network record " +
                    (veip_dir() / std::to_string(ctid)).string());
    return record;
}

void write_record(Ctid ctid, const NetRecord &record) {
    std::error_code ec;
    fs::create_directories(veip_dir(), ec);
    if (ec)
        throw Error(VZ_SYSTEM_ERROR,
                    "Unable to create " + veip_dir().string() + ": " + ec.message());
    write_file_atomic(veip_dir() / std::to_string(ctid), format_record(record));
}

void remove_record(Ctid ctid) {
    std::error_code ec;
    fs::remove(veip_dir() / std::to_string(ctid), ec);
}

std::vector<Ctid> recorded_ctids() {
    std::vector<Ctid> result;
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator(veip_dir(), ec)) {
        if (auto id = parse_number<Ctid>(entry.path().filename().string()))
            result.push_back(*id);
    }
    return result;
}

std::vector<LinkInfo> neighbour_candidates(const std::vector<LinkInfo> &links,
                                           const std::vector<AddrInfo> &addrs) {
    std::vector<LinkInfo> result;
    for (const auto &l : links) {
        if (!(l.flags & IFF_UP) || (l.flags & (IFF_LOOPBACK | IFF_NOARP | IFF_SLAVE)) ||
            is_veth_n(l.name))
            continue;
        const bool routable = std::ranges::any_of(addrs, [&](const AddrInfo &a) {
            return a.ifindex == l.index && a.scope < RT_SCOPE_LINK;
        });
        if (routable)
            result.push_back(l);
    }
    return result;
}

std::vector<LinkInfo> neighbour_devs(std::string_view setting, const IpAddr &ip,
                                     const std::vector<LinkInfo> &links,
                                     const std::vector<AddrInfo> &addrs,
                                     const std::vector<RouteInfo> &routes) {
    auto candidates = neighbour_candidates(links, addrs);
    if (setting.starts_with("list:")) {
        std::vector<LinkInfo> result;
        for (const auto &name : split_ws(setting.substr(5))) {
            auto it = std::ranges::find(links, name, &LinkInfo::name);
            if (it == links.end())
                log_warning("NEIGHBOUR_DEVS: no network device " + name);
            else
                result.push_back(*it);
        }
        return result;
    }
    if (setting.empty() || setting == "all")
        return candidates;
    if (setting != "detect") {
        log_warning("Unknown value for NEIGHBOUR_DEVS: " + std::string(setting) +
                    " (detect, all or list:<devices>); assuming all");
        return candidates;
    }
    // The connected route (longest prefix, no gateway) that covers ip.
    const RouteInfo *best = nullptr;
    for (const auto &r : routes) {
        if (r.table != RT_TABLE_MAIN || r.type != RTN_UNICAST || r.has_gateway ||
            r.dst.family != ip.family || r.dst.prefix.value_or(0) == 0)
            continue;
        const unsigned prefix = *r.dst.prefix;
        if (prefix == ip.max_prefix() || !covers(r.dst, prefix, ip))
            continue;
        if (!best || prefix > *best->dst.prefix)
            best = &r;
    }
    if (!best)
        return {};
    std::vector<LinkInfo> result;
    for (const auto &c : candidates) {
        if (c.index == best->oif)
            result.push_back(c);
    }
    return result;
}

} // namespace vz::net
