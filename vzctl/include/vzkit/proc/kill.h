// Signalling processes by name within a scope (vzkillall), safely against pid
// reuse: the process is pinned with a pidfd, checked again through its own
// /proc directory (same process as listed, same name, same container, and a
// cgroup that agrees with its pid namespace), and only then signalled through
// the pidfd. A pid that changed hands between the listing and the signal is
// never hit: the pidfd refers to the new process, whose start time differs.
#pragma once

#include "vzkit/base/fd.h"
#include "vzkit/proc/table.h"
#include "vzkit/base/ct_config.h"

#include <string>
#include <string_view>
#include <vector>

namespace vz {

// Which processes a run may touch.
struct KillScope {
    enum class Kind {
        Everything, // the host's and every container's (killall on an OpenVZ host)
        Host,       // --host: CTID 0 only
        AllCts,     // --all-cts: every container, never the host
        Cts,        // -E CTID...: the listed containers
    };
    Kind kind = Kind::Everything;
    std::vector<Ctid> ctids; // Kind::Cts

    bool contains(Ctid ctid) const;
};

// A NAME of killall(1): the command name, or with a '/' the executable's path.
struct NamePattern {
    std::string name;
    bool exact = false;       // -e: never fall back to the 15-character comm for long names
    bool ignore_case = false; // -I
};

// Whether the process behind pid_dir (an fd on /proc/<pid>) with command name
// comm matches, as killall decides: comm holds at most 15 characters, so a
// longer NAME is compared with the base name of argv[0] (read through
// pid_dir), or, when that cannot be read and exact is off, with comm's 15.
// scratch is a reused buffer.
bool name_matches(const NamePattern &pattern, int pid_dir, std::string_view comm,
                  std::string &scratch);
// The comm alone decides (no need to read the process): true/false; nullopt
// when the cmdline or exe must be looked at.
std::optional<bool> name_matches_by_comm(const NamePattern &pattern, std::string_view comm);

// name_matches for a table entry, reading the process only when its comm
// cannot decide.
bool entry_matches(ProcReader &reader, const NamePattern &pattern, const ProcEntry &entry,
                   std::string &scratch);

enum class SignalOutcome {
    Sent,
    Gone,    // exited before the signal
    Changed, // no longer the listed process, name or scope: left alone
    Failed,  // the kernel refused (error holds errno)
};

struct SignalResult {
    SignalOutcome outcome = SignalOutcome::Failed;
    int error = 0;
    std::string reason; // Changed: what differed
    UniqueFd pidfd;     // Sent: pollable for the process's exit
};

// Sends signal to entry's process after the checks above. reader must read
// container ids (ProcQuery::ctid).
SignalResult signal_checked(ProcReader &reader, const ProcEntry &entry, const NamePattern &pattern,
                            const KillScope &scope, int signal);

// Waits until every process behind pidfds has exited (killall -w).
void wait_for_exit(std::vector<UniqueFd> &pidfds);

} // namespace vz
