#define BOOST_TEST_MODULE cgroup_limits
#include <boost/test/unit_test.hpp>

#include "temp_dir.h"

#include "vzkit/ubc/cgroup_limits.h"
#include "vzkit/backend/backend.h"
#include "vzkit/cgroup/cgroup.h"
#include "vzkit/ct/views.h"
#include "vzkit/base/error.h"
#include "vzkit/base/ct_config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <set>
#include <string>
#include <utility>

namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t MiB = 1024 * 1024;
constexpr std::uint64_t GiB = 1024 * MiB;

vz::CgroupLimits limits_of(std::initializer_list<std::pair<const char *, const char *>> values) {
    vz::CtConfig config;
    for (const auto &[key, value] : values)
        config.set_override(key, value);
    return vz::cgroup_limits_from_config(config);
}

// The message of the Error that mapping this config throws, or "" if none.
std::string error_of(std::initializer_list<std::pair<const char *, const char *>> values) {
    try {
        limits_of(values);
    } catch (const vz::Error &e) {
        BOOST_TEST(e.code() == vz::VZ_INVALID_PARAMETER_VALUE);
        return e.what();
    }
    return "";
}

} // namespace

BOOST_AUTO_TEST_CASE(empty_config_limits_nothing) {
    auto l = limits_of({});
    BOOST_TEST(!l.memory_bytes.has_value());
    BOOST_TEST(!l.swap_bytes.has_value());
    BOOST_TEST(!l.pids.has_value());
    BOOST_TEST(!l.cpuunits.has_value());
    BOOST_TEST(!l.cpulimit_percent.has_value());
    BOOST_TEST(!l.cpuset_cpus.has_value());
}

BOOST_AUTO_TEST_CASE(memory_and_swap_from_pages) {
    auto l = limits_of({{"PHYSPAGES", "0:262144"}, {"SWAPPAGES", "0:256M"}});
    BOOST_TEST(l.memory_bytes.value() == GiB);
    BOOST_TEST(l.swap_bytes.value() == 256 * MiB);

    l = limits_of({{"PHYSPAGES", "unlimited"}, {"SWAPPAGES", "0:unlimited"}});
    BOOST_TEST(!l.memory_bytes.has_value());
    BOOST_TEST(!l.swap_bytes.has_value());

    // The limit, not the barrier, is what the cgroup enforces.
    l = limits_of({{"PHYSPAGES", "1000:2000"}});
    BOOST_TEST(l.memory_bytes.value() == 2000u * 4096u);

    // Also below a higher barrier (OpenVZ accepts that pair; libvirt's memtune
    // sends it).
    l = limits_of({{"PHYSPAGES", "unlimited:2000"}});
    BOOST_TEST(l.memory_bytes.value() == 2000u * 4096u);
}

BOOST_AUTO_TEST_CASE(numproc_to_pids) {
    BOOST_TEST(limits_of({{"NUMPROC", "100:200"}}).pids.value() == 200u);
    BOOST_TEST(limits_of({{"NUMPROC", "240"}}).pids.value() == 240u);
    BOOST_TEST(!limits_of({{"NUMPROC", "unlimited"}}).pids.has_value());
    BOOST_TEST(error_of({{"NUMPROC", "1K"}}) == "Invalid value for NUMPROC: 1K");
}

BOOST_AUTO_TEST_CASE(cpuunits_range) {
    BOOST_TEST(limits_of({{"CPUUNITS", "1000"}}).cpuunits.value() == 1000u);
    BOOST_TEST(limits_of({{"CPUUNITS", "8"}}).cpuunits.value() == 8u);
    BOOST_TEST(limits_of({{"CPUUNITS", "500000"}}).cpuunits.value() == 500000u);
    BOOST_TEST(error_of({{"CPUUNITS", "7"}}) == "Invalid value for CPUUNITS: 7");
    BOOST_TEST(error_of({{"CPUUNITS", "500001"}}) == "Invalid value for CPUUNITS: 500001");
    BOOST_TEST(error_of({{"CPUUNITS", "abc"}}) == "Invalid value for CPUUNITS: abc");
    BOOST_TEST(error_of({{"CPUUNITS", "-1000"}}) == "Invalid value for CPUUNITS: -1000");
}

BOOST_AUTO_TEST_CASE(cpuunits_bounds_are_openvz_s) {
    BOOST_TEST(vz::kCpuUnitsMin == 8u);
    BOOST_TEST(vz::kCpuUnitsMax == 500000u);
    BOOST_TEST(!vz::valid_cpuunits(7));
    BOOST_TEST(vz::valid_cpuunits(8));
    BOOST_TEST(vz::valid_cpuunits(500000));
    BOOST_TEST(!vz::valid_cpuunits(500001));
}

BOOST_AUTO_TEST_CASE(cpulimit_and_cpus) {
    BOOST_TEST(limits_of({{"CPULIMIT", "50"}}).cpulimit_percent.value() == 50u);
    BOOST_TEST(!limits_of({{"CPULIMIT", "0"}}).cpulimit_percent.has_value());
    BOOST_TEST(limits_of({{"CPUS", "2"}}).cpulimit_percent.value() == 200u);
    BOOST_TEST(!limits_of({{"CPUS", "0"}}).cpulimit_percent.has_value());
    BOOST_TEST(limits_of({{"CPULIMIT", "150"}, {"CPUS", "1"}}).cpulimit_percent.value() == 100u);
    BOOST_TEST(limits_of({{"CPULIMIT", "150"}, {"CPUS", "4"}}).cpulimit_percent.value() == 150u);
    BOOST_TEST(limits_of({{"CPULIMIT", "0"}, {"CPUS", "3"}}).cpulimit_percent.value() == 300u);
    BOOST_TEST(error_of({{"CPULIMIT", "50%"}}) == "Invalid value for CPULIMIT: 50%");
    BOOST_TEST(error_of({{"CPUS", "two"}}) == "Invalid value for CPUS: two");
}

BOOST_AUTO_TEST_CASE(cpumask_lists) {
    BOOST_TEST(!limits_of({{"CPUMASK", "all"}}).cpuset_cpus.has_value());
    BOOST_TEST(limits_of({{"CPUMASK", "0-2,7"}}).cpuset_cpus.value() == "0-2,7");
    BOOST_TEST(limits_of({{"CPUMASK", "7,2,0,1"}}).cpuset_cpus.value() == "0-2,7");
    BOOST_TEST(limits_of({{"CPUMASK", "3"}}).cpuset_cpus.value() == "3");
    BOOST_TEST(limits_of({{"CPUMASK", "0-3,2-5"}}).cpuset_cpus.value() == "0-5");
    BOOST_TEST(limits_of({{"CPUMASK", "4-4"}}).cpuset_cpus.value() == "4");
    BOOST_TEST(error_of({{"CPUMASK", "3-1"}}) == "Invalid value for CPUMASK: 3-1");
    BOOST_TEST(error_of({{"CPUMASK", "a"}}) == "Invalid value for CPUMASK: a");
    BOOST_TEST(error_of({{"CPUMASK", "1,"}}) == "Invalid value for CPUMASK: 1,");
    BOOST_TEST(error_of({{"CPUMASK", "1-"}}) == "Invalid value for CPUMASK: 1-");
    BOOST_TEST(error_of({{"CPUMASK", "-1"}}) == "Invalid value for CPUMASK: -1");
}

BOOST_AUTO_TEST_CASE(bad_ubc_value_names_the_key) {
    BOOST_TEST(error_of({{"PHYSPAGES", "garbage"}}) == "Invalid value for PHYSPAGES: garbage");
    BOOST_TEST(error_of({{"SWAPPAGES", "2:x"}}) == "Invalid value for SWAPPAGES: 2:x");
}

BOOST_AUTO_TEST_CASE(read_through_config_files) {
    vztest::TempDir scratch("vzkit-cgl");
    const fs::path dir = scratch.path;
    fs::create_directories(dir / "conf");
    std::ofstream(dir / "vz.conf") << "NUMPROC=\"unlimited\"\nCPUUNITS=1000\n";
    std::ofstream(dir / "conf" / "101.conf") << "PHYSPAGES=\"0:512M\"\nNUMPROC=\"400\"\n";
    ::setenv("VZ_CONFDIR", dir.c_str(), 1);
    auto config = vz::CtConfig::load(101);
    ::unsetenv("VZ_CONFDIR");
    config.set_override("CPUS", "2");
    auto l = vz::cgroup_limits_from_config(config);
    BOOST_TEST(l.memory_bytes.value() == 512 * MiB);
    BOOST_TEST(l.pids.value() == 400u);
    BOOST_TEST(l.cpuunits.value() == 1000u);
    BOOST_TEST(l.cpulimit_percent.value() == 200u);
}

// Without the module, CPUS pins: N = min(CPUS, ceil(CPULIMIT / 100)), the
// module's rule for what nproc shows (docs/containers.md, "Processors").
BOOST_AUTO_TEST_CASE(cpus_pin_only_without_the_module) {
    auto pin_of = [](std::initializer_list<std::pair<const char *, const char *>> keys) {
        vz::CtConfig config;
        for (const auto &[key, value] : keys)
            config.set_override(key, value);
        return vz::ct_cgroup_limits(config).pin_cpus;
    };
    vz::set_backend(&vz::kCgroupBackend);
    BOOST_TEST(pin_of({{"CPUS", "2"}}).value() == 2u);
    BOOST_TEST(pin_of({{"CPULIMIT", "250"}}).value() == 3u);
    BOOST_TEST(pin_of({{"CPULIMIT", "50"}}).value() == 1u);
    BOOST_TEST(pin_of({{"CPUS", "4"}, {"CPULIMIT", "150"}}).value() == 2u);
    BOOST_TEST(!pin_of({{"CPUS", "0"}}).has_value());
    BOOST_TEST(!pin_of({}).has_value());
    vz::set_backend(&vz::kModuleBackend);
    BOOST_TEST(!pin_of({{"CPUS", "2"}}).has_value());
    vz::set_backend(nullptr);
}

BOOST_AUTO_TEST_CASE(least_used_cpus_spread_the_pinned) {
    const std::set<unsigned> all = {0, 1, 2, 3};
    using Sets = std::vector<std::set<unsigned>>;
    BOOST_TEST((vz::least_used_cpus(all, {}, 1) == std::set<unsigned>{0}));
    BOOST_TEST((vz::least_used_cpus(all, Sets{{0}}, 1) == std::set<unsigned>{1}));
    BOOST_TEST((vz::least_used_cpus(all, Sets{{0}, {1}, {0, 2}}, 2) == std::set<unsigned>{1, 3}));
    BOOST_TEST((vz::least_used_cpus(all, Sets{{0, 1, 2, 3}}, 2) == std::set<unsigned>{0, 1}));
    // CPUs outside the allowed ones (another CPUMASK) are not candidates.
    BOOST_TEST((vz::least_used_cpus({2, 3}, Sets{{2}, {0}}, 1) == std::set<unsigned>{3}));
    BOOST_TEST((vz::least_used_cpus(all, {}, 4) == all));
    BOOST_TEST((vz::least_used_cpus(all, {}, 9) == all));
}
