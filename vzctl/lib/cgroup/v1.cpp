// cgroup v1: which hierarchies are mounted, how vz/<CTID> is prepared in each,
// and the freezer that stops a container from forking while it is killed.
#include "cgroup/internal.h"

#include "vzkit/base/error.h"
#include "vzkit/base/log.h"
#include "vzkit/base/mount_table.h"
#include "vzkit/base/util.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <set>

namespace vz::cg {
namespace {

// Controller names the kernel knows, so that super options such as
// "clone_children" or "xattr" are not taken for controllers.
std::set<std::string, std::less<>> known_controllers() {
    std::set<std::string, std::less<>> names;
    for (const auto &line : split(read_file("/proc/cgroups").value_or(""), '\n')) {
        if (line.starts_with('#'))
            continue;
        if (auto fields = split_ws(line); !fields.empty())
            names.insert(fields[0]);
    }
    return names;
}

std::vector<std::string> controllers_of(std::string_view super_options,
                                        const std::set<std::string, std::less<>> &known) {
    std::vector<std::string> out;
    for (auto &option : split(super_options, ','))
        if (known.contains(option) || option.starts_with("name="))
            out.push_back(std::move(option));
    return out;
}

// Copies cpuset.cpus/mems from the parent: a fresh cpuset group has none, and
// the kernel refuses to move tasks into a group without CPUs or nodes. With
// cgroup.clone_children set on the parent the kernel copies them when the
// child is made, and nothing is written: a write of cpuset.cpus checks every
// sibling and rebuilds the scheduler domains, which with 5000 containers
// under vz costs a start 3 ms (docs/benchmarks.md, issue 15 density).
void inherit_cpuset(const fs::path &group) {
    for (std::string_view file : {"cpuset.cpus", "cpuset.mems"}) {
        if (!read_value(group / file).value_or("").empty())
            continue;
        auto parent = read_value(group.parent_path() / file);
        if (!parent)
            throw Error(VZ_RESOURCE_ERROR,
                        "Unable to read " + (group.parent_path() / file).string());
        write_value(group / file, *parent, VZ_RESOURCE_ERROR);
    }
    if (read_value(group / "cgroup.clone_children") == "0")
        try_write_value(group / "cgroup.clone_children", "1");
}

// Without use_hierarchy (kernels before 5.x), a limit on vz/<CTID> would not
// cover the groups a container creates below it.
void enable_memory_hierarchy(const fs::path &group) {
    const fs::path file = group / "memory.use_hierarchy";
    if (::access(file.c_str(), W_OK) != 0 || read_value(file) == "1")
        return;
    // The kernel refuses once the group has children (an old layout); limits
    // still apply to the group itself, so this is not worth failing a start.
    if (try_write_value(file, "1") != 0)
        log_warning("Unable to enable memory.use_hierarchy in " + group.string());
}

struct ControllerInit {
    std::string_view controller;
    void (*init)(const fs::path &group);
};

// Devices start as deny-all through set_devices(), which create() calls.
constexpr std::array kInits = std::to_array<ControllerInit>({
    {"cpuset", inherit_cpuset},
    {"memory", enable_memory_hierarchy},
});

void init_group(const Hierarchy &hierarchy, const fs::path &group) {
    for (const auto &[controller, init] : kInits)
        if (hierarchy.has(controller))
            init(group);
}


// A hierarchy another mount covers (a tmpfs mounted over
// /sys/fs/cgroup/pids) is still listed in mountinfo, but its path now leads
// into the other file system: a group made there would limit nothing.
bool visible(const MountInfo &mount) {
    struct stat st {};
    return ::stat(mount.mount_point.c_str(), &st) == 0 &&
           std::to_string(major(st.st_dev)) + ":" + std::to_string(minor(st.st_dev)) ==
               mount.major_minor;
}

} // namespace

std::vector<Hierarchy> v1_hierarchies(const std::vector<MountInfo> &mounts) {
    const auto known = known_controllers();
    std::vector<Hierarchy> out;
    std::set<std::string> seen_devices;
    for (const auto &mount : mounts) {
        if (mount.fs_type != "cgroup" || !visible(mount) ||
            !seen_devices.insert(mount.major_minor).second)
            continue;
        auto controllers = controllers_of(mount.super_options, known);
        if (!controllers.empty())
            out.push_back({mount.mount_point, std::move(controllers)});
    }
    return out;
}

std::vector<MountInfo> layout_mounts() {
    // Where every v1 host has them (systemd, cgroupfs-mount). A host whose
    // hierarchies are elsewhere has no cgroup mount there, and a kernel
    // before 6.11 gives no options (the controllers): both read mountinfo.
    auto below = mounts_at_and_directly_below(kV2Root);
    const auto is_v1 = [](const MountInfo &mount) { return mount.fs_type == "cgroup"; };
    if (below && std::ranges::any_of(*below, is_v1) &&
        std::ranges::none_of(*below, [&](const MountInfo &mount) {
            return is_v1(mount) && mount.super_options.empty();
        }))
        return std::move(*below);
    return parse_mountinfo(read_file("/proc/self/mountinfo").value_or(""));
}

std::vector<Hierarchy> v1_hierarchies() {
    return v1_hierarchies(layout_mounts());
}

void v1_create(const Hierarchy &hierarchy, Ctid ctid) {
    const fs::path base = hierarchy.mount / kBaseName;
    make_dir(base);
    // Also for an existing vz: a cpuset emptied by CPU hotplug is refilled.
    init_group(hierarchy, base);
    const fs::path group = base / std::to_string(ctid);
    if (!make_dir(group))
        throw Error(VZ_RESOURCE_ERROR, "Cgroup " + group.string() + " already exists");
    init_group(hierarchy, group);
}

void v1_create_payload(const Hierarchy &hierarchy, const fs::path &group) {
    const fs::path payload = group / kPayloadName;
    make_dir(payload);
    init_group(hierarchy, payload);
}

std::optional<fs::path> v1_unified_mount(const std::vector<MountInfo> &mounts) {
    for (const auto &mount : mounts)
        if (mount.fs_type == "cgroup2")
            return mount.mount_point;
    return std::nullopt;
}

std::optional<fs::path> v1_unified_mount() {
    return v1_unified_mount(layout_mounts());
}

bool v1_set_frozen(const fs::path &freezer_group, bool frozen, Clock::time_point deadline) {
    const fs::path file = freezer_group / "freezer.state";
    const std::string_view wanted = frozen ? "FROZEN" : "THAWED";
    if (try_write_value(file, wanted) != 0)
        return false;
    // Freezing is asynchronous: the state reads FREEZING until every task stopped.
    return wait_until(deadline, [&] { return read_value(file) == wanted; });
}

} // namespace vz::cg
