// The Cgroup handle: one group vz/<CTID> in every mounted v1 hierarchy, or in
// the unified v2 tree.
//
// Upstream vzctl 4.x (libcgroup, group /vz-<CTID>) killed a container by
// SIGKILLing the tasks of the cpu hierarchy only, in a loop that raced with
// fork, never looked into sub-groups the container made, and deleted groups
// with tasks still attached elsewhere. Here every hierarchy is covered, the
// freezer (v1) or cgroup.kill (v2) closes the fork race, listings recurse into
// sub-groups and removal goes depth-first.
#include "cgroup_internal.h"

#include "vzkit/error.h"

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <optional>

namespace vz {
namespace {

namespace fs = std::filesystem;
using cg::Clock;

// Freezing is only an optimisation against fork races, so it gets a short
// share of the caller's timeout.
constexpr auto kFreezeWait = std::chrono::milliseconds(1000);

fs::path group_below(const fs::path &root, Ctid ctid) {
    return root / cg::kBaseName / std::to_string(ctid);
}

bool is_dir(const fs::path &path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

void kill_listed(const std::vector<pid_t> &pids) {
    for (pid_t pid : pids)
        // Never ourselves: a caller left inside the group gets "not empty"
        // back rather than dying halfway through a stop.
        if (pid > 0 && pid != ::getpid())
            ::kill(pid, SIGKILL);
}

// Freezing first means no task can fork a child we have not listed yet.
void kill_frozen_v1(const Cgroup &cgroup, Clock::time_point deadline) {
    auto freezer = cg::find_controller_dir(CgroupMode::V1, cgroup.ctid(), "freezer");
    const bool have_freezer = freezer && is_dir(*freezer);
    if (have_freezer)
        cg::v1_set_frozen(*freezer, true, std::min(deadline, Clock::now() + kFreezeWait));
    kill_listed(cgroup.pids());
    // Frozen tasks do not act on SIGKILL until thawed.
    if (have_freezer)
        cg::v1_set_frozen(*freezer, false, deadline);
}

void remove_leftover(const Cgroup &cgroup) {
    if (!cgroup.kill_all())
        throw Error(VZ_RESOURCE_ERROR, "Unable to empty the leftover cgroup vz/" +
                                           std::to_string(cgroup.ctid()) +
                                           ": tasks survive SIGKILL");
    cgroup.destroy();
}

struct UsageFile {
    std::string_view controller;
    std::string_view v1;
    std::string_view v2;
};
constexpr UsageFile kMemoryUsage{"memory", "memory.usage_in_bytes", "memory.current"};
constexpr UsageFile kPidsCurrent{"pids", "pids.current", "pids.current"};

std::optional<std::uint64_t> read_usage(CgroupMode mode, Ctid ctid, const UsageFile &usage) {
    auto dir = cg::find_controller_dir(mode, ctid, usage.controller);
    if (!dir)
        return std::nullopt;
    return cg::read_u64(*dir / (mode == CgroupMode::V2 ? usage.v2 : usage.v1));
}

} // namespace

std::optional<fs::path> cg::find_controller_dir(CgroupMode mode, Ctid ctid,
                                                std::string_view controller) {
    if (mode == CgroupMode::V2)
        return group_below(kV2Root, ctid);
    const std::string named = "name=" + std::string(controller);
    for (const auto &hierarchy : v1_hierarchies())
        if (hierarchy.has(controller) || hierarchy.has(named))
            return group_below(hierarchy.mount, ctid);
    return std::nullopt;
}

CgroupMode Cgroup::host_mode() {
    struct statfs st {};
    if (::statfs(cg::kV2Root.c_str(), &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
        return CgroupMode::V2;
    return CgroupMode::V1;
}

Cgroup::Cgroup(Ctid ctid) : ctid_(ctid), mode_(host_mode()) {}

fs::path Cgroup::path(std::string_view controller) const {
    if (auto dir = cg::find_controller_dir(mode_, ctid_, controller))
        return *dir;
    throw Error(VZ_SYSTEM_ERROR,
                "The " + std::string(controller) + " cgroup controller is not mounted");
}

std::vector<fs::path> Cgroup::all_paths() const {
    if (mode_ == CgroupMode::V2)
        return {group_below(cg::kV2Root, ctid_)};
    std::vector<fs::path> out;
    for (const auto &hierarchy : cg::v1_hierarchies())
        out.push_back(group_below(hierarchy.mount, ctid_));
    return out;
}

void Cgroup::create() {
    if (exists())
        remove_leftover(*this);
    try {
        if (mode_ == CgroupMode::V2) {
            cg::v2_create(ctid_);
        } else {
            const auto hierarchies = cg::v1_hierarchies();
            if (hierarchies.empty())
                throw Error(VZ_SYSTEM_ERROR, "No cgroup v1 hierarchy is mounted");
            for (const auto &hierarchy : hierarchies)
                cg::v1_create(hierarchy, ctid_);
        }
        set_devices({});
    } catch (const Error &) {
        // Half a group would pass for a leftover next time; the first error is
        // the one worth reporting.
        try {
            destroy();
        } catch (const Error &) {
        }
        throw;
    }
}

bool Cgroup::exists() const {
    return std::ranges::any_of(all_paths(), is_dir);
}

std::vector<pid_t> Cgroup::pids() const {
    std::vector<pid_t> out;
    for (const auto &dir : all_paths()) {
        auto procs = cg::procs_recursive(dir);
        out.insert(out.end(), procs.begin(), procs.end());
    }
    std::ranges::sort(out);
    auto dups = std::ranges::unique(out);
    out.erase(dups.begin(), dups.end());
    return out;
}

void Cgroup::attach(pid_t pid) const {
    for (const auto &dir : all_paths())
        cg::write_value(dir / "cgroup.procs", std::to_string(pid), VZ_SYSTEM_ERROR);
}

bool Cgroup::kill_all(int timeout_ms) const {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    if (mode_ == CgroupMode::V1)
        kill_frozen_v1(*this, deadline);
    else if (!cg::v2_kill(group_below(cg::kV2Root, ctid_)))
        kill_listed(pids());
    // Tasks forked before the kill landed (no freezer, no cgroup.kill) are
    // caught by killing whatever is still listed on every round.
    return cg::wait_until(deadline, [&] {
        auto left = pids();
        kill_listed(left);
        return left.empty();
    });
}

void Cgroup::destroy() const {
    std::optional<Error> first_error;
    for (const auto &dir : all_paths()) {
        try {
            cg::remove_tree(dir);
        } catch (const Error &e) {
            if (!first_error)
                first_error = e;
        }
    }
    if (first_error)
        throw *first_error;
}

std::optional<std::uint64_t> Cgroup::memory_usage_bytes() const {
    return read_usage(mode_, ctid_, kMemoryUsage);
}

std::optional<std::uint64_t> Cgroup::pids_current() const {
    return read_usage(mode_, ctid_, kPidsCurrent);
}

} // namespace vz
