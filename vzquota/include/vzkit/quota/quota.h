// vzquota's model: a container's first-level disk quota, kept as OpenVZ kept
// it in /var/vzquota/quota.<id> and enforced by the kernel's project quota
// (vzkit/quota/project.h) with the quota id as the project id. vzquota's
// commands and vzctl's quota steps are these functions; each holds the quota
// file's lock (kExitLock when another holds it) and writes the file
// atomically. docs/quota.md is the user's view.
#pragma once

#include "vzkit/quota/project.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace vz::quota {

// vzquota's exit codes (OpenVZ's EC_*).
enum ExitCode {
    kExitSystem = 1,
    kExitUsage = 2,
    kExitKernel = 3, // the kernel cannot do it: no project quota on this file system
    kExitQuotaFile = 4,
    kExitRunning = 5,
    kExitNotRunning = 6,
    kExitLock = 7,
    kExitCrossesMounts = 8,
    kExitUgidNotRunning = 9,
    kExitDirty = 10,
    kExitNoQuotaFile = 11,
    kExitNoMountPoint = 13,
};

struct Limits {
    ProjectLimits project;
    std::uint64_t block_grace = 0; // seconds; 0 = the file system's default
    std::uint64_t inode_grace = 0;
    std::uint32_t ugid_limit = 0; // second-level quota's id count; 0 = off
    bool operator==(const Limits &) const = default;
};

// setlimit's options: what is given changes, the rest stays.
struct LimitChanges {
    std::optional<std::uint64_t> block_soft, block_hard, inode_soft, inode_hard;
    std::optional<std::uint64_t> block_grace, inode_grace;
    std::optional<std::uint32_t> ugid_limit;
    Limits applied_to(Limits limits) const;
};

// The quota file.
struct QuotaFile {
    unsigned id = 0;
    std::filesystem::path path; // the tree: the container's private area
    Limits limits;
    bool on = false;
    bool dirty = false; // tagging began and did not finish: the next on rescans
    std::uint64_t bytes = 0; // usage when last written (show reads it)
    std::uint64_t inodes = 0;
};

// /var/vzquota, or $VZQUOTA_DIR (tests run with their own).
std::filesystem::path quota_dir();
std::filesystem::path quota_file_path(unsigned id);
bool quota_file_exists(unsigned id);
// Throws Error(kExitNoQuotaFile) when there is none, kExitQuotaFile when it
// does not parse.
QuotaFile read_quota_file(unsigned id);

// What stat (the kernel) and show (the file) print.
struct Report {
    QuotaFile file;
    std::uint64_t bytes = 0;
    std::uint64_t inodes = 0;
    std::int64_t block_expires = 0; // when the grace ends, 0 = within the soft limit
    std::int64_t inode_expires = 0;
};

// init: tags the tree at path, counts it and writes the file (off, limits
// as given). An existing file is replaced, as OpenVZ's init does.
Report init(unsigned id, const std::filesystem::path &path, const Limits &limits);
// on: the file's limits (changed by `changes`) set in the kernel; a dirty
// file, or force, rescans first. Without a file: kExitNoQuotaFile. Already
// on: kExitRunning. path, when given and not the file's, becomes the quota's
// tree and is rescanned (OpenVZ's vzquota on -p did the same).
Report on(unsigned id, const std::optional<std::filesystem::path> &path,
          const LimitChanges &changes, bool force);
// off: the kernel's limits cleared, the usage saved. Not on: kExitNotRunning
// (unless force).
void off(unsigned id, bool force);
// drop: the file removed (and the limits cleared). On: kExitRunning unless force.
void drop(unsigned id, bool force);
// setlimit: the file's limits changed and, when on, the kernel's at once.
Report setlimit(unsigned id, const LimitChanges &changes);
// stat: the kernel's figures (the file's when it is off); show: the file's.
Report stat(unsigned id);
Report show(unsigned id);

} // namespace vz::quota
