// CPU lists (vzkit/base/cpu_list.h): what CPUMASK/NODEMASK and the cpuset
// files hold, parsed and printed by one pair for both the config and the
// cgroup layer.
#define BOOST_TEST_MODULE cpu_list
#include <boost/test/unit_test.hpp>

#include "vzkit/base/cpu_list.h"

#include <set>

using vz::CpuRange;

BOOST_AUTO_TEST_CASE(ranges_are_read_as_written) {
    const auto r = vz::parse_cpu_ranges("7,0-1,2");
    BOOST_REQUIRE(r);
    BOOST_TEST((*r == std::vector<CpuRange>{{7, 7}, {0, 1}, {2, 2}}));
    BOOST_TEST((vz::parse_cpu_ranges(" 3 ")->front() == CpuRange{3, 3}));
    BOOST_TEST(vz::parse_cpu_ranges("")->empty());
}

BOOST_AUTO_TEST_CASE(malformed_lists_are_refused) {
    for (const char *bad : {"2-1", "a", "1-", "-1", "1,,2", "0x1", "1-2-3", "4294967296"})
        BOOST_TEST(!vz::parse_cpu_ranges(bad), bad);
    BOOST_TEST(vz::expand_cpu_list("5-1").empty());
}

BOOST_AUTO_TEST_CASE(printed_sorted_and_merged) {
    BOOST_TEST(vz::format_cpu_ranges({{7, 7}, {0, 1}, {2, 2}}) == "0-2,7");
    BOOST_TEST(vz::format_cpu_ranges({{0, 4}, {2, 3}, {5, 5}}) == "0-5");
    BOOST_TEST(vz::format_cpu_ranges({}) == "");
    BOOST_TEST(vz::format_cpu_set({0, 1, 2, 5}) == "0-2,5");
    BOOST_TEST(vz::format_cpu_set({}) == "");
}

BOOST_AUTO_TEST_CASE(expanded_cpu_by_cpu_within_a_span) {
    BOOST_TEST((vz::expand_cpu_list("0-2,5") == std::set<unsigned>{0, 1, 2, 5}));
    BOOST_TEST(vz::expand_cpu_list("0-4096").size() == 4097U);
    // A cpuset file never spans more; a list that does is not expanded.
    BOOST_TEST(vz::expand_cpu_list("0-4097").empty());
    BOOST_TEST(vz::expand_cpu_list("0-4294967295").empty());
}
