// The device rule grammar of vz::Cgroup (DEVICES=, DEVNODES=): parsing only,
// no group is made. The live cgroup cases are tests/host/test_cgroup.cpp.
#define BOOST_TEST_MODULE test_cgroup_devices
#include <boost/test/unit_test.hpp>

#include "vzkit/cgroup/cgroup.h"
#include "vzkit/base/error.h"

#include <sys/stat.h>

#include <vector>

namespace {

using vz::DeviceRule;

auto has_code(int code) {
    return [code](const vz::Error &e) { return e.code() == code; };
}

} // namespace

BOOST_AUTO_TEST_SUITE(device_rules)

BOOST_AUTO_TEST_CASE(defaults_are_the_openvz_whitelist) {
    const std::vector<DeviceRule> expected = {
        {'c', 1, 3, "rwm"}, {'c', 1, 5, "rwm"},   {'c', 1, 7, "rwm"},   {'c', 1, 8, "rwm"},
        {'c', 1, 9, "rwm"}, {'c', 5, 0, "rwm"},   {'c', 5, 2, "rwm"},   {'c', 136, -1, "rwm"},
        {'c', -1, -1, "m"}, {'b', -1, -1, "m"},
    };
    BOOST_TEST((vz::default_device_rules() == expected));
}

BOOST_AUTO_TEST_CASE(parse_devices_accepts_openvz_syntax) {
    const std::vector<DeviceRule> expected = {
        {'c', 10, 200, "rw"}, {'b', 8, 0, "r"}, {'a', -1, -1, "rw"}, {'c', 4, -1, "w"}};
    BOOST_TEST((vz::parse_devices("c:10:200:rw b:8:0:r all:rw c:4:all:wq") == expected));
    BOOST_TEST(vz::parse_devices("none").empty());
    BOOST_TEST(vz::parse_devices("").empty());
    // q alone grants nothing the kernel knows about
    BOOST_TEST(vz::parse_devices("c:10:200:q").empty());
}

BOOST_AUTO_TEST_CASE(parse_devices_refuses_bad_entries) {
    for (const char *bad : {"b:7:0:rw", "c:7:all:r", "x:1:2:r", "c:1:2:rx", "c:a:2:r", "c:1:2",
                            "c:1:2:", "c:4096:0:r", "all"})
        BOOST_CHECK_EXCEPTION(vz::parse_devices(bad), vz::Error,
                              has_code(vz::VZ_INVALID_PARAMETER_VALUE));
}

BOOST_AUTO_TEST_CASE(parse_devnodes_uses_the_host_node) {
    auto nodes = vz::parse_devnodes("null:rwq");
    BOOST_TEST_REQUIRE(nodes.size() == 1U);
    BOOST_TEST(nodes[0].name == "null");
    BOOST_TEST((nodes[0].rule == DeviceRule{'c', 1, 3, "rw"}));
    BOOST_TEST(S_ISCHR(nodes[0].mode));
    BOOST_TEST(vz::parse_devnodes("none").empty());
    for (const char *bad :
         {"no-such-node-here:rw", "../etc/passwd:r", "/dev/null:r", "pts:rw", "null:rx", "null"})
        BOOST_CHECK_EXCEPTION(vz::parse_devnodes(bad), vz::Error,
                              has_code(vz::VZ_INVALID_PARAMETER_VALUE));
}

BOOST_AUTO_TEST_CASE(rules_from_config_are_defaults_devices_then_nodes) {
    vz::CtConfig config;
    config.set_override("DEVICES", "c:10:200:rw");
    const auto nodes = vz::parse_devnodes("null:r");
    auto expected = vz::default_device_rules();
    expected.push_back({'c', 10, 200, "rw"});
    expected.push_back({'c', 1, 3, "r"});
    BOOST_TEST((vz::device_rules_from_config(config, nodes) == expected));
    BOOST_TEST((vz::device_rules_from_config(vz::CtConfig(), {}) == vz::default_device_rules()));
    config.set_override("DEVICES", "b:7:0:rw");
    BOOST_CHECK_EXCEPTION(vz::device_rules_from_config(config, {}), vz::Error,
                          has_code(vz::VZ_INVALID_PARAMETER_VALUE));
}

BOOST_AUTO_TEST_SUITE_END()
