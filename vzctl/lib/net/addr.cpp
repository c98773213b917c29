#include "vzkit/net/addr.h"

#include "vzkit/base/error.h"
#include "vzkit/base/log.h"
#include "vzkit/base/util.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>

namespace vz::net {
namespace {

// What a try_parse_* found, or Error(VZ_INVALID_PARAMETER_VALUE, "Invalid <what>: <text>").
template <typename T>
T parsed_or_throw(std::optional<T> value, std::string_view what, std::string_view text) {
    if (!value)
        throw Error(VZ_INVALID_PARAMETER_VALUE,
                    "Invalid " + std::string(what) + ": " + std::string(text));
    return *value;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    c = static_cast<char>(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

} // namespace

bool IpAddr::is_v6() const {
    return family == AF_INET6;
}

std::string IpAddr::address() const {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(family, bytes.data(), buf, sizeof(buf));
    return buf;
}

std::string IpAddr::text() const {
    return prefix ? address() + "/" + std::to_string(*prefix) : address();
}

std::optional<IpAddr> try_parse_ip(std::string_view text) {
    IpAddr ip;
    auto slash = text.find('/');
    std::string addr(text.substr(0, slash));
    if (addr.find(':') != std::string::npos)
        ip.family = AF_INET6;
    else
        ip.family = AF_INET;
    if (inet_pton(ip.family, addr.c_str(), ip.bytes.data()) != 1)
        return std::nullopt;
    if (slash != std::string_view::npos) {
        auto mask = text.substr(slash + 1);
        auto value = parse_number<unsigned>(mask);
        if (!value || *value > ip.max_prefix())
            return std::nullopt;
        ip.prefix = *value;
    }
    return ip;
}

IpAddr parse_ip(std::string_view text) {
    return parsed_or_throw(try_parse_ip(text), "IP address", text);
}

bool is_unspecified(const IpAddr &ip) {
    return std::ranges::all_of(ip.bytes, [](auto b) { return b == 0; });
}

std::vector<IpAddr> parse_ip_list(std::string_view value) {
    std::vector<IpAddr> result;
    for (const auto &word : split_ws(value)) {
        IpAddr ip = parse_ip(word);
        if (is_unspecified(ip))
            continue;
        if (std::ranges::none_of(result, [&](const IpAddr &o) { return o.same_address(ip); }))
            result.push_back(ip);
    }
    return result;
}

std::string format_ip_list(const std::vector<IpAddr> &ips) {
    std::vector<std::string> words;
    for (const auto &ip : ips)
        words.push_back(ip.text());
    return join(words, " ");
}

std::vector<IpAddr> ip_difference(const std::vector<IpAddr> &a, const std::vector<IpAddr> &b) {
    std::vector<IpAddr> result;
    for (const auto &ip : a) {
        if (std::ranges::none_of(b, [&](const IpAddr &o) { return o.same_address(ip); }))
            result.push_back(ip);
    }
    return result;
}

std::vector<IpAddr> apply_ip_change(const std::vector<IpAddr> &current, const IpChange &change) {
    std::vector<IpAddr> result =
        change.del_all ? std::vector<IpAddr>{} : ip_difference(current, change.del);
    for (const auto &ip : change.add) {
        if (is_unspecified(ip))
            continue;
        std::erase_if(result, [&](const IpAddr &o) { return o.same_address(ip); });
        result.push_back(ip);
    }
    return result;
}

std::vector<IpAddr> filter_ipv6(std::vector<IpAddr> ips, bool ipv6_enabled) {
    if (ipv6_enabled)
        return ips;
    if (std::erase_if(ips, [](const IpAddr &ip) { return ip.is_v6(); }) > 0)
        log_warning("IPv6 support is disabled (IPV6=no): IPv6 addresses skipped");
    return ips;
}

std::optional<Mac> try_parse_mac(std::string_view text) {
    Mac mac{};
    if (text.size() != 17)
        return std::nullopt;
    for (size_t i = 0; i < 6; ++i) {
        int hi = hex_digit(text[i * 3]), lo = hex_digit(text[i * 3 + 1]);
        if (hi < 0 || lo < 0 || (i < 5 && text[i * 3 + 2] != ':'))
            return std::nullopt;
        mac[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    if ((mac[0] & 1) != 0 || std::ranges::all_of(mac, [](auto b) { return b == 0; }))
        return std::nullopt;
    return mac;
}

Mac parse_mac(std::string_view text) {
    return parsed_or_throw(try_parse_mac(text), "MAC address", text);
}

std::string format_mac(const Mac &mac) {
    char buf[18];
    std::snprintf(buf, sizeof(buf), "%02X:%02X:%02X:%02X:%02X:%02X", mac[0], mac[1], mac[2], mac[3],
                  mac[4], mac[5]);
    return buf;
}

Mac generate_mac(unsigned ctid, std::string_view dev_name, std::string_view hwid) {
    // The exact arithmetic of OpenVZ's MAC generation, quirks included (the hash also
    // reads the trailing space, and the last byte is hash >> 15), so a NETIF
    // written by OpenVZ and one generated here agree.
    constexpr std::uint32_t kOui = 0x001851;
    const std::string data =
        std::string(dev_name) + ":" + std::to_string(ctid) + ":" + std::string(hwid) + " ";
    std::uint32_t hash = ctid;
    for (size_t i = 0; i + 1 < data.size(); ++i) {
        hash += static_cast<std::uint32_t>(static_cast<signed char>(data[i]));
        std::uint32_t tmp =
            (static_cast<std::uint32_t>(static_cast<signed char>(data[i + 1])) << 11) ^ hash;
        hash = (hash << 16) ^ tmp;
        hash += hash >> 11;
    }
    hash ^= hash << 3;
    hash += hash >> 5;
    hash ^= hash << 4;
    hash += hash >> 17;
    hash ^= hash << 25;
    hash += hash >> 6;
    return {static_cast<std::uint8_t>(kOui >> 15), static_cast<std::uint8_t>(kOui >> 8),
            static_cast<std::uint8_t>(kOui),       static_cast<std::uint8_t>(hash),
            static_cast<std::uint8_t>(hash >> 8),  static_cast<std::uint8_t>(hash >> 15)};
}

bool valid_ifname(std::string_view name) {
    if (name.empty() || name.size() >= IFNAMSIZ || name == "." || name == "..")
        return false;
    return std::ranges::none_of(name, [](char c) {
        return c == '/' || c == ':' || c == ',' || c == ';' || c == '=' ||
               std::isspace(static_cast<unsigned char>(c)) ||
               !std::isprint(static_cast<unsigned char>(c));
    });
}

void check_ifname(std::string_view name, std::string_view what) {
    if (!valid_ifname(name))
        throw Error(VZ_INVALID_PARAMETER_VALUE,
                    "Invalid " + std::string(what) + ": '" + std::string(name) +
                        "' (1-15 characters, no '/', ':', ',', ';', '=' or spaces)");
}

} // namespace vz::net
