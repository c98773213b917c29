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
#include <set>
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
    // Unlimited is LONG_MAX, as OpenVZ prints it (libvirt parses the number).
    BOOST_TEST(vz::format_row(columns("numproc.m,numproc.b,numproc.l,numproc.f"), r, true) ==
               "         9        100 9223372036854775807          0");
    // Unknown: no figures for physpages, no name, no CPU limit, ONBOOT unset.
    BOOST_TEST(vz::format_row(columns("physpages,name,cpulimit,cpuunits,onboot"), r, true) ==
               "         - -" + std::string(31, ' ') + "       -    1000      -");
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
                            "  \"onboot\": null,\n"
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
    BOOST_TEST((record->onboot == std::optional<bool>(true)));
    BOOST_TEST((record->cpuunits == std::optional<std::uint64_t>(1000)));
    BOOST_TEST((record->cpulimit == std::optional<std::uint64_t>(50)));
    vz::UbcFigures numproc;
    numproc.barrier = 50;
    numproc.limit = 60;
    BOOST_TEST((record->ubc.at("numproc") == numproc)); // nothing live for a stopped CT
    BOOST_TEST((record->ubc.at("physpages").limit == std::optional<std::uint64_t>(65536)));
    // A UBC the config does not name: 0 and 0, as OpenVZ shows it.
    BOOST_TEST((record->ubc.at("swappages").barrier == std::optional<std::uint64_t>(0)));
    BOOST_TEST((record->ubc.at("swappages").limit == std::optional<std::uint64_t>(0)));

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

// ---- OpenVZ 4.11.1's field list ----------------------------------------------

namespace {

struct UpstreamField {
    std::string_view name;
    std::string_view header;
    int width;
};

// Every field of OpenVZ's `vzlist -L`, in its order, with its header and
// column width, but laverage and uptime (the /proc views' own rows).
constexpr UpstreamField kUpstreamFields[] = {
    {"ctid", "CTID", 10},
    {"veid", "CTID", 10},
    {"vpsid", "CTID", 10},
    {"private", "PRIVATE", 32},
    {"root", "ROOT", 32},
    {"mount_opts", "MOUNT_OPTS", 16},
    {"origin_sample", "ORIGIN_SAMPLE", 32},
    {"hostname", "HOSTNAME", 32},
    {"name", "NAME", 32},
    {"smart_name", "SMARTNAME", 10},
    {"description", "DESCRIPTION", 32},
    {"ostemplate", "OSTEMPLATE", 32},
    {"ip", "IP_ADDR", 15},
    {"nameserver", "NAMESERVER", 15},
    {"searchdomain", "SEARCHDOMAIN", 15},
    {"status", "STATUS", 9},
    {"kmemsize", "KMEMSIZE", 10},
    {"kmemsize.m", "KMEMSIZE.M", 10},
    {"kmemsize.b", "KMEMSIZE.B", 10},
    {"kmemsize.l", "KMEMSIZE.L", 10},
    {"kmemsize.f", "KMEMSIZE.F", 10},
    {"lockedpages", "LOCKEDP", 10},
    {"lockedpages.m", "LOCKEDP.M", 10},
    {"lockedpages.b", "LOCKEDP.B", 10},
    {"lockedpages.l", "LOCKEDP.L", 10},
    {"lockedpages.f", "LOCKEDP.F", 10},
    {"privvmpages", "PRIVVMP", 10},
    {"privvmpages.m", "PRIVVMP.M", 10},
    {"privvmpages.b", "PRIVVMP.B", 10},
    {"privvmpages.l", "PRIVVMP.L", 10},
    {"privvmpages.f", "PRIVVMP.F", 10},
    {"shmpages", "SHMP", 10},
    {"shmpages.m", "SHMP.M", 10},
    {"shmpages.b", "SHMP.B", 10},
    {"shmpages.l", "SHMP.L", 10},
    {"shmpages.f", "SHMP.F", 10},
    {"numproc", "NPROC", 10},
    {"numproc.m", "NPROC.M", 10},
    {"numproc.b", "NPROC.B", 10},
    {"numproc.l", "NPROC.L", 10},
    {"numproc.f", "NPROC.F", 10},
    {"physpages", "PHYSP", 10},
    {"physpages.m", "PHYSP.M", 10},
    {"physpages.b", "PHYSP.B", 10},
    {"physpages.l", "PHYSP.L", 10},
    {"physpages.f", "PHYSP.F", 10},
    {"vmguarpages", "VMGUARP", 10},
    {"vmguarpages.m", "VMGUARP.M", 10},
    {"vmguarpages.b", "VMGUARP.B", 10},
    {"vmguarpages.l", "VMGUARP.L", 10},
    {"vmguarpages.f", "VMGUARP.F", 10},
    {"oomguarpages", "OOMGUARP", 10},
    {"oomguarpages.m", "OOMGUARP.M", 10},
    {"oomguarpages.b", "OOMGUARP.B", 10},
    {"oomguarpages.l", "OOMGUARP.L", 10},
    {"oomguarpages.f", "OOMGUARP.F", 10},
    {"numtcpsock", "NTCPSOCK", 10},
    {"numtcpsock.m", "NTCPSOCK.M", 10},
    {"numtcpsock.b", "NTCPSOCK.B", 10},
    {"numtcpsock.l", "NTCPSOCK.L", 10},
    {"numtcpsock.f", "NTCPSOCK.F", 10},
    {"numflock", "NFLOCK", 10},
    {"numflock.m", "NFLOCK.M", 10},
    {"numflock.b", "NFLOCK.B", 10},
    {"numflock.l", "NFLOCK.L", 10},
    {"numflock.f", "NFLOCK.F", 10},
    {"numpty", "NPTY", 10},
    {"numpty.m", "NPTY.M", 10},
    {"numpty.b", "NPTY.B", 10},
    {"numpty.l", "NPTY.L", 10},
    {"numpty.f", "NPTY.F", 10},
    {"numsiginfo", "NSIGINFO", 10},
    {"numsiginfo.m", "NSIGINFO.M", 10},
    {"numsiginfo.b", "NSIGINFO.B", 10},
    {"numsiginfo.l", "NSIGINFO.L", 10},
    {"numsiginfo.f", "NSIGINFO.F", 10},
    {"tcpsndbuf", "TCPSNDB", 10},
    {"tcpsndbuf.m", "TCPSNDB.M", 10},
    {"tcpsndbuf.b", "TCPSNDB.B", 10},
    {"tcpsndbuf.l", "TCPSNDB.L", 10},
    {"tcpsndbuf.f", "TCPSNDB.F", 10},
    {"tcprcvbuf", "TCPRCVB", 10},
    {"tcprcvbuf.m", "TCPRCVB.M", 10},
    {"tcprcvbuf.b", "TCPRCVB.B", 10},
    {"tcprcvbuf.l", "TCPRCVB.L", 10},
    {"tcprcvbuf.f", "TCPRCVB.F", 10},
    {"othersockbuf", "OTHSOCKB", 10},
    {"othersockbuf.m", "OTHSOCKB.M", 10},
    {"othersockbuf.b", "OTHSOCKB.B", 10},
    {"othersockbuf.l", "OTHSOCKB.L", 10},
    {"othersockbuf.f", "OTHSOCKB.F", 10},
    {"dgramrcvbuf", "DGRAMRB", 10},
    {"dgramrcvbuf.m", "DGRAMRB.M", 10},
    {"dgramrcvbuf.b", "DGRAMRB.B", 10},
    {"dgramrcvbuf.l", "DGRAMRB.L", 10},
    {"dgramrcvbuf.f", "DGRAMRB.F", 10},
    {"numothersock", "NOTHSOCK", 10},
    {"numothersock.m", "NOTHSOCK.M", 10},
    {"numothersock.b", "NOTHSOCK.B", 10},
    {"numothersock.l", "NOTHSOCK.L", 10},
    {"numothersock.f", "NOTHSOCK.F", 10},
    {"dcachesize", "DCACHESZ", 10},
    {"dcachesize.m", "DCACHESZ.M", 10},
    {"dcachesize.b", "DCACHESZ.B", 10},
    {"dcachesize.l", "DCACHESZ.L", 10},
    {"dcachesize.f", "DCACHESZ.F", 10},
    {"numfile", "NFILE", 10},
    {"numfile.m", "NFILE.M", 10},
    {"numfile.b", "NFILE.B", 10},
    {"numfile.l", "NFILE.L", 10},
    {"numfile.f", "NFILE.F", 10},
    {"numiptent", "NIPTENT", 10},
    {"numiptent.m", "NIPTENT.M", 10},
    {"numiptent.b", "NIPTENT.B", 10},
    {"numiptent.l", "NIPTENT.L", 10},
    {"numiptent.f", "NIPTENT.F", 10},
    {"swappages", "SWAPP", 10},
    {"swappages.m", "SWAPP.M", 10},
    {"swappages.b", "SWAPP.B", 10},
    {"swappages.l", "SWAPP.L", 10},
    {"swappages.f", "SWAPP.F", 10},
    {"diskspace", "DSPACE", 10},
    {"diskspace.s", "DSPACE.S", 10},
    {"diskspace.h", "DSPACE.H", 10},
    {"diskinodes", "DINODES", 10},
    {"diskinodes.s", "DINODES.S", 10},
    {"diskinodes.h", "DINODES.H", 10},
    {"cpulimit", "CPULIM", 7},
    {"cpuunits", "CPUUNI", 7},
    {"cpus", "CPUS", 5},
    {"ioprio", "IOP", 3},
    {"iolimit", "IOLIMIT", 10},
    {"iopslimit", "IOPS", 4},
    {"onboot", "ONBOOT", 6},
    {"bootorder", "BOOTORDER", 10},
    {"layout", "LAYOUT", 6},
    {"features", "FEATURES", 15},
    {"vswap", "VSWAP", 5},
    {"disabled", "DISABL", 6},
    {"vm_overcommit", "VM_OVC", 6},
    {"netfilter", "NETFILTER", 9},
    {"capability", "CAPABILITY", 15},
};

} // namespace

BOOST_AUTO_TEST_CASE(every_upstream_field_with_its_header_and_width) {
    std::vector<vz::FieldRef> ours;
    for (const auto &ref : vz::all_field_refs())
        if (ref.field->name != "laverage" && ref.field->name != "uptime")
            ours.push_back(ref);
    BOOST_TEST(ours.size() == std::size(kUpstreamFields));
    for (std::size_t i = 0; i < std::min(ours.size(), std::size(kUpstreamFields)); ++i) {
        const auto &want = kUpstreamFields[i];
        BOOST_TEST(ours[i].name() == want.name);
        BOOST_TEST(ours[i].header() == want.header, want.name);
        BOOST_TEST(ours[i].field->width == want.width, want.name);
    }
}

namespace {

vz::CtRecord full_record() {
    vz::CtRecord r;
    r.ctid = 101;
    r.status = vz::ListStatus::Stopped;
    r.nameserver = {"192.0.2.53", "192.0.2.54"};
    r.searchdomain = {"example.test"};
    r.mount_opts = "noatime";
    r.origin_sample = "vswap-256m";
    r.onboot = false;
    r.bootorder = 10;
    r.cpuunits = 1000;
    r.cpulimit = 0;
    r.cpus = 2;
    r.ioprio = 4;
    r.iolimit = 10485760;
    r.iopslimit = 0;
    r.layout = "simfs";
    r.features = {{"nfs", true}, {"ppp", false}};
    r.capability = {{"net_admin", true}};
    r.disabled = true;
    r.vm_overcommit = 1.5;
    r.netfilter = "stateless";
    r.ubc["numproc"].barrier = 240;
    r.ubc["numproc"].limit = 240;
    r.ubc["physpages"].barrier = 0;
    r.ubc["physpages"].limit = 65536;
    return r;
}

} // namespace

BOOST_AUTO_TEST_CASE(the_fields_openvz_added_render_as_there) {
    const auto r = full_record();
    BOOST_TEST(vz::format_header(columns("layout,origin_sample,ctid")) ==
               "LAYOUT " + std::string(19, ' ') + "ORIGIN_SAMPLE       CTID");
    BOOST_TEST(vz::format_row(columns("cpulimit,cpuunits,cpus,ioprio,iolimit,iopslimit"), r, true) ==
               "      0    1000     2   4   10485760    -");
    BOOST_TEST(vz::format_row(columns("onboot,bootorder,layout,vswap,disabled,vm_overcommit"), r,
                              true) == "    no         10 simfs    yes    yes    1.5");
    BOOST_TEST(vz::format_row(columns("features,netfilter,capability"), r, true) ==
               "nfs:on,ppp:off  stateless net_admin:on");
    BOOST_TEST(vz::format_row(columns("nameserver,searchdomain,mount_opts"), r, true) ==
               "192.0.2.53      example.test    noatime");
    vz::CtRecord empty;
    empty.ctid = 7;
    BOOST_TEST(vz::format_row(columns("ctid,cpus,ioprio,iolimit,onboot,bootorder,features,"
                                      "vm_overcommit,netfilter,capability"),
                              empty, true) ==
               "         7     -   -          -      -          - -                    - -  "
               "       -");
}

BOOST_AUTO_TEST_CASE(json_of_the_new_fields_and_of_a_stopped_ct) {
    std::ostringstream out;
    vz::JsonWriter json(out);
    vz::write_json(json,
                   vz::parse_field_list("numproc,cpus,iopslimit,onboot,features,capability,"
                                        "vm_overcommit,vswap,nameserver",
                                        true),
                   full_record());
    json.finish();
    BOOST_TEST(out.str() == "{\n"
                            "  \"numproc\": {\n"
                            "    \"held\": 0,\n"
                            "    \"maxheld\": 0,\n"
                            "    \"barrier\": 240,\n"
                            "    \"limit\": 240,\n"
                            "    \"failcnt\": 0\n"
                            "  },\n"
                            "  \"cpus\": 2,\n"
                            "  \"iopslimit\": 0,\n"
                            "  \"onboot\": false,\n"
                            "  \"features\": {\n"
                            "    \"nfs\": true,\n"
                            "    \"ppp\": false\n"
                            "  },\n"
                            "  \"capability\": {\n"
                            "    \"net_admin\": true\n"
                            "  },\n"
                            "  \"vm_overcommit\": 1.5,\n"
                            "  \"vswap\": true,\n"
                            "  \"nameserver\": [\n"
                            "    \"192.0.2.53\",\n"
                            "    \"192.0.2.54\"\n"
                            "  ]\n"
                            "}\n");
    std::ostringstream unset;
    vz::JsonWriter json2(unset);
    vz::CtRecord empty;
    vz::write_json(json2, vz::parse_field_list("cpus,ioprio,bootorder,features,vm_overcommit", true),
                   empty);
    json2.finish();
    BOOST_TEST(unset.str() == "{\n"
                              "  \"cpus\": 0,\n"
                              "  \"ioprio\": 0,\n"
                              "  \"bootorder\": null,\n"
                              "  \"features\": null,\n"
                              "  \"vm_overcommit\": 0\n"
                              "}\n");
}

// The init script's idiom: vzlist -aH -octid -s-bootorder.
BOOST_AUTO_TEST_CASE(sorting_by_bootorder_as_the_init_script_does) {
    std::vector<vz::CtRecord> records(5);
    const std::pair<vz::Ctid, std::optional<std::uint64_t>> cts[] = {
        {101, 10}, {102, std::nullopt}, {103, 20}, {104, 10}, {105, std::nullopt}};
    for (std::size_t i = 0; i < records.size(); ++i) {
        records[i].ctid = cts[i].first;
        records[i].bootorder = cts[i].second;
    }
    vz::sort_records(records, field("bootorder"), true);
    std::vector<vz::Ctid> ids;
    for (const auto &r : records)
        ids.push_back(r.ctid);
    BOOST_TEST(ids == (std::vector<vz::Ctid>{103, 101, 104, 102, 105}));
}

BOOST_AUTO_TEST_CASE(cpu_figures_and_new_keys_from_a_config) {
    TempDir tmp;
    ConfDirEnv env(tmp.path);
    write_text(tmp.path / "vz.conf", "VE_PRIVATE=" + (tmp.path / "private/$VEID").string() + "\n");
    const std::string id = std::to_string(kStoppedCtid);
    write_text(tmp.path / "conf" / (id + ".conf"), "CPUUNITS=\"1000\"\n"
                                                   "BOOTORDER=\"5\"\n"
                                                   "IOPRIO=\"6\"\n"
                                                   "IOLIMIT=\"1048576\"\n"
                                                   "FEATURES=\"ppp:off nfs:on bogus:on\"\n"
                                                   "CAPABILITY=\"SYS_TIME:on NET_ADMIN:off\"\n"
                                                   "VE_LAYOUT=\"ploop:expanded\"\n"
                                                   "VM_OVERCOMMIT=\"2\"\n"
                                                   "NETFILTER=\"full\"\n"
                                                   "NAMESERVER=\"192.0.2.1 192.0.2.2\"\n"
                                                   "DISABLED=\"yes\"\n"
                                                   "ORIGIN_SAMPLE=\"basic\"\n");
    fs::create_directories(tmp.path / "private" / id);
    const vz::ConfigFile global = vz::ConfigFile::load(vz::global_conf_path());
    auto record = vz::collect_ct(vz::CtConfig::load(kStoppedCtid, global));
    BOOST_REQUIRE(record);
    BOOST_TEST(vz::format_row(columns("cpulimit,cpuunits,bootorder,ioprio,iolimit,layout"),
                              *record, true) == "      0    1000          5   6    1048576 ploop");
    BOOST_TEST(vz::format_row(columns("features,capability"), *record, true) ==
               "nfs:on,ppp:off  net_admin:off,sys_time:on");
    BOOST_TEST(vz::format_row(columns("vm_overcommit,netfilter,disabled,onboot,origin_sample"),
                              *record, true) == "     2 full         yes      - basic");
    BOOST_TEST(record->nameserver == (std::vector<std::string>{"192.0.2.1", "192.0.2.2"}));
}

// vzlist reads only the live sources its fields need: the default columns
// take numproc's live figures and nothing else; barrier and limit suffixes
// come from the config; disk and load fields ask for the quota and the module.
BOOST_AUTO_TEST_CASE(a_listing_reads_only_what_its_fields_need) {
    const auto defaults = vz::ListNeeds::of(vz::parse_field_list("ctid,numproc,status,ip,hostname", false));
    BOOST_TEST((defaults.live_ubc == std::set<std::string, std::less<>>{"numproc"}));
    BOOST_TEST(!defaults.disk);
    BOOST_TEST(!defaults.cpustat);

    const auto limits = vz::ListNeeds::of(vz::parse_field_list("ctid,physpages.b,numproc.l", false));
    BOOST_TEST(limits.live_ubc.empty());

    const auto more = vz::ListNeeds::of(
        vz::parse_field_list("physpages.m,swappages.f,diskspace.s,laverage", false));
    BOOST_TEST((more.live_ubc == std::set<std::string, std::less<>>{"physpages", "swappages"}));
    BOOST_TEST(more.disk);
    BOOST_TEST(more.cpustat);

    // -j without -o: every field, as ListNeeds::all().
    const auto json = vz::ListNeeds::of(vz::json_fields());
    const auto all = vz::ListNeeds::all();
    BOOST_TEST((json.live_ubc == all.live_ubc));
    BOOST_TEST(json.disk);
    BOOST_TEST(json.cpustat);
}
