// A container's control group "vz/<CTID>", on cgroup v1 (one directory per
// mounted hierarchy) or cgroup v2 (one directory in the unified tree). The
// object is a handle: state is read from the filesystem on every call.
#pragma once

#include "vzkit/base/ct_config.h"
#include "vzkit/base/fd.h"
#include "vzkit/ubc/cgroup_limits.h"

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace vz {

enum class CgroupMode { V1, V2 };

// One device rule: type 'c', 'b' or 'a' (all); major/minor -1 means '*';
// access a subset of "rwm".
struct DeviceRule {
    char type = 'a';
    long major = -1;
    long minor = -1;
    std::string access = "rwm";
    bool operator==(const DeviceRule &) const = default;
};

// The default whitelist every container gets (null, zero, full, random,
// urandom, tty, ptmx, pts/*, mknod of any node), as OpenVZ's upstream
// backend grants; not the host console (c 5:1).
std::vector<DeviceRule> default_device_rules();
// DEVICES="c:10:200:rw b:8:0:r ..." → rules; 'q' is accepted and ignored; major 7
// (loop) refused. Throws Error(VZ_INVALID_PARAMETER_VALUE) naming the bad entry.
std::vector<DeviceRule> parse_devices(std::string_view value);
// DEVNODES="net/tun:rw ..." → rules for the host nodes' numbers (the node must
// exist on the host). Throws Error(VZ_INVALID_PARAMETER_VALUE).
struct DevNode {
    std::string name; // path below /dev
    DeviceRule rule;
    mode_t mode = 0; // S_IFCHR/S_IFBLK | perms, from the host node
};
std::vector<DevNode> parse_devnodes(std::string_view value);
// The whole whitelist of a container: the defaults, then DEVICES, then the
// rules of nodes (its parsed DEVNODES, which the caller also needs to create
// the nodes). Throws as parse_devices().
std::vector<DeviceRule> device_rules_from_config(const CtConfig &config,
                                                 const std::vector<DevNode> &nodes);

// One mounted v1 hierarchy: its mount point and what it controls ("cpu",
// "memory", "name=systemd", ...).
struct CgroupHierarchy {
    std::filesystem::path mount;
    std::vector<std::string> controllers;
    bool has(std::string_view controller) const;
};

// Where the host's groups live: its cgroup version, the v1 hierarchies and the
// unified (cgroup2) mount of a v1 host, read from /proc/self/mountinfo and
// /proc/cgroups in one pass. Mountinfo has a line per running container, so a
// process that handles many containers (vzlist) reads this once and shares it
// among its Cgroup handles instead of once per container and file
// (docs/benchmarks.md, list).
class CgroupLayout {
  public:
    static std::shared_ptr<const CgroupLayout> read();
    // The first read() of this process, kept: the host's hierarchies do not
    // move while a command runs, and start and stop would otherwise read them
    // two or three times (statmount and stat of each, /proc/cgroups).
    static std::shared_ptr<const CgroupLayout> shared();

    CgroupMode mode() const { return mode_; }
    // v1 only; empty on v2.
    const std::vector<CgroupHierarchy> &hierarchies() const { return hierarchies_; }
    const std::optional<std::filesystem::path> &v1_unified_mount() const { return unified_; }
    // vz/<CTID> of the hierarchy holding controller (or "name=<controller>"),
    // nullopt when none does (v1); on v2 always the one unified group.
    std::optional<std::filesystem::path> controller_dir(Ctid ctid,
                                                        std::string_view controller) const;

  private:
    CgroupMode mode_ = CgroupMode::V1;
    std::vector<CgroupHierarchy> hierarchies_;
    std::optional<std::filesystem::path> unified_;
};

// n of the allowed CPUs that the fewest of the pinned sets (other
// containers' cpusets) use, the lowest numbers first among equals; all of
// them when n is not smaller.
std::set<unsigned> least_used_cpus(const std::set<unsigned> &allowed,
                                   const std::vector<std::set<unsigned>> &pinned, unsigned n);

class Cgroup {
  public:
    // The mode this host runs: V2 when /sys/fs/cgroup is a cgroup2 mount.
    static CgroupMode host_mode();

    // Reads the layout now; the handle keeps it (hierarchies are not mounted
    // or unmounted under a running vzctl).
    explicit Cgroup(Ctid ctid);
    Cgroup(Ctid ctid, std::shared_ptr<const CgroupLayout> layout);
    Ctid ctid() const { return ctid_; }
    CgroupMode mode() const { return mode_; }
    const CgroupLayout &layout() const { return *layout_; }

    // Creates vz/<CTID> in every hierarchy (v1) or the unified tree (v2),
    // enabling the controllers it needs; copies cpuset.cpus/mems from the
    // parent. A leftover group of a dead container is emptied and recreated.
    // payload (FEATURES nesting:on): the container's processes go to a child
    // vz/<CTID>/ct, and on a v1 host the unified hierarchy gets the group too.
    void create(bool payload = false);
    bool exists() const;
    // Every pid (host view) in the group, read now: the union over every
    // hierarchy and sub-group, what killing and emptiness need.
    std::vector<pid_t> pids() const;
    // The same as one hierarchy lists them (v1: the pids hierarchy when it is
    // mounted, else all as pids()): a container's tasks are in its group in
    // every hierarchy and cannot leave it, so this is what a look-up (its
    // init, numproc) needs at a ninth of the reads on a v1 host.
    std::vector<pid_t> member_pids() const;
    bool empty() const { return pids().empty(); }
    // Moves pid into the group (its payload child when there is one) in every
    // hierarchy.
    void attach(pid_t pid) const;
    // The same for the calling process, which must have a single thread (a
    // child just forked). Moving one thread needs no global lock where
    // moving a process does: on a v1 hierarchy it is "0" in `tasks`, which
    // skips the RCU grace period of cgroup.procs (5-20 ms; exec pays it).
    void attach_self() const;
    // What attach_self() writes "0" to, opened: a child that may only make
    // system calls (a vfork-style child, ct/enter.cpp) writes them itself.
    struct AttachTarget {
        std::string path;
        UniqueFd fd;
    };
    std::vector<AttachTarget> open_attach_targets() const;
    // v2: the group (its payload child when there is one) opened for
    // clone3(CLONE_INTO_CGROUP), which places a new process at fork time
    // without the grace period of a move; an invalid fd on v1, where a
    // process moves itself with attach_self().
    UniqueFd open_clone_target() const;
    // SIGKILL everything in the group (cgroup.kill on v2 when present) and
    // waits until it is empty, up to timeout_ms. Returns whether it is empty.
    bool kill_all(int timeout_ms = 5000) const;
    // rmdir in every hierarchy; the group must be empty.
    void destroy() const;

    // Applies limits live; an unset field removes that limit.
    void apply(const CgroupLimits &limits) const;
    // Replaces the device whitelist (v1 devices controller; v2 eBPF program
    // attached to the group).
    void set_devices(const std::vector<DeviceRule> &rules) const;

    // Directory of a controller's group ("memory", "pids", "cpu", ...); on v2
    // every controller maps to the same directory.
    std::filesystem::path path(std::string_view controller) const;
    // The same, nullopt when the controller is not mounted (v1).
    std::optional<std::filesystem::path> find(std::string_view controller) const;
    // Directories to read cgroup files of this group, for tests and vzlist.
    std::vector<std::filesystem::path> all_paths() const;
    // The group in the unified (v2) hierarchy: the only one on v2, on a v1
    // host only when create(true) made it there.
    std::optional<std::filesystem::path> unified_path() const;

    // Live figures for vzlist and friends; nullopt when unknown.
    std::optional<std::uint64_t> memory_usage_bytes() const;
    std::optional<std::uint64_t> pids_current() const;

  private:
    void create_payload() const;

    Ctid ctid_;
    std::shared_ptr<const CgroupLayout> layout_;
    CgroupMode mode_;
};

// A figure of a cgroup file: the whole file as a number (key empty:
// memory.current), or the value of key in a flat-keyed file (cpu.stat's
// usage_usec, memory.events' max); nullopt when absent or not a number.
std::optional<std::uint64_t> read_cgroup_figure(const std::filesystem::path &file,
                                                std::string_view key);

} // namespace vz
