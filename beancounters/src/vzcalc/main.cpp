// vzcalc [-v] CTID: a running container's share of the host, current,
// promised by its limits, and maximal, in percent (OpenVZ's vzcalc).
// Exit status 0, 1 on bad usage or error, 31 when the CT is not running.
#include "vzkit/cli/describe.h"
#include "vzkit/cli/options.h"
#include "vzkit/cli/tool_main.h"
#include "vzkit/base/error.h"
#include "vzkit/ubc/proc.h"
#include "vzkit/ubc/tools.h"
#include "vzkit/base/ct_config.h"

#include <array>
#include <cstdio>
#include <iostream>

namespace {

constexpr std::string_view kUsage = "Usage: vzcalc [-v] CTID\n";

constexpr auto kOptions = std::to_array<vz::cli::Option>({
    {"", 'v', vz::cli::Arg::kNone},
    {"", 'h', vz::cli::Arg::kNone},
});

int run(std::vector<std::string> args) {
    const auto parsed = vz::cli::parse(args, kOptions);
    bool verbose = false;
    for (const auto &given : parsed.given) {
        if (given.option->id() == 'h') {
            std::cerr << kUsage; // OpenVZ's: on stderr, and success
            return 0;
        }
        verbose = true;
    }
    if (parsed.positional.size() != 1)
        throw vz::cli::UsageError(1, ""); // the usage alone
    const vz::Ctid ctid = vz::parse_ctid(parsed.positional.front());
    auto bc = vz::ubc::read_beancounter(ctid);
    if (!bc)
        throw vz::Error(vz::VZ_VE_NOT_RUNNING,
                        "Container " + std::to_string(ctid) +
                            " is not running (or the vzkit module is not loaded)");
    auto host = vz::ubc::read_host_memory();
    if (!host)
        throw vz::Error(1, "Unable to read /proc/meminfo");
    const auto rows = vz::ubc::calc(*bc, *host, vz::ubc::read_max_tasks());
    std::printf("Resource     Current(%%)  Promised(%%)  Max(%%)\n");
    for (std::size_t i = 0; i < (verbose ? rows.size() : 1); ++i)
        std::printf("%-12s %10.2f %12.2f %8.2f\n", rows[i].resource.c_str(), rows[i].current,
                    rows[i].promised, rows[i].max);
    return 0;
}

// --vzkit-describe: the option table, for the man page (man/).
std::string describe_tables() {
    return vz::cli::describe_options(kOptions);
}

} // namespace

int main(int argc, char **argv) {
    return vz::cli::tool_main(argc, argv, 1, run,
                              {.program = "vzcalc",
                               .name_in_errors = false,
                               .usage = kUsage,
                               .describe = describe_tables});
}
