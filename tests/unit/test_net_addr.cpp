#define BOOST_TEST_MODULE net_addr
#include <boost/test/unit_test.hpp>

#include "vzkit/base/error.h"
#include "vzkit/net/addr.h"

#include <string>

using namespace vz::net;

namespace {

// Runs fn, which must throw vz::Error with code 21 and a message naming value.
template <typename Fn> void expect_bad(Fn fn, const std::string &value) {
    try {
        fn();
        BOOST_FAIL("no error for " + value);
    } catch (const vz::Error &e) {
        BOOST_TEST(e.code() == vz::VZ_INVALID_PARAMETER_VALUE);
        BOOST_TEST(std::string(e.what()).find(value) != std::string::npos, e.what());
    }
}

} // namespace

BOOST_AUTO_TEST_CASE(ipv4_and_ipv6_parse_to_canonical_text) {
    BOOST_TEST(parse_ip("198.51.100.7").text() == "198.51.100.7");
    BOOST_TEST(parse_ip("198.51.100.7/24").text() == "198.51.100.7/24");
    BOOST_TEST(parse_ip("2001:DB8:0:0::1/64").text() == "2001:db8::1/64");
    BOOST_TEST(parse_ip("2001:db8::1").is_v6());
    BOOST_TEST(!parse_ip("203.0.113.1").prefix.has_value());
    BOOST_TEST(parse_ip("203.0.113.1").max_prefix() == 32u);
    BOOST_TEST(parse_ip("2001:db8::1").max_prefix() == 128u);
}

BOOST_AUTO_TEST_CASE(malformed_addresses_and_masks_are_21_naming_the_value) {
    for (const char *bad : {"198.51.100.300", "198.51.100", "198.51.100.1/33", "198.51.100.1/",
                            "198.51.100.1/-1", "198.51.100.1/255.255.255.0", "2001:db8::1/129",
                            "2001:db8:::1", "example.com", "", "1.2.3.4 "})
        expect_bad([&] { parse_ip(bad); }, bad);
}

BOOST_AUTO_TEST_CASE(ip_list_drops_duplicates_and_unspecified_addresses) {
    auto ips = parse_ip_list("198.51.100.1 0.0.0.0 198.51.100.1/24 :: 2001:db8::5");
    BOOST_TEST(format_ip_list(ips) == "198.51.100.1 2001:db8::5");
    expect_bad([] { parse_ip_list("198.51.100.1 nonsense"); }, "nonsense");
}

BOOST_AUTO_TEST_CASE(ip_change_deletes_first_then_adds_and_readding_moves_to_the_end) {
    auto current = parse_ip_list("198.51.100.1 198.51.100.2 198.51.100.3");
    IpChange change;
    change.del = {parse_ip("198.51.100.2")};
    change.add = {parse_ip("198.51.100.1"), parse_ip("203.0.113.9/24")};
    BOOST_TEST(format_ip_list(apply_ip_change(current, change)) ==
               "198.51.100.3 198.51.100.1 203.0.113.9/24");

    IpChange all;
    all.del_all = true;
    all.add = {parse_ip("2001:db8::9")};
    BOOST_TEST(format_ip_list(apply_ip_change(current, all)) == "2001:db8::9");
}

BOOST_AUTO_TEST_CASE(ipv6_is_dropped_when_disabled) {
    auto ips = parse_ip_list("198.51.100.1 2001:db8::1");
    BOOST_TEST(format_ip_list(filter_ipv6(ips, false)) == "198.51.100.1");
    BOOST_TEST(format_ip_list(filter_ipv6(ips, true)) == "198.51.100.1 2001:db8::1");
}

BOOST_AUTO_TEST_CASE(ip_difference_compares_addresses_not_masks) {
    auto a = parse_ip_list("198.51.100.1/24 198.51.100.2");
    auto b = parse_ip_list("198.51.100.1");
    BOOST_TEST(format_ip_list(ip_difference(a, b)) == "198.51.100.2");
}

BOOST_AUTO_TEST_CASE(macs_parse_and_format_in_upper_case) {
    BOOST_TEST(format_mac(parse_mac("00:18:51:ab:cd:ef")) == "00:18:51:AB:CD:EF");
    for (const char *bad :
         {"00:18:51:ab:cd", "00:18:51:ab:cd:eg", "00-18-51-ab-cd-ef", "001851abcdef",
          "01:00:5e:00:00:01", "00:00:00:00:00:00", "00:18:51:ab:cd:ef:00"})
        expect_bad([&] { parse_mac(bad); }, bad);
}

// Expected values computed with OpenVZ's own generate_mac().
BOOST_AUTO_TEST_CASE(generated_macs_match_openvz) {
    const std::string hwid = "52:54:00:12:34:56";
    BOOST_TEST(format_mac(generate_mac(101, "eth0", hwid)) == "00:18:51:B5:A7:E5");
    BOOST_TEST(format_mac(generate_mac(101, "veth101.0", hwid)) == "00:18:51:C2:92:2B");
    BOOST_TEST(format_mac(generate_mac(2320, "eth1", hwid)) == "00:18:51:00:C0:2D");
    BOOST_TEST(format_mac(generate_mac(2320, "veth2320.1", hwid)) == "00:18:51:14:A2:97");
}

BOOST_AUTO_TEST_CASE(interface_names_are_checked) {
    BOOST_TEST(valid_ifname("eth0"));
    BOOST_TEST(valid_ifname("veth2147483.15"));
    for (const char *bad : {"", "a-very-long-name0", "eth/0", "eth:0", "eth 0", ".", "..", "a,b"})
        BOOST_TEST(!valid_ifname(bad), bad);
    expect_bad([] { check_ifname("eth:0", "interface name"); }, "eth:0");
}
