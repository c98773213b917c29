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
    BOOST_TEST(!vz::kCgroupBackend.allow_ugid_quota(4001, "/"));
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
    BOOST_TEST(!vz::kModuleBackend.allow_ugid_quota(4001, "/"));
}

BOOST_AUTO_TEST_CASE(meminfo_grammar) {
    using vz::kmod::parse_meminfo;
    BOOST_TEST(parse_meminfo("none")->meminfo_mode == VZKIT_MEMINFO_NONE);
    auto pages = parse_meminfo("pages:65536");
    BOOST_TEST(pages->meminfo_mode == VZKIT_MEMINFO_PAGES);
    BOOST_TEST(pages->meminfo_val == 65536U);
    auto priv = parse_meminfo("privvmpages:2");
    BOOST_TEST(priv->meminfo_mode == VZKIT_MEMINFO_PRIVVMPAGES);
    BOOST_TEST(priv->meminfo_val == 2U);
    for (const char *bad : {"", "pages", "pages:", "pages:0", "pages:-1", "pages:1x", "ram:5",
                            "None", "privvmpages:0"})
        BOOST_TEST(!parse_meminfo(bad), bad);
}

// The CPU count a container sees: min(CPUS, CPULIMIT / 100 rounded up).
BOOST_AUTO_TEST_CASE(view_of_a_config) {
    auto cpus = [](std::initializer_list<std::pair<const char *, const char *>> keys) {
        vz::CtConfig config;
        for (const auto &[key, value] : keys)
            config.set_override(key, value);
        return vz::kmod::view_of(config).cpus;
    };
    BOOST_TEST(cpus({}) == 0U);
    BOOST_TEST(cpus({{"CPUS", "2"}}) == 2U);
    BOOST_TEST(cpus({{"CPULIMIT", "250"}}) == 3U);
    BOOST_TEST(cpus({{"CPULIMIT", "50"}}) == 1U);
    BOOST_TEST(cpus({{"CPUS", "4"}, {"CPULIMIT", "150"}}) == 2U);
    BOOST_TEST(cpus({{"CPUS", "1"}, {"CPULIMIT", "400"}}) == 1U);
    BOOST_TEST(cpus({{"CPUS", "0"}, {"CPULIMIT", "0"}}) == 0U);
    vz::CtConfig config;
    BOOST_TEST(vz::kmod::view_of(config).meminfo_mode == VZKIT_MEMINFO_CGROUP);
    config.set_override("MEMINFO", "pages:100");
    BOOST_TEST(vz::kmod::view_of(config).meminfo_val == 100U);
    config.set_override("MEMINFO", "bogus");
    BOOST_CHECK_THROW(vz::kmod::view_of(config), vz::Error);
}
