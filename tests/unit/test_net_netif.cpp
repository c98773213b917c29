#define BOOST_TEST_MODULE net_netif
#include <boost/test/unit_test.hpp>

#include "vzkit/base/error.h"
#include "vzkit/net/netif.h"

using namespace vz::net;

namespace {
const std::string kHwid = "52:54:00:12:34:56";

int error_code(auto fn) {
    try {
        fn();
    } catch (const vz::Error &e) {
        return e.code();
    }
    return 0;
}
} // namespace

BOOST_AUTO_TEST_CASE(host_names_follow_openvz) {
    BOOST_TEST(generate_host_ifname(101, "eth0") == "veth101.0");
    BOOST_TEST(generate_host_ifname(101, "eth12") == "veth101.12");
    BOOST_TEST(generate_host_ifname(101, "wan") == "veth101.0");
    BOOST_TEST(generate_host_ifname(101, "0eth") == "veth101.0");
    // veth2147483644.0 would not fit IFNAMSIZ.
    BOOST_TEST(generate_host_ifname(2147483644, "eth0") == "vz2147483644.0");
}

BOOST_AUTO_TEST_CASE(netif_add_with_only_a_name_generates_everything) {
    auto dev = parse_netif_add("eth0", 101, kHwid);
    BOOST_TEST(dev.host_ifname == "veth101.0");
    BOOST_TEST(format_mac(dev.mac) == format_mac(generate_mac(101, "eth0", kHwid)));
    BOOST_TEST(format_mac(dev.host_mac) == format_mac(generate_mac(101, "veth101.0", kHwid)));
    BOOST_TEST(dev.bridge.empty());
}

BOOST_AUTO_TEST_CASE(netif_add_positional_fields) {
    auto dev = parse_netif_add("eth1,00:18:51:00:00:01,vzt3h1,00:18:51:00:00:02,vzt3br0", 7, kHwid);
    BOOST_TEST(dev.ifname == "eth1");
    BOOST_TEST(format_mac(dev.mac) == "00:18:51:00:00:01");
    BOOST_TEST(dev.host_ifname == "vzt3h1");
    BOOST_TEST(format_mac(dev.host_mac) == "00:18:51:00:00:02");
    BOOST_TEST(dev.bridge == "vzt3br0");
    // Ending after the MAC or a given host name: the host end copies the MAC.
    auto copy = parse_netif_add("eth1,00:18:51:00:00:01", 7, kHwid);
    BOOST_TEST(format_mac(copy.host_mac) == "00:18:51:00:00:01");
    auto copy2 = parse_netif_add("eth1,00:18:51:00:00:01,h1", 7, kHwid);
    BOOST_TEST(format_mac(copy2.host_mac) == "00:18:51:00:00:01");
    // Empty fields are generated, the bridge taken.
    auto gen = parse_netif_add("eth1,,,,vzt3br0", 7, kHwid);
    BOOST_TEST(gen.host_ifname == "veth7.1");
    BOOST_TEST(format_mac(gen.host_mac) == format_mac(generate_mac(7, "veth7.1", kHwid)));
    BOOST_TEST(gen.bridge == "vzt3br0");
}

BOOST_AUTO_TEST_CASE(netif_add_rejects_bad_values_with_21) {
    for (const char *bad :
         {"", ",00:18:51:00:00:01", "eth0,00:18:51:00:00", "eth0,,host:0", "eth0,,,,br/0",
          "eth0,,,zz:18:51:00:00:01", "eth0,a,b,c,d,e", "an-interface-name-too-long"})
        BOOST_TEST(error_code([&] { parse_netif_add(bad, 1, kHwid); }) ==
                       vz::VZ_INVALID_PARAMETER_VALUE,
                   bad);
}

BOOST_AUTO_TEST_CASE(netif_config_round_trips_in_openvz_order) {
    const std::string value =
        "ifname=eth0,bridge=vmbr0,mac=00:18:51:AA:BB:CC,host_ifname=veth101.0,"
        "host_mac=00:18:51:DD:EE:FF;ifname=eth1,mac=00:18:51:00:00:01,host_ifname=veth101.1,"
        "host_mac=00:18:51:00:00:02,mac_filter=off";
    auto ifs = parse_netif(value, 101, kHwid);
    BOOST_TEST(ifs.size() == 2u);
    BOOST_TEST(ifs[0].bridge == "vmbr0");
    BOOST_TEST((ifs[1].mac_filter == std::optional<bool>(false)));
    BOOST_TEST(format_netif(ifs) == value);
}

BOOST_AUTO_TEST_CASE(netif_config_fills_in_like_openvz_reading_its_config) {
    auto ifs = parse_netif("ifname=eth3", 55, kHwid);
    BOOST_TEST(ifs[0].host_ifname == "veth55.3");
    // OpenVZ derives the container's MAC from the host-side name here.
    BOOST_TEST(format_mac(ifs[0].mac) == format_mac(generate_mac(55, "veth55.3", kHwid)));
    BOOST_TEST(format_mac(ifs[0].host_mac) == format_mac(ifs[0].mac));
    BOOST_TEST(error_code([] { parse_netif("bridge=vmbr0", 1, kHwid); }) ==
               vz::VZ_INVALID_PARAMETER_VALUE);
    BOOST_TEST(error_code([] { parse_netif("ifname=eth0,mac=bad", 1, kHwid); }) ==
               vz::VZ_INVALID_PARAMETER_VALUE);
}

BOOST_AUTO_TEST_CASE(netif_changes) {
    auto current = parse_netif("ifname=eth0;ifname=eth1", 9, kHwid);
    NetifChange del;
    del.del = {"eth0"};
    BOOST_TEST(apply_netif_change(current, del).size() == 1u);
    NetifChange add;
    add.add = {parse_netif_add("eth1", 9, kHwid)};
    BOOST_TEST(error_code([&] { apply_netif_change(current, add); }) ==
               vz::VZ_INVALID_PARAMETER_VALUE);
    NetifChange modify;
    modify.modify = VethModify{"eth1", parse_mac("00:18:51:00:00:09"), std::string("vzt3x"),
                               std::nullopt, std::string("vzt3br0"), true};
    auto changed = apply_netif_change(current, modify);
    BOOST_TEST((changed[1].mac_filter && *changed[1].mac_filter));
    BOOST_TEST(changed[1].host_ifname == "vzt3x");
    BOOST_TEST(changed[1].bridge == "vzt3br0");
    BOOST_TEST(format_mac(changed[1].mac) == "00:18:51:00:00:09");
    NetifChange unknown;
    unknown.del = {"eth7"};
    BOOST_TEST(error_code([&] { apply_netif_change(current, unknown); }) ==
               vz::VZ_INVALID_PARAMETER_VALUE);
    NetifChange all;
    all.del_all = true;
    BOOST_TEST(apply_netif_change(current, all).empty());
}
