// lvm: each container a thin volume of its own in a thin pool, with its own
// ext4 (or XFS) mounted on VE_ROOT (docs/storage.md).
//
//   VE_LVM_VG        the volume group (vz.conf, or the CT's config over it)
//   VE_LVM_THINPOOL  the thin pool in it
//   VE_LVM_FS        ext4 (default) or xfs
//
// The volume is <VG>/ct<CTID>; its snapshots <VG>/ct<CTID>-snap-<uuid>; a
// volume being made is <VG>/ct<CTID>-new until it is complete. VE_PRIVATE is
// a directory of metadata only (Snapshots.json). DISKSPACE's hard limit is the
// volume's size, DISKINODES' the file system's inode count at mkfs,
// QUOTAUGIDLIMIT > 0 turns on user and group quota in it.
#pragma once

#include "vzkit/base/ct_config.h"
#include "vzkit/storage/layout.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace vz {

extern const Layout kLvmLayout;

namespace lvm_layout {

// The container's volume group, pool and volume names, checked.
struct Names {
    std::string vg, pool, lv;
    std::string device() const { return "/dev/" + vg + "/" + lv; }
};
Names names_of(const CtConfig &config);

// DISKSPACE's hard limit in bytes (the volume's size), rounded up to a MiB.
std::uint64_t wanted_size(const CtConfig &config);

// Applies DISKSPACE (grow online; shrink only offline on ext4) and
// QUOTAUGIDLIMIT to a mounted container: what `vzctl set` does live.
void apply_limits(const CtConfig &config);

// Second-level quota (QUOTAUGIDLIMIT > 0 on a mounted lvm container): the
// block node the quota tools inside look up by the mount table's source
// (/dev/<VG>/<LV>), for the container's /dev. quotactl(2) only looks the node
// up (lookup_bdev), never opens it; the container gets no device rule for it,
// so opening it — reading or writing the raw volume — fails with EPERM.
struct QuotaNode {
    std::string name; // below /dev
    long major = 0, minor = 0;
    unsigned mode = 0; // S_IFBLK | 0400
};
std::optional<QuotaNode> quota_node(const CtConfig &config);

// The volume as one block device, for vzmigrate to copy whole (docs/checkpoint.md,
// "vzmigrate"): the real node (/dev/dm-N: rsync copies a symlink as a
// symlink), its size, and what of it the pool holds.
struct VolumeInfo {
    std::string device;
    std::uint64_t size = 0, used = 0;
};
// Activates the volume. Error(VZ_FS_NOPRVT) when there is none.
VolumeInfo volume_info(const CtConfig &config);
// The receiving end of a migration: an empty volume of at least size bytes
// (no file system: the copy brings it) and the metadata directory, in the
// group and pool the config names. Refuses an existing volume or private
// area (VZ_FS_PRVT_AREA_EXIST) and a pool with less than used bytes free
// (VZ_FS_NO_DISK_SPACE); leaves nothing when it fails.
VolumeInfo make_empty_volume(const CtConfig &config, std::uint64_t size, std::uint64_t used);

// A snapshot as Snapshots.json keeps it (upstream's fields).
struct Snapshot {
    std::string uuid;   // "{xxxxxxxx-....}" as upstream prints it
    std::string parent; // the snapshot the state it was taken from derived from; "" for none
    std::string name, description;
    std::string date; // "YYYY-MM-DD HH:MM:SS", local time
    bool current = false; // the container's state derives from it
};

std::vector<Snapshot> snapshots(const CtConfig &config);
// The volume a snapshot lives in; its device when active.
std::string snapshot_lv(const CtConfig &config, const std::string &uuid);
// Where a snapshot is mounted (host path), if it is.
std::optional<std::string> snapshot_target(const CtConfig &config, const std::string &uuid);
// "{uuid}" from a user's id (with or without braces); nullopt when it is no UUID.
std::optional<std::string> normalise_uuid(std::string_view text);
std::string new_uuid();

// Takes a thin snapshot of the container's volume. mounted: its file system
// is synced first; device-mapper's suspend of the origin freezes it for the
// snapshot and its resume thaws it. Error(VZ_CREATE_SNAPSHOT).
void create_snapshot(const CtConfig &config, Snapshot snapshot, bool mounted);
// The container's volume replaced by a new thin snapshot of the snapshot (the
// current state is dropped, as upstream's switch drops the top delta). The
// container must be unmounted. Error(VZ_SWITCH_SNAPSHOT).
void switch_snapshot(const CtConfig &config, const std::string &uuid);
void delete_snapshot(const CtConfig &config, const std::string &uuid);
// Read-only at target. Error(VZ_MOUNT_SNAPSHOT) / (VZ_UMOUNT_SNAPSHOT).
void mount_snapshot(const CtConfig &config, const std::string &uuid,
                    const std::filesystem::path &target);
void umount_snapshot(const CtConfig &config, const std::string &uuid);

// fstrim of the mounted file system: freed blocks go back to the pool.
// Returns the bytes trimmed. Error(VZ_COMPACT_IMAGE).
std::uint64_t compact(const CtConfig &config);

// simfs → lvm: a new volume filled from the stopped, unmounted container's
// private tree (owners, modes, times, xattrs, ACLs, hard links), then commit
// (which writes the config) — on any failure the new volume goes and the
// tree stays. After commit the old tree is removed. Error(VZ_CONVERT_IMAGE).
void convert_from_tree(const CtConfig &config, const std::filesystem::path &tree,
                       const std::function<void()> &commit);

} // namespace lvm_layout
} // namespace vz
