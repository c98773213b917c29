// What vzps, vzpid, vztop and vzkillall read of every process on the host,
// containers' included: /proc/PID/stat (whose comm container root chooses:
// spaces, parentheses, anything), status, cgroup and cmdline. Any text parses
// or is refused, never a crash; a parsed stat keeps comm within its line.
#include "fuzz.h"
#include "vzkit/proc/parse.h"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    vz::ProcStat stat;
    if (vz::parse_proc_stat(text, stat))
        FUZZ_CHECK(stat.comm.size() <= text.size());
    vz::ProcStatus status;
    (void)vz::parse_proc_status(text, status);
    (void)vz::parse_cgroup_owner(text);
    (void)vz::ctid_of_cgroup_path(text);
    (void)vz::format_cgroup_column(text);
    (void)vz::parse_ns_link(text, "pid");
    (void)vz::format_cmdline(text);
    const std::string_view argv0 = vz::cmdline_argv0_name(text);
    FUZZ_CHECK(argv0.empty() || (argv0.data() >= text.data() &&
                                 argv0.data() + argv0.size() <= text.data() + text.size()));
    (void)vz::parse_uptime(text);
    (void)vz::parse_meminfo_kb(text, "MemTotal");
    return 0;
}
