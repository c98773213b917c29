// Parsers for the /proc files the process tools read: /proc/<pid>/stat,
// /proc/<pid>/status, /proc/<pid>/cgroup, the ns/pid link, /proc/uptime and
// friends. Pure functions over text, so that every corner (a comm with
// parentheses, a v1 host with a stray unified line) is unit-tested without a
// live process.
#pragma once

#include "vzkit/base/ct_config.h"

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vz {

// The fields of /proc/<pid>/stat the tools use (proc(5) numbering in comments).
struct ProcStat {
    pid_t pid = 0;           // 1
    std::string comm;        // 2, without the parentheses
    char state = '?';        // 3
    pid_t ppid = 0;          // 4
    pid_t pgrp = 0;          // 5
    pid_t session = 0;       // 6
    unsigned tty = 0;        // 7 tty_nr
    pid_t tpgid = 0;         // 8
    unsigned flags = 0;      // 9 PF_*
    std::uint64_t utime = 0; // 14, clock ticks
    std::uint64_t stime = 0; // 15, clock ticks
    long priority = 0;       // 18
    long nice = 0;           // 19
    unsigned threads = 0;    // 20
    std::uint64_t start = 0; // 22, clock ticks after boot
    std::uint64_t vsize = 0; // 23, bytes
    std::uint64_t rss = 0;   // 24, pages
    int processor = 0;       // 39
};

// Parses one stat line into out (reusing its comm buffer). The comm runs from
// the first '(' to the last ')': a process may name itself "a) R (b".
// Returns false on malformed text.
bool parse_proc_stat(std::string_view text, ProcStat &out);

// The fields of /proc/<pid>/status the tools use.
struct ProcStatus {
    uid_t ruid = 0, euid = 0;
    gid_t rgid = 0, egid = 0;
    std::uint64_t locked_kb = 0; // VmLck
    // NSpid: the pid in each pid namespace from that of the /proc mount down
    // to the process's own; one entry for a process of the /proc's namespace.
    std::vector<pid_t> nspid;
};

// Parses status text into out (reusing its nspid buffer). Kernels before 4.1
// have no NSpid line: nspid is then left empty. Returns false if the Uid or Gid
// line is missing or malformed.
bool parse_proc_status(std::string_view text, ProcStatus &out);

// The rule for a container's init, as seen by a reader whose own pid
// namespace is own_depth deep (the length of its own NSpid): pid 1 exactly one
// namespace below; deeper is a nested namespace's init, not the container's.
bool is_ns_init(const ProcStatus &status, std::size_t own_depth);

// What /proc/<pid>/cgroup says about container membership: the CTID of a
// "vz/<CTID>" group (or a group below it) on any line — every v1 hierarchy and
// the v2 "0::" line are looked at.
struct CgroupOwner {
    enum class Kind {
        None,     // no line under vz/<CTID>: not in any container's group
        Ct,       // every vz line names ctid
        Conflict, // lines name different containers: trust none
    };
    Kind kind = Kind::None;
    Ctid ctid = 0;
    bool operator==(const CgroupOwner &) const = default;
};
CgroupOwner parse_cgroup_owner(std::string_view text);

// The CTID of a cgroup path "/vz/<CTID>" or "/vz/<CTID>/...", else nullopt.
// Only canonical decimal CTIDs (no sign, no leading zero, not 0) count, as the
// group names vzctl creates are.
std::optional<Ctid> ctid_of_cgroup_path(std::string_view path);

// ps's CGROUP column: the lines whose path is not "/" joined by ',', or "-".
std::string format_cgroup_column(std::string_view text);

// "pid:[4026531836]" (readlink of /proc/<pid>/ns/pid) → 4026531836.
std::optional<std::uint64_t> parse_ns_link(std::string_view link, std::string_view type);

// /proc/<pid>/cmdline: NUL-separated arguments → one line joined by spaces
// (a trailing NUL dropped, control characters shown as '?', as procps does).
std::string format_cmdline(std::string_view raw);
// The basename of argv[0] of a cmdline ("/usr/sbin/sshd\0-D\0" → "sshd").
std::string_view cmdline_argv0_name(std::string_view raw);

// Seconds since boot, the first figure of /proc/uptime.
std::optional<double> parse_uptime(std::string_view text);
// A "Key:  123 kB" line of /proc/meminfo, in kB.
std::optional<std::uint64_t> parse_meminfo_kb(std::string_view text, std::string_view key);

} // namespace vz
