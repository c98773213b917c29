// vzkit-metrics: writes every container's metrics in Prometheus' text format
// for node exporter's textfile collector (docs/metrics.md). What is collected
// and how it is named live in the metrics library (vzkit/metrics/*.h); this
// file parses the command line and writes the file.
#include "vzkit/base/config.h"
#include "vzkit/base/ct_config.h"
#include "vzkit/base/error.h"
#include "vzkit/base/log.h"
#include "vzkit/base/util.h"
#include "vzkit/cli/options.h"
#include "vzkit/cli/tool_main.h"
#include "vzkit/metrics/collect.h"
#include "vzkit/metrics/exposition.h"
#include "vzkit/metrics/families.h"

#include <array>
#include <iostream>

namespace {

constexpr int kExitFailure = 1;

constexpr std::string_view kUsage =
    "Usage: vzkit-metrics [-o FILE | -o -]\n"
    "\n"
    "Writes every container's metrics (state, beancounters, CPU, memory, swap, disk\n"
    "quota, network traffic) in Prometheus' text format, for node exporter's textfile\n"
    "collector. The file is replaced atomically (a hidden temporary file in the same\n"
    "directory, then rename), so the collector never reads half of it.\n"
    "\n"
    "  -o, --output FILE   the file to write (default\n"
    "                      /var/lib/prometheus/node-exporter/vzkit.prom); - for\n"
    "                      standard output\n"
    "  --help              this text\n"
    "\n"
    "Exit status: 0 written; 1 bad usage, not root, or the file cannot be written.\n";

struct Options {
    std::string output = "/var/lib/prometheus/node-exporter/vzkit.prom";
    bool help = false;
};

constexpr auto kRows = std::to_array<vz::cli::Bound<Options>>({
    {{"output", 'o', vz::cli::Arg::kRequired}, vz::cli::store<&Options::output>},
    {{"help", 0, vz::cli::Arg::kNone}, vz::cli::flag<&Options::help>},
});

int run(std::vector<std::string> args) {
    // Run every 15 s by a timer: nothing of it belongs in vzctl.log.
    vz::LogSettings log;
    log.enabled = false;
    log.program = "vzkit-metrics";
    vz::log_configure(log);
    Options opts;
    const auto words = vz::cli::parse_into(args, kRows, opts);
    if (opts.help)
        return vz::cli::print_help();
    if (!words.empty())
        throw vz::cli::UsageError(kExitFailure, "unexpected argument: " + words.front());
    vz::require_root(kExitFailure);

    const vz::ConfigFile global = vz::ConfigFile::load(vz::global_conf_path());
    const std::string text =
        vz::metrics::render(vz::metrics::families(vz::metrics::collect(global)));
    if (opts.output == "-")
        std::cout << text << std::flush;
    else
        vz::write_file_atomic(opts.output, text, 0644);
    return 0;
}

} // namespace

int main(int argc, char **argv) {
    return vz::cli::tool_main(argc, argv, kExitFailure, run,
                              {.program = "vzkit-metrics", .error_codes = false, .usage = kUsage});
}
