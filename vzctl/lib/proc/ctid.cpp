// The cgroup-and-namespace resolver behind make_ct_resolver(): running
// containers are the groups vz/<CTID> holding an init (pid 1 of a pid
// namespace one level below ours, the rule of ct/state.h), and a process
// belongs to the container whose init shares its pid namespace or an ancestor
// of it.
#include "vzkit/proc/ctid.h"

#include "cgroup/internal.h"
#include "proc/io.h"

#include "vzkit/base/error.h"
#include "vzkit/proc/parse.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <set>
#include <unordered_map>

namespace vz {
namespace {

namespace fs = std::filesystem;

// Directories that may hold vz/<CTID> groups: one per v1 hierarchy, or the
// unified tree.
std::vector<fs::path> vz_group_roots() {
    std::vector<fs::path> roots;
    if (Cgroup::host_mode() == CgroupMode::V2) {
        roots.push_back(cg::kV2Root / cg::kBaseName);
    } else {
        for (const auto &hierarchy : cg::v1_hierarchies())
            roots.push_back(hierarchy.mount / cg::kBaseName);
    }
    return roots;
}

// CTIDs with a group in any of roots, ascending.
std::set<Ctid> ctids_with_groups(const std::vector<fs::path> &roots) {
    std::set<Ctid> ctids;
    std::error_code ec;
    for (const auto &root : roots) {
        for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
            if (!it->is_directory(ec))
                continue;
            if (auto ctid = ctid_of_cgroup_path("/vz/" + it->path().filename().string()))
                ctids.insert(*ctid);
        }
    }
    return ctids;
}

class CgroupCtResolver final : public CtResolver {
  public:
    explicit CgroupCtResolver(int proc_fd) : proc_fd_(proc_fd) {}

    void refresh() override;
    const std::vector<RunningCt> &running() const override { return running_; }
    std::optional<Ctid> ctid_of(int pid_dir, std::size_t nspid_entries) override;

  private:
    std::optional<pid_t> find_init(const std::vector<fs::path> &groups);
    std::optional<Ctid> by_ancestry(int pid_dir, std::uint64_t pidns);
    std::optional<Ctid> by_cgroup(int pid_dir, std::size_t nspid_entries);

    int proc_fd_;
    std::uint64_t own_pidns_ = 0;
    std::size_t own_depth_ = 1; // NSpid entries of a process in our namespace
    std::vector<RunningCt> running_;
    std::unordered_map<std::uint64_t, Ctid> by_pidns_;
    // Namespaces that are not a container's own, classified once per refresh.
    std::unordered_map<std::uint64_t, Ctid> nested_;
    std::string buf_;
    ProcStatus status_;
};

void CgroupCtResolver::refresh() {
    running_.clear();
    by_pidns_.clear();
    nested_.clear();
    // Our own namespace and depth, through /proc/self of the /proc we read.
    UniqueFd self(::openat(proc_fd_, "self", O_PATH | O_DIRECTORY | O_CLOEXEC));
    auto own = self ? procio::ns_inode_at(self.get(), "pid", buf_) : std::nullopt;
    if (!own)
        throw_errno(VZ_SYSTEM_ERROR, "Unable to read /proc/self/ns/pid");
    if (procio::read_at(self.get(), "status", buf_) && parse_proc_status(buf_, status_) &&
        !status_.nspid.empty())
        own_depth_ = status_.nspid.size();
    own_pidns_ = *own;

    const auto roots = vz_group_roots();
    for (Ctid ctid : ctids_with_groups(roots)) {
        std::vector<fs::path> groups;
        for (const auto &root : roots)
            groups.push_back(root / std::to_string(ctid));
        auto init = find_init(groups);
        if (!init)
            continue; // starting, or a leftover group of a dead container
        UniqueFd dir = procio::open_pid_dir(proc_fd_, *init);
        auto pidns = dir ? procio::ns_inode_at(dir.get(), "pid", buf_) : std::nullopt;
        if (!pidns)
            continue; // it died meanwhile
        running_.push_back({ctid, *init, *pidns, static_cast<unsigned>(own_depth_)});
        by_pidns_[*pidns] = ctid;
    }
}

// The group's init: the process at our depth + 1 whose pid there is 1. One
// hierarchy is enough (a container's processes are in its group in every
// one), but a hierarchy where the group is missing or empty says nothing.
std::optional<pid_t> CgroupCtResolver::find_init(const std::vector<fs::path> &groups) {
    for (const auto &group : groups) {
        auto pids = cg::procs_recursive(group);
        if (pids.empty())
            continue;
        // The init is usually the oldest process, hence often the lowest pid.
        std::ranges::sort(pids);
        for (pid_t pid : pids) {
            UniqueFd dir = procio::open_pid_dir(proc_fd_, pid);
            if (!dir || !procio::read_whole_at(dir.get(), "status", buf_) ||
                !parse_proc_status(buf_, status_))
                continue;
            if (status_.nspid.size() == own_depth_ + 1 && status_.nspid.back() == 1)
                return pid;
        }
        return std::nullopt;
    }
    return std::nullopt;
}

// A namespace that is neither ours nor a container's: walk up its parents
// until one is a container's (a nested namespace), ours or out of reach
// (EPERM: above ours) — the latter two make it a host process.
std::optional<Ctid> CgroupCtResolver::by_ancestry(int pid_dir, std::uint64_t pidns) {
    if (auto known = nested_.find(pidns); known != nested_.end())
        return known->second;
    UniqueFd ns(::openat(pid_dir, "ns/pid", O_RDONLY | O_CLOEXEC));
    if (!ns)
        return procio::process_gone(errno) ? std::nullopt : std::optional<Ctid>(0);
    Ctid owner = 0;
    for (;;) {
        UniqueFd parent(::ioctl(ns.get(), NS_GET_PARENT));
        struct stat st {};
        if (!parent || ::fstat(parent.get(), &st) != 0 || st.st_ino == own_pidns_)
            break;
        if (auto ct = by_pidns_.find(st.st_ino); ct != by_pidns_.end()) {
            owner = ct->second;
            break;
        }
        ns = std::move(parent);
    }
    nested_[pidns] = owner;
    return owner;
}

// The namespace link is closed to us (a process holding capabilities we lack,
// under some security modules): its depth from NSpid and its cgroup decide. A
// process below our namespace inside a running container's group is taken as
// that container's.
std::optional<Ctid> CgroupCtResolver::by_cgroup(int pid_dir, std::size_t nspid_entries) {
    if (nspid_entries == 0) {
        if (!procio::read_whole_at(pid_dir, "status", buf_) || !parse_proc_status(buf_, status_))
            return std::nullopt;
        nspid_entries = status_.nspid.size();
    }
    if (nspid_entries <= own_depth_)
        return 0;
    if (!procio::read_whole_at(pid_dir, "cgroup", buf_))
        return std::nullopt;
    const CgroupOwner owner = parse_cgroup_owner(buf_);
    if (owner.kind != CgroupOwner::Kind::Ct || !find(owner.ctid))
        return 0;
    return owner.ctid;
}

std::optional<Ctid> CgroupCtResolver::ctid_of(int pid_dir, std::size_t nspid_entries) {
    if (nspid_entries != 0 && nspid_entries <= own_depth_)
        return 0; // in our namespace (or, through a foreign /proc, above it)
    auto pidns = procio::ns_inode_at(pid_dir, "pid", buf_);
    if (!pidns) {
        if (procio::process_gone(errno))
            return std::nullopt;
        if (errno == EACCES || errno == EPERM)
            return by_cgroup(pid_dir, nspid_entries);
        throw_errno(VZ_SYSTEM_ERROR, "Unable to read a process's pid namespace");
    }
    if (*pidns == own_pidns_)
        return 0;
    if (auto ct = by_pidns_.find(*pidns); ct != by_pidns_.end())
        return ct->second;
    return by_ancestry(pid_dir, *pidns);
}

} // namespace

const RunningCt *CtResolver::find(Ctid ctid) const {
    const auto &cts = running();
    auto it = std::ranges::lower_bound(cts, ctid, {}, &RunningCt::ctid);
    return it != cts.end() && it->ctid == ctid ? &*it : nullptr;
}

void require_running(const CtResolver &cts, std::span<const Ctid> ctids) {
    for (Ctid ctid : ctids)
        if (ctid != 0 && !cts.find(ctid))
            throw Error(VZ_VE_NOT_RUNNING, "Container " + std::to_string(ctid) + " is not running");
}

std::unique_ptr<CtResolver> make_ct_resolver(int proc_fd) {
    return std::make_unique<CgroupCtResolver>(proc_fd);
}

} // namespace vz
