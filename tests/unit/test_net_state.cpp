#define BOOST_TEST_MODULE net_state
#include <boost/test/unit_test.hpp>

#include "vzkit/net/lifecycle.h"
#include "vzkit/net/state.h"
#include "vzkit/net/venet.h"

#include <linux/if.h>
#include <linux/rtnetlink.h>

#include <cstdlib>

using namespace vz::net;

namespace {

LinkInfo link(int index, const char *name, unsigned flags) {
    LinkInfo l;
    l.index = index;
    l.name = name;
    l.flags = flags;
    return l;
}

RouteInfo route(const char *dst, int oif, bool gateway = false) {
    RouteInfo r;
    r.dst = parse_ip(dst);
    r.oif = oif;
    r.has_gateway = gateway;
    r.table = RT_TABLE_MAIN;
    r.type = RTN_UNICAST;
    return r;
}

std::vector<std::string> names(const std::vector<LinkInfo> &links) {
    std::vector<std::string> result;
    for (const auto &l : links)
        result.push_back(l.name);
    return result;
}

// A host with a LAN (eth0), a second network (eth1), a bond slave, a NOARP
// venet host end, a down device and an OpenVZ-style veth.
struct Host {
    std::vector<LinkInfo> links = {
        link(1, "lo", IFF_UP | IFF_LOOPBACK),
        link(2, "eth0", IFF_UP),
        link(3, "eth1", IFF_UP),
        link(4, "eth2", IFF_UP | IFF_SLAVE),
        link(5, "venet0.101", IFF_UP | IFF_NOARP),
        link(6, "eth3", 0),
        link(7, "veth101.0", IFF_UP),
    };
    std::vector<AddrInfo> addrs = {
        {1, parse_ip("127.0.0.1/8"), RT_SCOPE_HOST},
        {2, parse_ip("198.51.100.1/24"), 0},
        {2, parse_ip("2001:db8::1/64"), 0},
        {3, parse_ip("203.0.113.1/24"), 0},
        {4, parse_ip("192.0.2.9/24"), 0},
        {6, parse_ip("192.0.2.8/24"), 0},
        {7, parse_ip("192.0.2.7/24"), 0},
        {5, parse_ip("fe80::1/64"), RT_SCOPE_LINK},
    };
    std::vector<RouteInfo> routes = {
        route("198.51.100.0/24", 2),  route("203.0.113.0/24", 3), route("0.0.0.0/0", 2, true),
        route("198.51.100.77/32", 5), route("2001:db8::/64", 2),
    };
};

} // namespace

BOOST_AUTO_TEST_CASE(candidates_are_openvz_netdevices) {
    Host h;
    BOOST_TEST(names(neighbour_candidates(h.links, h.addrs)) ==
               (std::vector<std::string>{"eth0", "eth1"}));
}

BOOST_AUTO_TEST_CASE(detect_picks_the_device_of_the_connected_subnet) {
    Host h;
    auto pick = [&](const char *ip) {
        return names(neighbour_devs("detect", parse_ip(ip), h.links, h.addrs, h.routes));
    };
    BOOST_TEST(pick("198.51.100.50") == std::vector<std::string>{"eth0"});
    BOOST_TEST(pick("203.0.113.50") == std::vector<std::string>{"eth1"});
    BOOST_TEST(pick("2001:db8::50") == std::vector<std::string>{"eth0"});
    // Only reachable through the gateway: nobody's neighbour.
    BOOST_TEST(pick("192.0.2.50").empty());
}

BOOST_AUTO_TEST_CASE(all_list_and_unknown_values) {
    Host h;
    const auto ip = parse_ip("192.0.2.50");
    BOOST_TEST(names(neighbour_devs("all", ip, h.links, h.addrs, h.routes)) ==
               (std::vector<std::string>{"eth0", "eth1"}));
    BOOST_TEST(names(neighbour_devs("", ip, h.links, h.addrs, h.routes)).size() == 2u);
    BOOST_TEST(names(neighbour_devs("list:eth3 eth1 nosuch", ip, h.links, h.addrs, h.routes)) ==
               (std::vector<std::string>{"eth3", "eth1"}));
    BOOST_TEST(neighbour_devs("list:", ip, h.links, h.addrs, h.routes).empty());
    BOOST_TEST(names(neighbour_devs("bogus", ip, h.links, h.addrs, h.routes)).size() == 2u);
}

BOOST_AUTO_TEST_CASE(records_round_trip_and_garbage_is_refused) {
    NetRecord r;
    r.netns = 4026531840;
    r.proxies = {{2, "eth0", parse_ip("198.51.100.5")}, {2, "eth0", parse_ip("2001:db8::5")}};
    auto text = format_record(r);
    auto back = parse_record(text);
    BOOST_REQUIRE(back.has_value());
    BOOST_TEST(back->netns == r.netns);
    BOOST_TEST(back->proxies.size() == 2u);
    BOOST_TEST(back->proxies[1].ip.address() == "2001:db8::5");
    BOOST_TEST(back->proxies[0].dev == "eth0");
    BOOST_TEST(!parse_record("netns x\n").has_value());
    BOOST_TEST(!parse_record("proxy 2 eth0 not-an-ip\n").has_value());
    BOOST_TEST(!parse_record("something else\n").has_value());
}

BOOST_AUTO_TEST_CASE(state_dir_follows_the_instance) {
    ::unsetenv("VZ_STATEDIR");
    ::setenv("VZ_CONFDIR", "/tmp/vzt3-conf", 1);
    BOOST_TEST(state_dir() == "/tmp/vzt3-conf/state");
    ::setenv("VZ_STATEDIR", "/tmp/vzt3-state", 1);
    BOOST_TEST(state_dir() == "/tmp/vzt3-state");
    ::unsetenv("VZ_STATEDIR");
    ::unsetenv("VZ_CONFDIR");
    BOOST_TEST(state_dir() == "/var/lib/vzctl");
}

BOOST_AUTO_TEST_CASE(venet_host_names_fit_ifnamsiz) {
    BOOST_TEST(venet_host_name(101) == "venet0.101");
    BOOST_TEST(venet_host_name(12345678) == "venet0.12345678");
    BOOST_TEST(venet_host_name(2147483644) == "venet2147483644");
}
