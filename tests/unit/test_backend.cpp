#define BOOST_TEST_MODULE backend
#include <boost/test/unit_test.hpp>

#include "temp_dir.h"

#include "vzkit/backend/backend.h"
#include "vzkit/base/error.h"
#include "vzkit/backend/device.h"
#include "vzkit/base/ct_config.h"

#include <linux/vzkit.h>

#include <fstream>

namespace {

bool module_here() {
    std::error_code ec;
    return std::filesystem::exists(VZKIT_DEVICE, ec);
}

// Leaves backend() probing again, whatever a test set.
struct ResetBackend {
    ~ResetBackend() { vz::set_backend(nullptr); }
};

} // namespace

// Which backend a device path gives; the paths stand in for /dev/vzctl.
BOOST_AUTO_TEST_CASE(no_device_means_cgroups_alone) {
    vztest::TempDir dir;
    BOOST_TEST(vz::probe_backend(dir.path / "vzctl").name == "cgroup");
}

BOOST_AUTO_TEST_CASE(a_device_that_opens_means_the_module) {
    vztest::TempDir dir;
    std::ofstream(dir.path / "vzctl") << "";
    BOOST_TEST(&vz::probe_backend(dir.path / "vzctl") == &vz::kModuleBackend);
}

// A device that is there but refuses us is still the module: its operations
// then fail with VZ_BAD_KERNEL as they did before the choice existed.
BOOST_AUTO_TEST_CASE(a_device_that_refuses_us_is_still_the_module) {
    vztest::TempDir dir;
    std::filesystem::create_directory(dir.path / "vzctl"); // EISDIR
    BOOST_TEST(&vz::probe_backend(dir.path / "vzctl") == &vz::kModuleBackend);
    try {
        vz::kmod::Device::open(dir.path / "vzctl");
        BOOST_FAIL("no error");
    } catch (const vz::Error &e) {
        BOOST_TEST(e.code() == vz::VZ_BAD_KERNEL);
    }
}

BOOST_AUTO_TEST_CASE(the_host_probe_matches_dev_vzctl) {
    BOOST_TEST(&vz::probe_backend() == &vz::probe_backend(VZKIT_DEVICE));
    if (!module_here())
        BOOST_TEST(&vz::probe_backend() == &vz::kCgroupBackend);
}

BOOST_AUTO_TEST_CASE(backend_is_chosen_once_and_can_be_overridden) {
    ResetBackend reset;
    const vz::Backend &first = vz::backend();
    BOOST_TEST(&first == &vz::probe_backend());
    BOOST_TEST(&vz::backend() == &first); // the same object every time
    vz::set_backend(&vz::kCgroupBackend);
    BOOST_TEST(vz::backend().name == "cgroup");
    vz::set_backend(&vz::kModuleBackend);
    BOOST_TEST(vz::backend().name == "module");
    vz::set_backend(nullptr);
    BOOST_TEST(&vz::backend() == &first);
}

BOOST_AUTO_TEST_CASE(cgroups_alone_register_nothing_and_keep_no_beancounter) {
    vz::CtConfig config;
    config.set_override("NUMFILE", "200");
    BOOST_CHECK_NO_THROW(vz::kCgroupBackend.detach(4001));
    BOOST_CHECK_NO_THROW(vz::kCgroupBackend.apply_limits(config, {"NUMFILE"}));
    BOOST_TEST(!vz::kCgroupBackend.read_counters(4001));
    BOOST_TEST(!vz::kCgroupBackend.accounts_every_ubc);
    BOOST_TEST(vz::kModuleBackend.accounts_every_ubc);
}

// The module backend on a host without the module (this host cannot load
// modules; the VM scenarios cover the loaded case): nothing to do.
BOOST_AUTO_TEST_CASE(the_module_backend_without_the_module_does_nothing) {
    if (module_here()) {
        BOOST_TEST_MESSAGE("the vzkit module is loaded here: skipping the no-module checks");
        return;
    }
    BOOST_TEST(!vz::kmod::Device::shared());
    vz::CtConfig config;
    config.set_override("NUMFILE", "200");
    BOOST_CHECK_NO_THROW(vz::kModuleBackend.detach(4001));
    BOOST_CHECK_NO_THROW(vz::kModuleBackend.apply_limits(config, {"NUMFILE"}));
    BOOST_TEST(!vz::kModuleBackend.read_counters(4001)); // no /proc/bc
}
