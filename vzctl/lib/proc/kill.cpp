// Scope, name matching and the checked signal of vzkillall (see proc/kill.h).
#include "vzkit/proc/kill.h"

#include "proc/io.h"

#include "vzkit/base/process.h"
#include "vzkit/proc/parse.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <strings.h>

namespace vz {
namespace {

// TASK_COMM_LEN - 1: the kernel keeps this much of a command name.
constexpr std::size_t kCommMax = 15;

bool same_name(std::string_view a, std::string_view b, bool ignore_case) {
    if (a.size() != b.size())
        return false;
    return ignore_case ? ::strncasecmp(a.data(), b.data(), a.size()) == 0 : a == b;
}

bool by_path(const NamePattern &pattern) {
    return pattern.name.find('/') != std::string::npos;
}

bool exe_matches(const NamePattern &pattern, int pid_dir, std::string &scratch) {
    if (!procio::readlink_at(pid_dir, "exe", scratch))
        return false; // kernel threads have none; a gone process matches nothing
    constexpr std::string_view kDeleted = " (deleted)";
    std::string_view exe = scratch;
    if (exe.ends_with(kDeleted))
        exe.remove_suffix(kDeleted.size());
    return exe == pattern.name;
}

// The cgroup must tell the same story as the pid namespace: a host process
// sitting in a container's group (vzctl joining it) or a container process
// outside its group is ambiguous, and ambiguous processes are not signalled.
std::optional<std::string> cgroup_disagrees(int pid_dir, Ctid ctid, std::string &scratch) {
    if (!procio::read_whole_at(pid_dir, "cgroup", scratch))
        return "its cgroup cannot be read";
    const CgroupOwner owner = parse_cgroup_owner(scratch);
    if (ctid == 0 && owner.kind == CgroupOwner::Kind::None)
        return std::nullopt;
    if (ctid != 0 && owner == CgroupOwner{CgroupOwner::Kind::Ct, ctid})
        return std::nullopt;
    if (owner.kind == CgroupOwner::Kind::Ct)
        return "its cgroup is CT " + std::to_string(owner.ctid) + "'s";
    return owner.kind == CgroupOwner::Kind::Conflict ? "its cgroups name several containers"
                                                     : "its cgroup is not its container's";
}

SignalResult changed(std::string reason) {
    SignalResult result;
    result.outcome = SignalOutcome::Changed;
    result.reason = std::move(reason);
    return result;
}

SignalResult gone() {
    SignalResult result;
    result.outcome = SignalOutcome::Gone;
    return result;
}

SignalResult failed(int error) {
    SignalResult result;
    result.outcome = SignalOutcome::Failed;
    result.error = error;
    return result;
}

} // namespace

bool KillScope::contains(Ctid ctid) const {
    switch (kind) {
    case Kind::Everything:
        return true;
    case Kind::Host:
        return ctid == 0;
    case Kind::AllCts:
        return ctid != 0;
    case Kind::Cts:
        return ctid != 0 && std::ranges::find(ctids, ctid) != ctids.end();
    }
    return false;
}

std::optional<bool> name_matches_by_comm(const NamePattern &pattern, std::string_view comm) {
    if (by_path(pattern))
        return std::nullopt;
    const std::string_view name = pattern.name;
    if (comm.size() < kCommMax || name.size() <= kCommMax)
        return same_name(comm, name, pattern.ignore_case);
    // comm is cut to 15: only the rest of the name can tell.
    if (!same_name(comm, name.substr(0, kCommMax), pattern.ignore_case))
        return false;
    return std::nullopt;
}

bool name_matches(const NamePattern &pattern, int pid_dir, std::string_view comm,
                  std::string &scratch) {
    if (auto decided = name_matches_by_comm(pattern, comm))
        return *decided;
    if (by_path(pattern))
        return exe_matches(pattern, pid_dir, scratch);
    if (procio::read_at(pid_dir, "cmdline", scratch)) {
        const std::string_view argv0 = cmdline_argv0_name(scratch);
        if (!argv0.empty())
            return same_name(argv0, pattern.name, pattern.ignore_case);
    }
    // The full name is unavailable (a kernel thread, a zombie): killall then
    // takes the first 15 characters unless asked for exact matches.
    return !pattern.exact;
}

bool entry_matches(ProcReader &reader, const NamePattern &pattern, const ProcEntry &entry,
                   std::string &scratch) {
    if (auto decided = name_matches_by_comm(pattern, entry.stat.comm))
        return *decided;
    UniqueFd dir = procio::open_pid_dir(reader.proc_fd(), entry.pid());
    return dir && name_matches(pattern, dir.get(), entry.stat.comm, scratch);
}

SignalResult signal_checked(ProcReader &reader, const ProcEntry &entry, const NamePattern &pattern,
                            const KillScope &scope, int signal) {
    const pid_t pid = entry.pid();
    UniqueFd dir = procio::open_pid_dir(reader.proc_fd(), pid);
    if (!dir)
        return procio::process_gone(errno) ? gone() : failed(errno);
    UniqueFd pidfd = open_pidfd(pid);
    if (!pidfd)
        return errno == ESRCH ? gone() : failed(errno);
    // Reading through dir succeeds only while dir's process lives; it lived
    // after the pidfd was opened, so both refer to the same process.
    ProcEntry now;
    if (!reader.read_at(dir.get(), now))
        return gone();
    if (now.stat.start != entry.stat.start)
        return changed("its pid now belongs to another process");
    std::string scratch;
    if (!name_matches(pattern, dir.get(), now.stat.comm, scratch))
        return changed("it no longer matches " + pattern.name);
    if (now.ctid != entry.ctid || !scope.contains(now.ctid))
        return changed("it is no longer in the chosen scope");
    if (auto why = cgroup_disagrees(dir.get(), now.ctid, scratch))
        return changed(*why);
    if (pidfd_signal(pidfd.get(), signal) != 0)
        return errno == ESRCH ? gone() : failed(errno);
    SignalResult result;
    result.outcome = SignalOutcome::Sent;
    result.pidfd = std::move(pidfd);
    return result;
}

void wait_for_exit(std::vector<UniqueFd> &pidfds) {
    std::vector<pollfd> fds;
    for (const auto &fd : pidfds)
        if (fd)
            fds.push_back({fd.get(), POLLIN, 0});
    while (!fds.empty()) {
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        std::erase_if(fds, [](const pollfd &p) { return p.revents != 0; });
        for (auto &p : fds)
            p.revents = 0;
    }
}

} // namespace vz
