// Private pieces of the cgroup layer shared by cgroup*.cpp: control-file I/O,
// the v1 hierarchy table and the per-version setup steps.
#pragma once

#include "vzkit/base/util.h"
#include "vzkit/cgroup/cgroup.h"

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace vz::cg {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

inline const fs::path kV2Root = "/sys/fs/cgroup";
// Every container group lives below this one, so that the host's own groups
// (systemd's slices) and ours never mix.
inline constexpr std::string_view kBaseName = "vz";
// With FEATURES nesting:on the container's processes live one level down, in
// vz/<CTID>/ct, and its cgroup namespace is rooted there: a cgroup tree it
// mounts from a user namespace of its own shows the limits vzctl set on
// vz/<CTID> nowhere (docs/security.md).
inline constexpr std::string_view kPayloadName = "ct";

// --- cgroup/fs.cpp: control files and group directories -------------------

// Trimmed content of a control file; nullopt when it is missing or unreadable.
std::optional<std::string> read_value(const fs::path &file);
std::optional<std::uint64_t> read_u64(const fs::path &file);
// One write() of value; throws Error(code, "Unable to write <value> to <file>: <errno text>").
void write_value(const fs::path &file, std::string_view value, int code);
// Each value in a write() of its own through one open of file: files that
// take one record per write (devices.allow) without an open per record.
void write_values(const fs::path &file, const std::vector<std::string> &values, int code);
// Same, but reports the errno (0 on success) instead of throwing.
int try_write_value(const fs::path &file, std::string_view value);
bool is_dir(const fs::path &path);
// The cgroup2 mount of a cgroup v1 host (systemd's hybrid layout mounts it at
// /sys/fs/cgroup/unified), if any.
std::optional<fs::path> v1_unified_mount();
std::optional<fs::path> v1_unified_mount(const std::vector<MountInfo> &mounts);
// mkdir; returns false if it already existed. Throws Error(VZ_RESOURCE_ERROR).
bool make_dir(const fs::path &dir);
// rmdir of dir and every group below it, deepest first; a missing dir is fine.
void remove_tree(const fs::path &dir);
// Group directories below dir (not dir itself), parents before children.
std::vector<fs::path> subgroups(const fs::path &dir);
// cgroup.procs of dir and of every group below it.
std::vector<pid_t> procs_recursive(const fs::path &dir);
// Polls done() until it holds or deadline passes: first after a millisecond,
// then at doubling intervals up to 10 ms, so that what settles at once (a
// freeze, a killed task's exit) costs no full 10 ms tick.
template <typename Pred> bool wait_until(Clock::time_point deadline, Pred done);
// Sleeps for round (0, 1, ...) of such a wait.
void pause_briefly(unsigned round);

// --- cgroup/cpus.cpp: CPUS pinned without the module (lists: base/cpu_list.h)

// n of the allowed CPUs for the group's cpuset.cpus: the ones it has if they
// still fit, else least_used_cpus() against the other containers' groups.
std::string pinned_cpus(const Cgroup &cgroup, const std::set<unsigned> &allowed, unsigned n);

// --- cgroup/v1.cpp ---------------------------------------------------------

using Hierarchy = CgroupHierarchy;
// What the v1 layout is read from: the mounts at and below /sys/fs/cgroup
// (listmount and statmount: a few calls, whatever the number of running
// containers), or all of mountinfo where the kernel cannot answer so or has
// no cgroup hierarchy there.
std::vector<MountInfo> layout_mounts();
// Hierarchies mounted now, one per superblock (bind mounts of the same
// hierarchy would otherwise get the group twice).
std::vector<Hierarchy> v1_hierarchies();
// The same from already parsed mountinfo.
std::vector<Hierarchy> v1_hierarchies(const std::vector<MountInfo> &mounts);
// Creates <mount>/vz and <mount>/vz/<CTID> and prepares them so that tasks can
// join (cpuset) and limits nest (memory).
void v1_create(const Hierarchy &hierarchy, Ctid ctid);
// Creates the payload group below a v1 group, prepared like the group itself.
void v1_create_payload(const Hierarchy &hierarchy, const fs::path &group);
// Freezes (true) or thaws the group through the freezer hierarchy; false if
// there is no freezer or the state did not settle before deadline.
bool v1_set_frozen(const fs::path &freezer_group, bool frozen, Clock::time_point deadline);

// --- cgroup/v2.cpp ---------------------------------------------------------

// Enables our controllers for vz and its children, then creates vz/<CTID>.
void v2_create(Ctid ctid);
// Enables our controllers below group (for its payload child).
void v2_delegate(const fs::path &group);
// Writes cgroup.kill when the kernel has it (5.14+); false otherwise.
bool v2_kill(const fs::path &group);
// Waits until cgroup.events says "populated 0" for group: the kernel wakes a
// poll() on that file when it changes, so the wait costs no polling. False at
// deadline, or when the file cannot be read (the caller then polls the pids).
bool v2_wait_unpopulated(const fs::path &group, Clock::time_point deadline);

// --- cgroup/devices.cpp ----------------------------------------------------

void v1_set_devices(const fs::path &devices_group, const std::vector<DeviceRule> &rules);

template <typename Pred> bool wait_until(Clock::time_point deadline, Pred done) {
    for (unsigned round = 0;; ++round) {
        if (done())
            return true;
        if (Clock::now() >= deadline)
            return false;
        pause_briefly(round);
    }
}

} // namespace vz::cg
