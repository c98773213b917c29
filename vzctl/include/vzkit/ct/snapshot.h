// vzctl 4's snapshot commands, compact, convert and volume, over the lvm layout's
// thin snapshots (vzkit/storage/lvm.h; docs/storage.md). Other layouts refuse
// them with Error(VZ_PLOOP_UNSUP) and a line saying what they can do.
#pragma once

#include "vzkit/base/ct_config.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

namespace vz {

struct SnapshotOptions {
    std::optional<std::string> id; // --id/--uuid; else a new one
    std::optional<std::string> name, description;
    bool skip_suspend = false; // no cgroup freeze (the file system is still frozen)
};
// A running container's processes are frozen (its cgroup), its file system
// frozen (FIFREEZE), the thin snapshot taken, and both thawed, whatever happens.
void snapshot_ct(const CtConfig &config, const SnapshotOptions &options);

struct SnapshotListOptions {
    bool no_header = false; // -H
    bool json = false;      // -j
    std::optional<std::string> fields; // -o a,b,c
    std::optional<std::string> id;     // --id
};
void snapshot_list_ct(const CtConfig &config, const SnapshotListOptions &options,
                      std::ostream &out);

// A running container is stopped, switched and started again (not with
// skip_resume); a mounted one is remounted.
void snapshot_switch_ct(CtConfig &config, const std::string &id, bool skip_resume);
void snapshot_delete_ct(const CtConfig &config, const std::string &id);
void snapshot_mount_ct(const CtConfig &config, const std::string &id,
                       const std::filesystem::path &target);
void snapshot_umount_ct(const CtConfig &config, const std::string &id);

// fstrim: what the container freed goes back to the thin pool.
void compact_ct(const CtConfig &config);
// convert --layout lvm: simfs → lvm on a stopped, unmounted container.
// Anything else: Error(VZ_INVALID_PARAMETER_VALUE), as upstream.
void convert_ct(CtConfig &config, const std::string &layout);

// vzmigrate's access to an lvm container's volume: prints "<device> <size>
// <used>" (bytes) of the volume, activated. With create_size, first makes an
// empty one of that size (the receiving host; vzkit/storage/lvm.h).
struct VolumeOptions {
    std::optional<std::uint64_t> create_size;
    std::uint64_t used = 0; // what the pool must have free for it
};
void volume_ct(const CtConfig &config, const VolumeOptions &options, std::ostream &out);

} // namespace vz
