// Prometheus' text exposition format (version 0.0.4), what node exporter's
// textfile collector reads: families with their HELP and TYPE lines and
// samples with labels. Label values come from containers' configs (hostname,
// name), which a panel may fill with what a customer typed: they are escaped
// here, and made valid UTF-8, so that no value can end a label, a line or the
// file (docs/metrics.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vz::metrics {

enum class MetricType { Gauge, Counter };

struct Label {
    std::string name;  // [a-zA-Z_][a-zA-Z0-9_]*, fixed by this program
    std::string value; // any bytes: escaped when written
};

struct Sample {
    std::vector<Label> labels;
    std::string value; // a number as format_value() writes it
};

struct Family {
    std::string name;
    MetricType type = MetricType::Gauge;
    std::string help;
    std::vector<Sample> samples;
};

// A label value as the format wants it between quotes: backslash, double
// quote and line feed escaped (\\, \", \n), and every byte that is not part
// of valid UTF-8 replaced by U+FFFD.
std::string escape_label_value(std::string_view value);
// A HELP text: backslash and line feed escaped.
std::string escape_help(std::string_view text);
// Numbers: integers exactly, others with the digits a double needs.
std::string format_value(std::uint64_t value);
std::string format_value(double value);

// Every family with at least one sample, in the given order: "# HELP",
// "# TYPE", then its samples, one per line, ending with a line feed.
std::string render(const std::vector<Family> &families);

} // namespace vz::metrics
