// The module hooks against this host's /dev: without the module every hook
// is a no-op. The pure parts are tests/unit/test_ubc_module.cpp.
#define BOOST_TEST_MODULE ubc_module_live
#include <boost/test/unit_test.hpp>

#include "vzkit/backend/backend.h"
#include "vzkit/backend/device.h"
#include "vzkit/base/ct_config.h"

#include <linux/vzkit.h>

#include <filesystem>

// On a machine without the module (this host cannot load modules; the VM
// scenarios cover the loaded case) every lifecycle hook is a no-op.
BOOST_AUTO_TEST_CASE(without_the_module_nothing_happens) {
    std::error_code ec;
    if (std::filesystem::exists(VZKIT_DEVICE, ec)) {
        BOOST_TEST_MESSAGE("the vzkit module is loaded here: skipping the no-module checks");
        return;
    }
    BOOST_TEST(!vz::kmod::Device::open());
    BOOST_TEST(vz::backend().name == "cgroup");
    BOOST_TEST(!vz::backend().accounts_every_ubc);
    vz::CtConfig config;
    config.set_override("NUMFILE", "200");
    BOOST_CHECK_NO_THROW(vz::backend().detach(4001));
    BOOST_CHECK_NO_THROW(vz::backend().apply_limits(config, {"NUMFILE"}));
}
