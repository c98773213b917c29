// The parameter table (vzkit/ct/params.h), walked row by row: every option
// parses with its example, is stored under its key by `vzctl set --save` on a
// stopped container and loads back the same, and is listed in --help.
#define BOOST_TEST_MODULE ct_params
#include "conf_dir.h"

#include "vzkit/ct/params.h"
#include "vzkit/ct/set.h"
#include "vzkit/base/error.h"

#include <boost/test/unit_test.hpp>

#include <set>

using vz::params::Given;

namespace {

constexpr vz::Ctid kCtid = 4242;

// A configuration directory with a stopped container's config.
struct Fixture {
    vztest::ConfDir conf{"vzkit-params"};
    Fixture() { reset_ct_conf(); }
    // The container as each option finds it: one veth, eth0.
    void reset_ct_conf() const {
        conf.write_ct_conf(kCtid, "NETIF=\"ifname=eth0,mac=00:18:51:01:02:03,host_ifname=veth4242.0,"
                                  "host_mac=00:18:51:01:02:04\"\n");
    }
};

using vztest::code_of;

Given with_needs(const vz::params::OptionSpec &option) {
    Given given{{"save", ""}};
    if (!option.needs.empty()) {
        auto [param, needed] = vz::params::find_by_option(option.needs);
        BOOST_REQUIRE(needed != nullptr);
        given.emplace_back(std::string(needed->name), std::string(needed->example));
    }
    given.emplace_back(std::string(option.name), std::string(option.example));
    return given;
}

} // namespace

BOOST_AUTO_TEST_CASE(every_option_parses_saves_loads_back_and_is_in_help) {
    Fixture fixture;
    const std::string help = vz::params::set_help();
    std::size_t walked = 0;
    for (const auto &param : vz::params::all()) {
        for (const auto &option : param.options) {
            BOOST_TEST_CONTEXT("--" << option.name << " " << option.example) {
                BOOST_TEST(help.find("--" + std::string(option.name)) != std::string::npos);
                for (auto alias : option.aliases)
                    BOOST_TEST(help.find("--" + std::string(alias)) != std::string::npos);
                BOOST_TEST(!option.example.empty());

                fixture.reset_ct_conf();
                auto config = vz::CtConfig::load(kCtid);
                const auto request = vz::params::to_changes(with_needs(option), config);
                BOOST_TEST(request.flags.save);
                BOOST_REQUIRE(request.changes.contains(std::string(param.key)));
                const std::string value = request.changes.at(std::string(param.key));
                // An alias means the same as the option.
                for (auto alias : option.aliases) {
                    Given given = with_needs(option);
                    given.back().first = std::string(alias);
                    BOOST_TEST(vz::params::to_changes(given, config).changes.at(
                                   std::string(param.key)) == value);
                }
                if (param.transient) {
                    // Handed to the container, never stored.
                    BOOST_TEST(vz::params::is_transient(param.key));
                    continue;
                }
                vz::set_ct(config, request.changes, request.flags);
                const auto reloaded = vz::CtConfig::load(kCtid);
                BOOST_TEST(reloaded.ct().get(param.key).value_or("<missing>") == value);
                ++walked;
            }
        }
    }
    BOOST_TEST(walked > 40U);
}

BOOST_AUTO_TEST_CASE(set_flags_are_in_help) {
    const std::string help = vz::params::set_help();
    for (const auto &flag : vz::params::set_flags())
        BOOST_TEST(help.find("--" + std::string(flag.name)) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(keys_aliases_and_kinds) {
    BOOST_TEST(vz::params::find_by_key("DCACHE") == vz::params::find_by_key("DCACHESIZE"));
    BOOST_TEST(vz::params::find_by_key("IPTENTRIES") == vz::params::find_by_key("NUMIPTENT"));
    BOOST_TEST(vz::params::find_by_option("ip").second == vz::params::find_by_option("ipadd").second);
    BOOST_TEST(vz::params::is_transient("USERPW"));
    BOOST_TEST(!vz::params::is_transient("HOSTNAME"));
    BOOST_TEST(vz::params::needs_restart("CAPABILITY"));
    BOOST_TEST(vz::params::needs_restart("FEATURES"));
    BOOST_TEST(vz::params::needs_restart("VE_ROOT"));
    BOOST_TEST(!vz::params::needs_restart("PHYSPAGES"));
    BOOST_TEST((vz::params::apply_of("PHYSPAGES") & vz::params::kCgroup) != 0U);
    BOOST_TEST((vz::params::apply_of("PHYSPAGES") & vz::params::kModule) != 0U);
    BOOST_TEST(vz::params::apply_of("KMEMSIZE") == unsigned{vz::params::kModule});
    BOOST_TEST(vz::params::apply_of("ONBOOT") == unsigned{vz::params::kConfigOnly});
    BOOST_TEST(vz::params::apply_of("NO_SUCH_KEY") == unsigned{vz::params::kConfigOnly});
    // Every key once.
    std::set<std::string_view> keys;
    for (const auto &param : vz::params::all())
        BOOST_TEST(keys.insert(param.key).second, param.key);
}

BOOST_AUTO_TEST_CASE(bad_input_gets_openvz_codes) {
    Fixture fixture;
    const auto config = vz::CtConfig::load(kCtid);
    auto code = [&config](Given given) {
        return code_of([&] { vz::params::to_changes(given, config); });
    };
    BOOST_TEST(code({}) == vz::VZ_INVALID_PARAMETER_SYNTAX); // nothing to set
    BOOST_TEST(code({{"save", ""}}) == 0);
    BOOST_TEST(code({{"nosuch", "1"}}) == vz::VZ_INVALID_PARAMETER_SYNTAX);
    BOOST_TEST(code({{"ram", "1G"}, {"ram", "2G"}}) == vz::VZ_INVALID_PARAMETER_SYNTAX);
    BOOST_TEST(code({{"ram", "lots"}}) == vz::VZ_INVALID_PARAMETER_VALUE);
    BOOST_TEST(code({{"cpuunits", "7"}}) == vz::VZ_INVALID_PARAMETER_VALUE);
    BOOST_TEST(code({{"cpuunits", "500001"}}) == vz::VZ_INVALID_PARAMETER_VALUE);
    BOOST_TEST(code({{"cpuunits", "500000"}}) == 0);
    BOOST_TEST(code({{"setmode", "sometimes"}, {"save", ""}}) == vz::VZ_INVALID_PARAMETER_VALUE);
    BOOST_TEST(code({{"onboot", "maybe"}}) == vz::VZ_INVALID_PARAMETER_VALUE);
    BOOST_TEST(code({{"hostname", std::string(65, 'a')}}) == vz::VZ_BADHOSTNAME);
    BOOST_TEST(code({{"name", "web1"}}) == vz::VZ_SET_NAME_ERROR);
    BOOST_TEST(code({{"ostemplate", "debian-12"}}) == vz::VZ_INVALID_PARAMETER_SYNTAX);
    BOOST_TEST(code({{"mac", "00:18:51:0A:0B:0C"}}) == vz::VZ_INVALID_PARAMETER_SYNTAX);
    BOOST_TEST(code({{"ipadd", "300.1.2.3"}}) == vz::VZ_INVALID_PARAMETER_VALUE);
}

BOOST_AUTO_TEST_CASE(values_are_normalised) {
    Fixture fixture;
    const auto config = vz::CtConfig::load(kCtid);
    auto changes = [&config](Given given) { return vz::params::to_changes(given, config).changes; };
    BOOST_TEST(changes({{"ram", "1G"}}).at("PHYSPAGES") == "0:262144");
    BOOST_TEST(changes({{"physpages", "1000"}, {"ram", "4M"}}).at("PHYSPAGES") == "0:1024");
    BOOST_TEST(changes({{"onboot", "YES"}}).at("ONBOOT") == "yes");
    BOOST_TEST(changes({{"devices", "c:10:200:rw,b:8:0:r"}}).at("DEVICES") ==
               "c:10:200:rw b:8:0:r");
    BOOST_TEST(changes({{"devnodes", "none"}}).at("DEVNODES") == "");
    BOOST_TEST(changes({{"ipadd", "198.51.100.2"}, {"ip", "198.51.100.3"}}).at("IP_ADDRESS") ==
               "198.51.100.2 198.51.100.3");
    BOOST_TEST(changes({{"capability", "sys_time:on"}, {"capability", "net_admin:on"}})
                   .at("CAPABILITY")
                   .find("NET_ADMIN:on") != std::string::npos);
}
