#define BOOST_TEST_MODULE vzlist_format
#include <boost/test/unit_test.hpp>

#include "temp_dir.h"

#include "vzkit/ct/list.h"
#include "vzkit/base/error.h"
#include "vzkit/base/json.h"
#include "vzkit/ubc/ubc.h"
#include "vzkit/base/util.h"
#include "vzkit/base/ct_config.h"

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using vz::UbcPart;

namespace {

struct TempDir : vztest::TempDir {
    TempDir() : vztest::TempDir("vzkit-vzlist") {}
};

// Sets VZ_CONFDIR for the scope of a test.
struct ConfDirEnv {
    explicit ConfDirEnv(const fs::path &dir) { ::setenv("VZ_CONFDIR", dir.c_str(), 1); }
    ~ConfDirEnv() { ::unsetenv("VZ_CONFDIR"); }
    ConfDirEnv(const ConfDirEnv &) = delete;
    ConfDirEnv &operator=(const ConfDirEnv &) = delete;
};

void write_text(const fs::path &path, const std::string &text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

vz::FieldRef field(std::string_view name) {
    auto ref = vz::find_field(name);
    BOOST_REQUIRE_MESSAGE(ref, "field " << name);
    return *ref;
}

std::vector<vz::FieldRef> columns(std::string_view list) {
    return vz::parse_field_list(list, false);
}

vz::CtRecord sample_record() {
    vz::CtRecord r;
    r.ctid = 101;
    r.status = vz::ListStatus::Running;
    r.hostname = "ct101.example.test";
    r.ip = {"10.0.0.1", "10.0.0.2"};
    r.cpuunits = 1000;
    r.ubc["numproc"] = {
        .held = 7, .maxheld = 9, .barrier = 100, .limit = vz::ubc::kUnlimited, .failcnt = 0};
    return r;
}

// A CTID nothing on a test host runs, so that its state is never "running".
constexpr vz::Ctid kStoppedCtid = 424242;

} // namespace

// ---- JSON --------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(json_quote_escapes_quotes_backslash_and_controls) {
    BOOST_TEST(vz::json_quote("plain") == R"("plain")");
    BOOST_TEST(vz::json_quote(R"(a "b" c)") == R"("a \"b\" c")");
    BOOST_TEST(vz::json_quote(R"(C:\dir\)") == R"("C:\\dir\\")");
    BOOST_TEST(vz::json_quote("l1\nl2\tx\r\b\f") == R"("l1\nl2\tx\r\b\f")");
    BOOST_TEST(vz::json_quote(std::string("\x01\x1f", 2)) == R"("\u0001\u001f")");
    BOOST_TEST(vz::json_quote(std::string("a\0b", 3)) == R"("a\u0000b")");
    BOOST_TEST(vz::json_quote("\x7f") == "\"\x7f\""); // DEL is legal in JSON
    BOOST_TEST(vz::json_quote("") == R"("")");
}

BOOST_AUTO_TEST_CASE(json_quote_passes_utf8_and_replaces_invalid_bytes) {
    BOOST_TEST(vz::json_quote("h\xc3\xa9llo") == "\"h\xc3\xa9llo\""); // é
    BOOST_TEST(vz::json_quote("\xe6\x97\xa5\xe6\x9c\xac") ==
               "\"\xe6\x97\xa5\xe6\x9c\xac\"");                               // 日本
    BOOST_TEST(vz::json_quote("\xf0\x9f\x98\x80") == "\"\xf0\x9f\x98\x80\""); // U+1F600
    BOOST_TEST(vz::json_quote("a\xff"
                              "b") == R"("a\ufffdb")");                      // never valid
    BOOST_TEST(vz::json_quote("\xc3") == R"("\ufffd")");                     // truncated
    BOOST_TEST(vz::json_quote("\xc0\xaf") == R"("\ufffd\ufffd")");           // overlong
    BOOST_TEST(vz::json_quote("\xed\xa0\x80") == R"("\ufffd\ufffd\ufffd")"); // surrogate
    BOOST_TEST(vz::json_quote("\xf4\x90\x80\x80") == R"("\ufffd\ufffd\ufffd\ufffd")"); // > U+10FFFF
}

BOOST_AUTO_TEST_CASE(json_writer_pretty_prints_with_two_spaces) {
    std::ostringstream out;
    vz::JsonWriter json(out);
    json.begin_array();
    json.begin_object();
    json.key("ctid");
    json.number(101);
    json.key("ip");
    json.begin_array();
    json.string("10.0.0.1");
    json.end_array();
    json.key("none");
    json.begin_array();
    json.end_array();
    json.key("on");
    json.boolean(true);
    json.key("x");
    json.null();
    json.key("big");
    json.number(vz::ubc::kUnlimited);
    json.key("neg");
    json.number(-1);
    json.end_object();
    json.end_array();
    json.finish();
    BOOST_TEST(out.str() == "[\n"
                            "  {\n"
                            "    \"ctid\": 101,\n"
                            "    \"ip\": [\n"
                            "      \"10.0.0.1\"\n"
                            "    ],\n"
                            "    \"none\": [],\n"
                            "    \"on\": true,\n"
                            "    \"x\": null,\n"
                            "    \"big\": 9223372036854775807,\n"
                            "    \"neg\": -1\n"
                            "  }\n"
                            "]\n");
}

BOOST_AUTO_TEST_CASE(json_writer_empty_array_and_misuse) {
    std::ostringstream out;
    vz::JsonWriter empty(out);
    empty.begin_array();
    empty.end_array();
    empty.finish();
    BOOST_TEST(out.str() == "[]\n");

    vz::JsonWriter bad(out);
    bad.begin_object();
    BOOST_CHECK_THROW(bad.string("value without a key"), std::logic_error);
    BOOST_CHECK_THROW(bad.end_array(), std::logic_error);
    BOOST_CHECK_THROW(bad.finish(), std::logic_error);
}

// ---- field table -------------------------------------------------------------

BOOST_AUTO_TEST_CASE(field_lookup_with_aliases_and_suffixes) {
    for (std::string_view alias : {"ctid", "veid", "vpsid"}) {
        auto ref = field(alias);
        BOOST_TEST(ref.header() == "CTID");
        BOOST_TEST(ref.field->width == 10);
        BOOST_TEST((ref.field->align == vz::Align::Right));
    }
    auto held = field("numproc");
    BOOST_TEST((held.part == UbcPart::Held));
    BOOST_TEST(held.header() == "NPROC");
    BOOST_TEST(!held.has_suffix());
    const std::pair<std::string_view, UbcPart> suffixes[] = {{".m", UbcPart::MaxHeld},
                                                             {".b", UbcPart::Barrier},
                                                             {".l", UbcPart::Limit},
                                                             {".f", UbcPart::Failcnt}};
    for (const auto &[suffix, part] : suffixes) {
        auto ref = field("physpages" + std::string(suffix));
        BOOST_TEST((ref.part == part));
        BOOST_TEST(ref.name() == "physpages" + std::string(suffix));
        BOOST_TEST(ref.header() == "PHYSP" + vz::to_upper(suffix));
        BOOST_TEST(ref.has_suffix());
    }
    BOOST_TEST(field("swappages.l").header() == "SWAPP.L");
    BOOST_TEST(field("ip").header() == "IP_ADDR");
    BOOST_TEST(field("cpuunits").header() == "CPUUNI");
    BOOST_TEST(field("cpulimit").header() == "CPULIM");
    BOOST_TEST(!vz::find_field("hostname.m")); // suffixes are for UBC fields only
    BOOST_TEST(!vz::find_field("numproc.x"));
    BOOST_TEST(!vz::find_field("bogus"));
    BOOST_TEST(!vz::find_field(""));
}

BOOST_AUTO_TEST_CASE(ubc_rows_agree_with_the_resource_table) {
    for (const vz::Field &row : vz::fields()) {
        if (row.kind != vz::FieldKind::Ubc)
            continue;
        const vz::ubc::Resource *res = vz::ubc::find_resource_by_name(row.name);
        BOOST_REQUIRE_MESSAGE(res, row.name);
        BOOST_TEST(row.header == res->header);
    }
}

BOOST_AUTO_TEST_CASE(field_list_errors) {
    BOOST_TEST(columns("ctid,numproc.l").size() == 2u);
    try {
        columns("ctid,bogus");
        BOOST_FAIL("no error");
    } catch (const vz::Error &e) {
        BOOST_TEST(std::string(e.what()) == "Unknown field: bogus");
    }
    BOOST_CHECK_THROW(columns("ctid,"), vz::Error); // an empty name is unknown too
    BOOST_CHECK_THROW(vz::parse_field_list("numproc.m", true), vz::Error);
    BOOST_TEST(vz::parse_field_list("numproc", true).size() == 1u);
}

BOOST_AUTO_TEST_CASE(json_fields_and_all_names) {
    auto json = vz::json_fields();
    BOOST_TEST(json.size() == vz::fields().size());
    for (const auto &ref : json)
        BOOST_TEST(!ref.has_suffix());
    std::vector<std::string> names;
    for (const auto &ref : vz::all_field_refs())
        names.push_back(ref.name());
    for (std::string_view want : {"ctid", "veid", "smart_name", "numproc.f", "swappages.m"})
        BOOST_TEST((std::ranges::find(names, want) != names.end()), want);
}

// ---- text and JSON rendering -------------------------------------------------

BOOST_AUTO_TEST_CASE(default_header_is_openvz_s) {
    BOOST_TEST(vz::format_header(columns("ctid,numproc,status,ip,hostname")) ==
               "      CTID      NPROC STATUS    IP_ADDR         HOSTNAME");
    BOOST_TEST(vz::format_header(columns("smart_name,numproc")) == " SMARTNAME      NPROC");
}

BOOST_AUTO_TEST_CASE(row_widths_unknown_values_and_unlimited) {
    const auto r = sample_record();
    BOOST_TEST(vz::format_row(columns("ctid,numproc,status,ip,hostname"), r, true) ==
               "       101          7 running   10.0.0.1        ct101.example.test");
    BOOST_TEST(vz::format_row(columns("numproc.m,numproc.b,numproc.l,numproc.f"), r, true) ==
               "         9        100  unlimited          0");
    // Unknown: no figures for physpages, no name, no limit.
    BOOST_TEST(vz::format_row(columns("physpages,name,cpulimit,cpuunits,onboot"), r, true) ==
               "         - -                                      -    1000     no");
}

BOOST_AUTO_TEST_CASE(trim_cuts_text_of_inner_columns_only) {
    auto r = sample_record();
    r.description = std::string(40, 'd');
    const std::string cut(32, 'd');
    BOOST_TEST(vz::format_row(columns("description,ctid"), r, true) == cut + "        101");
    BOOST_TEST(vz::format_row(columns("ctid,description"), r, true) ==
               "       101 " + *r.description); // the last column is never cut
    BOOST_TEST(vz::format_row(columns("description,ctid"), r, false) ==
               *r.description + "        101"); // -t
    BOOST_TEST(vz::format_row(columns("ip,ctid"), r, false) ==
               "10.0.0.1 10.0.0.2        101"); // -t: every address
    BOOST_TEST(vz::format_row(columns("ctid,ip"), r, true) == "       101 10.0.0.1 10.0.0.2");
    r.name = "web";
    BOOST_TEST(vz::format_row(columns("smart_name"), r, true) == "       web");
}

BOOST_AUTO_TEST_CASE(json_object_types) {
    auto r = sample_record();
    std::ostringstream out;
    vz::JsonWriter json(out);
    vz::write_json(json, vz::parse_field_list("ctid,name,ip,onboot,numproc", true), r);
    json.finish();
    BOOST_TEST(out.str() == "{\n"
                            "  \"ctid\": 101,\n"
                            "  \"name\": null,\n"
                            "  \"ip\": [\n"
                            "    \"10.0.0.1\",\n"
                            "    \"10.0.0.2\"\n"
                            "  ],\n"
                            "  \"onboot\": false,\n"
                            "  \"numproc\": {\n"
                            "    \"held\": 7,\n"
                            "    \"maxheld\": 9,\n"
                            "    \"barrier\": 100,\n"
                            "    \"limit\": 9223372036854775807,\n"
                            "    \"failcnt\": 0\n"
                            "  }\n"
                            "}\n");
}

BOOST_AUTO_TEST_CASE(laverage_and_uptime_as_openvz_prints_them) {
    auto r = sample_record();
    BOOST_TEST(vz::format_row(columns("laverage,uptime"), r, true) ==
               "             -               -");
    r.laverage = vz::LoadAverage{{0.5, 0.125, 12.0}};
    r.uptime = vz::Uptime{2 * 86400 + 3 * 3600 + 4 * 60 + 5.9};
    BOOST_TEST(vz::format_row(columns("laverage,uptime"), r, true) ==
               "0.50/0.12/12.00 002d03h:04m:05s");
    std::ostringstream out;
    vz::JsonWriter json(out);
    vz::write_json(json, vz::parse_field_list("laverage,uptime", true), r);
    json.finish();
    BOOST_TEST(out.str() == "{\n"
                            "  \"laverage\": [\n"
                            "    0.50,\n"
                            "    0.12,\n"
                            "    12.00\n"
                            "  ],\n"
                            "  \"uptime\": 183845.900\n"
                            "}\n");
    std::vector<vz::CtRecord> records(3);
    records[0].ctid = 1;
    records[0].uptime = vz::Uptime{10};
    records[0].laverage = vz::LoadAverage{{1, 0, 0}};
    records[1].ctid = 2;
    records[2].ctid = 3;
    records[2].uptime = vz::Uptime{20};
    records[2].laverage = vz::LoadAverage{{0.5, 9, 9}};
    auto ids = [&] {
        std::vector<vz::Ctid> ids;
        for (const auto &rec : records)
            ids.push_back(rec.ctid);
        return ids;
    };
    vz::sort_records(records, field("uptime"), false); // unknown first, then the longest up
    BOOST_TEST(ids() == (std::vector<vz::Ctid>{2, 3, 1}));
    vz::sort_records(records, field("laverage"), false);
    BOOST_TEST(ids() == (std::vector<vz::Ctid>{2, 3, 1}));
}

BOOST_AUTO_TEST_CASE(sorting) {
    std::vector<vz::CtRecord> records(3);
    records[0].ctid = 5;
    records[0].status = vz::ListStatus::Stopped;
    records[0].hostname = "b";
    records[1].ctid = 7;
    records[1].status = vz::ListStatus::Running;
    records[2].ctid = 9;
    records[2].status = vz::ListStatus::Running;
    records[2].hostname = "a";
    auto ids = [&] {
        std::vector<vz::Ctid> out;
        for (const auto &r : records)
            out.push_back(r.ctid);
        return out;
    };
    vz::sort_records(records, field("ctid"), true);
    BOOST_TEST(ids() == (std::vector<vz::Ctid>{9, 7, 5}));
    vz::sort_records(records, field("hostname"), false); // unset first
    BOOST_TEST(ids() == (std::vector<vz::Ctid>{7, 9, 5}));
    vz::sort_records(records, field("status"), false); // running < stopped, then CTID
    BOOST_TEST(ids() == (std::vector<vz::Ctid>{7, 9, 5}));
    records[0].cpuunits = 2000;
    records[1].cpuunits = 100;
    vz::sort_records(records, field("cpuunits"), false); // numerically, unset first
    BOOST_TEST(ids() == (std::vector<vz::Ctid>{5, 9, 7}));
}

BOOST_AUTO_TEST_CASE(pattern_filter) {
    auto r = sample_record();
    vz::PatternFilter filter;
    BOOST_TEST(filter.matches(r));
    filter.hostname = "ct1*.example.*";
    BOOST_TEST(filter.matches(r));
    filter.name = "*"; // r has no name: a pattern never matches a missing value
    BOOST_TEST(!filter.matches(r));
}

// ---- collection from a config directory --------------------------------------

BOOST_AUTO_TEST_CASE(list_ctids_takes_only_numbered_configs) {
    TempDir tmp;
    ConfDirEnv env(tmp.path);
    BOOST_TEST(vz::list_ctids().empty()); // no conf directory at all
    for (const char *name : {"101.conf", "7.conf", "0.conf", "102.conf.destroyed",
                             "ve-x.conf-sample", "junk.conf", "-5.conf", "1x.conf"})
        write_text(tmp.path / "conf" / name, "HOSTNAME=\"x\"\n");
    BOOST_TEST(vz::list_ctids() == (std::vector<vz::Ctid>{7, 101}));
}

BOOST_AUTO_TEST_CASE(record_of_a_stopped_ct_from_its_config) {
    TempDir tmp;
    ConfDirEnv env(tmp.path);
    write_text(tmp.path / "vz.conf", "VE_ROOT=" + (tmp.path / "root/$VEID").string() +
                                         "\nVE_PRIVATE=" + (tmp.path / "private/$VEID").string() +
                                         "\nDUMPDIR=" + (tmp.path / "dump").string() + "\n");
    const std::string id = std::to_string(kStoppedCtid);
    write_text(tmp.path / "conf" / (id + ".conf"), "HOSTNAME=\"ct.example.test\"\n"
                                                   "NAME=\"web\"\n"
                                                   "DESCRIPTION=\"the \\\"web\\\" one\"\n"
                                                   "OSTEMPLATE=\"busybox-minimal\"\n"
                                                   "IP_ADDRESS=\"10.1.1.1  10.1.1.2\"\n"
                                                   "ONBOOT=\"yes\"\n"
                                                   "CPUUNITS=\"1000\"\n"
                                                   "CPULIMIT=\"50\"\n"
                                                   "NUMPROC=\"50:60\"\n"
                                                   "PHYSPAGES=\"0:256M\"\n");
    fs::create_directories(tmp.path / "private" / id);
    const vz::ConfigFile global = vz::ConfigFile::load(vz::global_conf_path());

    auto record = vz::collect_ct(vz::CtConfig::load(kStoppedCtid, global));
    BOOST_REQUIRE(record);
    BOOST_TEST(record->ctid == kStoppedCtid);
    BOOST_TEST((record->status == vz::ListStatus::Stopped));
    BOOST_TEST(vz::status_name(record->status) == "stopped");
    BOOST_TEST((record->hostname == std::optional<std::string>("ct.example.test")));
    BOOST_TEST(!record->name); // NAME without names/web → this CT is not a registered name
    BOOST_TEST((record->ostemplate == std::optional<std::string>("busybox-minimal")));
    BOOST_TEST((record->private_path == std::optional((tmp.path / "private" / id).string())));
    BOOST_TEST((record->root == std::optional((tmp.path / "root" / id).string())));
    BOOST_TEST(record->ip == (std::vector<std::string>{"10.1.1.1", "10.1.1.2"}));
    BOOST_TEST(record->onboot);
    BOOST_TEST((record->cpuunits == std::optional<std::uint64_t>(1000)));
    BOOST_TEST((record->cpulimit == std::optional<std::uint64_t>(50)));
    vz::UbcFigures numproc;
    numproc.barrier = 50;
    numproc.limit = 60;
    BOOST_TEST((record->ubc.at("numproc") == numproc)); // nothing live for a stopped CT
    BOOST_TEST((record->ubc.at("physpages").limit == std::optional<std::uint64_t>(65536)));
    BOOST_TEST((record->ubc.at("swappages").barrier == std::optional(vz::ubc::kUnlimited)));

    // A registered name counts; a dump file makes it suspended.
    fs::create_directories(tmp.path / "names");
    fs::create_symlink("../conf/" + id + ".conf", tmp.path / "names" / "web");
    write_text(tmp.path / "dump" / ("Dump." + id), "");
    record = vz::collect_ct(vz::CtConfig::load(kStoppedCtid, global));
    BOOST_REQUIRE(record);
    BOOST_TEST((record->name == std::optional<std::string>("web")));
    BOOST_TEST((record->status == vz::ListStatus::Suspended));

    const std::vector<vz::Ctid> ids{kStoppedCtid};
    BOOST_TEST(vz::collect_cts(ids, vz::StatusFilter::Running, global).empty());
    BOOST_TEST(vz::collect_cts(ids, vz::StatusFilter::NotRunning, global).size() == 1u);
    BOOST_TEST(vz::collect_cts(ids, vz::StatusFilter::All, global).size() == 1u);

    // Without its private area a stopped CT is not listed at all.
    fs::remove_all(tmp.path / "private" / id);
    BOOST_TEST(!vz::collect_ct(vz::CtConfig::load(kStoppedCtid, global)));
    BOOST_TEST(vz::collect_cts(ids, vz::StatusFilter::All, global).empty());
    // Nor is a CTID without a config.
    BOOST_TEST(!vz::collect_ct(vz::CtConfig::load(kStoppedCtid + 1, global)));
}
