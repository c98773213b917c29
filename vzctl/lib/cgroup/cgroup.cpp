// The Cgroup handle: one group vz/<CTID> in every mounted v1 hierarchy, or in
// the unified v2 tree.
//
// OpenVZ's vzctl (libcgroup, group /vz-<CTID>) killed a container by
// SIGKILLing the tasks of the cpu hierarchy only, in a loop that raced with
// fork, never looked into sub-groups the container made, and deleted groups
// with tasks still attached elsewhere. Here every hierarchy is covered, the
// freezer (v1) or cgroup.kill (v2) closes the fork race, listings recurse into
// sub-groups and removal goes depth-first.
#include "cgroup/internal.h"

#include "vzkit/base/error.h"
#include "vzkit/base/util.h"

#include <fcntl.h>
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

void kill_listed(const std::vector<pid_t> &pids) {
    for (pid_t pid : pids)
        // Never ourselves: a caller left inside the group gets "not empty"
        // back rather than dying halfway through a stop.
        if (pid > 0 && pid != ::getpid())
            ::kill(pid, SIGKILL);
}

// A container that freezes its own groups (it may mount its tree with
// nesting) must not make them unkillable: SIGKILL waits for a thaw.
void thaw_subgroups(const fs::path &freezer_group) {
    for (const auto &group : cg::subgroups(freezer_group))
        cg::try_write_value(group / "freezer.state", "THAWED");
}

// Freezing first means no task can fork a child we have not listed yet.
void kill_frozen_v1(const Cgroup &cgroup, Clock::time_point deadline) {
    auto freezer = cgroup.find("freezer");
    const bool have_freezer = freezer && cg::is_dir(*freezer);
    if (have_freezer)
        cg::v1_set_frozen(*freezer, true, std::min(deadline, Clock::now() + kFreezeWait));
    kill_listed(cgroup.pids());
    // Frozen tasks do not act on SIGKILL until thawed.
    if (have_freezer) {
        cg::v1_set_frozen(*freezer, false, deadline);
        thaw_subgroups(*freezer);
    }
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

std::optional<std::uint64_t> read_usage(const Cgroup &cgroup, const UsageFile &usage) {
    auto dir = cgroup.find(usage.controller);
    if (!dir)
        return std::nullopt;
    return cg::read_u64(*dir / (cgroup.mode() == CgroupMode::V2 ? usage.v2 : usage.v1));
}

// The unified hierarchy's vz/<CTID> on a v1 host (created for nesting only).
std::optional<fs::path> v1_unified_group(const CgroupLayout &layout, Ctid ctid) {
    const auto &mount = layout.v1_unified_mount();
    if (!mount)
        return std::nullopt;
    return group_below(*mount, ctid);
}

} // namespace

bool CgroupHierarchy::has(std::string_view controller) const {
    return std::ranges::find(controllers, controller) != controllers.end();
}

std::shared_ptr<const CgroupLayout> CgroupLayout::read() {
    auto layout = std::make_shared<CgroupLayout>();
    layout->mode_ = Cgroup::host_mode();
    // A v2 host needs nothing from mountinfo: every group is below kV2Root.
    if (layout->mode_ == CgroupMode::V1) {
        const auto mounts = cg::layout_mounts();
        layout->hierarchies_ = cg::v1_hierarchies(mounts);
        layout->unified_ = cg::v1_unified_mount(mounts);
    }
    return layout;
}

std::optional<fs::path> CgroupLayout::controller_dir(Ctid ctid, std::string_view controller) const {
    if (mode_ == CgroupMode::V2)
        return group_below(cg::kV2Root, ctid);
    const std::string named = "name=" + std::string(controller);
    for (const auto &hierarchy : hierarchies_)
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

std::shared_ptr<const CgroupLayout> CgroupLayout::shared() {
    static const std::shared_ptr<const CgroupLayout> layout = read();
    return layout;
}

Cgroup::Cgroup(Ctid ctid) : Cgroup(ctid, CgroupLayout::shared()) {}

Cgroup::Cgroup(Ctid ctid, std::shared_ptr<const CgroupLayout> layout)
    : ctid_(ctid), layout_(std::move(layout)), mode_(layout_->mode()) {}

std::optional<fs::path> Cgroup::find(std::string_view controller) const {
    return layout_->controller_dir(ctid_, controller);
}

fs::path Cgroup::path(std::string_view controller) const {
    if (auto dir = find(controller))
        return *dir;
    throw Error(VZ_SYSTEM_ERROR,
                "The " + std::string(controller) + " cgroup controller is not mounted");
}

std::vector<fs::path> Cgroup::all_paths() const {
    if (mode_ == CgroupMode::V2)
        return {group_below(cg::kV2Root, ctid_)};
    std::vector<fs::path> out;
    for (const auto &hierarchy : layout_->hierarchies())
        out.push_back(group_below(hierarchy.mount, ctid_));
    if (auto unified = v1_unified_group(*layout_, ctid_); unified && cg::is_dir(*unified))
        out.push_back(*unified);
    return out;
}

std::optional<fs::path> Cgroup::unified_path() const {
    if (mode_ == CgroupMode::V2)
        return group_below(cg::kV2Root, ctid_);
    auto unified = v1_unified_group(*layout_, ctid_);
    return unified && cg::is_dir(*unified) ? unified : std::nullopt;
}

void Cgroup::create(bool payload) {
    if (exists())
        remove_leftover(*this);
    try {
        if (mode_ == CgroupMode::V2) {
            cg::v2_create(ctid_);
        } else {
            const auto &hierarchies = layout_->hierarchies();
            if (hierarchies.empty())
                throw Error(VZ_SYSTEM_ERROR, "No cgroup v1 hierarchy is mounted");
            for (const auto &hierarchy : hierarchies)
                cg::v1_create(hierarchy, ctid_);
        }
        // Deny-all before any child exists: v1 refuses "deny a" afterwards,
        // and a child starts with its parent's rules.
        set_devices({});
        if (payload)
            create_payload();
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

void Cgroup::create_payload() const {
    if (mode_ == CgroupMode::V2) {
        cg::v2_delegate(group_below(cg::kV2Root, ctid_));
        cg::make_dir(group_below(cg::kV2Root, ctid_) / cg::kPayloadName);
        return;
    }
    for (const auto &hierarchy : layout_->hierarchies())
        cg::v1_create_payload(hierarchy, group_below(hierarchy.mount, ctid_));
    // A cgroup2 tree mounted from inside would otherwise be rooted at the
    // host's root group, where nobody placed the container.
    const auto &unified = layout_->v1_unified_mount();
    if (!unified)
        throw Error(VZ_ENVCREATE_ERROR,
                    "FEATURES nesting:on needs the cgroup v2 hierarchy mounted on this cgroup v1 "
                    "host (systemd mounts it at /sys/fs/cgroup/unified)");
    cg::make_dir(*unified / cg::kBaseName);
    cg::make_dir(group_below(*unified, ctid_));
    cg::make_dir(group_below(*unified, ctid_) / cg::kPayloadName);
}

bool Cgroup::exists() const {
    return std::ranges::any_of(all_paths(), cg::is_dir);
}

std::vector<pid_t> Cgroup::pids() const {
    std::vector<pid_t> out;
    for (const auto &dir : all_paths()) {
        auto procs = cg::procs_recursive(dir);
        out.insert(out.end(), procs.begin(), procs.end());
    }
    std::ranges::sort(out);
    // std::unique, not ranges::unique: the fuzzing build's clang 14 cannot
    // instantiate libstdc++ 12's subrange.
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::vector<pid_t> Cgroup::member_pids() const {
    if (mode_ == CgroupMode::V2)
        return pids();
    auto dir = find("pids");
    if (!dir)
        return pids();
    auto out = cg::procs_recursive(*dir);
    std::ranges::sort(out);
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

namespace {

// Where a container's processes go in one hierarchy's group: its payload
// child when there is one (FEATURES nesting:on), else the group itself.
fs::path leaf_of(const fs::path &dir) {
    const fs::path payload = dir / cg::kPayloadName;
    return cg::is_dir(payload) ? payload : dir;
}

} // namespace

void Cgroup::attach(pid_t pid) const {
    for (const auto &dir : all_paths())
        cg::write_value(leaf_of(dir) / "cgroup.procs", std::to_string(pid), VZ_SYSTEM_ERROR);
}

std::vector<Cgroup::AttachTarget> Cgroup::open_attach_targets() const {
    // Writing a pid (or a whole process) to cgroup.procs write-locks the
    // kernel's cgroup_threadgroup_rwsem, which waits for an RCU grace period;
    // "0" in a v1 `tasks` file moves the calling thread only, under
    // cgroup_mutex alone. A v2 group (the host's, or the unified hierarchy of
    // a v1 host) moves threads only within one domain: a process it is.
    // "0" is the caller in either file, whichever pid namespace it is in.
    std::vector<AttachTarget> out;
    for (const auto &dir : all_paths()) {
        const fs::path group = leaf_of(dir);
        fs::path file = group / (mode_ == CgroupMode::V1 ? "tasks" : "cgroup.procs");
        UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC));
        if (!fd && errno == ENOENT && mode_ == CgroupMode::V1) {
            file = group / "cgroup.procs"; // the unified hierarchy of a v1 host
            fd = UniqueFd(::open(file.c_str(), O_WRONLY | O_CLOEXEC));
        }
        if (!fd)
            throw_errno(VZ_SYSTEM_ERROR, "Unable to open " + file.string());
        out.push_back({file.string(), std::move(fd)});
    }
    return out;
}

void Cgroup::attach_self() const {
    for (const auto &target : open_attach_targets())
        if (::write(target.fd.get(), "0", 1) != 1)
            throw_errno(VZ_SYSTEM_ERROR, "Unable to write 0 to " + target.path);
}

UniqueFd Cgroup::open_clone_target() const {
    if (mode_ != CgroupMode::V2)
        return {};
    const fs::path leaf = leaf_of(group_below(cg::kV2Root, ctid_));
    return UniqueFd(open(leaf.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

bool Cgroup::kill_all(int timeout_ms) const {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    if (mode_ == CgroupMode::V1) {
        kill_frozen_v1(*this, deadline);
    } else {
        const fs::path group = group_below(cg::kV2Root, ctid_);
        // cgroup.kill reaches every task, forks in flight included: the
        // kernel then says when the last one is gone.
        if (cg::v2_kill(group) && cg::v2_wait_unpopulated(group, deadline) && empty())
            return true;
        kill_listed(pids());
    }
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
    return read_usage(*this, kMemoryUsage);
}

std::optional<std::uint64_t> Cgroup::pids_current() const {
    return read_usage(*this, kPidsCurrent);
}

std::optional<std::uint64_t> read_cgroup_figure(const fs::path &file, std::string_view key) {
    auto text = read_file(file);
    if (!text)
        return std::nullopt;
    if (key.empty())
        return parse_number<std::uint64_t>(trim(*text));
    for (const auto &line : split(*text, '\n')) {
        auto words = split_ws(line);
        if (words.size() == 2 && words[0] == key)
            return parse_number<std::uint64_t>(words[1]);
    }
    return std::nullopt;
}

} // namespace vz
