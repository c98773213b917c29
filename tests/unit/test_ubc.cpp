#define BOOST_TEST_MODULE ubc
#include <boost/test/unit_test.hpp>

#include "vzkit/ubc/ubc.h"

#include <set>
#include <string>
#include <vector>

using namespace vz::ubc;

namespace {

constexpr std::uint64_t KiB = 1024;
constexpr std::uint64_t MiB = KiB * 1024;
constexpr std::uint64_t GiB = MiB * 1024;
constexpr std::uint64_t TiB = GiB * 1024;

struct Case {
    const char *text;
    std::optional<std::uint64_t> expected;
};

void check(Unit unit, const std::vector<Case> &cases) {
    for (const Case &c : cases) {
        auto got = parse_number(c.text, unit);
        BOOST_TEST(got.has_value() == c.expected.has_value(), "'" << c.text << "'");
        if (got && c.expected)
            BOOST_TEST(*got == *c.expected, "'" << c.text << "'");
    }
}

} // namespace

BOOST_AUTO_TEST_CASE(table_has_all_21_resources_in_kernel_order) {
    auto table = resources();
    BOOST_REQUIRE_EQUAL(table.size(), 21u);
    const std::vector<std::pair<std::string, int>> expected = {
        {"kmemsize", 0},      {"lockedpages", 1}, {"privvmpages", 2},   {"shmpages", 3},
        {"numproc", 5},       {"physpages", 6},   {"vmguarpages", 7},   {"oomguarpages", 8},
        {"numtcpsock", 9},    {"numflock", 10},   {"numpty", 11},       {"numsiginfo", 12},
        {"tcpsndbuf", 13},    {"tcprcvbuf", 14},  {"othersockbuf", 15}, {"dgramrcvbuf", 16},
        {"numothersock", 17}, {"dcachesize", 18}, {"numfile", 19},      {"numiptent", 23},
        {"swappages", 24},
    };
    std::set<std::string_view> keys;
    for (std::size_t i = 0; i < table.size(); ++i) {
        BOOST_TEST(table[i].name == expected[i].first);
        BOOST_TEST(table[i].kernel_id == expected[i].second);
        BOOST_TEST(table[i].option == table[i].name);
        keys.insert(table[i].key);
    }
    BOOST_TEST(keys.size() == 21u);
}

BOOST_AUTO_TEST_CASE(units_and_headers) {
    BOOST_TEST((find_resource_by_name("kmemsize")->unit == Unit::Bytes));
    BOOST_TEST((find_resource_by_name("dcachesize")->unit == Unit::Bytes));
    BOOST_TEST((find_resource_by_name("physpages")->unit == Unit::Pages));
    BOOST_TEST((find_resource_by_name("swappages")->unit == Unit::Pages));
    BOOST_TEST((find_resource_by_name("numproc")->unit == Unit::Items));
    BOOST_TEST((find_resource_by_name("numiptent")->unit == Unit::Items));
    BOOST_TEST(find_resource_by_name("numproc")->header == "NPROC");
    BOOST_TEST(find_resource_by_name("othersockbuf")->header == "OTHSOCKB");
    BOOST_TEST(find_resource_by_name("swappages")->header == "SWAPP");
    BOOST_TEST(find_resource_by_name("kmemsize")->key == "KMEMSIZE");
    BOOST_TEST(find_resource_by_name("NUMPROC") == nullptr);
    BOOST_TEST(find_resource_by_name("avnumproc") == nullptr);
}

BOOST_AUTO_TEST_CASE(lookup_by_key_and_alias) {
    BOOST_TEST(find_resource_by_key("NUMPROC")->name == "numproc");
    BOOST_TEST(find_resource_by_key("DCACHESIZE")->name == "dcachesize");
    BOOST_TEST(find_resource_by_key("DCACHE")->name == "dcachesize");
    BOOST_TEST(find_resource_by_key("IPTENTRIES")->name == "numiptent");
    BOOST_TEST(find_resource_by_key("NUMIPTENT")->name == "numiptent");
    BOOST_TEST(find_resource_by_key("numproc") == nullptr);
    BOOST_TEST(find_resource_by_key("NOPE") == nullptr);
}

BOOST_AUTO_TEST_CASE(bytes_grammar) {
    check(Unit::Bytes, {
                           {"0", 0},
                           {"100", 100},
                           {"1K", KiB},
                           {"1k", KiB},
                           {"2M", 2 * MiB},
                           {"3g", 3 * GiB},
                           {"1T", TiB},
                           {"10P", 10 * 4096},
                           {"10p", 10 * 4096},
                           {"5B", 5},
                           {"5b", 5},
                           {"2.2G", 2362232012ULL}, // floor(2.2 × 2^30), as OpenVZ truncates
                           {"0.5K", 512},
                           {"1.5", 1},
                           {"unlimited", kUnlimited},
                           {"UNLIMITED", kUnlimited},
                           {"9223372036854775807", kUnlimited},
                           {"9223372036854775808", std::nullopt}, // above LONG_MAX: rejected
                           {"18446744073709551616", std::nullopt},
                           {"8388608T", std::nullopt}, // 2^63 bytes
                           {"8388607T", 8388607ULL * TiB},
                           {"9999999999999999999.5G", std::nullopt},
                           {"-1", std::nullopt},
                           {"-1K", std::nullopt},
                           {"", std::nullopt},
                           {"K", std::nullopt},
                           {"1X", std::nullopt},
                           {"1KB", std::nullopt},
                           {"1.2.3", std::nullopt},
                           {" 1", std::nullopt},
                           {"1 ", std::nullopt},
                           {"+1", std::nullopt},
                           {"unlimitedK", std::nullopt},
                       });
}

BOOST_AUTO_TEST_CASE(pages_grammar) {
    check(Unit::Pages, {
                           {"100", 100},
                           {"256M", 65536},
                           {"256m", 65536},
                           {"1G", 262144},
                           {"4096B", 1},
                           {"8191B", 1},
                           {"1K", 0},
                           {"10P", 10},
                           {"2.2G", 576716}, // floor(2.2 × 2^30 / 4096)
                           {"1.5", 1},
                           {"unlimited", kUnlimited},
                           {"9223372036854775807", kUnlimited},
                           {"9223372036854775808", std::nullopt},
                           {"-5", std::nullopt},
                           {"1Q", std::nullopt},
                       });
}

BOOST_AUTO_TEST_CASE(items_reject_suffixes) {
    check(Unit::Items, {
                           {"100", 100},
                           {"0", 0},
                           {"unlimited", kUnlimited},
                           {"1K", std::nullopt},
                           {"1M", std::nullopt},
                           {"1P", std::nullopt},
                           {"1B", std::nullopt},
                           {"1G", std::nullopt},
                           {"1T", std::nullopt},
                           {"-1", std::nullopt},
                       });
}

BOOST_AUTO_TEST_CASE(barrier_and_limit) {
    BOOST_TEST((parse_value("1:2", Unit::Items).value() == Value{1, 2}));
    BOOST_TEST((parse_value("5", Unit::Items).value() == Value{5, 5}));
    BOOST_TEST((parse_value("3:3", Unit::Items).value() == Value{3, 3}));
    BOOST_TEST((parse_value("0:unlimited", Unit::Pages).value() == Value{0, kUnlimited}));
    BOOST_TEST((parse_value("unlimited", Unit::Bytes).value() == Value{kUnlimited, kUnlimited}));
    BOOST_TEST((parse_value("256M:512M", Unit::Pages).value() == Value{65536, 131072}));
    BOOST_TEST((parse_value("1K:2K", Unit::Bytes).value() == Value{1024, 2048}));
    // A barrier above the limit parses, as OpenVZ's parse_twoul_sfx (libvirt's
    // memtune sends "<unlimited>:<limit>").
    BOOST_TEST((parse_value("2:1", Unit::Items).value() == Value{2, 1}));
    BOOST_TEST((parse_value("unlimited:1", Unit::Items).value() == Value{kUnlimited, 1}));
    BOOST_TEST((parse_value("9223372036854775807:65536", Unit::Pages).value() ==
                Value{kUnlimited, 65536}));
    BOOST_TEST(!parse_value("1:", Unit::Items).has_value());
    BOOST_TEST(!parse_value(":1", Unit::Items).has_value());
    BOOST_TEST(!parse_value("1:2:3", Unit::Items).has_value());
    BOOST_TEST(!parse_value("", Unit::Items).has_value());
    BOOST_TEST(!parse_value("1K:2K", Unit::Items).has_value());
    BOOST_TEST(!parse_value("1:-2", Unit::Items).has_value());
}

BOOST_AUTO_TEST_CASE(format_values) {
    BOOST_TEST(format_value({5, 5}) == "5");
    BOOST_TEST(format_value({1, 2}) == "1:2");
    BOOST_TEST(format_value({kUnlimited, kUnlimited}) == "unlimited");
    BOOST_TEST(format_value({0, kUnlimited}) == "0:unlimited");
    BOOST_TEST(format_number(0) == "0");
    BOOST_TEST(format_number(kUnlimited) == "unlimited");
    BOOST_TEST(format_number(kUnlimited - 1) == "9223372036854775806");
}

BOOST_AUTO_TEST_CASE(format_round_trip) {
    for (Unit unit : {Unit::Bytes, Unit::Pages, Unit::Items}) {
        for (const char *text : {"0", "7", "1:2", "0:unlimited", "unlimited", "123456:654321",
                                 "9223372036854775806"}) {
            auto value = parse_value(text, unit);
            BOOST_REQUIRE(value.has_value());
            BOOST_TEST(format_value(*value) == text);
            BOOST_TEST((parse_value(format_value(*value), unit).value() == *value));
        }
    }
    // Suffixed input is stored in base units.
    BOOST_TEST(format_value(parse_value("256M:512M", Unit::Pages).value()) == "65536:131072");
    BOOST_TEST(format_value(parse_value("1G", Unit::Bytes).value()) == "1073741824");
}

BOOST_AUTO_TEST_CASE(ram_and_swap_bytes) {
    BOOST_TEST(parse_bytes("512").value() == 512u);
    BOOST_TEST(parse_bytes("1G").value() == GiB);
    BOOST_TEST(parse_bytes("256M").value() == 256 * MiB);
    BOOST_TEST(parse_bytes("1.5G").value() == GiB + GiB / 2);
    BOOST_TEST(parse_bytes("unlimited").value() == kUnlimited);
    BOOST_TEST(!parse_bytes("-1G").has_value());
    BOOST_TEST(!parse_bytes("1GB").has_value());
    BOOST_TEST(!parse_bytes("").has_value());
}
