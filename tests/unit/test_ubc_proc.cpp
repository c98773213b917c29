#define BOOST_TEST_MODULE ubc_proc
#include <boost/test/unit_test.hpp>

#include "vzkit/base/error.h"
#include "vzkit/ubc/ubc.h"
#include "vzkit/ubc/proc.h"
#include "vzkit/ubc/view.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace vz::ubc;

namespace {

// A production dump (the 64-bit layout of OpenVZ's kernel), two beancounters.
const char *const kUserBeancounters =
    "Version: 2.5\n"
    "       uid  resource                     held              maxheld              barrier    "
    "            limit              failcnt\n"
    " 10045182:  kmemsize                 45607650             85962752            202133143   "
    "         222346456                    0\n"
    "            lockedpages                     0                   16                 2670   "
    "              2670                    0\n"
    "            dummy                           0                    0  9223372036854775807  "
    "9223372036854775807                    0\n"
    "            numproc                       133                  216                 1600   "
    "              1600                    3\n"
    "            numiptent                      24                   24                  384   "
    "               384                    0\n"
    "        0:  kmemsize                        0                    0  9223372036854775807  "
    "9223372036854775807                    0\n"
    "            numproc                        55                   60  9223372036854775807  "
    "9223372036854775807                    0\n";

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        char tmpl[] = "/tmp/test_ubc_proc.XXXXXX";
        path = mkdtemp(tmpl);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    void write(const std::string &rel, const std::string &text) const {
        std::filesystem::create_directories((path / rel).parent_path());
        std::ofstream(path / rel) << text;
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(parses_openvz_layout_with_dummy_rows_dropped) {
    auto bcs = parse_beancounters(kUserBeancounters);
    BOOST_REQUIRE(bcs);
    BOOST_REQUIRE_EQUAL(bcs->size(), 2U);
    const Beancounter &ct = (*bcs)[0];
    BOOST_TEST(ct.id == 10045182U);
    BOOST_TEST(ct.rows.size() == 4U);
    BOOST_TEST(!ct.find("dummy"));
    const Row *kmem = ct.find("kmemsize");
    BOOST_REQUIRE(kmem);
    BOOST_TEST(kmem->held == 45607650U);
    BOOST_TEST(kmem->maxheld == 85962752U);
    BOOST_TEST(kmem->barrier == 202133143U);
    BOOST_TEST(kmem->limit == 222346456U);
    BOOST_TEST(ct.find("numproc")->failcnt == 3U);
    BOOST_TEST((*bcs)[1].id == 0U);
    BOOST_TEST((*bcs)[1].find("kmemsize")->limit == kUnlimited);
    BOOST_TEST((*bcs)[1].find("numproc")->held == 55U);
}

BOOST_AUTO_TEST_CASE(parses_the_32_bit_layout_and_any_spacing) {
    auto bcs = parse_beancounters("Version: 2.5\n"
                                  "       123: kmemsize         836919    1005343    2752512    "
                                  "2936012          0\n"
                                  "\tnumfile 10 20 30 40 5\n");
    BOOST_REQUIRE(bcs);
    BOOST_REQUIRE_EQUAL(bcs->size(), 1U);
    BOOST_TEST((*bcs)[0].id == 123U);
    BOOST_TEST((*bcs)[0].find("kmemsize")->limit == 2936012U);
    BOOST_TEST((*bcs)[0].find("numfile")->failcnt == 5U);
}

BOOST_AUTO_TEST_CASE(skips_lines_that_are_not_rows) {
    auto bcs = parse_beancounters("Version: 2.5\n"
                                  "garbage before any id\n"
                                  "  7:  numproc 1 2 3 4 5\n"
                                  "       numfile 1 2 x 4 5\n"
                                  "       numpty 1 2 3 4\n"
                                  "       numflock 1 2 3 4 5 6\n"
                                  "       numsiginfo -1 2 3 4 5\n");
    BOOST_REQUIRE(bcs);
    BOOST_REQUIRE_EQUAL((*bcs)[0].rows.size(), 1U);
    BOOST_TEST((*bcs)[0].rows[0].resource == "numproc");
}

BOOST_AUTO_TEST_CASE(rejects_other_versions) {
    BOOST_TEST(!parse_beancounters("Version: 2.4\n  1: numproc 1 2 3 4 5\n"));
    BOOST_TEST(parse_beancounters("").value().empty());
}

BOOST_AUTO_TEST_CASE(parses_bc_resources_rows_without_id) {
    auto bc = parse_bc_resources("            numproc 3 5 20 20 1\n"
                                 "            swappages 0 0 0 131072 0\n",
                                 4001);
    BOOST_TEST(bc.id == 4001U);
    BOOST_REQUIRE_EQUAL(bc.rows.size(), 2U);
    BOOST_TEST(bc.find("swappages")->limit == 131072U);
}

BOOST_AUTO_TEST_CASE(reads_bc_resources_first_then_user_beancounters) {
    TempDir dir;
    BOOST_TEST(!read_beancounters(dir.path));
    dir.write("user_beancounters", kUserBeancounters);
    BOOST_TEST(read_beancounters(dir.path)->size() == 2U);
    dir.write("bc/resources", "Version: 2.5\n 5: numproc 1 1 1 1 0\n");
    auto bcs = read_beancounters(dir.path);
    BOOST_REQUIRE_EQUAL(bcs->size(), 1U);
    BOOST_TEST((*bcs)[0].id == 5U);
    dir.write("bc/5/resources", "  numfile 9 9 10 10 0\n");
    BOOST_TEST(read_beancounter(5, dir.path)->find("numfile")->held == 9U);
    BOOST_TEST(!read_beancounter(6, dir.path));
    dir.write("bc/resources", "Version: 9\n");
    BOOST_CHECK_THROW(read_beancounters(dir.path), vz::Error);
}

BOOST_AUTO_TEST_CASE(vzubc_numbers_as_openvz_prints_them) {
    BOOST_TEST(human("numproc", 0) == "- ");
    BOOST_TEST(human("numproc", kUnlimited) == "- ");
    BOOST_TEST(human("numproc", 2147483647) == "- ");
    BOOST_TEST(human("numproc", 133) == "133 ");
    BOOST_TEST(human("numfile", 30000) == "29.3K");
    BOOST_TEST(human("kmemsize", 45607650) == "43.5M");
    BOOST_TEST(human("physpages", 65536) == "256M"); // pages are 4 KiB
    BOOST_TEST(percent(50, 100) == "50%");
    BOOST_TEST(percent(5, 100) == "5%");
    BOOST_TEST(percent(1, 300) == "0.3%");
    // Never wider than the column's 5 characters.
    BOOST_TEST(percent(1, 100000) == "- ");           // 0.001%: below a tenth
    BOOST_TEST(percent(95, 1000) == "9.5%");
    BOOST_TEST(percent(9999, 100) == "9999%");
    BOOST_TEST(percent(100000, 1) == "huge");
    BOOST_TEST(percent(kUnlimited - 1, 1) == "huge");
    BOOST_TEST(percent(0, 100) == "- ");
    BOOST_TEST(percent(5, kUnlimited) == "- ");
    BOOST_TEST(percent(5, 0) == "- ");
}

BOOST_AUTO_TEST_CASE(vzubc_quiet_mode_keeps_failures_and_rows_near_the_barrier) {
    BOOST_TEST(important({"numproc", 1, 1, 100, 100, 1}, 0.8, 0.5));
    BOOST_TEST(important({"numproc", 81, 81, 100, 100, 0}, 0.8, 0.5));
    BOOST_TEST(important({"numproc", 10, 60, 100, 100, 0}, 0.8, 0.5));
    BOOST_TEST(!important({"numproc", 10, 40, 100, 100, 0}, 0.8, 0.5));
    BOOST_TEST(!important({"numproc", 10, 99, kUnlimited, kUnlimited, 0}, 0.8, 0.5));
    // vswap: barrier 0 means the limit counts.
    BOOST_TEST(important({"physpages", 90, 90, 0, 100, 0}, 0.8, 0.5));
}

BOOST_AUTO_TEST_CASE(vzubc_table_filters_and_shows_deltas) {
    auto bcs = parse_beancounters(kUserBeancounters).value();
    ViewOptions options;
    options.ids = {0};
    std::string out = render(bcs, options);
    BOOST_TEST(out.find("CT 0 ") != std::string::npos);
    BOOST_TEST(out.find("10045182") == std::string::npos);
    options.ids = {10045182};
    options.quiet = true;
    out = render(bcs, options);
    BOOST_TEST(out.find("numproc") != std::string::npos);     // failcnt 3
    BOOST_TEST(out.find("lockedpages") == std::string::npos); // far from its barrier
    Baseline before{{{10045182U, "numproc"}, 1}};
    options.failcnt_since = &before;
    options.verbose = true;
    out = render(bcs, options);
    BOOST_TEST(out.find("|+FAIL") != std::string::npos);
    BOOST_TEST(out.find("numproc|  133") != std::string::npos);
    BOOST_TEST(out.find("|    2 \n") != std::string::npos); // 3 failures, 1 seen before
}

BOOST_AUTO_TEST_CASE(vzubc_store_round_trip) {
    TempDir dir;
    BaselineStore store(dir.path / "store", "failcnt");
    auto bcs = parse_beancounters(kUserBeancounters).value();
    store.save(bcs, [](const Row &r) { return r.failcnt; });
    Baseline loaded = store.load();
    BOOST_TEST(loaded.at({10045182U, "numproc"}) == 3U);
    BOOST_TEST(loaded.at({0U, "kmemsize"}) == 0U);
    store.clear();
    BOOST_TEST(store.load().empty());
}
