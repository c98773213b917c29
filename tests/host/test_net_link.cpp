// net::Rtnl against the running kernel, in a network namespace of the test's
// own (unshared at start, so nothing of the host's network is touched):
// devices, addresses, routes, the route the kernel picks, proxy entries, and
// what each operation says when the object is already there or gone.
#define BOOST_TEST_MODULE net_link
#include <boost/test/unit_test.hpp>

#include "vzkit/base/error.h"
#include "vzkit/base/exit_codes.h"
#include "vzkit/net/link.h"
#include "vzkit/net/venet.h"

#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>

using namespace vz;
using namespace vz::net;

namespace {

struct OwnNetns {
    OwnNetns() {
        if (unshare(CLONE_NEWNET) != 0)
            throw std::runtime_error("unshare(CLONE_NEWNET) failed: the host tests need root");
    }
};
BOOST_TEST_GLOBAL_FIXTURE(OwnNetns);

const Mac kHostMac = {0x02, 0, 0, 0, 0x10, 0x01};
const Mac kPeerMac = {0x02, 0, 0, 0, 0x10, 0x02};

// A pair "lan0"/"lan1", up, with 198.51.100.1/24 on lan0: a LAN and its
// connected route.
void make_lan(Rtnl &rtnl) {
    if (rtnl.link("lan0"))
        return;
    rtnl.create_veth({"lan0", kHostMac, "lan1", kPeerMac, -1, false}, VZ_SYSTEM_ERROR);
    Rtnl::LinkChange up;
    up.up = true;
    rtnl.change_link("lan0", up, VZ_SYSTEM_ERROR);
    rtnl.change_link("lan1", up, VZ_SYSTEM_ERROR);
    const int lan0 = rtnl.link("lan0")->index;
    BOOST_REQUIRE(rtnl.add_address(lan0, parse_ip("198.51.100.1/24"), VZ_SYSTEM_ERROR));
}

} // namespace

BOOST_AUTO_TEST_CASE(devices_by_name_and_index) {
    Rtnl rtnl;
    make_lan(rtnl);
    auto lan0 = rtnl.link("lan0");
    BOOST_REQUIRE(lan0);
    BOOST_TEST(lan0->kind == "veth");
    BOOST_TEST((lan0->flags & IFF_UP) != 0u);
    BOOST_REQUIRE(lan0->mac);
    BOOST_TEST(format_mac(*lan0->mac) == format_mac(kHostMac));
    auto same = rtnl.link(lan0->index);
    BOOST_REQUIRE(same);
    BOOST_TEST(same->name == "lan0");
    BOOST_TEST(!rtnl.link("nosuch0"));
    BOOST_TEST(!rtnl.link("a-name-longer-than-fifteen"));
    BOOST_TEST(!rtnl.link(999999));
    const auto all = rtnl.links();
    BOOST_TEST(std::ranges::count(all, std::string("lan1"), &LinkInfo::name) == 1);
    BOOST_TEST(std::ranges::count(all, std::string("lo"), &LinkInfo::name) == 1);
}

BOOST_AUTO_TEST_CASE(creating_an_existing_pair_names_the_kernels_reason) {
    Rtnl rtnl;
    make_lan(rtnl);
    try {
        rtnl.create_veth({"lan0", kHostMac, "lan9", kPeerMac, -1, false}, VZ_VETH_ERROR);
        BOOST_FAIL("a second lan0 was created");
    } catch (const vz::Error &e) {
        BOOST_TEST(e.code() == VZ_VETH_ERROR);
        BOOST_TEST(std::string(e.what()).find("lan0/lan9") != std::string::npos);
        BOOST_TEST(std::string(e.what()).find(std::strerror(EEXIST)) != std::string::npos);
    }
    rtnl.delete_link("nosuch0", VZ_SYSTEM_ERROR); // gone already: not an error
    Rtnl::LinkChange up;
    up.up = true;
    BOOST_CHECK_THROW(rtnl.change_link("nosuch0", up, VZ_NETDEV_ERROR), vz::Error);
}

BOOST_AUTO_TEST_CASE(addresses_filtered_by_family_and_device) {
    Rtnl rtnl;
    make_lan(rtnl);
    const int lan0 = rtnl.link("lan0")->index;
    BOOST_TEST(!rtnl.add_address(lan0, parse_ip("198.51.100.1/24"), VZ_SYSTEM_ERROR)); // EEXIST
    const auto v4 = rtnl.addresses(AF_INET, lan0);
    BOOST_REQUIRE(v4.size() == 1u);
    BOOST_TEST(v4[0].ip.text() == "198.51.100.1/24");
    BOOST_TEST(v4[0].ifindex == lan0);
    for (const auto &a : rtnl.addresses(AF_INET))
        BOOST_TEST(a.ip.family == AF_INET);
    const auto lo = rtnl.link("lo")->index;
    BOOST_TEST(rtnl.addresses(AF_INET, lo).empty()); // lo is down in a new namespace
    BOOST_TEST(rtnl.delete_address(lan0, parse_ip("198.51.100.7/24"), VZ_SYSTEM_ERROR) == false);
}

BOOST_AUTO_TEST_CASE(host_routes_and_the_route_the_kernel_picks) {
    Rtnl rtnl;
    make_lan(rtnl);
    const int lan0 = rtnl.link("lan0")->index;
    const int lan1 = rtnl.link("lan1")->index;
    const IpAddr ct = parse_ip("198.51.100.20");

    // Before a host route: the connected /24 of lan0.
    auto r = rtnl.route_to(ct);
    BOOST_REQUIRE(r);
    BOOST_TEST(*r->dst.prefix == 24u);
    BOOST_TEST(r->oif == lan0);
    BOOST_TEST(r->table == RT_TABLE_MAIN);
    BOOST_TEST(!r->has_gateway);

    BOOST_TEST(rtnl.add_device_route(lan1, ct, 32, VZ_SYSTEM_ERROR));
    BOOST_TEST(!rtnl.add_device_route(lan1, ct, 32, VZ_SYSTEM_ERROR)); // exclusive: EEXIST
    r = rtnl.route_to(ct);
    BOOST_REQUIRE(r);
    BOOST_TEST(*r->dst.prefix == 32u);
    BOOST_TEST(r->dst.same_address(ct));
    BOOST_TEST(r->oif == lan1);
    const auto routes = rtnl.routes(AF_INET);
    BOOST_TEST(std::ranges::count_if(routes, [&](const RouteInfo &x) {
                   return x.dst.same_address(ct) && x.oif == lan1;
               }) == 1);

    // The in-use check: free for the route's own device, taken for another.
    check_ip_free(rtnl, ct, lan1);
    try {
        check_ip_free(rtnl, ct, lan0);
        BOOST_FAIL("an address with another device's host route was free");
    } catch (const vz::Error &e) {
        BOOST_TEST(e.code() == VZ_IP_INUSE);
        BOOST_TEST(std::string(e.what()).find("a route via lan1") != std::string::npos);
    }
    try {
        check_ip_free(rtnl, parse_ip("198.51.100.1"), -1);
        BOOST_FAIL("the host's own address was free");
    } catch (const vz::Error &e) {
        BOOST_TEST(std::string(e.what()).find("by the host") != std::string::npos);
    }
    check_ip_free(rtnl, parse_ip("198.51.100.21"), -1);

    BOOST_TEST(rtnl.delete_device_route(lan1, ct, 32, VZ_SYSTEM_ERROR));
    BOOST_TEST(!rtnl.delete_device_route(lan1, ct, 32, VZ_SYSTEM_ERROR)); // gone
    BOOST_TEST(!rtnl.route_to(parse_ip("203.0.113.5")));                  // no default route here
}

BOOST_AUTO_TEST_CASE(ipv6_routes_and_proxy_entries) {
    Rtnl rtnl;
    make_lan(rtnl);
    const int lan0 = rtnl.link("lan0")->index;
    const int lan1 = rtnl.link("lan1")->index;
    BOOST_TEST(rtnl.add_address(lan0, parse_ip("2001:db8::1/64"), VZ_SYSTEM_ERROR));
    const IpAddr ct = parse_ip("2001:db8::20");
    auto r = rtnl.route_to(ct);
    BOOST_REQUIRE(r);
    BOOST_TEST(*r->dst.prefix == 64u);
    BOOST_TEST(r->oif == lan0);
    BOOST_TEST(rtnl.add_device_route(lan1, ct, 128, VZ_SYSTEM_ERROR));
    r = rtnl.route_to(ct);
    BOOST_REQUIRE(r);
    BOOST_TEST(*r->dst.prefix == 128u);
    BOOST_TEST(r->oif == lan1);
    BOOST_TEST(rtnl.delete_device_route(lan1, ct, 128, VZ_SYSTEM_ERROR));

    BOOST_TEST(rtnl.add_proxy_neighbour(lan0, parse_ip("198.51.100.30"), VZ_SYSTEM_ERROR));
    BOOST_TEST(rtnl.add_proxy_neighbour(lan0, parse_ip("198.51.100.30"), VZ_SYSTEM_ERROR));
    BOOST_TEST(rtnl.delete_proxy_neighbour(lan0, parse_ip("198.51.100.30"), VZ_SYSTEM_ERROR));
    BOOST_TEST(!rtnl.delete_proxy_neighbour(lan0, parse_ip("198.51.100.30"), VZ_SYSTEM_ERROR));
}

// A device moved into another namespace, and a socket made there.
BOOST_AUTO_TEST_CASE(moving_a_device_and_a_socket_in_another_namespace) {
    Rtnl rtnl;
    rtnl.create_veth({"mv0", kHostMac, "mv1", kPeerMac, -1, false}, VZ_SYSTEM_ERROR);
    const pid_t self = getpid();
    vz::UniqueFd here = open_netns(self);
    // A second namespace, entered and left by a child that only holds it.
    int ready[2];
    BOOST_REQUIRE(pipe(ready) == 0);
    const pid_t child = fork();
    if (child == 0) {
        if (unshare(CLONE_NEWNET) != 0)
            _exit(1);
        char c = 'x';
        if (write(ready[1], &c, 1) != 1)
            _exit(1);
        pause();
        _exit(0);
    }
    close(ready[1]);
    char c;
    BOOST_REQUIRE(read(ready[0], &c, 1) == 1);
    close(ready[0]);
    vz::UniqueFd there = open_netns(child);
    rtnl.move_link("mv1", there.get(), VZ_SYSTEM_ERROR);
    BOOST_TEST(!rtnl.link("mv1"));
    {
        Rtnl other(there.get());
        BOOST_TEST(other.link("mv1").has_value());
        BOOST_TEST(!other.link("mv0"));
    }
    BOOST_TEST(current_netns_inode() != 0u);
    BOOST_TEST(rtnl.link("mv0").has_value()); // the caller is back in its own
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    rtnl.delete_link("mv0", VZ_SYSTEM_ERROR);
}
