#define BOOST_TEST_MODULE vzsplit
#include <boost/test/unit_test.hpp>

#include "vzkit/ubc/ubc.h"
#include "vzkit/ubc/proc.h"
#include "vzkit/ubc/tools.h"

#include <map>
#include <string>

using namespace vz::ubc;

namespace {

constexpr std::uint64_t GiB = 1ULL << 30;

ConfigLookup lookup(const std::map<std::string, std::string, std::less<>> &config) {
    return [&config](std::string_view key) -> std::optional<std::string> {
        auto it = config.find(key);
        return it != config.end() ? std::optional(it->second) : std::nullopt;
    };
}

std::map<std::string, std::string, std::less<>> split_config(unsigned n, std::uint64_t ram) {
    SplitInput in;
    in.host = {ram, 2 * GiB, ram};
    in.containers = n;
    std::map<std::string, std::string, std::less<>> out;
    for (const auto &[key, value] : split(in))
        out[key] = value;
    return out;
}

bool has_error(const std::vector<Finding> &findings) {
    for (const auto &f : findings)
        if (f.severity == Severity::Error)
            return true;
    return false;
}

} // namespace

BOOST_AUTO_TEST_CASE(meminfo) {
    auto host = parse_meminfo("MemTotal:       2048000 kB\nMemFree: 1 kB\nSwapTotal:  1024 kB\n");
    BOOST_REQUIRE(host);
    BOOST_TEST(host->ram == 2048000ULL * 1024);
    BOOST_TEST(host->swap == 1024ULL * 1024);
    BOOST_TEST(host->lowmem == host->ram);
    BOOST_TEST(!parse_meminfo("SwapTotal: 1 kB\n"));
}

BOOST_AUTO_TEST_CASE(split_divides_the_host_and_passes_validation) {
    for (unsigned n : {1U, 2U, 10U, 100U, 1000U}) {
        for (std::uint64_t ram : {1 * GiB, 24 * GiB}) {
            auto config = split_config(n, ram);
            auto phys = parse_value(config.at("PHYSPAGES"), Unit::Pages);
            BOOST_REQUIRE(phys);
            BOOST_TEST(phys->barrier == 0U);
            BOOST_TEST(phys->limit == ram / n / kPageSize);
            BOOST_TEST(parse_value(config.at("SWAPPAGES"), Unit::Pages)->limit ==
                       2 * GiB / n / kPageSize);
            BOOST_TEST(!has_error(validate(lookup(config))), "n=" << n << " ram=" << ram);
        }
    }
    // More containers, smaller shares.
    auto a = parse_value(split_config(2, 8 * GiB).at("NUMPROC"), Unit::Items);
    auto b = parse_value(split_config(20, 8 * GiB).at("NUMPROC"), Unit::Items);
    BOOST_TEST(a->barrier > b->barrier);
}

BOOST_AUTO_TEST_CASE(validate_rules) {
    std::map<std::string, std::string, std::less<>> config = {
        {"NUMPROC", "100"},
        {"KMEMSIZE", "1000000:1100000"}, // < 40K * 100 / 2 (no AVNUMPROC: half of NUMPROC)
        {"NUMTCPSOCK", "100"},
        {"TCPSNDBUF", "1000000:1100000"}, // gap 100000 < 2.5K * 100
        {"TCPRCVBUF", "1000000:1300000"},
        {"NUMFILE", "200:100"},
        {"PHYSPAGES", "10:65536"},
    };
    auto findings = validate(lookup(config));
    auto find = [&](std::string_view text) {
        for (const auto &f : findings)
            if (f.message.find(text) != std::string::npos)
                return &f;
        return static_cast<const Finding *>(nullptr);
    };
    BOOST_REQUIRE(find("KMEMSIZE.barrier"));
    BOOST_TEST(find("KMEMSIZE.barrier")->fix->second == "2048000:2252800");
    BOOST_REQUIRE(find("TCPSNDBUF.limit"));
    BOOST_TEST(find("TCPSNDBUF.limit")->fix->second == "1000000:1256000");
    BOOST_TEST(!find("TCPRCVBUF.limit"));
    BOOST_REQUIRE(find("NUMFILE: barrier 200 is above the limit 100"));
    BOOST_TEST((find("PHYSPAGES.barrier is ignored")->severity == Severity::Warning));
    BOOST_TEST(find("SWAPPAGES is not set"));
    BOOST_TEST(has_error(findings));
    // Applying every fix leaves no error.
    for (const auto &f : findings)
        if (f.fix)
            config[f.fix->first] = f.fix->second;
    BOOST_TEST(!has_error(validate(lookup(config))));
    config["NUMPROC"] = "lots";
    BOOST_TEST(has_error(validate(lookup(config))));
}

// OpenVZ checks KMEMSIZE against AVNUMPROC, the processes a container
// averages, as its ve-light sample has it (AVNUMPROC 15 of NUMPROC 40).
BOOST_AUTO_TEST_CASE(validate_kmemsize_by_avnumproc) {
    std::map<std::string, std::string, std::less<>> config = {
        {"AVNUMPROC", "15:15"},
        {"NUMPROC", "40:40"},
        {"KMEMSIZE", "1740800:1847296"}, // >= 40K * 15 + 196608, < 40K * 40 + 196608
        {"DCACHESIZE", "196608:202752"},
    };
    BOOST_TEST(!has_error(validate(lookup(config))));
    config["AVNUMPROC"] = "40:40";
    BOOST_TEST(has_error(validate(lookup(config))));
    config["AVNUMPROC"] = "many";
    BOOST_TEST(has_error(validate(lookup(config))));
    config.erase("AVNUMPROC"); // half of NUMPROC: 20
    BOOST_TEST(!has_error(validate(lookup(config))));
}

BOOST_AUTO_TEST_CASE(memory_use_and_calc) {
    const HostMemory host{4 * GiB, 4 * GiB, 4 * GiB};
    Beancounter bc{101, {}};
    bc.rows = {
        {"kmemsize", 4 * 1024 * 1024, 0, 0, 40 * 1024 * 1024, 0},
        {"physpages", 262144, 0, 0, 262144, 0}, // 1 GiB used, 1 GiB RAM
        {"swappages", 0, 0, 0, 262144, 0},
        {"privvmpages", 131072, 0, 524288, kUnlimited, 0},
        {"numproc", 50, 0, 100, 100, 0},
    };
    auto u = memory_use(bc, host);
    BOOST_TEST(u.ram_util == 0.25, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(u.memswap_util == 0.125, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(u.memswap_commit == 0.25, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(u.alloc_commit == 0.25, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(u.alloc_limit == 0.0); // unlimited promises nothing measurable
    auto rows = calc(bc, host, 1000);
    BOOST_REQUIRE_EQUAL(rows.size(), 6U);
    BOOST_TEST(rows[0].resource == "Memory");
    BOOST_TEST(rows[0].current == 25.0, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(rows[5].resource == "Num. Proc");
    BOOST_TEST(rows[5].current == 5.0, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(rows[5].promised == 10.0, boost::test_tools::tolerance(1e-9));
    MemoryUse total;
    total += u;
    total += u;
    BOOST_TEST(total.ram_util == 0.5, boost::test_tools::tolerance(1e-9));
}
