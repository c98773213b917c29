#define BOOST_TEST_MODULE metrics
#include <boost/test/unit_test.hpp>

#include "vzkit/metrics/exposition.h"
#include "vzkit/metrics/families.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <string>

using namespace vz::metrics;

BOOST_AUTO_TEST_CASE(label_values_escape_what_ends_a_label_or_a_line) {
    BOOST_TEST(escape_label_value("plain.example.com") == "plain.example.com");
    BOOST_TEST(escape_label_value("a\"b") == "a\\\"b");
    BOOST_TEST(escape_label_value("a\\b") == "a\\\\b");
    BOOST_TEST(escape_label_value("a\nb") == "a\\nb");
    BOOST_TEST(escape_label_value("\"} 1\nvzkit_ct_up{ctid=\"1\"} 0") ==
               "\\\"} 1\\nvzkit_ct_up{ctid=\\\"1\\\"} 0");
    // A trailing backslash must not escape the closing quote.
    BOOST_TEST(escape_label_value("x\\") == "x\\\\");
}

BOOST_AUTO_TEST_CASE(label_values_become_valid_utf8) {
    BOOST_TEST(escape_label_value("caf\xC3\xA9") == "caf\xC3\xA9");
    BOOST_TEST(escape_label_value("\xE2\x82\xAC\xF0\x9F\x98\x80") ==
               "\xE2\x82\xAC\xF0\x9F\x98\x80");
    const std::string fffd = "\xEF\xBF\xBD";
    BOOST_TEST(escape_label_value("a\xFF"
                                  "b") == "a" + fffd + "b");
    BOOST_TEST(escape_label_value("\xC3") == fffd);                       // cut short
    BOOST_TEST(escape_label_value("\xC0\xAF") == fffd + fffd);            // overlong '/'
    BOOST_TEST(escape_label_value("\xED\xA0\x80") == fffd + fffd + fffd); // a surrogate
    BOOST_TEST(escape_label_value("\xF4\x90\x80\x80") == fffd + fffd + fffd + fffd);
    // An invalid lead byte cannot swallow the quote after it.
    BOOST_TEST(escape_label_value("\xE2\"") == fffd + "\\\"");
}

BOOST_AUTO_TEST_CASE(help_escapes_backslash_and_newline) {
    BOOST_TEST(escape_help("a\\b\nc \"q\"") == "a\\\\b\\nc \"q\"");
}

BOOST_AUTO_TEST_CASE(values) {
    BOOST_TEST(format_value(std::uint64_t{9223372036854775807u}) == "9223372036854775807");
    BOOST_TEST(format_value(0.5) == "0.5");
    BOOST_TEST(format_value(12.345678901) == "12.345678901");
    BOOST_TEST(format_value(9223372036854775807.0 * 1024) == "9.44473296573929e+21");
}

BOOST_AUTO_TEST_CASE(render_writes_help_type_and_samples) {
    std::vector<Family> fams = {
        {"vzkit_a", MetricType::Gauge, "first", {{{{"ctid", "1"}, {"x", "q\""}}, "3"}}},
        {"vzkit_empty_total", MetricType::Counter, "none", {}},
        {"vzkit_b_total", MetricType::Counter, "second", {{{}, "7"}}},
    };
    BOOST_TEST(render(fams) == "# HELP vzkit_a first\n"
                               "# TYPE vzkit_a gauge\n"
                               "vzkit_a{ctid=\"1\",x=\"q\\\"\"} 3\n"
                               "# HELP vzkit_b_total second\n"
                               "# TYPE vzkit_b_total counter\n"
                               "vzkit_b_total 7\n");
}

namespace {

const Family *find(const std::vector<Family> &fams, std::string_view name) {
    auto it = std::ranges::find_if(fams, [&](const Family &f) { return f.name == name; });
    return it == fams.end() ? nullptr : &*it;
}

HostMetrics two_cts() {
    HostMetrics host;
    host.cts.resize(2);
    CtMetrics &run = host.cts[0];
    run.record.ctid = 101;
    run.record.status = vz::ListStatus::Running;
    run.record.hostname.emplace("evil\"}\nvzkit_ct_up{ctid=\"999\"} 1");
    run.record.ubc["numproc"] = {5, 7, 100, 100, 2};
    run.record.ubc["kmemsize"] = {std::nullopt, std::nullopt, 10, 20, std::nullopt};
    run.cpu_seconds = 1.5;
    run.memory_bytes = 4096;
    run.net.push_back({"venet0", "venet0.101", 10, 20, 1, 2});
    CtMetrics &stop = host.cts[1];
    stop.record.ctid = 102;
    stop.record.status = vz::ListStatus::Stopped;
    stop.record.ubc["numproc"] = {std::nullopt, std::nullopt, 100, 100, std::nullopt};
    return host;
}

} // namespace

BOOST_AUTO_TEST_CASE(families_write_only_known_figures) {
    const auto fams = families(two_cts());
    const Family *up = find(fams, "vzkit_ct_up");
    BOOST_REQUIRE(up);
    BOOST_TEST(up->samples.size() == 2u);
    BOOST_TEST(up->samples[0].value == "1");
    BOOST_TEST(up->samples[1].value == "0");
    // Live figures only for the running CT; nothing made up for the stopped one.
    BOOST_TEST(find(fams, "vzkit_ct_cpu_seconds_total")->samples.size() == 1u);
    BOOST_TEST(find(fams, "vzkit_ct_processes")->samples.size() == 1u);
    BOOST_TEST(find(fams, "vzkit_ct_swap_bytes")->samples.empty());
    BOOST_TEST(find(fams, "vzkit_ubc_held")->samples.size() == 1u);    // numproc of 101
    BOOST_TEST(find(fams, "vzkit_ubc_barrier")->samples.size() == 3u); // both CTs' config
    BOOST_TEST((find(fams, "vzkit_ubc_failcnt_total")->type == MetricType::Counter));
    const Family *rx = find(fams, "vzkit_ct_network_receive_bytes_total");
    BOOST_TEST(rx->samples.at(0).value == "10");
    BOOST_TEST(rx->samples.at(0).labels.at(1).value == "venet0");
}

BOOST_AUTO_TEST_CASE(a_hostile_hostname_stays_in_its_label) {
    const std::string text = render(families(two_cts()));
    // Exactly one sample of vzkit_ct_up per CT: the hostname made none.
    std::size_t lines = 0;
    for (std::size_t pos = 0; (pos = text.find("\nvzkit_ct_up{", pos)) != std::string::npos; ++pos)
        ++lines;
    BOOST_TEST(lines == 2u);
    BOOST_TEST(text.find("hostname=\"evil\\\"}\\nvzkit_ct_up{ctid=\\\"999\\\"} 1\"") !=
               std::string::npos);
    BOOST_TEST(text.find("ctid=\"999\"") == std::string::npos);
}

namespace {

// A host where every figure is known: every family has a sample.
HostMetrics everything() {
    HostMetrics host = two_cts();
    CtMetrics &ct = host.cts.front();
    ct.swap_bytes = 0;
    ct.uptime_seconds = 12.5;
    ct.record.diskspace = vz::UbcFigures{1, std::nullopt, 2, 3, std::nullopt};
    ct.record.diskinodes = vz::UbcFigures{1, std::nullopt, 2, 3, std::nullopt};
    return host;
}

} // namespace

BOOST_AUTO_TEST_CASE(every_family_follows_the_naming_conventions) {
    for (const Family &f : families(everything())) {
        BOOST_TEST_CONTEXT(f.name) {
            BOOST_TEST(!f.samples.empty());
            BOOST_TEST(f.name.starts_with("vzkit_"));
            BOOST_TEST((f.type == MetricType::Counter) == f.name.ends_with("_total"));
            BOOST_TEST(!f.help.empty());
        }
    }
}

// The example dashboard asks only for series the tool writes.
BOOST_AUTO_TEST_CASE(the_dashboard_names_only_written_families) {
    std::set<std::string> names;
    for (const Family &f : families(everything()))
        names.insert(f.name);
    std::ifstream in(VZKIT_SOURCE_DIR "/metrics/grafana/vzkit.json");
    BOOST_REQUIRE(in);
    const std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::regex metric("vzkit_[a-z_]+");
    std::size_t used = 0;
    for (std::sregex_iterator it(json.begin(), json.end(), metric), end; it != end; ++it, ++used)
        BOOST_TEST(names.contains(it->str()), it->str() << " is written by vzkit-metrics");
    BOOST_TEST(used > 10u);
}
