// vzmemcheck [-v] [-A]: how much of the host's memory the running containers
// use and are promised (OpenVZ's columns), in percent or, with -A, in MB.
// Exit status 0, or 1 on any error.
#include "vzkit/cli/describe.h"
#include "vzkit/cli/options.h"
#include "vzkit/cli/tool_main.h"
#include "vzkit/base/error.h"
#include "vzkit/ubc/proc.h"
#include "vzkit/ubc/tools.h"

#include <array>
#include <cstdio>
#include <iostream>

namespace {

constexpr std::string_view kUsage = "Usage: vzmemcheck [-v] [-A]\n";

constexpr auto kOptions = std::to_array<vz::cli::Option>({
    {"", 'v', vz::cli::Arg::kNone},
    {"", 'A', vz::cli::Arg::kNone},
    {"", 'h', vz::cli::Arg::kNone},
});

void print_row(const char *label, const vz::ubc::MemoryUse &u, double scale) {
    std::printf("%-10s %7.2f %7.2f %7.2f %7.2f %7.2f %7.2f %7.2f %7.2f\n", label,
                u.lowmem_util * scale, u.lowmem_commit * scale, u.ram_util * scale,
                u.memswap_util * scale, u.memswap_commit * scale, u.alloc_util * scale,
                u.alloc_commit * scale, u.alloc_limit * scale);
}

int run(std::vector<std::string> args) {
    bool verbose = false, absolute = false;
    const auto parsed = vz::cli::parse(args, kOptions);
    for (const auto &given : parsed.given) {
        if (given.option->id() == 'v')
            verbose = true;
        else if (given.option->id() == 'A')
            absolute = true;
        else {
            std::cerr << kUsage; // OpenVZ's: on stderr, and success
            return 0;
        }
    }
    auto host = vz::ubc::read_host_memory();
    auto bcs = vz::ubc::read_beancounters();
    if (!host || !bcs)
        throw vz::Error(1, "no beancounters (is the vzkit module loaded?)");
    // A fraction of the host, in percent or in MB of RAM + swap.
    const double scale = absolute ? static_cast<double>(host->ram + host->swap) / (1 << 20) : 100;
    std::cout << (absolute ? "Output values in Mbytes\n" : "Output values in %\n");
    std::printf("%-10s %7s %7s %7s %7s %7s %7s %7s %7s\n", "veid", "LowMem", "LowMem", "RAM",
                "MemSwap", "MemSwap", "Alloc", "Alloc", "Alloc");
    std::printf("%-10s %7s %7s %7s %7s %7s %7s %7s %7s\n", "", "util", "commit", "util", "util",
                "commit", "util", "commit", "limit");
    vz::ubc::MemoryUse total;
    for (const auto &bc : *bcs) {
        if (bc.id == 0)
            continue;
        const auto use = vz::ubc::memory_use(bc, *host);
        total += use;
        if (verbose)
            print_row(std::to_string(bc.id).c_str(), use, scale);
    }
    std::cout << std::string(82, '-') << '\n';
    print_row("Summary:", total, scale);
    return 0;
}

// --vzkit-describe: the option table, for the man page (man/).
std::string describe_tables() {
    return vz::cli::describe_options(kOptions);
}

} // namespace

int main(int argc, char **argv) {
    return vz::cli::tool_main(argc, argv, 1, run,
                              {.program = "vzmemcheck",
                               .error_codes = false,
                               .usage = kUsage,
                               .describe = describe_tables});
}
