// What vzctl hands the kernel module, and the module ABI, without touching a
// device; tests/host/test_ubc_module_live.cpp checks the hooks on this host.
#define BOOST_TEST_MODULE ubc_module
#include <boost/test/unit_test.hpp>

#include "vzkit/backend/backend.h"
#include "vzkit/base/error.h"
#include "vzkit/backend/device.h"
#include "vzkit/base/ct_config.h"

#include <linux/vzkit.h>

#include <string>

// Which UBCs vzctl start and set hand to the module, and how.
BOOST_AUTO_TEST_CASE(configured_limits_in_resource_order) {
    vz::CtConfig config;
    config.set_override("NUMFILE", "200");
    config.set_override("PHYSPAGES", "0:256M");
    config.set_override("KMEMSIZE", "14372700:14790164");
    config.set_override("DCACHE", "1024:2048"); // the old spelling of DCACHESIZE
    config.set_override("CPUUNITS", "1000");    // not a UBC
    auto limits = vz::kmod::configured_limits(config);
    BOOST_REQUIRE_EQUAL(limits.size(), 4U);
    BOOST_TEST(limits[0].first->kernel_id == UB_KMEMSIZE);
    BOOST_TEST(limits[0].second.barrier == 14372700U);
    BOOST_TEST(limits[0].second.limit == 14790164U);
    BOOST_TEST(limits[1].first->kernel_id == UB_PHYSPAGES);
    BOOST_TEST(limits[1].second.barrier == 0U);
    BOOST_TEST(limits[1].second.limit == 65536U); // pages
    BOOST_TEST(limits[2].first->kernel_id == UB_DCACHESIZE);
    BOOST_TEST(limits[2].second.limit == 2048U);
    BOOST_TEST(limits[3].first->kernel_id == UB_NUMFILE);
    BOOST_TEST(limits[3].second.limit == 200U);
}

BOOST_AUTO_TEST_CASE(a_bad_value_is_refused_with_its_key) {
    vz::CtConfig config;
    config.set_override("NUMTCPSOCK", "10M"); // items take no suffix
    try {
        vz::kmod::configured_limits(config);
        BOOST_FAIL("no error");
    } catch (const vz::Error &e) {
        BOOST_TEST(e.code() == vz::VZ_INVALID_PARAMETER_VALUE);
        BOOST_TEST(std::string(e.what()).find("NUMTCPSOCK") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(abi_matches_openvz_numbering) {
    BOOST_TEST(UB_NUMPROC == 5);
    BOOST_TEST(UB_NUMFILE == 19);
    BOOST_TEST(UB_SWAPPAGES == 24);
    BOOST_TEST(UB_RESOURCES_COMPAT == 24);
    BOOST_TEST(VZCTL_ENV_CREATE == _IOW('.', 5, struct vzctl_env_create));
    BOOST_TEST(sizeof(struct vzctl_env_create) == 12U); // OpenVZ's struct
    BOOST_TEST(sizeof(struct vzkit_ubparm) == 40U);
    BOOST_TEST(sizeof(struct vzctl_getbc) == 16U); // same on 32-bit user space
}
