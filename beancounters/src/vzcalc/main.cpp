// vzcalc [-v] CTID: a running container's share of the host, current,
// promised by its limits, and maximal, in percent (OpenVZ's vzcalc).
// Exit status 0, 1 on bad usage or error, 31 when the CT is not running.
#include "vzkit/error.h"
#include "vzkit/ubc_proc.h"
#include "vzkit/ubc_tools.h"
#include "vzkit/util.h"
#include "vzkit/ve_config.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

int main(int argc, char **argv) {
    try {
        bool verbose = false;
        int opt;
        while ((opt = getopt(argc, argv, "vh")) != -1) {
            if (opt != 'v') {
                std::cerr << "Usage: vzcalc [-v] CTID\n";
                return opt == 'h' ? 0 : 1;
            }
            verbose = true;
        }
        if (optind + 1 != argc) {
            std::cerr << "Usage: vzcalc [-v] CTID\n";
            return 1;
        }
        const vz::Ctid ctid = vz::parse_ctid(argv[optind]);
        auto bc = vz::ubc::read_beancounter(ctid);
        if (!bc)
            throw vz::Error(vz::VZ_VE_NOT_RUNNING,
                            "Container " + std::to_string(ctid) +
                                " is not running (or the vzkit module is not loaded)");
        auto host = vz::ubc::parse_meminfo(vz::read_file("/proc/meminfo").value_or(""));
        if (!host)
            throw vz::Error(1, "Unable to read /proc/meminfo");
        auto pid_max = vz::read_file("/proc/sys/kernel/pid_max").value_or("");
        const std::uint64_t max_tasks =
            vz::parse_number<std::uint64_t>(vz::trim(pid_max)).value_or(32768);
        const auto rows = vz::ubc::calc(*bc, *host, max_tasks);
        std::printf("Resource     Current(%%)  Promised(%%)  Max(%%)\n");
        for (std::size_t i = 0; i < (verbose ? rows.size() : 1); ++i)
            std::printf("%-12s %10.2f %12.2f %8.2f\n", rows[i].resource.c_str(), rows[i].current,
                        rows[i].promised, rows[i].max);
        return 0;
    } catch (const vz::Error &e) {
        std::cerr << e.what() << '\n';
        return e.code();
    } catch (const std::exception &e) {
        std::cerr << e.what() << '\n';
        return 1;
    }
}
