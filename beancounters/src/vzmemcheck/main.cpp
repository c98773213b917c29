// vzmemcheck [-v] [-A]: how much of the host's memory the running containers
// use and are promised (OpenVZ's columns), in percent or, with -A, in MB.
// Exit status 0, or 1 on any error.
#include "vzkit/ubc_proc.h"
#include "vzkit/ubc_tools.h"
#include "vzkit/util.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace {

void print_row(const char *label, const vz::ubc::MemoryUse &u, double scale) {
    std::printf("%-10s %7.2f %7.2f %7.2f %7.2f %7.2f %7.2f %7.2f %7.2f\n", label,
                u.lowmem_util * scale, u.lowmem_commit * scale, u.ram_util * scale,
                u.memswap_util * scale, u.memswap_commit * scale, u.alloc_util * scale,
                u.alloc_commit * scale, u.alloc_limit * scale);
}

int run(int argc, char **argv) {
    bool verbose = false, absolute = false;
    int opt;
    while ((opt = getopt(argc, argv, "vAh")) != -1) {
        if (opt == 'v')
            verbose = true;
        else if (opt == 'A')
            absolute = true;
        else {
            std::cerr << "Usage: vzmemcheck [-v] [-A]\n";
            return opt == 'h' ? 0 : 1;
        }
    }
    auto host = vz::ubc::parse_meminfo(vz::read_file("/proc/meminfo").value_or(""));
    auto bcs = vz::ubc::read_beancounters();
    if (!host || !bcs) {
        std::cerr << "vzmemcheck: no beancounters (is the vzkit module loaded?)\n";
        return 1;
    }
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

} // namespace

int main(int argc, char **argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception &e) {
        std::cerr << "vzmemcheck: " << e.what() << '\n';
    }
    return 1;
}
