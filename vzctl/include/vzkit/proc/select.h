// Which processes vzps shows: procps's selections (-e, -p, --ppid, -u, -U,
// -C; several are OR'ed) restricted to containers with -E, OpenVZ's option
// (CTID 0 is the host).
#pragma once

#include "vzkit/proc/table.h"

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vz {

struct ProcSelection {
    bool all = false;                       // -e, -A
    std::vector<pid_t> pids;                // -p
    std::vector<pid_t> ppids;               // --ppid
    std::vector<uid_t> euids;               // -u
    std::vector<uid_t> ruids;               // -U
    std::vector<std::string> commands;      // -C
    std::optional<std::vector<Ctid>> ctids; // -E

    // With no selection at all, procps shows the caller's processes on the
    // caller's terminal: these identify them.
    uid_t self_euid = 0;
    unsigned self_tty = 0;

    // Whether anything but -E narrows the list (procps's "explicit" selection).
    bool has_process_selection() const;
    // Whether the default selection applies and needs the effective uid.
    bool needs_status() const;
    bool matches(const ProcEntry &entry) const;
};

// "1,2 3" → pids. Throws Error(code, "Invalid process ID list: ...").
std::vector<pid_t> parse_pid_list(std::string_view text, int code);
// User names or numeric ids, comma or blank separated. Throws Error(code).
std::vector<uid_t> parse_user_list(std::string_view text, int code);
// CTIDs (or names from the names/ directory) and 0 for the host.
std::vector<Ctid> parse_ctid_list(std::string_view text, int code);
// Comma or blank separated words.
std::vector<std::string> parse_word_list(std::string_view text);

} // namespace vz
